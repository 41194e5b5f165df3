"""The policy checks of tests/support/security.py: each passes a good policy and catches a bad one."""

from __future__ import annotations

import json
from pathlib import Path

import jinja2
import pytest
from support.policies import document
from support.security import Policy
from support.security import bucket_settings
from support.security import manifest_bucket
from support.security import problems
from support.security import unread_services

ACCOUNT = "111111111111"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/it-ds"
QUEUE = f"arn:aws:sqs:eu-west-1:{ACCOUNT}:it-events"
BUCKET = "arn:aws:s3:::it-source"
KEY = f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TRUST = Policy("target", "role it-ds trust", "trust", document(), arn=ROLE)  # makes ACCOUNT one with known roles


def deny_insecure(action, resource):
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": action,
        "Resource": resource,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


SEND_FROM_BUCKET = {
    "Sid": "S3ForTheSourceBucketOnly",
    "Effect": "Allow",
    "Principal": {"Service": "s3.amazonaws.com"},
    "Action": "sqs:SendMessage",
    "Resource": QUEUE,
    "Condition": {"ArnEquals": {"aws:SourceArn": BUCKET}, "StringEquals": {"aws:SourceAccount": ACCOUNT}},
}
GOOD_QUEUE = document(SEND_FROM_BUCKET, deny_insecure("sqs:*", QUEUE))


def queue(*statements):
    return Policy("target", "queue it-events policy", "resource", document(*statements), "sqs", QUEUE)


def checked(policy):
    return problems([TRUST, policy])


def test_a_good_queue_policy_has_no_problem():
    assert checked(queue(*GOOD_QUEUE["Statement"])) == []


def test_parliament_findings_are_reported():
    bad = {**SEND_FROM_BUCKET, "Action": "sqs:SendMessages"}  # no such action
    assert [p for p in checked(queue(bad, deny_insecure("sqs:*", QUEUE))) if p.startswith("parliament UNKNOWN_ACTION")]


def test_resource_star_on_an_action_that_can_be_scoped():
    identity = Policy("target", "role it-ds inline read", "identity", document())
    star = {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "datasync:ListTasks"], "Resource": "*"}
    found = checked(Policy(**{**identity.__dict__, "document": document(star)}))
    assert [p for p in found if p.startswith("resource-star")] == [
        "resource-star: role it-ds inline read [Read]: s3:GetObject"
    ]
    only_unscopable = {**star, "Action": "datasync:ListTasks"}  # the SAR: no resource type for it
    assert checked(Policy(**{**identity.__dict__, "document": document(only_unscopable)})) == []


@pytest.mark.parametrize("dropped", ["aws:SourceArn", "aws:SourceAccount"])
def test_a_service_principal_needs_source_account_and_arn(dropped):
    condition = {
        op: {k: v for k, v in block.items() if k != dropped} for op, block in SEND_FROM_BUCKET["Condition"].items()
    }
    found = checked(queue({**SEND_FROM_BUCKET, "Condition": condition}, deny_insecure("sqs:*", QUEUE)))
    assert [p for p in found if p.startswith("service-principal-unbound")], found


def test_a_service_principal_in_a_trust_policy_is_checked_too():
    trust = {"Effect": "Allow", "Principal": {"Service": "datasync.amazonaws.com"}, "Action": "sts:AssumeRole"}
    found = problems([Policy("target", "role it-ds trust", "trust", document(trust), arn=ROLE)])
    assert [p for p in found if p.startswith("service-principal-unbound")], found


@pytest.mark.parametrize("root", [f"arn:aws:iam::{ACCOUNT}:root", ACCOUNT])
def test_an_account_root_where_a_role_is_known(root):
    grant = {"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": root}, "Action": "s3:GetObject"}
    bucket = Policy("source", "bucket it-source policy", "resource", document(), "s3", BUCKET)
    good = [deny_insecure("s3:*", [BUCKET, f"{BUCKET}/*"])]
    with_root = {**grant, "Resource": f"{BUCKET}/*"}
    found = checked(Policy(**{**bucket.__dict__, "document": document(*good, with_root)}))
    assert [p for p in found if p.startswith("account-root")], found
    with_role = {**with_root, "Principal": {"AWS": ROLE}}
    assert checked(Policy(**{**bucket.__dict__, "document": document(*good, with_role)})) == []


