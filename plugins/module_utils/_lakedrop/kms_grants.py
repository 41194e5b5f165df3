# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading an SSE-KMS source bucket from another account: kms:Decrypt must be allowed by the DataSync
role's identity policy AND by the key's policy (the key lives in the bucket's account). Both sides are
written from the one set of conditions here: only through S3 in the region, and only for objects of
that bucket (the S3 encryption context is the bucket ARN with an S3 Bucket Key, else the object ARN)."""

from . import arns

SID = "DataSyncDecryptsThroughS3"


def conditions(region, bucket):
    bucket_arn = arns.bucket_arn(bucket, region)
    return {
        "StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"},
        "StringLike": {"kms:EncryptionContext:aws:s3:arn": [bucket_arn, bucket_arn + "/*"]},
    }


def key_statement(role_arns, region, bucket):
    """The statement the key policy needs (what the play writes, and what it asks the owner of a key it
    does not manage to add)."""
    return {
        "Sid": SID,
        "Effect": "Allow",
        "Principal": {"AWS": sorted(role_arns)},
        "Action": "kms:Decrypt",
        "Resource": "*",
        "Condition": conditions(region, bucket),
    }


def key_policy(account_id, role_arns, region, bucket):
    """The policy of a key the play creates: the account administers it (and its IAM policies apply, as
    for every key), the DataSync roles decrypt through S3 only."""
    root = f"arn:{arns.partition_of(region)}:iam::{account_id}:root"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministersTheKey",
                "Effect": "Allow",
                "Principal": {"AWS": root},
                "Action": "kms:*",
                "Resource": "*",
            },
            key_statement(role_arns, region, bucket),
        ],
    }


def role_policy(key_arn, region, bucket):
    """The DataSync role's side: decrypt with that key only, under the same conditions."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": SID,
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": key_arn,
                "Condition": conditions(region, bucket),
            }
        ],
    }


def _listed(value):
    return value if isinstance(value, list) else [value]


def _allows_decrypt(statement):
    actions = [a.lower() for a in _listed(statement.get("Action", []))]
    return statement.get("Effect") == "Allow" and any(a in ("kms:decrypt", "kms:*", "*") for a in actions)


def _principals(statement):
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"]
    return _listed((principal or {}).get("AWS", [])) if isinstance(principal, dict) else []


def missing_grants(policy, role_arns):
    """The role ARNs no Allow statement of `policy` grants kms:Decrypt to (by ARN, or by the role's account,
    which then leaves the decision to that account's identity policies)."""
    granted = set()
    for statement in _listed((policy or {}).get("Statement", [])):
        if _allows_decrypt(statement):
            granted.update(_principals(statement))
    missing = []
    for role in role_arns:
        account = arns.arn_parts(role)[3]
        root = f"arn:{arns.arn_parts(role)[0]}:iam::{account}:root"
        if not granted & {role, account, root, "*"}:
            missing.append(role)
    return missing
