"""DataSync acting on a user's behalf, one permission of the pipeline at a time: each test removes what AWS
needs, shows the failure where AWS shows it (CreateLocationS3 refused, or the execution in ERROR with an
AccessDenied ErrorCode naming the action), that nothing was written, and that after the fix a later
execution delivers the same key (the task is free again). See docs/emulator-fidelity.md, "Services acting
on a user's behalf"."""

from __future__ import annotations

import contextlib
import json
import uuid

import pytest
from botocore.exceptions import ClientError
from support.policies import file_system_policy
from test_lambda_runner import FAST
from test_lambda_runner import wait_until

from lakedrop_emulator.stack import bucket_policy
from lakedrop_emulator.stack import transfer_stack
from lakedrop_emulator.stack import trust

DATASYNC = "datasync.amazonaws.com"


@pytest.fixture(scope="module")
def transfer(emulator):
    """A DataSync task from incoming/ of a source-account bucket into an access point (target account)."""
    previous = emulator.control("POST", "datasync/timing", {})
    emulator.control("POST", "datasync/timing", FAST)
    yield transfer_stack(emulator, f"perm-ds-{uuid.uuid4().hex[:8]}", "incoming/")
    emulator.control("POST", "datasync/timing", {k: previous[k] for k in FAST})


def put(emulator, transfer, key: str, **extra) -> str:
    emulator.client("s3", "source").put_object(Bucket=transfer.bucket, Key=key, Body=b"x", **extra)
    return key


def landed(transfer, key: str) -> bool:
    return (transfer.mount / key.removeprefix("incoming/")).exists()


def run(emulator, transfer, key: str | None, task: str | None = None) -> dict:
    """Start the task for one key (as the trigger does; for everything, as the schedule does, when None)
    and wait for the execution's end."""
    ds = emulator.client("datasync")
    includes = [{"FilterType": "SIMPLE_PATTERN", "Value": "/" + key.removeprefix("incoming/")}] if key else []
    arn = ds.start_task_execution(TaskArn=task or transfer.task, Includes=includes)["TaskExecutionArn"]
    assert wait_until(lambda: ds.describe_task_execution(TaskExecutionArn=arn)["Status"] in ("SUCCESS", "ERROR"))
    return ds.describe_task_execution(TaskExecutionArn=arn)


def refused_then_delivered(emulator, transfer, key: str, revoked, action: str, task: str | None = None) -> dict:
    """Under `revoked` the execution ends in ERROR naming `action` and writes nothing; after it a new
    execution of the same key delivers it. Returns the failed execution's Result."""
    with revoked:
        failed = run(emulator, transfer, key, task)
    assert failed["Status"] == "ERROR", failed["Result"]
    assert failed["Result"]["ErrorCode"] == "AccessDenied"
    assert action in failed["Result"]["ErrorDetail"]
    assert not landed(transfer, key)
    again = run(emulator, transfer, key, task)
    assert again["Status"] == "SUCCESS", again["Result"]
    assert landed(transfer, key)
    return failed["Result"]


@contextlib.contextmanager
def replaced(read, write, change):
    """The document `read()` returns, changed by `change` and written with `write`; the original after."""
    original = read()
    write(change(json.loads(json.dumps(original))))
    try:
        yield
    finally:
        write(original)


def without_sid(sid: str):
    return lambda policy: {**policy, "Statement": [s for s in policy["Statement"] if s.get("Sid") != sid]}


def role_policy(emulator, role_arn: str, name: str, change):
    iam, role = emulator.client("iam"), role_arn.rsplit("/", 1)[1]
    return replaced(
        lambda: iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"],
        lambda doc: iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(doc)),
        change,
    )


@contextlib.contextmanager
def deleted_role_policy(emulator, role_arn: str, name: str):
    iam, role = emulator.client("iam"), role_arn.rsplit("/", 1)[1]
    document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
    iam.delete_role_policy(RoleName=role, PolicyName=name)
    try:
        yield
    finally:
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(document))


def source_bucket_policy(emulator, bucket: str, change):
    s3 = emulator.client("s3", "source")
    return replaced(
        lambda: json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"]),
        lambda doc: s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(doc)),
        change,
    )


# --- CreateLocationS3 tests access -------------------------------------------------------------------------


def create_location(emulator, bucket: str, role_arn: str, subdirectory: str = "incoming/") -> str:
    return emulator.client("datasync").create_location_s3(
        S3BucketArn=f"arn:aws:s3:::{bucket}", Subdirectory=subdirectory, S3Config={"BucketAccessRoleArn": role_arn}
    )["LocationArn"]