def test_an_account_root_of_an_account_without_known_roles_is_accepted():
    grant = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "sqs:SendMessage"}
    assert checked(queue(*GOOD_QUEUE["Statement"], {**grant, "Resource": QUEUE})) == []


def test_the_key_administration_statement_is_accepted_and_its_resource_star_is_the_key():
    admin = {
        "Sid": "AccountAdministersTheKey",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
        "Action": ["kms:DescribeKey", "kms:ScheduleKeyDeletion"],
        "Resource": "*",
    }
    key = Policy("target", f"key {KEY} policy", "resource", document(admin), "kms", KEY)
    assert checked(key) == []
    other = Policy(**{**key.__dict__, "document": document({**admin, "Sid": "Other"})})
    assert [p for p in checked(other) if p.startswith("account-root")]


def test_an_unconditioned_allow_to_everyone_is_public():
    everyone = {"Sid": "Anyone", "Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": QUEUE}
    found = checked(queue(deny_insecure("sqs:*", QUEUE), everyone))
    assert [p for p in found if p.startswith("public")], found
    bound = {**everyone, "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}}
    assert checked(queue(deny_insecure("sqs:*", QUEUE), bound)) == []


@pytest.mark.parametrize(
    "statement",
    [
        None,  # no TLS statement at all
        deny_insecure("sqs:SendMessage", QUEUE),  # not every action
        deny_insecure("sqs:*", f"{QUEUE}-other"),  # another queue
        {**deny_insecure("sqs:*", QUEUE), "Condition": {"Bool": {"aws:SecureTransport": "true"}}},
        {**deny_insecure("sqs:*", QUEUE), "Effect": "Allow"},
    ],
)
def test_tls_only_on_queues(statement):
    found = checked(queue(SEND_FROM_BUCKET, *([statement] if statement else [])))
    assert [p for p in found if p.startswith("tls-only")], found


def test_tls_only_on_a_bucket_covers_its_objects():
    bucket = Policy("source", "bucket it-source policy", "resource", document(), "s3", BUCKET)
    bucket_only = Policy(**{**bucket.__dict__, "document": document(deny_insecure("s3:*", BUCKET))})
    assert [p for p in checked(bucket_only) if p.startswith("tls-only")]
    both = Policy(**{**bucket.__dict__, "document": document(deny_insecure("s3:*", [BUCKET, f"{BUCKET}/*"]))})
    assert checked(both) == []


def test_a_resource_without_a_policy_is_not_tls_only():
    assert [p for p in checked(queue()) if p.startswith("tls-only")]


def test_services_whose_policies_are_not_read_are_named():
    writes = ["iam:CreateRole", "sqs:SetQueueAttributes", "ec2:CreateSecurityGroup", "events:PutRule"]
    # what the alarms and events work adds: topics, bus permissions, alarms, Lambda permissions for events
    writes += ["sns:CreateTopic", "events:PutPermission", "cloudwatch:PutMetricAlarm", "lambda:AddPermission"]
    assert unread_services(writes) == []
    assert unread_services([*writes, "ec2:ModifyVpcEndpointServicePermissions", "secretsmanager:CreateSecret"]) == [
        "ec2:ModifyVpcEndpointServicePermissions",
        "secretsmanager:CreateSecret",
    ]


DEPLOYER = "user lakedrop-deployer inline it-deployer"


@pytest.mark.parametrize(
    ("action", "accepted"),
    [("elasticfilesystem:DescribeFileSystems", True), ("elasticfilesystem:DescribeAccessPoints", False)],
)
def test_only_the_named_action_of_the_deployers_read_statement_may_be_on_star(action, accepted):
    read = {"Sid": "ReadTheAccount", "Effect": "Allow", "Action": [action, "sqs:ListQueues"], "Resource": "*"}
    found = checked(Policy("target", DEPLOYER, "identity", document(read)))
    assert found == ([] if accepted else [f"resource-star: {DEPLOYER} [ReadTheAccount]: {action}"])


def test_a_topic_is_tls_only_with_snss_own_publish_deny_and_not_without():
    arn = "arn:aws:sns:eu-west-1:222222222222:t"
    deny = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "SNS:Publish",
        "Resource": arn,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }

    def tls_findings(statement):
        policy = Policy(
            "target", f"topic {arn} policy", "resource", {"Version": "2012-10-17", "Statement": [statement]}, "sns", arn
        )
        return [p for p in problems([policy]) if p.startswith("tls-only")]

    assert tls_findings(deny) == []
    assert tls_findings({**deny, "Action": "SNS:Subscribe"})


