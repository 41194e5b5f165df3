"""Pure logic of DataSync EFS locations and of finding locations (no network)."""

from __future__ import annotations

import pytest

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import arns
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import efs_location as el
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import locations as loc

REGION = "eu-west-1"
ACCOUNT = "222222222222"
FS = "fs-0123456789abcdef0"
FS_ARN = f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:file-system/{FS}"
AP = "fsap-0123456789abcdef0"
AP_ARN = f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:access-point/{AP}"
AP2_ARN = f"arn:aws:elasticfilesystem:{REGION}:{ACCOUNT}:access-point/fsap-0fedcba9876543210"
SUBNET_ARN = f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/subnet-0a"
SUBNET2_ARN = f"arn:aws:ec2:{REGION}:{ACCOUNT}:subnet/subnet-0b"
SG_A = f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-0a"
SG_B = f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-0b"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/datasync-efs"
LOC = f"arn:aws:datasync:{REGION}:{ACCOUNT}:location/loc-0123456789abcdef0"


def params(**extra):
    base = {
        "state": "present",
        "file_system": FS,
        "subdirectory": "",
        "subnet": "subnet-0a",
        "security_groups": ["sg-0a"],
        "access_point": None,
        "file_system_access_role_arn": None,
        "in_transit_encryption": None,
        "location_arn": None,
        "tags": None,
        "purge_tags": True,
    }
    base.update(extra)
    return base


def resolved(**extra):
    base = {
        "file_system_id": FS,
        "file_system_arn": FS_ARN,
        "subnet_arn": SUBNET_ARN,
        "security_group_arns": [SG_A],
        "access_point_arn": None,
    }
    base.update(extra)
    return base


def current(**extra):
    described = {
        "LocationArn": LOC,
        "LocationUri": f"efs://{REGION}.{FS}/lake/",
        "Ec2Config": {"SubnetArn": SUBNET_ARN, "SecurityGroupArns": [SG_A, SG_B]},
        "InTransitEncryption": "TLS1_2",
        "CreationTime": "2026-01-01",
        "AccessPointArn": AP_ARN,
    }
    described.update(extra)
    return loc.efs_shape(described, {"Name": "dst"})


# --- validation ---------------------------------------------------------------------------------------


def test_valid_arguments_have_no_problems():
    assert el.validate(params(), REGION) == []
    assert el.validate(params(access_point=AP, in_transit_encryption="TLS1_2", subdirectory="/lake/"), REGION) == []
    assert el.validate(params(state="absent", subnet=None, security_groups=None), REGION) == []
    assert el.validate(params(file_system=None, subnet=None, security_groups=None, location_arn=LOC), REGION) == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"in_transit_encryption": "NONE", "access_point": AP}, "cannot be used with access_point: DataSync"),
        (
            {"in_transit_encryption": "NONE", "access_point": AP, "file_system_access_role_arn": ROLE},
            "access_point and file_system_access_role_arn",
        ),
        ({"file_system": "arn:aws:s3:::bucket"}, "but 'arn:aws:s3:::bucket' is an S3 bucket ARN"),
        ({"file_system": AP}, "is a bare efs access point ID"),
        ({"access_point": LOC}, "access_point must be an EFS access point ARN or its ID, but"),
        ({"security_groups": ["sg-01", "sg-02", "sg-03", "sg-04", "sg-05", "sg-06"]}, "got 6"),
        ({"security_groups": ["subnet-0a"]}, "security_groups[0] must be an EC2 security group ARN or its ID"),
        ({"security_groups": ["sg-0a", SG_A]}, "lists sg-0a more than once"),
        ({"subdirectory": "a b/c$"}, "found '$'"),
        ({"subdirectory": "a//b"}, "must not contain '//'"),
        ({"subnet": None, "security_groups": None}, "subnet and security_groups are required"),
        ({"file_system": None}, "file_system is required unless location_arn"),
        ({"subnet": "arn:aws:ec2:us-east-1:222222222222:subnet/subnet-0a"}, "is in region us-east-1"),
        ({"file_system_access_role_arn": "datasync-efs"}, "must be an IAM role ARN"),
    ],
)
def test_problems_name_the_option(extra, message):
    problems = el.validate(params(**extra), REGION)
    assert any(message in p for p in problems), problems