def test_create_location_lists_the_bucket_with_the_callers_credentials(emulator, transfer):
    """Cross-account, the bucket policy must let the location's creator list the bucket (its identity
    policy allows it: AdministratorAccess); without that statement the access test fails."""
    with source_bucket_policy(emulator, transfer.bucket, without_sid("LocationCreatorListBucket")):
        with pytest.raises(ClientError) as err:
            create_location(emulator, transfer.bucket, transfer.datasync_role)
    error = err.value.response["Error"]
    assert error["Code"] == "InvalidRequestException"
    message = error["Message"]
    assert "DataSync location access test failed" in message and "s3:ListBucket" in message
    assert emulator.identity()["user_arn"] in message  # the caller, not the bucket access role
    assert create_location(emulator, transfer.bucket, transfer.datasync_role).startswith("arn:aws:datasync:")


@pytest.mark.parametrize(
    ("source_arn", "assumable"),
    [("location/*", True), ("task/*", False), ("location/loc-00000000000000000", False)],
)
def test_create_location_assumes_the_role_as_datasync_for_the_new_location(emulator, transfer, source_arn, assumable):
    """The trust policy sees aws:SourceAccount = the caller's account and aws:SourceArn = the location
    (DataSync user guide, "Cross-service confused deputy prevention")."""
    target = emulator.account_id("target")
    statement = json.loads(trust(DATASYNC))["Statement"][0]
    statement["Condition"] = {
        "StringEquals": {"aws:SourceAccount": target},
        "ArnLike": {"aws:SourceArn": f"arn:aws:datasync:{emulator.region}:{target}:{source_arn}"},
    }
    role = emulator.client("iam").create_role(
        RoleName=f"perm-trust-{uuid.uuid4().hex[:8]}",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )["Role"]["Arn"]
    if assumable:
        assert create_location(emulator, transfer.bucket, role)
        return
    with pytest.raises(ClientError) as err:
        create_location(emulator, transfer.bucket, role)
    assert "could not assume bucket access role" in err.value.response["Error"]["Message"]


# --- the execution reads S3 as the location's role ---------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "sid", "action", "side"),
    [
        ("role", "DataSyncListBucket", "s3:ListBucket", "identity-based"),
        ("role", "DataSyncReadObjects", "s3:GetObject", "identity-based"),
        ("bucket", "DataSyncListBucket", "s3:ListBucket", "resource-based"),
        ("bucket", "DataSyncReadObjects", "s3:GetObject", "resource-based"),
    ],
)
def test_read_permission_removed_fails_the_execution(emulator, transfer, where, sid, action, side):
    """Cross-account, the role's policy AND the bucket policy must allow each read (IAM user guide,
    "Cross-account policy evaluation logic")."""
    key = put(emulator, transfer, f"incoming/read/{where}-{sid}.csv")
    if where == "role":
        revoked = role_policy(emulator, transfer.datasync_role, "read-source-bucket", without_sid(sid))
    else:
        revoked = source_bucket_policy(emulator, transfer.bucket, without_sid(sid))
    seen = emulator.authz_decisions()
    result = refused_then_delivered(emulator, transfer, key, revoked, action)
    assert side in result["ErrorDetail"] and transfer.datasync_role.rsplit("/", 1)[1] in result["ErrorDetail"]
    # journaled like a refused request, with what DataSync was doing
    denials = emulator.authz_decisions(seen[-1]["seq"] if seen else 0)
    assert any(
        d["service"] == "datasync" and d["action"] == action and "(on behalf)" in d["operation"] for d in denials
    )
    phase = "PrepareStatus" if action == "s3:ListBucket" else "TransferStatus"
    assert result[phase] == "ERROR"


def test_a_role_no_longer_trusting_datasync_fails_the_execution(emulator, transfer):
    key = put(emulator, transfer, "incoming/trust/a.csv")
    iam, role = emulator.client("iam"), transfer.datasync_role.rsplit("/", 1)[1]
    revoked = replaced(
        lambda: iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"],
        lambda doc: iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(doc)),
        lambda _doc: json.loads(trust("lambda.amazonaws.com")),
    )
    refused_then_delivered(emulator, transfer, key, revoked, "sts:AssumeRole")


# --- SSE-KMS objects: kms:Decrypt through S3, the role's policy AND the key policy -------------------------


