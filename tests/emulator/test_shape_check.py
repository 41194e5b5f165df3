"""The checker itself must be able to fail: each case breaks the model in one way."""

from __future__ import annotations

import datetime
import json

import pytest

from lakedrop_emulator.ext.shapes import assert_output_matches
from lakedrop_emulator.ext.shapes import output_problems
from lakedrop_emulator.ext.shapes import service_model
from lakedrop_emulator.ext.shapes import watch

NOW = datetime.datetime.now(tz=datetime.UTC)
LOCATION = "arn:aws:datasync:eu-west-1:222222222222:location/loc-0123456789abcdef0"
SUBNET = "arn:aws:ec2:eu-west-1:222222222222:subnet/subnet-0123456789abcdef0"
GROUP = "arn:aws:ec2:eu-west-1:222222222222:security-group/sg-0123456789abcdef0"


def _efs_location(**changes) -> dict:
    answer = {
        "LocationArn": LOCATION,
        "LocationUri": "efs://eu-west-1.fs-01234567/landing/",
        "Ec2Config": {"SubnetArn": SUBNET, "SecurityGroupArns": [GROUP]},
        "InTransitEncryption": "TLS1_2",
        "CreationTime": NOW,
        "ResponseMetadata": {"HTTPStatusCode": 200},
    }
    answer.update(changes)
    return answer


def test_a_conforming_answer_passes():
    assert assert_output_matches("datasync", "DescribeLocationEfs", _efs_location())


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"Bogus": 1}, "DescribeLocationEfs.Bogus: is not a member"),
        (
            {"Ec2Config": {"SubnetArn": SUBNET, "SecurityGroupArns": [GROUP], "VpcId": "v"}},
            "Ec2Config.VpcId: is not a member",
        ),
        ({"CreationTime": "2026-01-01T00:00:00Z"}, "CreationTime: expected a timestamp, got str"),
        ({"InTransitEncryption": "TLS1_3"}, "'TLS1_3' is not one of"),
        ({"LocationArn": "loc-1"}, "LocationArn: 'loc-1' does not match"),
        ({"LocationUri": "efs://" + "x" * 4360}, "LocationUri: is longer than max 4360"),
        ({"Ec2Config": {"SubnetArn": SUBNET, "SecurityGroupArns": []}}, "fewer than min 1"),
        ({"Ec2Config": {"SubnetArn": SUBNET, "SecurityGroupArns": [GROUP] * 6}}, "more than max 5"),
        ({"Ec2Config": {"SubnetArn": SUBNET, "SecurityGroupArns": GROUP}}, "expected a list, got str"),
        ({"Ec2Config": {"SecurityGroupArns": [GROUP]}}, "Ec2Config.SubnetArn: is required"),
        ({"InTransitEncryption": None}, "InTransitEncryption: is null"),
    ],
)
def test_each_breach_is_reported(changes, expected):
    found = output_problems("datasync", "DescribeLocationEfs", _efs_location(**changes))
    assert any(expected in problem for problem in found), found
    with pytest.raises(AssertionError, match="breaks botocore's model"):
        assert_output_matches("datasync", "DescribeLocationEfs", _efs_location(**changes))


def test_types_beyond_strings_and_lists():
    good = {"SizeInBytes": {"Value": 1, "Timestamp": NOW}, "Encrypted": True}
    base = {
        "OwnerId": "222222222222",
        "CreationToken": "t",
        "FileSystemId": "fs-01234567",
        "CreationTime": NOW,
        "LifeCycleState": "available",
        "NumberOfMountTargets": 0,
        "PerformanceMode": "generalPurpose",
        "Tags": [],
    }
    assert output_problems("efs", "CreateFileSystem", {**base, **good}) == []
    found = output_problems(
        "efs",
        "CreateFileSystem",
        {
            **base,
            "Encrypted": "true",
            "NumberOfMountTargets": True,
            "SizeInBytes": {"Value": -1},
            "ProvisionedThroughputInMibps": "1",
        },
    )
    assert any("Encrypted: expected a boolean" in p for p in found), found
    assert any("NumberOfMountTargets: expected an integer" in p for p in found), found
    assert any("SizeInBytes.Value: -1 is below min 0" in p for p in found), found
    assert any("ProvisionedThroughputInMibps: expected a number" in p for p in found), found


def test_botocore_unicode_classes_are_understood():
    # DataSync's S3Subdirectory uses \p{Zs}; EFS tag keys \p{L}\p{Z}\p{N} and a lookahead against "aws:".
    report = {
        "Destination": {
            "S3": {
                "Subdirectory": "reports 2026/(q1)",
                "S3BucketArn": "arn:aws:s3:::b",
                "BucketAccessRoleArn": "arn:aws:iam::222222222222:role/r",
            }
        }
    }
    assert output_problems("datasync", "DescribeTask", {"TaskReportConfig": report}) == []
    report["Destination"]["S3"]["Subdirectory"] = "reports*"
    assert any("does not match" in p for p in output_problems("datasync", "DescribeTask", {"TaskReportConfig": report}))
    assert output_problems("efs", "DescribeTags", {"Tags": [{"Key": "Name é 1", "Value": "ü"}]}) == []
    found = output_problems("efs", "DescribeTags", {"Tags": [{"Key": "aws:reserved", "Value": "x"}]})
    assert any("Tags[0].Key" in p for p in found), found


def test_required_members_and_nulls_in_raw_bodies():
    # Stock moto's answer for a mount target created without groups.
    assert output_problems("efs", "DescribeMountTargetSecurityGroups", {"SecurityGroups": None}, raw=True)
    parsed = output_problems("efs", "DescribeMountTargetSecurityGroups", {})
    assert any("SecurityGroups: is required" in p for p in parsed), parsed
    # Raw JSON carries timestamps as numbers.
    raw = {k: v for k, v in _efs_location(CreationTime=1_700_000_000.5).items() if k != "ResponseMetadata"}
    assert output_problems("datasync", "DescribeLocationEfs", raw, raw=True) == []
    assert output_problems("datasync", "DescribeLocationEfs", raw) != []


def test_watch_raises_from_the_call_on_an_unknown_raw_member():
    class Events:
        def register(self, event, handler):
            self.handler = handler

    class Meta:
        service_model = service_model("datasync")
        events = Events()

    class Client:
        meta = Meta()

    client = watch(Client())
    operation = service_model("datasync").operation_model("DescribeLocationS3")
    body = {"LocationArn": LOCATION, "_fs_arn": "leaked"}
    response = {
        "status_code": 200,
        "headers": {"content-type": "application/x-amz-json-1.1"},
        "body": json.dumps(body).encode(),
    }
    with pytest.raises(AssertionError, match="_fs_arn: is not a member"):
        client.meta.events.handler(operation_model=operation, response_dict=response)
    response["status_code"] = 400  # errors have their own shape
    client.meta.events.handler(operation_model=operation, response_dict=response)
