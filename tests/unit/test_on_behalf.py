"""Services acting on a user's behalf (ext/on_behalf.py, ext/datasync_access.py), against moto's backends in
this process: a service's role session (trust decided at each use, one STS session kept, policies read live),
S3's delivery permission, the messages Lambda answers, and DataSync's listing prefix."""

from __future__ import annotations

import json
import uuid
from types import SimpleNamespace

import pytest

from lakedrop_emulator.ext import authz
from lakedrop_emulator.ext import datasync_access
from lakedrop_emulator.ext import on_behalf

ACCOUNT, REGION = "333333333333", "eu-west-1"
FUNCTION = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:trigger"


def _document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _trust(service: str, **condition) -> str:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return _document({**statement, **({"Condition": condition} if condition else {})})


def _role(trust: str) -> tuple[object, str]:
    from moto.iam.models import iam_backends

    iam = iam_backends[ACCOUNT]["aws"]
    name = f"behalf-{uuid.uuid4().hex[:8]}"
    return iam, iam.create_role(name, trust, "/", None, "", [], None).arn


def _allow(*actions: str, resource: str = "*") -> str:
    return _document({"Effect": "Allow", "Action": list(actions), "Resource": resource})


def test_a_service_session_is_kept_and_its_policies_are_read_when_used():
    iam, role = _role(_trust("lambda.amazonaws.com"))
    first = on_behalf.function_session(role, FUNCTION)
    assert isinstance(first, on_behalf.Session)
    assert authz.decide(first.principal, "sqs:ReceiveMessage", "arn:aws:sqs:eu-west-1:333333333333:q").allowed is False
    iam.put_role_policy(role.rsplit("/", 1)[1], "poll", _allow("sqs:ReceiveMessage"))
    again = on_behalf.function_session(role, FUNCTION)
    assert again.keys == first.keys  # one STS session per use, not one per call
    assert authz.decide(again.principal, "sqs:ReceiveMessage", "arn:aws:sqs:eu-west-1:333333333333:q").allowed


def test_the_trust_policy_is_decided_at_each_use_with_the_source_resource():
    _iam, role = _role(_trust("lambda.amazonaws.com", ArnLike={"aws:SourceArn": FUNCTION}))
    assert on_behalf.function_role_problem(role, FUNCTION) is None
    assert on_behalf.function_role_problem(role, f"{FUNCTION}:3") is None  # versions act as the function
    other = FUNCTION.replace("trigger", "other")
    assert on_behalf.function_role_problem(role, other) == on_behalf.ROLE_NOT_ASSUMABLE
    missing = f"arn:aws:iam::{ACCOUNT}:role/no-such-role"
    assert isinstance(on_behalf.function_session(missing, FUNCTION), authz.Decision)


@pytest.mark.parametrize(
    ("granted", "problem"),
    [
        ((), "The function execution role does not have permissions to call ReceiveMessage on SQS"),
        (("sqs:ReceiveMessage",), "The function execution role does not have permissions to call DeleteMessage on SQS"),
        (("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"), None),
    ],
)
def test_a_mapping_needs_the_role_to_poll_the_queue(granted, problem):
    iam, role = _role(_trust("lambda.amazonaws.com"))
    if granted:
        iam.put_role_policy(role.rsplit("/", 1)[1], "poll", _allow(*granted))
    assert on_behalf.mapping_problem(role, FUNCTION, f"arn:aws:sqs:{REGION}:{ACCOUNT}:events") == problem


def test_a_mapping_whose_role_does_not_trust_lambda():
    _iam, role = _role(_trust("datasync.amazonaws.com"))
    assert on_behalf.mapping_problem(role, FUNCTION, "arn:aws:sqs:eu-west-1:333333333333:q") == (
        f"Please add Lambda as a Trusted Entity for {role}"
    )


