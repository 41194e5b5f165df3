"""Pure logic of DataSync S3 locations (no network)."""

from __future__ import annotations

import pytest
from support.arguments import arguments

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import datasync_api as ds_api
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


@pytest.mark.parametrize("value", ["a\tb", "a\nb", "a\rb"])
def test_tabs_and_newlines_are_refused_as_aws_does(value):
    """botocore's Subdirectory pattern allows \\p{Zs} (space separators), not other whitespace."""
    (problem,) = s3.validate(params(subdirectory=value), "eu-west-1")
    assert problem.startswith("subdirectory may contain only letters, digits, spaces")


@pytest.mark.parametrize("value", ["/incoming", "/incoming/", "in coming", "in\u00a0coming"])
def test_a_leading_slash_and_unicode_spaces_are_accepted(value):
    assert s3.validate(params(subdirectory=value), "eu-west-1") == []


class _InternalOnce:
    """A DataSync client whose CreateLocationS3 makes the location and then answers InternalException."""

    def __init__(self, existing=()):
        self.listed = [{"LocationArn": arn, "LocationUri": "s3://lake-bucket/incoming/"} for arn in existing]

    def get_paginator(self, name):
        client = self

        class Pages:
            def paginate(self, **kwargs):
                return self

            def build_full_result(self):
                return {"Locations": list(client.listed)}

        return Pages()

    def create_location_s3(self, **params):
        import botocore.exceptions

        self.listed.append({"LocationArn": LOC, "LocationUri": "s3://lake-bucket/incoming/"})
        raise botocore.exceptions.ClientError(
            {"Error": {"Code": "InternalException", "Message": "try again"}}, "CreateLocationS3"
        )


class _Module:
    params = params()
    region = "eu-west-1"
    check_mode = False

    def __init__(self):
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)


def test_a_create_that_answered_internal_exception_adopts_the_location_it_made():
    module, client = _Module(), _InternalOnce()
    arn = locations.create_once(
        module,
        client,
        lambda: ds_api.create_location(client, "S3", s3.create_params(module.params, module.region)),
        s3.uri_filter(module.params),
        ("s3", "lake-bucket", "incoming/"),
    )
    assert arn == LOC and "InternalException" in module.warnings[0]


class _InternalTwice(_InternalOnce):
    """Two new locations at that place after the failed create: which one is ours cannot be told."""

    def create_location_s3(self, **params):
        self.listed.append(
            {"LocationArn": LOC.replace("abcdef0", "abcdef1"), "LocationUri": "s3://lake-bucket/incoming"}
        )
        return super().create_location_s3(**params)


def test_internal_exception_is_raised_when_the_new_location_cannot_be_told():
    module, client = _Module(), _InternalTwice()
    with pytest.raises(Exception, match="InternalException"):
        locations.create_once(
            module,
            client,
            lambda: ds_api.create_location(client, "S3", {}),
            s3.uri_filter(module.params),
            ("s3", "lake-bucket", "incoming/"),
        )
    assert module.warnings == []
