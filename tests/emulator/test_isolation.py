"""The two accounts are separate: each account's keys see only its own buckets, file systems and locations."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from lakedrop_emulator.ext.shapes import assert_output_matches


@pytest.fixture
def per_account(emulator, clients, fast_datasync, unique):
    """One bucket, file system and DataSync S3 location created by each account."""
    made = {}
    for label in ("source", "target"):
        s3, efs, iam, ds = (clients(s, label) for s in ("s3", "efs", "iam", "datasync"))
        bucket = f"lakedrop-iso-{label}-{unique}"
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": emulator.region})
        fs = efs.create_file_system(CreationToken=f"iso-{label}-{unique}")
        role = iam.create_role(
            RoleName=f"iso-{label}-{unique}",
            AssumeRolePolicyDocument=(
                '{"Version":"2012-10-17","Statement":[{"Effect":"Allow",'
                '"Principal":{"Service":"datasync.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
            ),
        )["Role"]
        location = ds.create_location_s3(
            S3BucketArn=f"arn:aws:s3:::{bucket}", S3Config={"BucketAccessRoleArn": role["Arn"]}
        )["LocationArn"]
        made[label] = {"bucket": bucket, "fs_id": fs["FileSystemId"], "location": location}
    return made


@pytest.mark.parametrize(("me", "other"), [("source", "target"), ("target", "source")])
def test_an_account_sees_only_its_own_resources(emulator, clients, per_account, me, other):
    mine, theirs = per_account[me], per_account[other]

    buckets = {
        b["Name"] for b in assert_output_matches("s3", "ListBuckets", clients("s3", me).list_buckets())["Buckets"]
    }
    assert mine["bucket"] in buckets and theirs["bucket"] not in buckets

    efs = clients("efs", me)
    file_systems = {f["FileSystemId"] for f in efs.describe_file_systems()["FileSystems"]}
    assert mine["fs_id"] in file_systems and theirs["fs_id"] not in file_systems
    with pytest.raises(ClientError) as err:
        efs.describe_file_systems(FileSystemId=theirs["fs_id"])
    assert err.value.response["Error"]["Code"] == "FileSystemNotFound"

    ds = clients("datasync", me)
    locations = {loc["LocationArn"] for loc in ds.list_locations(MaxResults=100)["Locations"]}
    assert mine["location"] in locations and theirs["location"] not in locations
    with pytest.raises(ClientError) as err:
        ds.describe_location_s3(LocationArn=theirs["location"])
    # The ARN names the other account, and DataSync locations have no resource-based policy: a
    # cross-account request is refused before any lookup (IAM cross-account evaluation logic).
    assert err.value.response["Error"]["Code"] == "AccessDeniedException"

    # ARNs name the account (and region) of the caller that created them.
    assert mine["location"].split(":")[3:5] == [emulator.region, emulator.account_id(me)]
