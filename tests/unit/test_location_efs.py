"""Pure logic of DataSync EFS locations and the location helpers they share (no network)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from support.arguments import arguments

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import location_efs as el
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import locations as loc
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.changes import Changes
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import Failure
from ansible_collections.lakedrop.delivery.plugins.modules import datasync_location_efs as module_file

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
LOC2 = LOC.replace("0123", "9999")

# What the read calls answer for the file system, subnet-0a and sg-0a (EC2 leaves a group's ARN out).
FOUND = {
    "file_system": {"FileSystemArn": FS_ARN},
    "subnets": [{"SubnetArn": SUBNET_ARN}],
    "security_groups": [{"GroupId": "sg-0a", "OwnerId": ACCOUNT}],
}


def params(**extra):
    return arguments(module_file, {"file_system": FS, "subnet": "subnet-0a", "security_groups": ["sg-0a"]}, extra)


def resolved(**extra):
    """IDs resolved to ARNs from FOUND, as the flow does."""
    found, problems = el.resolve_arns(params(), FOUND, REGION)
    assert problems == []
    return {**found, **extra}


def current(**extra):
    described = {"LocationArn": LOC, "LocationUri": f"efs://{REGION}.{FS}/lake/", "InTransitEncryption": "TLS1_2"}
    described["Ec2Config"] = {"SubnetArn": SUBNET_ARN, "SecurityGroupArns": [SG_A, SG_B]}
    described.update(CreationTime="2026-01-01", AccessPointArn=AP_ARN, **extra)
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
        ({"security_groups": []}, "got 0"),
        ({"security_groups": ["subnet-0a"]}, "security_groups[0] must be an EC2 security group ARN or its ID"),
        ({"security_groups": ["sg-0a", SG_A]}, "lists sg-0a more than once"),
        ({"security_groups": [SG_A.replace(REGION, "us-east-1")]}, "security_groups[0] arn:aws:ec2:us-east-1"),
        ({"subdirectory": "a b/c$"}, "found '$'"),
        ({"subdirectory": "a//b"}, "must not contain '//'"),
        ({"subnet": None, "security_groups": None}, "subnet and security_groups are required"),
        ({"subnet": None}, "subnet is required"),
        ({"file_system": None}, "file_system is required unless location_arn"),
        ({"subnet": "arn:aws:ec2:us-east-1:222222222222:subnet/subnet-0a"}, "is in region us-east-1"),
        ({"file_system_access_role_arn": "datasync-efs"}, "must be an IAM role ARN"),
        ({"location_arn": FS}, "location_arn must be a DataSync location ARN"),
    ],
)
def test_problems_name_the_option(extra, message):
    problems = el.validate(params(**extra), REGION)
    assert any(message in p for p in problems), problems


def test_every_problem_is_reported_at_once():
    problems = el.validate(params(file_system=None, subnet="vpc-0a", subdirectory="a//b"), REGION)
    assert len(problems) == 3, problems


def test_arn_without_region_is_not_a_region_mismatch():
    assert el.validate(params(subnet=f"arn:aws:ec2::{ACCOUNT}:subnet/subnet-0a"), REGION) == []


# --- encryption rule ------------------------------------------------------------------------------


def test_encryption_defaults():
    assert not el.needs_tls(params()) and el.needs_tls(params(access_point=AP))
    assert el.desired_encryption(params()) == "NONE"  # new, nothing needs TLS: DataSync's default
    assert el.desired_encryption(params(access_point=AP)) == "TLS1_2"
    assert el.desired_encryption(params(file_system_access_role_arn=ROLE)) == "TLS1_2"
    assert el.desired_encryption(params(), current()) is None  # existing: left alone
    assert el.desired_encryption(params(in_transit_encryption="NONE"), current()) == "NONE"
    assert el.create_encryption(params(), current()) == "TLS1_2"  # a replacement keeps it


# --- identity -------------------------------------------------------------------------------------


def test_efs_host_takes_the_region_from_an_arn():
    assert loc.efs_host(FS, REGION) == f"{REGION}.{FS}"
    assert loc.efs_host(FS_ARN.replace(REGION, "us-west-2"), REGION) == f"us-west-2.{FS}"
    assert el.uri_prefix_filter(f"{REGION}.{FS}") == [
        {"Name": "LocationUri", "Operator": "BeginsWith", "Values": [f"efs://{REGION}.{FS}/"]}
    ]


def test_ids_of_described_and_given_resources():
    assert el.access_point_id({"AccessPointArn": AP_ARN}) == AP
    assert el.access_point_id({}) is None and el.access_point_id({"AccessPointArn": ""}) is None
    assert el.group_ids(["sg-0a", SG_B]) == ["sg-0a", "sg-0b"] and el.group_ids(None) == []


def test_ec2_matches_compares_ids_and_security_groups_as_a_set():
    described = {"Ec2Config": {"SubnetArn": SUBNET_ARN, "SecurityGroupArns": [SG_A, SG_B]}}
    assert el.ec2_matches(described, "subnet-0a", ["sg-0b", SG_A])
    assert el.ec2_matches(described)
    assert not el.ec2_matches(described, "subnet-0b")
    assert not el.ec2_matches(described, None, ["sg-0a"])


def described_pair(**second):
    """Two locations on one URI: LOC on subnet-0a with sg-0a, LOC2 on subnet-0b (or as `second` says)."""
    config = {"Ec2Config": {"SubnetArn": SUBNET_ARN, "SecurityGroupArns": [SG_A]}}
    return {LOC: config, LOC2: {"Ec2Config": {"SubnetArn": SUBNET2_ARN, "SecurityGroupArns": [SG_A]}, **second}}


@pytest.mark.parametrize(
    ("described", "tags", "extra", "expected"),
    [
        (described_pair(AccessPointArn=AP_ARN), {}, {"subnet": None, "security_groups": None}, [LOC]),
        (described_pair(AccessPointArn=AP_ARN), {}, {"access_point": AP_ARN}, [LOC2]),
        (described_pair(), {LOC2: {"k": "v"}}, {"tags": {"k": "v"}}, [LOC2]),
        (described_pair(), {}, {"subnet": "subnet-0b"}, [LOC2]),
        # nothing carries the tags, nothing has that subnet: all stay, so the module reports them
        (described_pair(), {}, {"tags": {"k": "v"}, "subnet": "subnet-0c"}, [LOC, LOC2]),
        (described_pair(), {LOC: {"k": "v"}, LOC2: {"k": "v"}}, {"tags": {"k": "v"}, "subnet": None}, [LOC, LOC2]),
    ],
)
def test_identify(described, tags, extra, expected):
    assert el.identify(described, lambda arn: tags.get(arn, {}), params(**extra)) == expected


def test_ambiguity_names_every_match_and_how_to_choose():
    message = loc.ambiguity_message("EFS", "efs://h/x/", [LOC2, LOC], el.TELLING_APART)
    assert message.startswith(f"2 DataSync EFS locations match efs://h/x/: {LOC}, {LOC2}.")
    assert "or tags, subnet or security_groups that only one" in message


# --- IDs resolved to ARNs -------------------------------------------------------------------------


@pytest.mark.parametrize(("region", "partition"), [(REGION, "aws"), ("cn-north-1", "aws-cn")])
def test_ec2_arns_are_built_with_the_partition_of_the_region(region, partition):
    assert el.ec2_arn({"SubnetArn": SUBNET_ARN}, region, "subnet", "subnet-0a") == SUBNET_ARN
    built = el.ec2_arn({"OwnerId": ACCOUNT}, region, "security-group", "sg-0a")
    assert built == f"arn:{partition}:ec2:{region}:{ACCOUNT}:security-group/sg-0a"


def test_resolved_arns():
    assert resolved() == {
        "file_system_id": FS,
        "file_system_arn": FS_ARN,
        "subnet_arn": SUBNET_ARN,
        "security_group_arns": [SG_A],
        "access_point_arn": None,
    }
    found = {**FOUND, "access_point": {"FileSystemId": FS, "AccessPointArn": AP_ARN}}
    assert el.resolve_arns(params(access_point=AP), found, REGION)[0]["access_point_arn"] == AP_ARN
    # what the arguments leave out comes from the location
    kept, problems = el.resolve_arns(params(file_system=None, subnet=None, security_groups=None), {}, REGION, current())
    assert problems == [] and kept["subnet_arn"] == SUBNET_ARN and kept["security_group_arns"] == [SG_A, SG_B]
    assert kept["file_system_arn"] == FS_ARN


@pytest.mark.parametrize(
    ("extra", "found", "message"),
    [
        ({}, {"file_system": None}, f"file_system {FS} does not exist in {REGION}"),
        ({}, {"subnets": []}, f"subnet subnet-0a does not exist in {REGION}"),
        ({"security_groups": ["sg-0a", "sg-0c", "sg-0d"]}, {}, "security_groups: sg-0c, sg-0d do not exist"),
        ({"access_point": AP}, {"access_point": None}, f"access_point {AP} does not exist"),
        (
            {"access_point": AP},
            {"access_point": {"FileSystemId": "fs-0fedcba9", "AccessPointArn": AP_ARN}},
            f"belongs to file system fs-0fedcba9, not {FS}",
        ),
    ],
)
def test_missing_resources_are_problems(extra, found, message):
    _, problems = el.resolve_arns(params(**extra), {**FOUND, **found}, REGION)
    assert len(problems) == 1 and message in problems[0], problems


def test_an_access_point_is_not_compared_with_a_missing_file_system():
    found = {**FOUND, "file_system": None, "access_point": {"FileSystemId": "fs-0fedcba9", "AccessPointArn": AP_ARN}}
    _, problems = el.resolve_arns(params(access_point=AP), found, REGION)
    assert len(problems) == 1 and "file_system" in problems[0]


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
    p = params(subdirectory="lake/v2", access_point=AP, in_transit_encryption="NONE", tags={"Name": "x"})
    in_place, _ = el.compare(c, dict(p, security_groups=None), resolved(access_point_arn=AP2_ARN))
    assert sorted(in_place.names) == [
        "access_point_arn",
        "file_system_access_role_arn",
        "in_transit_encryption",
        "subdirectory",
        "tags",
    ]
    assert el.update_params(in_place) == {
        "Subdirectory": "/lake/v2",
        "AccessPointArn": AP2_ARN,
        "FileSystemAccessRoleArn": "",
        "InTransitEncryption": "NONE",
    }
    predicted = el.predict(c, in_place)
    assert predicted["location_uri"] == f"efs://{REGION}.{FS}/lake/v2/"
    assert predicted["tags"] == {"Name": "x"} and predicted["in_transit_encryption"] == "NONE"


def test_create_only_fields_are_reported_with_both_values():
    p = params(subdirectory="lake", access_point=AP, subnet="subnet-0b", security_groups=["sg-0a"])
    _, create_only = el.compare(
        current(), p, resolved(access_point_arn=AP_ARN, subnet_arn=SUBNET2_ARN, security_group_arns=[SG_A])
    )
    assert create_only.names == ["subnet_arn", "security_group_arns"]
    assert create_only.details()[0] == f"subnet_arn: {SUBNET_ARN!r} -> {SUBNET2_ARN!r}"


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


def test_tags_follow_purge_semantics():
    changes = Changes()
    loc.compare_tags(changes, current(), params(tags={"team": "ds"}, purge_tags=False))
    assert changes.diff()["after"]["tags"] == {"Name": "dst", "team": "ds"}
    loc.compare_tags(changes, current(), params(tags=None))
    assert changes.names == ["tags"]  # tags=None leaves them alone: nothing more recorded
    assert el.replacement_params(params(tags={"team": "ds"}), current())["tags"] == {"team": "ds"}
    assert el.replacement_params(params(), current())["tags"] == {"Name": "dst"}  # a replacement keeps them


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
    assert desired["in_transit_encryption"] == "TLS1_2" and desired["location_arn"] is None
    assert el.desired_location(params(), resolved(), current())["in_transit_encryption"] == "TLS1_2"


# --- return shape and results ---------------------------------------------------------------------


def test_efs_shape_derives_what_describe_leaves_out():
    shaped = current()
    assert shaped["file_system_id"] == FS
    assert shaped["file_system_arn"] == FS_ARN
    assert shaped["subdirectory"] == "lake"
    assert shaped["ec2_config"] == {"subnet_arn": SUBNET_ARN, "security_group_arns": [SG_A, SG_B]}
    assert shaped["file_system_access_role_arn"] is None
    assert shaped["tags"] == {"Name": "dst"}


def test_result_keeps_the_diff_only_when_there_is_one():
    assert loc.result(False, {}) == {"changed": False, "location": {}, "replaced": False}
    assert loc.result(True, {}, replaced=True, diff={})["diff"] == {}


def converge(check_mode=False, **extra):
    """locations.converge on current() with these arguments, in check mode or not, without a client: only
    the paths that decide without calling AWS may run."""
    module = SimpleNamespace(params=params(subdirectory="lake", access_point=AP, **extra), check_mode=check_mode)
    found = resolved(access_point_arn=AP_ARN, subnet_arn=SUBNET2_ARN if extra.get("subnet") else SUBNET_ARN)
    compared = el.compare(current(), module.params, found)
    return loc.converge(module, None, el.EFS, current(), compared, lambda: {"location_arn": None, "new": True})


def test_a_create_only_change_is_refused_without_allow_replacement():
    with pytest.raises(Failure) as raised:
        converge(subnet="subnet-0b", security_groups=None)
    assert raised.value.msg.startswith(f"EFS location {LOC} cannot be changed in place (subnet_arn: ")
    assert "allow_replacement=true" in raised.value.msg and SUBNET2_ARN in raised.value.msg


def test_converge_decides_in_check_mode_without_a_call():
    replaced = converge(True, subnet="subnet-0b", security_groups=None, allow_replacement=True)
    assert replaced["replaced"] and replaced["location"]["new"] and replaced["diff"]["before"] == current()
    updated = converge(True, security_groups=None, in_transit_encryption="NONE")
    assert updated["changed"] and updated["location"]["in_transit_encryption"] == "NONE"
    assert updated["diff"]["after"]["in_transit_encryption"] == "NONE"
    unchanged = converge(security_groups=None)
    assert not unchanged["changed"] and unchanged["location"] == current()
    created = loc.converge(SimpleNamespace(params=params()), None, el.EFS, None, None, lambda: {"new": True})
    assert created == {
        "changed": True,
        "location": {"new": True},
        "replaced": False,
        "diff": {"before": {}, "after": {"new": True}},
    }


def test_a_location_arn_that_names_nothing_is_a_failure():
    loc.require_found(params(), None)
    loc.require_found(params(location_arn=LOC), current())
    with pytest.raises(Failure, match=f"location_arn {LOC} does not exist; omit it"):
        loc.require_found(params(location_arn=LOC), None)