@pytest.fixture(scope="module")
def kms_key(emulator, transfer) -> str:
    """A key of the source account that lets the DataSync role decrypt through S3 for this bucket; the role
    may use it through S3 too."""
    source, bucket_arn = emulator.account_id("source"), f"arn:aws:s3:::{transfer.bucket}"
    via_s3 = {"kms:ViaService": f"s3.{emulator.region}.amazonaws.com"}
    key_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{source}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "DataSyncDecryptsThroughS3",
                "Effect": "Allow",
                "Principal": {"AWS": transfer.datasync_role},
                "Action": "kms:Decrypt",
                "Resource": "*",
                "Condition": {"StringEquals": {**via_s3, "kms:EncryptionContext:aws:s3:arn": bucket_arn}},
            },
        ],
    }
    key = emulator.client("kms", "source").create_key(Policy=json.dumps(key_policy))["KeyMetadata"]["Arn"]
    decrypt = {"Sid": "Decrypt", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key}
    emulator.client("iam").put_role_policy(
        RoleName=transfer.datasync_role.rsplit("/", 1)[1],
        PolicyName="decrypt-source",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{**decrypt, "Condition": {"StringEquals": via_s3}}]}
        ),
    )
    return key


def put_encrypted(emulator, transfer, key: str, kms_key: str, bucket_key: bool = True) -> str:
    return put(
        emulator, transfer, key, ServerSideEncryption="aws:kms", SSEKMSKeyId=kms_key, BucketKeyEnabled=bucket_key
    )


@pytest.mark.parametrize("where", ["key policy", "role"])
def test_decrypt_permission_removed_fails_the_execution(emulator, transfer, kms_key, where):
    """Both the role's policy and the key policy (account A) must allow kms:Decrypt (cross-account SSE-KMS)."""
    key = put_encrypted(emulator, transfer, f"incoming/kms/{where.replace(' ', '-')}.csv", kms_key)
    if where == "role":
        revoked = deleted_role_policy(emulator, transfer.datasync_role, "decrypt-source")
    else:
        kms = emulator.client("kms", "source")
        revoked = replaced(
            lambda: json.loads(kms.get_key_policy(KeyId=kms_key, PolicyName="default")["Policy"]),
            lambda doc: kms.put_key_policy(KeyId=kms_key, PolicyName="default", Policy=json.dumps(doc)),
            without_sid("DataSyncDecryptsThroughS3"),
        )
    result = refused_then_delivered(emulator, transfer, key, revoked, "kms:Decrypt")
    assert kms_key in result["ErrorDetail"]


def test_the_encryption_context_is_the_bucket_with_a_bucket_key_else_the_object(emulator, transfer, kms_key):
    """The key policy above names the bucket ARN as kms:EncryptionContext:aws:s3:arn: it fits objects
    written with an S3 Bucket Key, not objects encrypted each with their own data key."""
    with_bucket_key = put_encrypted(emulator, transfer, "incoming/kms/context/bucket.csv", kms_key)
    own_data_key = put_encrypted(emulator, transfer, "incoming/kms/context/object.csv", kms_key, bucket_key=False)
    assert run(emulator, transfer, with_bucket_key)["Status"] == "SUCCESS"
    failed = run(emulator, transfer, own_data_key)
    assert failed["Status"] == "ERROR" and "kms:Decrypt" in failed["Result"]["ErrorDetail"]
    assert landed(transfer, with_bucket_key) and not landed(transfer, own_data_key)


# --- writing EFS as an NFS client ----------------------------------------------------------------------------


def fs_policy(transfer, principal: str = "*") -> dict:
    """What roles/efs_storage writes: TLS only; mount and write through the access point via a mount target,
    for everyone (network mode) or for the account's principals whose identity policy allows (iam mode)."""
    fs_arn = transfer.access_point_arn.split(":access-point/")[0] + f":file-system/{transfer.file_system_id}"
    return file_system_policy(fs_arn, principal, [transfer.access_point_arn], sid="MountAndWriteThroughAccessPoints")


@contextlib.contextmanager
def efs_policy(emulator, transfer, policy: dict):
    """`policy` on the stack's file system for a while, then the policy it had (or none)."""
    efs, fs_id = emulator.client("efs"), transfer.file_system_id
    try:
        before = efs.describe_file_system_policy(FileSystemId=fs_id)["Policy"]
    except efs.exceptions.PolicyNotFound:
        before = None
    efs.put_file_system_policy(FileSystemId=fs_id, Policy=json.dumps(policy))
    try:
        yield
    finally:
        if before:
            efs.put_file_system_policy(FileSystemId=fs_id, Policy=before)
        else:
            efs.delete_file_system_policy(FileSystemId=fs_id)