def manifest_policy(reader=ROLE, writer=f"arn:aws:iam::{ACCOUNT}:role/it-trigger-role"):
    """The lambda_trigger role's manifest bucket policy as the role renders it."""
    template = Path(__file__).resolve().parents[2] / "roles/lambda_trigger/templates/manifest-bucket-policy.json.j2"
    environment = jinja2.Environment(autoescape=jinja2.select_autoescape(default_for_string=False))  # JSON, not HTML
    environment.filters["to_json"] = json.dumps
    text = environment.from_string(template.read_text(encoding="utf-8")).render(
        lambda_trigger_manifest_bucket_arn="arn:aws:s3:::it-manifest",
        lambda_trigger_manifest_reader_arn=reader,
        lambda_trigger__names={"role_arn": writer},
    )
    return Policy("target", "bucket it-manifest policy", "resource", json.loads(text), "s3", "arn:aws:s3:::it-manifest")


def test_the_manifest_bucket_policy_passes_every_check():
    policy = manifest_policy()
    assert checked(policy) == []
    assert manifest_bucket(policy, ROLE, f"arn:aws:iam::{ACCOUNT}:role/it-trigger-role") == []


def test_a_manifest_bucket_readable_by_another_principal_is_caught():
    other = f"arn:aws:iam::{ACCOUNT}:role/someone-else"
    found = manifest_bucket(manifest_policy(reader=other), ROLE, f"arn:aws:iam::{ACCOUNT}:role/it-trigger-role")
    assert [f.detail for f in found] == ["manifests read by the DataSync role only"]
    found = manifest_bucket(manifest_policy(writer=other), ROLE, f"arn:aws:iam::{ACCOUNT}:role/it-trigger-role")
    assert len(found) == 3


class FakeS3:
    """get_bucket_* answers of one bucket; a missing configuration raises as boto3 does."""

    class exceptions:
        ClientError = KeyError

    def __init__(self, **answers):
        self.answers = answers

    def __getattr__(self, operation):
        def call(Bucket):
            return self.answers[operation]

        return call


def test_bucket_settings_need_encryption_public_access_block_and_no_acls():
    good = FakeS3(
        get_bucket_encryption={
            "ServerSideEncryptionConfiguration": {
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            }
        },
        get_public_access_block={
            "PublicAccessBlockConfiguration": dict.fromkeys(
                ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"), True
            )
        },
        get_bucket_ownership_controls={"OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}},
    )
    assert bucket_settings(good, "it-manifest") == []
    found = bucket_settings(FakeS3(), "it-manifest")
    assert [f.split(":")[0] for f in found] == ["encryption", "public-access-block", "acls"]


def test_the_fast_roles_network_interface_statement_is_accepted_and_only_it():
    """Lambda checks the ENI actions on every resource ID of the account and Region (accepted by Sid); the same
    shape under another Sid, or in another role, is still a finding."""
    eni = ["ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"]
    statement = {"Effect": "Allow", "Action": eni, "Resource": f"arn:aws:ec2:eu-west-1:{ACCOUNT}:*/*"}
    accepted = document({**statement, "Sid": "NetworkInterfacesInTheVpc"})
    assert problems([TRUST, Policy("target", "role it-q-fast-role inline lakedrop-fast", "identity", accepted)]) == []
    other = document({**statement, "Sid": "Other"})
    assert problems([TRUST, Policy("target", "role it-q-fast-role inline lakedrop-fast", "identity", other)])
    assert problems([TRUST, Policy("target", "role it-ds inline lakedrop-fast", "identity", accepted)])
