"""S3 bucket policies as production writes them, and cross-account reads (DataSync's role reads the source)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from lakedrop_emulator.ext.shapes import assert_output_matches


def _bucket(s3, region: str, name: str) -> str:
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    return name


def _deny_insecure_transport(bucket: str, reader_arn: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            },
            {
                "Sid": "AllowDataSyncRole",
                "Effect": "Allow",
                "Principal": {"AWS": reader_arn},
                "Action": ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"],
                "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            },
        ],
    }


def _reader_role(emulator, clients, bucket: str, name: str) -> str:
    """A role in the target account that may read `bucket` (its side of cross-account access)."""
    root = f"arn:aws:iam::{emulator.account_id('target')}:root"
    trust = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": root}, "Action": "sts:AssumeRole"}]}
    read = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}],
    }
    iam = clients("iam", "target")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="read", PolicyDocument=json.dumps(read))
    return arn


def _status(err: pytest.ExceptionInfo[ClientError]) -> int:
    return err.value.response["ResponseMetadata"]["HTTPStatusCode"]


def _object_calls_work(s3, bucket: str) -> None:
    put = s3.put_object(Bucket=bucket, Key="data/one.csv", Body=b"1,2\n")
    assert_output_matches("s3", "PutObject", put)
    got = s3.get_object(Bucket=bucket, Key="data/one.csv")
    assert got["Body"].read() == b"1,2\n"
    assert_output_matches("s3", "GetObject", got)
    head = assert_output_matches("s3", "HeadObject", s3.head_object(Bucket=bucket, Key="data/one.csv"))
    assert head["ContentLength"] == 4
    listed = assert_output_matches("s3", "ListObjectsV2", s3.list_objects_v2(Bucket=bucket, Prefix="data/"))
    assert [o["Key"] for o in listed["Contents"]] == ["data/one.csv"]


def test_deny_on_insecure_transport_does_not_block_tls_callers(emulator, clients, unique):
    s3 = clients("s3", "source")
    bucket = _bucket(s3, emulator.region, f"lakedrop-tls-{unique}")
    reader = _reader_role(emulator, clients, bucket, f"lakedrop-datasync-{unique}")
    policy = _deny_insecure_transport(bucket, reader)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))

    _object_calls_work(s3, bucket)
    # Cross-account, as DataSync's role in the target account reads the source bucket.
    as_reader = emulator.role_session(reader).client("s3", endpoint_url=emulator.endpoint)
    assert as_reader.get_object(Bucket=bucket, Key="data/one.csv")["Body"].read() == b"1,2\n"
    # The stored policy is the production one, untouched by the emulator.
    stored = assert_output_matches("s3", "GetBucketPolicy", s3.get_bucket_policy(Bucket=bucket))
    assert json.loads(stored["Policy"]) == policy


# A Deny that holds for TLS callers too still denies; so does one on aws:SourceVpce, which is absent outside a
# VPC endpoint (StringNotEquals then holds) and which the engine does not model (a Deny on a key it cannot
# evaluate applies).
@pytest.mark.parametrize(
    ("name", "condition"),
    [
        ("tls-true", {"Bool": {"aws:SecureTransport": ["true"]}}),
        ("other", {"StringNotEquals": {"aws:SourceVpce": "vpce-0123456789abcdef0"}}),
    ],
)
def test_conditional_deny_still_denies(emulator, clients, unique, name, condition):
    s3 = clients("s3", "source")
    bucket = _bucket(s3, emulator.region, f"lakedrop-{name}-{unique}")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    statement = {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
        "Condition": condition,
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]}))
    with pytest.raises(ClientError) as err:
        s3.get_object(Bucket=bucket, Key="k")
    assert _status(err) == 403


def test_unconditional_deny_still_denies(emulator, clients, unique):
    s3 = clients("s3", "source")
    bucket = _bucket(s3, emulator.region, f"lakedrop-deny-{unique}")
    s3.put_object(Bucket=bucket, Key="secret.txt", Body=b"x")
    policy = _deny_insecure_transport(bucket, f"arn:aws:iam::{emulator.account_id('target')}:root")
    policy["Statement"].append(
        {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}
    )
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))

    for label in ("source", "target"):
        with pytest.raises(ClientError) as err:
            clients("s3", label).get_object(Bucket=bucket, Key="secret.txt")
        assert _status(err) == 403
    s3.put_object(Bucket=bucket, Key="other.txt", Body=b"y")  # only GetObject is denied


def test_target_account_needs_a_bucket_policy_to_read_source_objects(emulator, clients, unique):
    """moto's stock server lets any account read any bucket; AWS (and the emulator) do not: a
    cross-account read needs the bucket policy to allow it (IAM cross-account evaluation logic)."""
    source = clients("s3", "source")
    bucket = _bucket(source, emulator.region, f"lakedrop-xacct-{unique}")
    source.put_object(Bucket=bucket, Key="in/file.csv", Body=b"cross")
    target = clients("s3", "target")
    for call in (
        lambda: target.get_object(Bucket=bucket, Key="in/file.csv"),
        lambda: target.list_objects_v2(Bucket=bucket),
    ):
        with pytest.raises(ClientError) as err:
            call()
        assert _status(err) == 403
    listed = assert_output_matches("s3", "ListObjectsV2", source.list_objects_v2(Bucket=bucket))
    assert [o["Key"] for o in listed["Contents"]] == ["in/file.csv"]
    # ... and the bucket stays the source account's.
    assert bucket in [b["Name"] for b in source.list_buckets()["Buckets"]]
    assert bucket not in [b["Name"] for b in target.list_buckets()["Buckets"]]
