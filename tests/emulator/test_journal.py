"""The request journal: every call with its account, service, operation and whether it writes."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

from lakedrop_emulator.stack import bucket_policy


def _entries(emulator, mark: int) -> list[tuple[str, str, str, bool]]:
    return [(e["account"], e["service"], e["operation"], e["write"]) for e in emulator.journal(mark)]


def test_calls_are_recorded_with_account_service_operation_and_write_flag(emulator, clients, world, unique):
    source, target = emulator.account_id("source"), emulator.account_id("target")
    bucket = f"lakedrop-journal-{unique}"
    mark = emulator.mark()

    s3 = clients("s3", "source")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": emulator.region})
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.head_object(Bucket=bucket, Key="k")
    with pytest.raises(ClientError):
        s3.get_bucket_policy(Bucket=bucket)  # answered NoSuchBucketPolicy, still journaled
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(bucket_policy(bucket, target)))  # the target may list
    efs = clients("efs")
    efs.create_file_system(CreationToken=f"journal-{unique}")
    efs.describe_file_systems(CreationToken=f"journal-{unique}")
    ds = clients("datasync")
    location = ds.create_location_s3(
        S3BucketArn=f"arn:aws:s3:::{bucket}", S3Config={"BucketAccessRoleArn": world.role_arn}
    )["LocationArn"]
    ds.describe_location_s3(LocationArn=location)

    assert _entries(emulator, mark) == [
        (source, "s3", "CreateBucket", True),
        (source, "s3", "PutObject", True),
        (source, "s3", "HeadObject", False),
        (source, "s3", "GetBucketPolicy", False),
        (source, "s3", "PutBucketPolicy", True),
        (target, "efs", "CreateFileSystem", True),
        (target, "efs", "DescribeFileSystems", False),
        (target, "datasync", "CreateLocationS3", True),
        (target, "datasync", "DescribeLocationS3", False),
    ]
    assert [e["status"] for e in emulator.journal(mark)][3] == 404

    # writes(): only writes, as 'service:Operation', optionally one account's.
    assert emulator.writes(mark) == [
        "s3:CreateBucket",
        "s3:PutObject",
        "s3:PutBucketPolicy",
        "efs:CreateFileSystem",
        "datasync:CreateLocationS3",
    ]
    assert emulator.writes(mark, "target") == ["efs:CreateFileSystem", "datasync:CreateLocationS3"]
    assert emulator.writes(emulator.mark()) == []


def test_reads_are_not_writes(emulator, clients):
    mark = emulator.mark()
    clients("s3", "source").list_buckets()
    clients("efs").describe_file_systems()
    clients("datasync").list_locations()
    clients("datasync").list_tasks()
    assert [e["operation"] for e in emulator.journal(mark)] == [
        "ListBuckets",
        "DescribeFileSystems",
        "ListLocations",
        "ListTasks",
    ]
    assert emulator.writes(mark) == []
