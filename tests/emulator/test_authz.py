"""Authorization through the request path: boto3 calls against the running emulator are allowed or
denied as AWS would, with each protocol's error shape (see ext/authz and docs/emulator-fidelity.md)."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError


def _document(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def _allow(action, resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


@pytest.fixture(scope="module")
def identity(emulator, unique_module):
    """identity(label, name, *statements): an IAM user of account `label` with those inline statements;
    returns client(service) for its keys."""
    counter = iter(range(1000))

    def make(label: str, *statements: dict):
        iam = emulator.client("iam", label)
        name = f"authz-{unique_module}-{next(counter)}"
        iam.create_user(UserName=name)
        if statements:
            iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=_document(*statements))
        key = iam.create_access_key(UserName=name)["AccessKey"]
        session = boto3.Session(key["AccessKeyId"], key["SecretAccessKey"], region_name=emulator.region)
        config = Config(retries={"max_attempts": 1})

        def client(service: str):
            return session.client(service, endpoint_url=emulator.endpoint, config=config)

        client.arn = iam.get_user(UserName=name)["User"]["Arn"]
        return client

    return make


@pytest.fixture(scope="module")
def unique_module() -> str:
    import uuid

    return uuid.uuid4().hex[:8]


@pytest.fixture(scope="module")
def bucket(emulator, unique_module) -> str:
    """A bucket in the source account holding data/a.csv."""
    s3 = emulator.client("s3", "source")
    name = f"lakedrop-authz-{unique_module}"
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": emulator.region})
    s3.put_object(Bucket=name, Key="data/a.csv", Body=b"a,1\n")
    return name


def _denied(call) -> dict:
    with pytest.raises(ClientError) as err:
        call()
    response = err.value.response
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 403
    return response["Error"]


def test_a_user_without_policy_is_denied_in_each_protocols_shape(identity, bucket):
    nobody = identity("target")
    message = f"User: {nobody.arn} is not authorized to perform: {{}} on resource: {{}} because no identity-based policy allows the {{}} action"
    error = _denied(lambda: nobody("datasync").list_tasks())  # JSON
    assert error["Code"] == "AccessDeniedException"
    assert error["Message"] == message.format("datasync:ListTasks", "*", "datasync:ListTasks")
    error = _denied(lambda: nobody("iam").list_roles())  # query (XML)
    assert error["Code"] == "AccessDenied" and error["Type"] == "Sender"
    error = _denied(lambda: nobody("efs").describe_file_systems())  # REST-JSON
    assert error["Code"] == "AccessDeniedException"
    error = _denied(lambda: nobody("ec2").describe_vpcs())  # EC2 query: its own code
    assert error["Code"] == "UnauthorizedOperation"
    error = _denied(lambda: nobody("sqs").list_queues())  # JSON, query-compatible code
    assert error["Code"] == "AccessDenied"
    caller = nobody("sts").get_caller_identity()  # always allowed
    assert caller["Arn"] == nobody.arn


def test_s3_denial_is_rest_xml_and_names_the_object(emulator, identity, bucket):
    """Same account, no identity policy, no bucket policy naming the user."""
    nobody = identity("source")
    error = _denied(lambda: nobody("s3").get_object(Bucket=bucket, Key="data/a.csv"))
    assert error["Code"] == "AccessDenied"
    assert f"s3:GetObject on resource: arn:aws:s3:::{bucket}/data/a.csv" in error["Message"]
    mark_denials = emulator.authz_decisions()
    assert mark_denials[-1]["action"] == "s3:GetObject" and mark_denials[-1]["principal"] == nobody.arn


def test_explicit_deny_wins_over_allow(identity, bucket):
    """IAM user guide, policy evaluation logic: an explicit Deny overrides any Allow."""
    objects = f"arn:aws:s3:::{bucket}/*"
    user = identity(
        "source", _allow("s3:*", objects), {"Effect": "Deny", "Action": "s3:GetObject", "Resource": objects}
    )
    user("s3").put_object(Bucket=bucket, Key="data/b.csv", Body=b"b")
    error = _denied(lambda: user("s3").get_object(Bucket=bucket, Key="data/b.csv"))
    assert error["Message"].endswith("with an explicit deny in an identity-based policy")


def test_cross_account_needs_the_bucket_policy_and_the_identity_policy(emulator, identity, bucket):
    """Cross-account policy evaluation: account B reads A's object only if both sides allow."""
    objects = f"arn:aws:s3:::{bucket}/*"
    reader = identity("target", _allow("s3:GetObject", objects))
    only_bucket_policy = identity("target")
    error = _denied(lambda: reader("s3").get_object(Bucket=bucket, Key="data/a.csv"))
    assert error["Message"].endswith("because no resource-based policy allows the s3:GetObject action")

    statement = _allow("s3:GetObject", objects, Principal={"AWS": [reader.arn, only_bucket_policy.arn]})
    owner = emulator.client("s3", "source")
    owner.put_bucket_policy(Bucket=bucket, Policy=_document(statement))
    try:
        assert reader("s3").get_object(Bucket=bucket, Key="data/a.csv")["Body"].read() == b"a,1\n"
        error = _denied(lambda: only_bucket_policy("s3").get_object(Bucket=bucket, Key="data/a.csv"))
        assert error["Message"].endswith("because no identity-based policy allows the s3:GetObject action")
    finally:
        owner.delete_bucket_policy(Bucket=bucket)


