"""IAM policy documents for tests."""

from __future__ import annotations


def document(*statements):
    """A policy document (the current policy language version) holding `statements`."""
    return {"Version": "2012-10-17", "Statement": list(statements)}


CLIENT_MOUNT_WRITE = ("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite")


def file_system_policy(
    fs_arn, principal, access_point_arns, actions=CLIENT_MOUNT_WRITE, sid="MountThroughAccessPoints"
):
    """An EFS file-system policy as roles/efs_storage writes it: TLS only; `actions` for `principal` ("*",
    or the account's root to delegate to identity policies) through the access points via a mount target."""
    return document(
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "*",
            "Resource": fs_arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"AWS": principal},
            "Action": list(actions),
            "Resource": fs_arn,
            "Condition": {
                "ArnEquals": {"elasticfilesystem:AccessPointArn": list(access_point_arns)},
                "Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"},
            },
        },
    )
