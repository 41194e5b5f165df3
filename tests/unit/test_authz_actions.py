"""The request -> IAM action table of the emulator's authorization engine, against the Service
Authorization Reference ("Actions, resources, and condition keys for <service>",
https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)
in the machine-readable copy parliament ships (iam_definition.json): every action exists, and every
resource ARN the table builds has the form of one of the action's resource types."""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from pathlib import Path

import pytest

from lakedrop_emulator.ext.authz import actions

A, B, REGION = "111111111111", "222222222222", "eu-west-1"
WHERE = actions.Where(B, REGION, "aws")
DS = f"arn:aws:datasync:{REGION}:{B}"
COMMON = {
    "RoleArn": f"arn:aws:iam::{B}:role/r",
    "Tags": [{"Key": "team", "Value": "lake"}],
}
# Per service, one set of parameters that names a resource of each kind its operations take.
SAMPLES = {
    "datasync": {
        "TaskArn": f"{DS}:task/task-1",
        "LocationArn": f"{DS}:location/loc-1",
        "SourceLocationArn": f"{DS}:location/loc-1",
        "DestinationLocationArn": f"{DS}:location/loc-2",
        "TaskExecutionArn": f"{DS}:task/task-1/execution/exec-1",
        "ResourceArn": f"{DS}:task/task-1",
        "S3Config": {"BucketAccessRoleArn": f"arn:aws:iam::{B}:role/ds"},
    },
    "s3": {
        "Bucket": "b",
        "Key": "k",
        "CopySource": "src/k2",
        "Delete": {"Objects": [{"Key": "k"}, {"Key": "k", "VersionId": "1"}]},
    },
    "kms": {"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab", "AliasName": "alias/a", "EncryptionContext": {"a": "b"}},
    "iam": {"RoleName": "r", "UserName": "u", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
    "sts": {},
    "ec2": {
        "GroupId": "sg-1",
        "VpcId": "vpc-1",
        "SubnetId": "subnet-1",
        "Resources": ["sg-1", "subnet-1"],
        "RouteTableIds": ["rtb-1"],
        "VpcEndpointIds": ["vpce-1"],
    },
    "ecs": {
        "cluster": "c",
        "clusterName": "c",
        "clusters": ["c"],
        "service": "s",
        "services": ["s"],
        "family": "f",
        "resourceArn": f"arn:aws:ecs:{REGION}:{B}:cluster/c",
        "taskRoleArn": f"arn:aws:iam::{B}:role/task",
    },
    "efs": {"FileSystemId": "fs-1", "AccessPointId": "fsap-1", "ResourceId": "fs-1"},
    "lambda": {
        "FunctionName": "f",
        "UUID": "u-1",
        "Resource": f"arn:aws:lambda:{REGION}:{B}:function:f",
        "Role": f"arn:aws:iam::{B}:role/fn",
    },
    "logs": {"logGroupName": "g", "logStreamName": "s", "resourceArn": f"arn:aws:logs:{REGION}:{B}:log-group:g"},
    "sqs": {"QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{B}/q", "QueueName": "q"},
    "sns": {"TopicArn": f"arn:aws:sns:{REGION}:{B}:t", "Name": "t", "ResourceArn": f"arn:aws:sns:{REGION}:{B}:t"},
    "events": {
        "Name": "r",
        "Rule": "r",
        "Entries": [{"Source": "s"}, {"EventBusName": "other"}],
        "Targets": [{"Id": "1", "Arn": f"arn:aws:sns:{REGION}:{B}:t", "RoleArn": f"arn:aws:iam::{B}:role/ev"}],
        "ResourceARN": f"arn:aws:events:{REGION}:{B}:rule/r",
    },
    "cloudwatch": {
        "AlarmName": "a",
        "AlarmNames": ["a", "b"],
        "ResourceARN": f"arn:aws:cloudwatch:{REGION}:{B}:alarm:a",
        "Namespace": "AWS/Lambda",
        "MetricName": "Errors",
    },
}


@functools.cache
def definitions() -> dict[str, dict]:
    path = Path(importlib.util.find_spec("parliament").origin).parent / "iam_definition.json"
    return {service["prefix"]: service for service in json.loads(path.read_text())}


def action_definition(action: str) -> dict | None:
    prefix, name = action.split(":")
    service = definitions().get(prefix, {"privileges": []})
    return next((p for p in service["privileges"] if p["privilege"].lower() == name.lower()), None)


def arn_patterns(action: str) -> list[re.Pattern[str]]:
    service = definitions()[action.split(":")[0]]
    templates = {r["resource"]: r["arn"] for r in service["resources"]}
    types = [t["resource_type"].rstrip("*") for t in action_definition(action)["resource_types"]]
    return [re.compile(re.sub(r"\\\$\\\{[^}]*\\\}", ".+", re.escape(templates[t])) + "$") for t in types if t]


ENTRIES = [(service, operation) for service, rules in actions.TABLE.items() for operation in rules]


@pytest.mark.parametrize(("service", "operation"), ENTRIES, ids=[f"{s}:{o}" for s, o in ENTRIES])
def test_entry_matches_the_service_authorization_reference(service, operation):
    checks, modelled = actions.checks(service, operation, {**COMMON, **SAMPLES[service]}, WHERE)
    assert modelled and checks
    for item in checks:
        assert action_definition(item.action), f"{item.action} is not an IAM action"
        patterns = arn_patterns(item.action)
        required = any(t["resource_type"].endswith("*") for t in action_definition(item.action)["resource_types"])
        for resource in item.resources:
            assert resource != "*" or not required, f"{item.action} needs a resource ARN"
            assert resource == "*" or any(p.match(resource) for p in patterns), (
                f"{item.action} does not take {resource}"
            )


@pytest.mark.parametrize(
    ("service", "operation", "params", "expected"),
    [
        ("s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "in/"}, [("s3:ListBucket", "arn:aws:s3:::b")]),
        ("s3", "HeadObject", {"Bucket": "b", "Key": "k"}, [("s3:GetObject", "arn:aws:s3:::b/k")]),
        (
            "s3",
            "GetObject",
            {"Bucket": "b", "Key": "k", "VersionId": "v"},
            [("s3:GetObjectVersion", "arn:aws:s3:::b/k")],
        ),
        ("s3", "PutBucketNotificationConfiguration", {"Bucket": "b"}, [("s3:PutBucketNotification", "arn:aws:s3:::b")]),
        ("s3", "GetBucketEncryption", {"Bucket": "b"}, [("s3:GetEncryptionConfiguration", "arn:aws:s3:::b")]),
        ("s3", "ListBuckets", {}, [("s3:ListAllMyBuckets", "*")]),
        ("efs", "CreateFileSystem", {}, [("elasticfilesystem:CreateFileSystem", "*")]),
        (
            "lambda",
            "GetFunctionConfiguration",
            {"FunctionName": "f"},
            [("lambda:GetFunctionConfiguration", f"arn:aws:lambda:{REGION}:{B}:function:f")],
        ),
        (
            "lambda",
            "CreateFunction",
            {"FunctionName": "f", "Role": f"arn:aws:iam::{B}:role/fn"},
            [
                ("lambda:CreateFunction", f"arn:aws:lambda:{REGION}:{B}:function:f"),
                ("iam:PassRole", f"arn:aws:iam::{B}:role/fn"),
            ],
        ),
        (
            "sqs",
            "SendMessageBatch",
            {"QueueUrl": f"http://localhost/{A}/q"},
            [("sqs:SendMessage", f"arn:aws:sqs:{REGION}:{A}:q")],
        ),
    ],
)
def test_operations_whose_action_differs(service, operation, params, expected):
    """Operations whose IAM action is not `<prefix>:<Operation>` or that need a second action (S3 page:
    ListObjectsV2 -> s3:ListBucket, HeadObject -> s3:GetObject; Lambda page: CreateFunction needs
    iam:PassRole)."""
    checks, _ = actions.checks(service, operation, params, WHERE)
    assert [(c.action, r) for c in checks for r in c.resources] == expected


def test_pass_role_names_the_service():
    checks, _ = actions.checks("datasync", "CreateLocationS3", SAMPLES["datasync"], WHERE)
    assert checks[-1].context == {"iam:PassedToService": "datasync.amazonaws.com"}


def test_listing_carries_s3_prefix_even_when_empty():
    """S3 page, s3:prefix: present on ListBucket; an absent Prefix is the empty prefix."""
    checks, _ = actions.checks("s3", "ListObjectsV2", {"Bucket": "b"}, WHERE)
    assert checks[0].context["s3:prefix"] == ""


def test_unmodelled_operation_is_checked_on_everything():
    checks, modelled = actions.checks("efs", "DescribeReplicationConfigurations", {}, WHERE)
    assert not modelled
    assert [(c.action, c.resources) for c in checks] == [
        ("elasticfilesystem:DescribeReplicationConfigurations", ("*",))
    ]


def test_request_tags():
    assert actions.tagging([{"Key": "a", "Value": "1"}]) == {"aws:TagKeys": ["a"], "aws:RequestTag/a": "1"}
    assert actions.tagging({"a": "1"}) == actions.tagging([{"key": "a", "value": "1"}])
