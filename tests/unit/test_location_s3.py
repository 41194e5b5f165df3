"""Pure logic of DataSync S3 locations (no network)."""

from __future__ import annotations

import pytest
from support.arguments import arguments

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import location_s3 as s3
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import locations
from ansible_collections.lakedrop.delivery.plugins.modules import datasync_location_s3

ROLE = "arn:aws:iam::222222222222:role/lakedrop-datasync"
OTHER_ROLE = "arn:aws:iam::222222222222:role/other"
LOC = "arn:aws:datasync:eu-west-1:222222222222:location/loc-0123456789abcdef0"


def params(**extra):
    return arguments(
        datasync_location_s3,
        {"bucket": "lake-bucket", "subdirectory": "incoming/", "bucket_access_role_arn": ROLE},
        extra,
    )


def current(**extra):
    described = {
        "LocationArn": LOC,
        "LocationUri": "s3://lake-bucket/incoming/",
        "S3StorageClass": "STANDARD",
        "S3Config": {"BucketAccessRoleArn": ROLE},
    }
    location = locations.s3_shape(described, {"Name": "lake"})
    location.update(extra)
    return location


def test_valid_arguments_have_no_problem():
    assert s3.validate(params(), "eu-west-1") == []


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ({"bucket": None}, "bucket is required unless location_arn"),
        (
            {"bucket": "arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/fs-01234567"},
            "an EFS file system ARN",
        ),
        ({"bucket_access_role_arn": None}, "bucket_access_role_arn is required"),
        ({"bucket_access_role_arn": "lakedrop-datasync"}, "bucket_access_role_arn must be an IAM role ARN"),
        ({"location_arn": LOC.replace("eu-west-1", "us-east-1")}, "is in region us-east-1"),
        ({"subdirectory": "a//b"}, "must not contain '//'"),
    ],
)
def test_each_problem_names_its_option(extra, fragment):
    problems = s3.validate(params(**extra), "eu-west-1")
    assert any(fragment in p for p in problems), problems


def test_every_problem_is_reported_at_once():
    problems = s3.validate(params(bucket=None, bucket_access_role_arn=None, subdirectory="a//b"), "eu-west-1")
    assert len(problems) == 3


@pytest.mark.parametrize(
    ("region", "partition"), [("eu-west-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")]
)
def test_bucket_arn_carries_the_partition_of_the_region(region, partition):
    assert s3.create_params(params(), region)["S3BucketArn"] == f"arn:{partition}:s3:::lake-bucket"
    assert s3.desired_location(params(), region)["bucket_arn"] == f"arn:{partition}:s3:::lake-bucket"


def test_same_location_spelled_differently_is_no_change():
    in_place, create_only = s3.compare(current(), params(subdirectory="/incoming"))
    assert not in_place.changed and not create_only.changed


def test_in_place_and_create_only_changes_are_told_apart():
    in_place, create_only = s3.compare(current(), params(subdirectory="v2/", bucket_access_role_arn=OTHER_ROLE))
    assert in_place.names == ["subdirectory", "bucket_access_role_arn"]
    assert s3.update_params(in_place) == {"Subdirectory": "v2", "S3Config": {"BucketAccessRoleArn": OTHER_ROLE}}
    in_place, create_only = s3.compare(current(), params(bucket="other-bucket"))
    assert create_only.names == ["bucket_name"] and create_only.details() == [
        "bucket_name: 'lake-bucket' -> 'other-bucket'"
    ]


def test_tags_follow_purge_semantics():
    in_place, _ = s3.compare(current(), params(tags={"team": "ds"}, purge_tags=False))
    assert in_place.diff()["after"]["tags"] == {"Name": "lake", "team": "ds"}
    assert s3.update_params(in_place) == {}  # tags are not UpdateLocationS3's business


def test_check_mode_prediction_of_an_update():
    in_place, _ = s3.compare(current(), params(subdirectory="v2", storage_class="STANDARD_IA"))
    predicted = s3.predict(current(), in_place)
    assert predicted["location_uri"] == "s3://lake-bucket/v2/" and predicted["s3_storage_class"] == "STANDARD_IA"