def test_arn_without_region_is_not_a_region_mismatch():
    assert el.validate(params(subnet=f"arn:aws:ec2::{ACCOUNT}:subnet/subnet-0a"), REGION) == []


# --- encryption rule ------------------------------------------------------------------------------


def test_encryption_defaults():
    assert el.desired_encryption(params()) == "NONE"  # new, nothing needs TLS: DataSync's default
    assert el.desired_encryption(params(access_point=AP)) == "TLS1_2"
    assert el.desired_encryption(params(file_system_access_role_arn=ROLE)) == "TLS1_2"
    assert el.desired_encryption(params(), current()) is None  # existing: left alone
    assert el.desired_encryption(params(in_transit_encryption="NONE"), current()) == "NONE"
    assert el.create_encryption(params(), current()) == "TLS1_2"  # a replacement keeps it


# --- identity -------------------------------------------------------------------------------------


def test_uri_host_takes_the_region_from_an_arn():
    assert el.uri_host(FS, REGION) == f"{REGION}.{FS}"
    assert el.uri_host(FS_ARN.replace(REGION, "us-west-2"), REGION) == f"us-west-2.{FS}"


def test_ec2_matches_compares_ids_and_security_groups_as_a_set():
    described = {"Ec2Config": {"SubnetArn": SUBNET_ARN, "SecurityGroupArns": [SG_A, SG_B]}}
    assert el.ec2_matches(described, "subnet-0a", ["sg-0b", SG_A])
    assert el.ec2_matches(described)
    assert not el.ec2_matches(described, "subnet-0b")
    assert not el.ec2_matches(described, None, ["sg-0a"])


def test_narrow_keeps_all_when_nothing_passes():
    assert el.narrow([1, 2, 3], lambda m: m == 2) == [2]
    assert el.narrow([1, 2], lambda m: False) == [1, 2]


# --- comparison -----------------------------------------------------------------------------------


def test_same_resources_by_id_or_arn_are_no_change():
    p = params(subdirectory="/lake/", access_point=AP, security_groups=["sg-0b", "sg-0a"])
    in_place, create_only = el.compare(
        current(), p, resolved(access_point_arn=AP_ARN, security_group_arns=[SG_B, SG_A])
    )
    assert not in_place.changed and not create_only.changed


def test_leaving_out_the_access_point_clears_it():
    in_place, create_only = el.compare(current(), params(subdirectory="lake", security_groups=None), resolved())
    assert in_place.names == ["access_point_arn"] and not create_only.changed
    assert el.update_params(in_place) == {"AccessPointArn": ""}
    predicted = el.predict(current(), in_place)
    assert predicted["access_point_arn"] is None and predicted["in_transit_encryption"] == "TLS1_2"


def test_in_place_fields_become_update_params():
    c = current(FileSystemAccessRoleArn=ROLE)
    p = params(subdirectory="lake/v2", access_point=AP, in_transit_encryption="TLS1_2", tags={"Name": "x"})
    in_place, _ = el.compare(c, dict(p, security_groups=None), resolved(access_point_arn=AP2_ARN))
    assert sorted(in_place.names) == ["access_point_arn", "file_system_access_role_arn", "subdirectory", "tags"]
    assert el.update_params(in_place) == {
        "Subdirectory": "/lake/v2",
        "AccessPointArn": AP2_ARN,
        "FileSystemAccessRoleArn": "",
    }
    predicted = el.predict(c, in_place)
    assert predicted["location_uri"] == f"efs://{REGION}.{FS}/lake/v2/"
    assert predicted["tags"] == {"Name": "x"}