def test_a_key_policy_that_does_not_name_the_caller_denies_decrypt(emulator, identity):
    """KMS key policies must allow: an identity policy Allow alone does not suffice."""
    target = emulator.account_id("target")
    root = f"arn:aws:iam::{target}:root"
    administer = _allow(["kms:Encrypt", "kms:Describe*", "kms:ScheduleKeyDeletion"], Principal={"AWS": root})
    kms = emulator.client("kms")
    key = kms.create_key(Policy=_document(administer))["KeyMetadata"]["KeyId"]
    blob = kms.encrypt(KeyId=key, Plaintext=b"secret")["CiphertextBlob"]  # admin, through the account
    user = identity("target", _allow("kms:*"))
    error = _denied(lambda: user("kms").decrypt(CiphertextBlob=blob))
    assert error["Code"] == "AccessDeniedException"
    assert "kms:Decrypt" in error["Message"] and "no resource-based policy" in error["Message"]
    assert user("kms").describe_key(KeyId=key)["KeyMetadata"]["KeyId"] == key  # delegated to the account
    kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)


def test_a_role_sessions_policies_apply(emulator, identity, unique_module):
    """STS AssumeRole: the trust policy names the account, so the caller's identity policy must allow
    sts:AssumeRole; the session then has the role's permissions, not the caller's."""
    target = emulator.account_id("target")
    iam = emulator.client("iam")
    trust = _document(
        {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{target}:root"}, "Action": "sts:AssumeRole"}
    )
    role = iam.create_role(RoleName=f"authz-{unique_module}", AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(
        RoleName=f"authz-{unique_module}", PolicyName="q", PolicyDocument=_document(_allow("sqs:ListQueues"))
    )
    nobody = identity("target")
    _denied(lambda: nobody("sts").assume_role(RoleArn=role, RoleSessionName="s1"))
    caller = identity("target", _allow("sts:AssumeRole", role))
    creds = caller("sts").assume_role(RoleArn=role, RoleSessionName="s1")["Credentials"]
    session = boto3.Session(creds["AccessKeyId"], creds["SecretAccessKey"], creds["SessionToken"], emulator.region)
    assert emulator.role_session(role).client("sts", endpoint_url=emulator.endpoint).get_caller_identity()
    session.client("sqs", endpoint_url=emulator.endpoint).list_queues()
    error = _denied(lambda: session.client("datasync", endpoint_url=emulator.endpoint).list_tasks())
    assert f"arn:aws:sts::{target}:assumed-role/authz-{unique_module}/s1" in error["Message"]


def test_an_unknown_condition_key_fails_closed_and_is_named(emulator, identity, bucket):
    statement = _allow("s3:ListBucket", f"arn:aws:s3:::{bucket}", Condition={"StringEquals": {"s3:NoSuchKey": "x"}})
    user = identity("source", statement)
    _denied(lambda: user("s3").list_objects_v2(Bucket=bucket))
    assert "s3:NoSuchKey" in emulator.authz_decisions()[-1]["reason"]


def test_audit_mode_records_but_lets_through(emulator, identity):
    nobody = identity("target")
    emulator.control("POST", "authz", {"mode": "audit"})
    try:
        nobody("datasync").list_tasks()
    finally:
        emulator.control("POST", "authz", {"mode": "enforce"})
    last = emulator.authz_decisions()[-1]
    assert (last["outcome"], last["action"], last["principal"]) == ("would-deny", "datasync:ListTasks", nobody.arn)
    assert emulator.control("GET", "authz") == {"mode": "enforce"}


def test_an_access_key_the_emulator_never_issued_is_refused(emulator):
    client = boto3.client(
        "sqs",
        "eu-west-1",
        aws_access_key_id="AKIANOTISSUED0000000",
        aws_secret_access_key="not-a-secret",  # noqa: S106 - a key the emulator never issued
        endpoint_url=emulator.endpoint,
        config=Config(retries={"max_attempts": 1}),
    )
    assert _denied(client.list_queues)["Code"] == "InvalidClientTokenId"


def test_the_journal_records_the_decision(emulator, identity):
    nobody = identity("target")
    mark = emulator.mark()
    _denied(lambda: nobody("datasync").list_tasks())
    entry = emulator.journal(mark)[-1]
    assert (entry["authz"], entry["principal"], entry["status"]) == ("deny", nobody.arn, 403)
    assert "datasync:ListTasks" in entry["authz_reason"]


@pytest.mark.parametrize("label", ["source", "target"])
def test_each_account_has_an_administrator_and_a_deployer_without_policy(emulator, label):
    account = emulator.accounts[label]
    assert account["user_arn"] == account["admin"]["user_arn"]  # existing callers act as the admin
    assert emulator.client("iam", label).list_attached_user_policies(UserName="lakedrop-admin")["AttachedPolicies"] == [
        {"PolicyName": "AdministratorAccess", "PolicyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}
    ]
    deployer = emulator.client("sts", label, identity="deployer").get_caller_identity()
    assert deployer["Arn"] == account["deployer"]["user_arn"]
    assert _denied(lambda: emulator.client("s3", label, identity="deployer").list_buckets())["Code"] == "AccessDenied"