def test_s3_delivers_only_where_the_destination_policy_names_the_bucket_and_its_owner():
    from moto.sqs.models import sqs_backends

    name = f"events-{uuid.uuid4().hex[:8]}"
    queue = sqs_backends[ACCOUNT][REGION].create_queue(name)
    bucket = SimpleNamespace(account_id="444444444444", arn="arn:aws:s3:::lake-data")
    allow = {"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sqs:SendMessage"}
    assert not on_behalf.s3_delivery(bucket, "sqs:SendMessage", queue.queue_arn).allowed  # no policy
    for condition, allowed in (
        ({"ArnEquals": {"aws:SourceArn": bucket.arn}, "StringEquals": {"aws:SourceAccount": "444444444444"}}, True),
        ({"StringEquals": {"aws:SourceAccount": ACCOUNT}}, False),
    ):
        queue.policy = _document({**allow, "Resource": queue.queue_arn, "Condition": condition})
        assert on_behalf.s3_delivery(bucket, "sqs:SendMessage", queue.queue_arn).allowed is allowed


@pytest.mark.parametrize(
    ("subdirectory", "prefix"), [("", ""), ("/", ""), ("/incoming", "incoming/"), ("a/b/", "a/b/")]
)
def test_datasync_lists_the_locations_subdirectory_as_a_prefix(subdirectory, prefix):
    assert datasync_access._prefix(subdirectory) == prefix


def test_without_an_access_point_datasync_needs_root_access():
    through = SimpleNamespace(details={"AccessPointArn": "arn:aws:elasticfilesystem:eu-west-1:1:access-point/fsap-1"})
    assert datasync_access.efs_write_actions(through) == ("elasticfilesystem:ClientWrite",)
    assert "elasticfilesystem:ClientRootAccess" in datasync_access.efs_write_actions(SimpleNamespace(details={}))


def test_one_error_names_the_first_refused_file_and_counts_the_others():
    assert str(datasync_access.refusal(["a refused"])) == "a refused"
    error = datasync_access.refusal(["a refused", "b refused", "c refused"])
    assert str(error) == "a refused (and 2 more file(s) refused)" and error.code == "AccessDenied"


def test_a_file_system_without_a_policy_lets_any_client_of_a_mount_target_in():
    """EFS's default file system policy: mount, write and root access, through a mount target."""
    from moto.efs.models import efs_backends

    fs = efs_backends[ACCOUNT][REGION].create_file_system(
        uuid.uuid4().hex, "generalPurpose", False, "", "bursting", 0, "", False, []
    )
    anonymous = authz.principals.ANONYMOUS_PRINCIPAL
    for action in ("ClientMount", "ClientWrite", "ClientRootAccess"):
        through = {"elasticfilesystem:AccessedViaMountTarget": "true"}
        assert authz.decide(anonymous, f"elasticfilesystem:{action}", fs.file_system_arn, through).allowed
    elsewhere = {"elasticfilesystem:AccessedViaMountTarget": "false"}
    assert not authz.decide(anonymous, "elasticfilesystem:ClientMount", fs.file_system_arn, elsewhere).allowed


def test_denials_are_journaled_and_audit_mode_lets_them_through():
    from lakedrop_emulator.ext.authz.middleware import DECISIONS
    from lakedrop_emulator.ext.authz.middleware import set_mode

    s3 = authz.service_principal("s3.amazonaws.com", ACCOUNT, "arn:aws:s3:::lake-data")
    queue = f"arn:aws:sqs:{REGION}:{ACCOUNT}:no-such-queue"
    seq = DECISIONS.seq
    assert not on_behalf.decide("s3", "NotificationDelivery", s3, "sqs:SendMessage", queue).allowed
    set_mode("audit")
    try:
        assert on_behalf.decide("s3", "NotificationDelivery", s3, "sqs:SendMessage", queue).allowed
    finally:
        set_mode("enforce")
    recorded = DECISIONS.entries(seq)
    assert [(d["outcome"], d["operation"], d["resource"]) for d in recorded] == [
        ("deny", "NotificationDelivery (on behalf)", queue),
        ("would-deny", "NotificationDelivery (on behalf)", queue),
    ]
