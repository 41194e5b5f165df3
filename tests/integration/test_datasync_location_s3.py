"""lakedrop.delivery.datasync_location_s3 against the emulator: every state, idempotence measured
with the request journal, check and diff mode, create-only changes, and bad input."""

from __future__ import annotations

import json
import time

import pytest
from support.ansible import run_module

from lakedrop_emulator.stack import bucket_policy

MODULE = "datasync_location_s3"


def args(bucket, role, **extra):
    return {"bucket": bucket, "subdirectory": "incoming/", "bucket_access_role_arn": role, **extra}


def locations_for(emulator, bucket):
    ds = emulator.client("datasync")
    return [loc for loc in ds.list_locations()["Locations"] if loc["LocationUri"].startswith(f"s3://{bucket}/")]


def test_lifecycle(emulator, source_bucket, datasync_role, unique):
    tags = {"Name": f"src-{unique}", "team": "data"}

    # check mode on nothing: reports the creation, writes nothing
    mark = emulator.mark()
    result = run_module(emulator, MODULE, args(source_bucket, datasync_role, tags=tags), check=True, diff=True)
    assert result.changed and not result.failed
    assert result["location"]["location_arn"] is None
    assert result["diff"]["after"]["subdirectory"] == "incoming"
    assert emulator.writes(mark) == []
    assert locations_for(emulator, source_bucket) == []

    # create, cross-account: the bucket lives in the source account
    result = run_module(emulator, MODULE, args(source_bucket, datasync_role, tags=tags), diff=True)
    assert result.changed, result.result
    location = result["location"]
    arn = location["location_arn"]
    assert arn.startswith(f"arn:aws:datasync:{emulator.region}:{emulator.account_id()}:location/loc-")
    assert location["location_uri"] == f"s3://{source_bucket}/incoming/"
    assert location["bucket_name"] == source_bucket
    assert location["subdirectory"] == "incoming"
    assert location["tags"] == tags
    assert location["s3_config"]["bucket_access_role_arn"] == datasync_role

    # re-run, with the subdirectory spelled differently: unchanged, zero write calls
    mark = emulator.mark()
    for spelling in ("/incoming", "incoming"):  # AWS accepts a leading / (terraform-provider-aws reads back /test/)
        result = run_module(emulator, MODULE, args(source_bucket, datasync_role, subdirectory=spelling, tags=tags))
        assert not result.changed, result.result
        assert result["location"]["location_arn"] == arn
    assert emulator.writes(mark) == []

    # in-place update (storage class + tags), check mode first
    mark = emulator.mark()
    update = args(source_bucket, datasync_role, storage_class="STANDARD_IA", tags={"Name": f"src-{unique}"})
    result = run_module(emulator, MODULE, update, check=True, diff=True)
    assert result.changed
    assert result["diff"]["before"]["s3_storage_class"] == "STANDARD"
    assert result["diff"]["after"]["s3_storage_class"] == "STANDARD_IA"
    assert emulator.writes(mark) == []
    result = run_module(emulator, MODULE, update, diff=True)
    assert result.changed and result["location"]["location_arn"] == arn
    assert result["location"]["s3_storage_class"] == "STANDARD_IA"
    assert result["location"]["tags"] == {"Name": f"src-{unique}"}
    assert sorted(emulator.writes(mark)) == ["datasync:UntagResource", "datasync:UpdateLocationS3"]

    # subdirectory changes in place when the identity is pinned by location_arn
    result = run_module(
        emulator, MODULE, args(source_bucket, datasync_role, subdirectory="incoming/v2", location_arn=arn)
    )
    assert result.changed and result["location"]["location_arn"] == arn
    assert result["location"]["location_uri"] == f"s3://{source_bucket}/incoming/v2/"

    # create-only change (bucket) without permission: clear failure, nothing written
    mark = emulator.mark()
    other = args("some-other-bucket", datasync_role, subdirectory="incoming/v2", location_arn=arn)
    result = run_module(emulator, MODULE, other)
    assert result.failed and "bucket_name" in result["msg"] and "allow_replacement" in result["msg"]
    assert emulator.writes(mark) == []

    # delete, then delete again
    absent = {"state": "absent", "bucket": source_bucket, "subdirectory": "incoming/v2"}
    result = run_module(emulator, MODULE, absent, check=True)
    assert result.changed and len(locations_for(emulator, source_bucket)) == 1
    result = run_module(emulator, MODULE, absent)
    assert result.changed and locations_for(emulator, source_bucket) == []
    mark = emulator.mark()
    result = run_module(emulator, MODULE, absent)
    assert not result.changed and emulator.writes(mark) == []


