"""Pure logic of datasync_location_info: validation, server-side filters, the filters checked here and
the shape of locations of other types (no network)."""

from __future__ import annotations

import pytest

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import location_info as li
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import locations as loc
from ansible_collections.lakedrop.delivery.plugins.modules import datasync_location_info as module_file

REGION = "eu-west-1"
FS = "fs-0123456789abcdef0"
FS_ARN = f"arn:aws:elasticfilesystem:{REGION}:222222222222:file-system/{FS}"
LOC = f"arn:aws:datasync:{REGION}:222222222222:location/loc-0123456789abcdef0"


def info(**extra):
    """The module's arguments as AnsibleModule passes them (None where not given), with `extra`."""
    return {**dict.fromkeys(module_file.ARGUMENT_SPEC), **extra}


def test_valid_arguments_have_no_problems():
    assert li.validate(info()) == []
    assert li.validate(info(location_arns=[LOC], location_uri="s3://b/x/", bucket="arn:aws:s3:::b")) == []
    assert li.validate(info(file_system=FS_ARN)) == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"location_arns": [LOC, FS_ARN]}, "location_arns[1] must be a DataSync location ARN, but"),
        ({"location_uri": "bucket/incoming"}, "location_uri must look like SCHEME://HOST/"),
        ({"bucket": FS_ARN}, "bucket must be a bucket name, a bucket ARN or an S3 access point ARN, but"),
        ({"file_system": "arn:aws:s3:::b"}, "file_system must be an EFS file system ARN or its ID"),
    ],
)
def test_problems_name_the_option(extra, message):
    problems = li.validate(info(**extra))
    assert len(problems) == 1 and message in problems[0], problems


@pytest.mark.parametrize(
    ("extra", "filters"),
    [
        ({}, []),
        (
            {"location_uri": "s3://bucket/in/"},
            [{"Name": "LocationUri", "Operator": "BeginsWith", "Values": ["s3://bucket/in"]}],
        ),
        (
            {"location_uri": "s3://bucket/a+b(c)/"},  # characters a filter value cannot hold: host prefix only
            [{"Name": "LocationUri", "Operator": "BeginsWith", "Values": ["s3://bucket/"]}],
        ),
        (
            {"file_system": FS, "location_type": "efs"},
            [
                {"Name": "LocationUri", "Operator": "BeginsWith", "Values": [f"efs://{REGION}.{FS}/"]},
                {"Name": "LocationType", "Operator": "Equals", "Values": ["EFS"]},
            ],
        ),
        (
            {"bucket": "arn:aws:s3:::bucket", "subdirectory": "/in/"},
            [{"Name": "LocationUri", "Operator": "BeginsWith", "Values": ["s3://bucket/in"]}],
        ),
        ({"location_type": "NFS"}, []),  # not a documented filter value: checked by the module only
    ],
)
def test_list_filters(extra, filters):
    assert li.list_filters(info(**extra), REGION) == filters


@pytest.mark.parametrize(
    ("extra", "uri", "expected"),
    [
        ({"location_uri": "s3://bucket/in"}, "s3://bucket/in/", True),
        ({"location_uri": "s3://bucket/in/"}, "s3://bucket/in/sub/", False),
        ({"location_uri": "s3://bucket/"}, "s3://bucket/", True),
        ({"bucket": "bucket"}, "s3://bucket2/in/", False),
        ({"file_system": FS_ARN}, f"efs://{REGION}.{FS}/x/", True),
        ({"file_system": FS}, f"efs://us-east-1.{FS}/x/", False),
        ({"subdirectory": ""}, "nfs://host/", True),
        ({"subdirectory": "/x/"}, "nfs://host/x/", True),
        ({"subdirectory": "y"}, "nfs://host/x/", False),
        ({"location_type": "nfs"}, "nfs://host/x/", True),
        ({"location_type": "S3"}, "nfs://host/x/", False),
        ({"location_type": "object-storage"}, "object-storage://host/x/", True),
        ({"location_arns": [LOC]}, "s3://bucket/", True),
        ({"location_arns": [LOC.replace("0123", "9999")]}, "s3://bucket/", False),
        ({}, "not a uri", True),
        ({"location_type": "S3"}, "not a uri", False),
    ],
)
def test_matches(extra, uri, expected):
    assert li.matches({"LocationArn": LOC, "LocationUri": uri}, info(**extra), REGION) is expected


def test_wanted_uri_and_type():
    assert li.wanted_uri(info(file_system=FS), REGION) == ("efs", f"{REGION}.{FS}", None)
    assert li.wanted_uri(info(location_uri="s3://b/x"), REGION) == ("s3", "b", "x")
    assert li.wanted_uri(info(), REGION) == (None, None, None)
    assert li.normalize_type("object-storage") == "OBJECT_STORAGE" and li.normalize_type(None) is None


def test_has_tags_needs_all():
    assert loc.has_tags({"a": "1", "b": "2"}, {"a": "1"})
    assert not loc.has_tags({"a": "1"}, {"a": "1", "b": "2"})
    assert loc.has_tags({}, None)


def test_other_types_show_what_their_uri_says_in_uri_order():
    other = li.other_shape({"LocationArn": LOC, "LocationUri": "nfs://host/x/"}, {"k": "v"})
    assert other == {"location_arn": LOC, "location_uri": "nfs://host/x/", "subdirectory": "x", "tags": {"k": "v"}}
    first = dict(other, location_uri="efs://a/")
    assert li.ordered([other, first]) == [first, other]


def test_location_type():
    assert loc.location_type("s3://b/x/") == "S3"
    assert loc.location_type("object-storage://host/x/") == "OBJECT_STORAGE"
    assert loc.location_type("nonsense") is None