def test_create_only_fields_are_reported_with_both_values():
    p = params(subdirectory="lake", access_point=AP, subnet="subnet-0b", security_groups=["sg-0a"])
    _, create_only = el.compare(
        current(), p, resolved(access_point_arn=AP_ARN, subnet_arn=SUBNET2_ARN, security_group_arns=[SG_A])
    )
    assert create_only.names == ["subnet_arn", "security_group_arns"]
    message = el.replacement_message(LOC, create_only)
    assert SUBNET_ARN in message and SUBNET2_ARN in message and "allow_replacement" in message


def test_create_params():
    p = params(subdirectory="lake/", access_point=AP, file_system_access_role_arn=ROLE, tags={"a": "b"})
    created = el.create_params(p, resolved(access_point_arn=AP_ARN))
    assert created == {
        "EfsFilesystemArn": FS_ARN,
        "Subdirectory": "/lake",
        "Ec2Config": {"SubnetArn": SUBNET_ARN, "SecurityGroupArns": [SG_A]},
        "InTransitEncryption": "TLS1_2",
        "AccessPointArn": AP_ARN,
        "FileSystemAccessRoleArn": ROLE,
        "Tags": [{"Key": "a", "Value": "b"}],
    }
    assert el.create_params(params(), resolved())["Subdirectory"] == "/"
    desired = el.desired_location(p, resolved(access_point_arn=AP_ARN))
    assert desired["location_uri"] == f"efs://{REGION}.{FS}/lake/"
    assert desired["in_transit_encryption"] == "TLS1_2"


# --- return shape ---------------------------------------------------------------------------------


def test_efs_shape_derives_what_describe_leaves_out():
    shaped = current()
    assert shaped["file_system_id"] == FS
    assert shaped["file_system_arn"] == FS_ARN
    assert shaped["subdirectory"] == "lake"
    assert shaped["ec2_config"] == {"subnet_arn": SUBNET_ARN, "security_group_arns": [SG_A, SG_B]}
    assert shaped["file_system_access_role_arn"] is None
    assert shaped["tags"] == {"Name": "dst"}


def test_location_type_and_partition():
    assert loc.location_type("s3://b/x/") == "S3"
    assert loc.location_type("object-storage://host/x/") == "OBJECT_STORAGE"
    assert loc.location_type("nonsense") is None
    assert arns.partition_of("cn-north-1") == "aws-cn" and arns.partition_of("eu-west-1") == "aws"


# --- finding locations ------------------------------------------------------------------------------


def info(**extra):
    base = {
        "location_arns": None,
        "location_uri": None,
        "location_type": None,
        "bucket": None,
        "file_system": None,
        "subdirectory": None,
        "tags": None,
    }
    base.update(extra)
    return base


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
    assert loc.list_filters(info(**extra), REGION) == filters


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
        ({"location_type": "nfs"}, "nfs://host/x/", True),
        ({"location_type": "S3"}, "nfs://host/x/", False),
        ({"location_arns": [LOC]}, "s3://bucket/", True),
        ({"location_arns": [LOC.replace("0123", "9999")]}, "s3://bucket/", False),
    ],
)
def test_matches(extra, uri, expected):
    assert loc.matches({"LocationArn": LOC, "LocationUri": uri}, info(**extra), REGION) is expected


def test_has_tags_needs_all():
    assert loc.has_tags({"a": "1", "b": "2"}, {"a": "1"})
    assert not loc.has_tags({"a": "1"}, {"a": "1", "b": "2"})
    assert loc.has_tags({}, None)


def test_same_ids_in_differently_written_arns_are_no_change():
    # A location created with region-less EC2 ARNs (the API allows them) still matches the resolved ARNs.
    loose = current(
        Ec2Config={
            "SubnetArn": f"arn:aws:ec2::{ACCOUNT}:subnet/subnet-0a",
            "SecurityGroupArns": [f"arn:aws:ec2::{ACCOUNT}:security-group/sg-0a"],
        }
    )
    p = params(subdirectory="lake", access_point=AP)
    _, create_only = el.compare(loose, p, resolved(access_point_arn=AP_ARN))
    assert not create_only.changed, create_only.diff()