def test_replacement_when_allowed(emulator, source_bucket, datasync_role, unique):
    other_bucket = f"lakedrop-it-other-{unique}"
    s3 = emulator.client("s3", "source")
    s3.create_bucket(Bucket=other_bucket, CreateBucketConfiguration={"LocationConstraint": emulator.region})
    # DataSync lists the new location's bucket with the creator's credentials: the bucket policy lets it.
    creator = bucket_policy(other_bucket, emulator.identity()["user_arn"])
    s3.put_bucket_policy(Bucket=other_bucket, Policy=json.dumps(creator))
    first = run_module(emulator, MODULE, args(source_bucket, datasync_role, subdirectory=f"r-{unique}"))
    arn = first["location"]["location_arn"]
    result = run_module(
        emulator,
        MODULE,
        args(other_bucket, datasync_role, subdirectory=f"r-{unique}", location_arn=arn, allow_replacement=True),
    )
    assert result.changed and result["replaced"]
    assert result["location"]["location_arn"] != arn
    assert result["location"]["bucket_name"] == other_bucket
    assert emulator.client("datasync").describe_location_s3  # client usable
    remaining = [loc["LocationArn"] for loc in emulator.client("datasync").list_locations()["Locations"]]
    assert arn not in remaining


def test_ambiguous_uri_is_refused(emulator, source_bucket, datasync_role, unique):
    ds = emulator.client("datasync")
    sub = f"dup-{unique}"
    arns = [
        ds.create_location_s3(
            S3BucketArn=f"arn:aws:s3:::{source_bucket}",
            Subdirectory=sub,
            S3Config={"BucketAccessRoleArn": datasync_role},
            Tags=[{"Key": "copy", "Value": str(i)}],
        )["LocationArn"]
        for i in range(2)
    ]
    mark = emulator.mark()
    result = run_module(emulator, MODULE, args(source_bucket, datasync_role, subdirectory=sub))
    assert result.failed and all(arn in result["msg"] for arn in arns)
    assert emulator.writes(mark) == []
    # tags that only one carries pick it
    result = run_module(
        emulator, MODULE, args(source_bucket, datasync_role, subdirectory=sub, tags={"copy": "1"}, purge_tags=False)
    )
    assert not result.changed and result["location"]["location_arn"] == arns[1]


def test_a_bucket_the_creator_may_not_list_is_refused_after_the_propagation_timeout(emulator, datasync_role, unique):
    """DataSync's access test lists the bucket with the module's credentials; a bucket policy that does not
    let them (cross-account) is refused with a message the module retries as IAM propagation, for
    propagation_timeout only, and then reports."""
    bucket = f"lakedrop-it-unlisted-{unique}"
    emulator.client("s3", "source").create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": emulator.region}
    )
    started = time.monotonic()
    result = run_module(emulator, MODULE, args(bucket, datasync_role, propagation_timeout=3))
    assert result.failed and time.monotonic() - started < 60, result.result
    assert "DataSync location access test failed" in result["msg"] and "s3:ListBucket" in result["msg"]
    assert locations_for(emulator, bucket) == []


def test_iam_propagation_is_retried(emulator, source_bucket, unique):
    """A role younger than the emulated propagation delay cannot be assumed yet: the module retries."""
    import json

    from conftest import DATASYNC_TRUST

    iam = emulator.client("iam")
    emulator.control("POST", "datasync/timing", {"iam_propagation": 4})
    try:
        role = iam.create_role(RoleName=f"fresh-{unique}", AssumeRolePolicyDocument=json.dumps(DATASYNC_TRUST))
        result = run_module(emulator, MODULE, args(source_bucket, role["Role"]["Arn"], subdirectory=f"p-{unique}"))
    finally:
        emulator.control("POST", "datasync/timing", {"iam_propagation": 0})
    assert result.changed and not result.failed, result.result
    creates = [e for e in emulator.journal() if e["operation"] == "CreateLocationS3" and e["status"] == 400]
    assert creates, "the first attempt should have been refused while the role propagated"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (
            {"bucket": "arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/fs-0123abcd"},
            "an EFS file system ARN",
        ),
        (
            {"bucket_access_role_arn": "arn:aws:iam::222222222222:user/someone"},
            "bucket_access_role_arn must be an IAM role ARN",
        ),
        ({"subdirectory": "a//b"}, "must not contain '//'"),
        ({"subdirectory": "data/*.csv"}, "may contain only"),
        ({"storage_class": "COLD"}, "storage_class"),
        ({"location_arn": "arn:aws:s3:::lakedrop-source"}, "location_arn must be a DataSync location ARN"),
        ({"bucket_access_role_arn": None}, "bucket_access_role_arn is required"),
    ],
)
def test_bad_input_fails_before_any_call(emulator, source_bucket, datasync_role, bad, message):
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {**args(source_bucket, datasync_role), **bad})
    assert result.failed and message in result["msg"], result.result
    assert emulator.calls(mark) == []
