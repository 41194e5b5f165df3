"""The fast function acting with its own role, one permission at a time (as test_permissions_datasync.py does
for the DataSync role): each test removes what AWS needs, shows the failure where AWS shows it (the handler's
GetObject refused, the mount read-only), that the object still arrives — through DataSync, which the fast queue
hands it to — and that after the fix the fast path copies again. See docs/emulator-fidelity.md."""

from __future__ import annotations

import json
import uuid

import pytest
from test_fast_path_faults import actions
from test_fast_path_faults import arrived
from test_fast_path_faults import executions
from test_fast_path_faults import mappings
from test_lambda_runner import wait_until
from test_permissions_datasync import efs_policy
from test_permissions_datasync import fs_policy
from test_permissions_datasync import replaced
from test_permissions_datasync import role_policy
from test_permissions_datasync import source_bucket_policy
from test_permissions_datasync import without_sid

from lakedrop_emulator import stack as build


@pytest.fixture(scope="module")
def fast(emulator):
    return build.fast_path_stack(emulator, f"perm-fast-{uuid.uuid4().hex[:6]}", max_bytes=4096)


def forwarded_then_copied(emulator, fast, name: str, revoked, reason: str, **extra) -> None:
    """Under `revoked` the fast function forwards the object (`reason` logged) and DataSync delivers it; after
    it, the fast path copies the next object itself."""
    s3 = emulator.client("s3", "source")
    with revoked:
        before = executions(emulator, fast)
        s3.put_object(Bucket=fast.bucket, Key=f"incoming/perm/{name}.csv", Body=b"refused", **extra)
        assert wait_until(lambda: arrived(fast, f"perm/{name}.csv", b"refused"), timeout=90)
        assert actions(emulator, fast, f"incoming/perm/{name}.csv")[0] == ("forwarded", reason)
        assert executions(emulator, fast) > before
    s3.put_object(Bucket=fast.bucket, Key=f"incoming/perm/{name}-after.csv", Body=b"allowed", **extra)
    assert wait_until(lambda: arrived(fast, f"perm/{name}-after.csv", b"allowed"), timeout=30)
    assert actions(emulator, fast, f"incoming/perm/{name}-after.csv")[0] == ("copied", None)


def test_role_without_object_reads(emulator, fast):
    revoked = role_policy(emulator, fast.fast_role, "function", without_sid("FastPathReadObjects"))
    forwarded_then_copied(emulator, fast, "role", revoked, "s3-AccessDenied")


def test_bucket_policy_without_the_fast_role(emulator, fast):
    """Cross-account: the source bucket's policy must name the fast role as well as its own policy."""
    revoked = source_bucket_policy(emulator, fast.bucket, without_sid("FastPathReadObjects"))
    forwarded_then_copied(emulator, fast, "bucket", revoked, "s3-AccessDenied")


