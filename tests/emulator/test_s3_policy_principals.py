"""Bucket policy statements apply only to the principals they name.

In AWS a statement `{"Effect": "Deny", "Principal": {"AWS": "<role in account B>"}, ...}` denies that role
only; the bucket owner is unaffected. moto 5.2.5's FakeBucket.get_permission evaluated the policy without
the caller, so the Deny locked the owner out; the authorization engine (ext/authz) now decides with the
caller, and ext/s3.py switches moto's own evaluation off.
"""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError


def test_deny_naming_another_principal_does_not_deny_the_owner(emulator, clients, unique):
    s3 = clients("s3", "source")
    bucket = f"lakedrop-principal-{unique}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": emulator.region})
    s3.put_object(Bucket=bucket, Key="incoming/a.txt", Body=b"a")
    other = f"arn:aws:iam::{emulator.account_id('target')}:role/lakedrop-datasync-{unique}"
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyDataSyncDeletes",
                "Effect": "Deny",
                "Principal": {"AWS": other},
                "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"],
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
    try:
        s3.delete_object(Bucket=bucket, Key="incoming/a.txt")  # the owner, not the denied role
    except ClientError as err:
        pytest.fail(f"the owner was denied by a statement naming {other}: {err}")
    finally:
        s3.delete_bucket_policy(Bucket=bucket)
        for version in s3.list_object_versions(Bucket=bucket).get("Versions", []):
            s3.delete_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])
        s3.delete_bucket(Bucket=bucket)