def test_file_system_policy_without_the_allow_fails_the_execution(emulator, transfer):
    """Without a file-system access role DataSync is an anonymous NFS client: only statements for "*" can
    let it mount (EFS user guide, "Using IAM to control file system data access")."""
    key = put(emulator, transfer, "incoming/efs/anonymous.csv")
    product = fs_policy(transfer)
    with efs_policy(emulator, transfer, product):
        revoked = efs_policy(emulator, transfer, without_sid("MountAndWriteThroughAccessPoints")(product))
        result = refused_then_delivered(emulator, transfer, key, revoked, "elasticfilesystem:ClientMount")
    assert result["PrepareStatus"] == "ERROR"


def test_iam_mode_needs_a_file_system_access_role(emulator, transfer):
    """A policy that names only the account (iam mode) grants nothing to an anonymous client; DataSync with a
    file-system access role (trusting it, allowed ClientMount/ClientWrite through the access point) writes."""
    target = emulator.account_id("target")
    key = put(emulator, transfer, "incoming/efs/iam.csv")
    iam, name = emulator.client("iam"), f"perm-efs-{uuid.uuid4().hex[:8]}"
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(DATASYNC))["Role"]["Arn"]
    client_policy = fs_policy(transfer)["Statement"][1]
    client_policy = {k: v for k, v in client_policy.items() if k != "Principal"}
    iam.put_role_policy(
        RoleName=name,
        PolicyName="efs-client",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [client_policy]}),
    )
    ds = emulator.client("datasync")
    with_role = ds.create_location_efs(
        EfsFilesystemArn=client_policy["Resource"],
        AccessPointArn=transfer.access_point_arn,
        InTransitEncryption="TLS1_2",
        Ec2Config=transfer.ec2_config,
        FileSystemAccessRoleArn=role,
    )["LocationArn"]
    task = ds.create_task(SourceLocationArn=transfer.source, DestinationLocationArn=with_role)["TaskArn"]
    assert wait_until(lambda: ds.describe_task(TaskArn=task)["Status"] == "AVAILABLE")
    with efs_policy(emulator, transfer, fs_policy(transfer, f"arn:aws:iam::{target}:root")):
        anonymous = run(emulator, transfer, key)
        assert anonymous["Status"] == "ERROR" and "ClientMount" in anonymous["Result"]["ErrorDetail"]
        assert not landed(transfer, key)
        assert run(emulator, transfer, key, task)["Status"] == "SUCCESS"
    assert landed(transfer, key)


def test_without_an_access_point_datasync_writes_as_root(emulator, transfer):
    """The console's "Prevent root access" preset (no ClientRootAccess) stops DataSync writing through a
    location without an access point, which mounts as root; through the access point it writes."""
    fs_arn = transfer.access_point_arn.split(":access-point/")[0] + f":file-system/{transfer.file_system_id}"
    ds = emulator.client("datasync")
    rootly = ds.create_location_efs(
        EfsFilesystemArn=fs_arn, Ec2Config=transfer.ec2_config, InTransitEncryption="TLS1_2", Subdirectory="/lake"
    )["LocationArn"]
    task = ds.create_task(SourceLocationArn=transfer.source, DestinationLocationArn=rootly)["TaskArn"]
    assert wait_until(lambda: ds.describe_task(TaskArn=task)["Status"] == "AVAILABLE")
    no_root = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
                "Resource": fs_arn,
                "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}},
            }
        ],
    }
    key = put(emulator, transfer, "incoming/efs/root.csv")
    with efs_policy(emulator, transfer, no_root):
        as_root = run(emulator, transfer, key, task)
        through_access_point = run(emulator, transfer, key)
    assert as_root["Status"] == "ERROR" and "ClientRootAccess" in as_root["Result"]["ErrorDetail"]
    assert through_access_point["Status"] == "SUCCESS" and landed(transfer, key)


def test_a_bucket_policy_for_the_creator_alone_is_enough_to_create(emulator, unique):
    """The location's creator needs only s3:ListBucket; the bucket access role is checked by assuming it."""
    bucket = f"lakedrop-perm-{unique}"
    s3 = emulator.client("s3", "source")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": emulator.region})
    role = emulator.client("iam").create_role(RoleName=f"perm-{unique}", AssumeRolePolicyDocument=trust(DATASYNC))
    with pytest.raises(ClientError, match="access test failed"):
        create_location(emulator, bucket, role["Role"]["Arn"])
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(bucket_policy(bucket, emulator.account_id("target"))))
    assert create_location(emulator, bucket, role["Role"]["Arn"])