def test_endpoint_policy_without_the_source_bucket(emulator, fast):
    """The S3 gateway endpoint's policy must allow the source bucket: the function has no other way to S3."""
    ec2 = emulator.client("ec2")
    other = {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::another-bucket/*"}

    def read():
        found = ec2.describe_vpc_endpoints(VpcEndpointIds=[fast.endpoint])["VpcEndpoints"][0]
        return json.loads(found.get("PolicyDocument") or "{}")

    def write(document):
        if document.get("Statement"):
            ec2.modify_vpc_endpoint(VpcEndpointId=fast.endpoint, PolicyDocument=json.dumps(document))
        else:
            ec2.modify_vpc_endpoint(VpcEndpointId=fast.endpoint, ResetPolicy=True)

    revoked = replaced(read, write, lambda _doc: {"Version": "2012-10-17", "Statement": [other]})
    forwarded_then_copied(emulator, fast, "endpoint", revoked, "s3-AccessDenied")


def test_file_system_policy_refusing_the_fast_role_writes(emulator, fast):
    """ClientWrite denied to the fast role: Lambda mounts read-only, the write fails, DataSync writes."""
    fs_arn = fast.transfer.access_point_arn.split(":access-point/")[0] + f":file-system/{fast.transfer.file_system_id}"
    no_write = {
        "Sid": "NoFastWrites",
        "Effect": "Deny",
        "Principal": {"AWS": fast.fast_role},
        "Action": "elasticfilesystem:ClientWrite",
        "Resource": fs_arn,
    }
    policy = fs_policy(fast.transfer)
    with efs_policy(emulator, fast.transfer, policy):
        revoked = efs_policy(emulator, fast.transfer, {**policy, "Statement": [*policy["Statement"], no_write]})
        with revoked:  # a new mount (cold start) is read-only
            emulator.client("lambda").update_function_configuration(FunctionName=fast.fast_function, MemorySize=300)
            s3 = emulator.client("s3", "source")
            s3.put_object(Bucket=fast.bucket, Key="incoming/perm/efs.csv", Body=b"refused")
            assert wait_until(lambda: arrived(fast, "perm/efs.csv", b"refused"), timeout=90)
            (action, reason), *_ = actions(emulator, fast, "incoming/perm/efs.csv")
            assert action == "forwarded" and "Read-only file system" in reason
        emulator.client("lambda").update_function_configuration(FunctionName=fast.fast_function, MemorySize=301)
        s3.put_object(Bucket=fast.bucket, Key="incoming/perm/efs-after.csv", Body=b"allowed")
        assert wait_until(lambda: arrived(fast, "perm/efs-after.csv", b"allowed"), timeout=30)


@pytest.fixture(scope="module")
def kms_key(emulator, fast) -> str:
    """A source-account key that lets both readers (DataSync role, fast role) decrypt through S3 for this
    bucket, as roles/source_bucket writes it; both roles may use it through S3."""
    source, bucket_arn = emulator.account_id("source"), f"arn:aws:s3:::{fast.bucket}"
    via_s3 = {"kms:ViaService": f"s3.{emulator.region}.amazonaws.com"}
    context = {**via_s3, "kms:EncryptionContext:aws:s3:arn": bucket_arn}

    def reader(sid: str, role: str) -> dict:
        return {
            "Sid": sid,
            "Effect": "Allow",
            "Principal": {"AWS": role},
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {"StringEquals": context},
        }

    admin = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{source}:root"}, "Action": "kms:*", "Resource": "*"}
    key_policy = {
        "Version": "2012-10-17",
        "Statement": [
            admin,
            reader("DataSyncDecryptsThroughS3", fast.transfer.datasync_role),
            reader("FastPathDecryptsThroughS3", fast.fast_role),
        ],
    }
    key = emulator.client("kms", "source").create_key(Policy=json.dumps(key_policy))["KeyMetadata"]["Arn"]
    decrypt = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key, "Condition": {"StringEquals": via_s3}}
    for role in (fast.transfer.datasync_role, fast.fast_role):
        emulator.client("iam").put_role_policy(
            RoleName=role.rsplit("/", 1)[1],
            PolicyName="decrypt-source",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [decrypt]}),
        )
    return key


@pytest.mark.parametrize("where", ["key policy", "role"])
def test_decrypt_permission_removed(emulator, fast, kms_key, where):
    """SSE-KMS across accounts: both the fast role's policy and the key policy must allow kms:Decrypt."""
    if where == "role":
        iam, role = emulator.client("iam"), fast.fast_role.rsplit("/", 1)[1]
        revoked = replaced(
            lambda: iam.get_role_policy(RoleName=role, PolicyName="decrypt-source")["PolicyDocument"],
            lambda doc: iam.put_role_policy(RoleName=role, PolicyName="decrypt-source", PolicyDocument=json.dumps(doc)),
            lambda doc: {**doc, "Statement": [{**doc["Statement"][0], "Effect": "Deny"}]},
        )
    else:
        kms = emulator.client("kms", "source")
        revoked = replaced(
            lambda: json.loads(kms.get_key_policy(KeyId=kms_key, PolicyName="default")["Policy"]),
            lambda doc: kms.put_key_policy(KeyId=kms_key, PolicyName="default", Policy=json.dumps(doc)),
            without_sid("FastPathDecryptsThroughS3"),
        )
    encrypted = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key, "BucketKeyEnabled": True}
    forwarded_then_copied(emulator, fast, f"kms-{where.replace(' ', '-')}", revoked, "s3-AccessDenied", **encrypted)


def test_queue_permissions_removed_hold_the_events_until_restored(emulator, fast):
    """Without sqs:ReceiveMessage on its queue Lambda cannot poll: the events wait in the queue (never lost,
    the queue-age alarm watches them) and are copied once the permission is back."""
    s3 = emulator.client("s3", "source")
    revoked = role_policy(
        emulator,
        fast.fast_role,
        "function",
        lambda doc: {**doc, "Statement": [s for s in doc["Statement"] if "sqs:ReceiveMessage" not in json.dumps(s)]},
    )
    with revoked:
        mappings(emulator, fast, enabled=False)  # the mapping re-reads its role's permissions
        mappings(emulator, fast, enabled=True)
        s3.put_object(Bucket=fast.bucket, Key="incoming/perm/held.csv", Body=b"held")
        sqs = emulator.client("sqs")
        waiting = lambda: int(  # noqa: E731
            sqs.get_queue_attributes(QueueUrl=fast.fast_queue, AttributeNames=["ApproximateNumberOfMessages"])[
                "Attributes"
            ]["ApproximateNumberOfMessages"]
        )
        assert wait_until(lambda: waiting() == 1, timeout=10)
        assert not wait_until(lambda: arrived(fast, "perm/held.csv", b"held"), timeout=5)
    assert wait_until(lambda: arrived(fast, "perm/held.csv", b"held"), timeout=30)
    assert actions(emulator, fast, "incoming/perm/held.csv")[0] == ("copied", None)
