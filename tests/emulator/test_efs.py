"""EFS as community.aws.efs and the project's roles use it: each test pins one gap moto 5.2.5 had."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from lakedrop_emulator.ext.shapes import assert_output_matches


@pytest.fixture
def efs(clients):
    return clients("efs")


@pytest.fixture
def file_system(efs, unique):
    fs = efs.create_file_system(
        CreationToken=f"efs-test-{unique}", Tags=[{"Key": "Name", "Value": f"efs-test-{unique}"}]
    )
    assert_output_matches("efs", "CreateFileSystem", fs)
    return fs


def _tags(efs, fs_id: str) -> dict[str, str]:
    answer = assert_output_matches("efs", "DescribeTags", efs.describe_tags(FileSystemId=fs_id))
    return {t["Key"]: t["Value"] for t in answer["Tags"]}


def test_file_system_answers_match_the_model(efs, file_system):
    # Stock moto answered nulls and members outside FileSystemDescription (LifecyclePolicies, ...).
    fs_id = file_system["FileSystemId"]
    described = assert_output_matches("efs", "DescribeFileSystems", efs.describe_file_systems(FileSystemId=fs_id))
    assert [f["FileSystemId"] for f in described["FileSystems"]] == [fs_id]
    assert described["FileSystems"][0]["Name"] == file_system["Name"]


def test_legacy_tag_api_round_trips_through_the_file_system_tags(efs, file_system):
    fs_id = file_system["FileSystemId"]
    assert _tags(efs, fs_id) == {"Name": file_system["Name"]}

    efs.create_tags(FileSystemId=fs_id, Tags=[{"Key": "team", "Value": "data"}, {"Key": "env", "Value": "dev"}])
    assert _tags(efs, fs_id) == {"Name": file_system["Name"], "team": "data", "env": "dev"}

    efs.create_tags(FileSystemId=fs_id, Tags=[{"Key": "env", "Value": "prod"}])  # overwrites
    efs.delete_tags(FileSystemId=fs_id, TagKeys=["team"])
    assert _tags(efs, fs_id) == {"Name": file_system["Name"], "env": "prod"}

    # One store: the current tag API and DescribeFileSystems see the same tags.
    listed = assert_output_matches("efs", "ListTagsForResource", efs.list_tags_for_resource(ResourceId=fs_id))
    assert {t["Key"]: t["Value"] for t in listed["Tags"]} == {"Name": file_system["Name"], "env": "prod"}
    fs = efs.describe_file_systems(FileSystemId=fs_id)["FileSystems"][0]
    assert {t["Key"]: t["Value"] for t in fs["Tags"]} == {"Name": file_system["Name"], "env": "prod"}


def test_calls_on_a_missing_file_system_are_not_found(efs):
    # Stock moto answered 404 (tag API) or 500 (KeyError) here; botocore retries a 500 before failing.
    for call, kwargs in (
        (efs.describe_tags, {}),
        (efs.create_tags, {"Tags": [{"Key": "a", "Value": "b"}]}),
        (efs.delete_tags, {"TagKeys": ["a"]}),
        (efs.describe_backup_policy, {}),
        (efs.describe_file_system_policy, {}),
        (efs.put_file_system_policy, {"Policy": '{"Version": "2012-10-17", "Statement": []}'}),
    ):
        with pytest.raises(ClientError) as err:
            call(FileSystemId="fs-00000000", **kwargs)
        assert err.value.response["Error"]["Code"] == "FileSystemNotFound"


def test_backup_policy_round_trip(efs, file_system):
    fs_id = file_system["FileSystemId"]
    with pytest.raises(ClientError) as err:  # never set: AWS answers PolicyNotFound as well
        efs.describe_backup_policy(FileSystemId=fs_id)
    assert err.value.response["Error"]["Code"] == "PolicyNotFound"

    put = efs.put_backup_policy(FileSystemId=fs_id, BackupPolicy={"Status": "ENABLED"})
    assert_output_matches("efs", "PutBackupPolicy", put)
    assert put["BackupPolicy"]["Status"] == "ENABLED"
    described = assert_output_matches("efs", "DescribeBackupPolicy", efs.describe_backup_policy(FileSystemId=fs_id))
    assert described["BackupPolicy"] == {"Status": "ENABLED"}

    efs.put_backup_policy(FileSystemId=fs_id, BackupPolicy={"Status": "DISABLED"})
    assert efs.describe_backup_policy(FileSystemId=fs_id)["BackupPolicy"] == {"Status": "DISABLED"}

    with pytest.raises(ClientError) as err:
        efs.put_backup_policy(FileSystemId="fs-00000000", BackupPolicy={"Status": "ENABLED"})
    assert err.value.response["Error"]["Code"] == "FileSystemNotFound"


def test_update_file_system_changes_throughput(efs, file_system):
    fs_id = file_system["FileSystemId"]
    assert file_system["ThroughputMode"] == "bursting"

    updated = efs.update_file_system(
        FileSystemId=fs_id, ThroughputMode="provisioned", ProvisionedThroughputInMibps=64.0
    )
    assert_output_matches("efs", "UpdateFileSystem", updated)
    assert (updated["ThroughputMode"], updated["ProvisionedThroughputInMibps"]) == ("provisioned", 64.0)
    fs = efs.describe_file_systems(FileSystemId=fs_id)["FileSystems"][0]
    assert (fs["ThroughputMode"], fs["ProvisionedThroughputInMibps"]) == ("provisioned", 64.0)

    efs.update_file_system(FileSystemId=fs_id, ProvisionedThroughputInMibps=128.0)  # mode unchanged
    assert efs.describe_file_systems(FileSystemId=fs_id)["FileSystems"][0]["ProvisionedThroughputInMibps"] == 128.0

    efs.update_file_system(FileSystemId=fs_id, ThroughputMode="elastic")
    fs = efs.describe_file_systems(FileSystemId=fs_id)["FileSystems"][0]
    assert fs["ThroughputMode"] == "elastic"
    assert "ProvisionedThroughputInMibps" not in fs  # only provisioned mode has one


def test_update_file_system_to_provisioned_needs_a_throughput(efs, file_system):
    with pytest.raises(ClientError) as err:
        efs.update_file_system(FileSystemId=file_system["FileSystemId"], ThroughputMode="provisioned")
    assert err.value.response["Error"]["Code"] == "BadRequest"
    with pytest.raises(ClientError) as err:  # enums are checked server-side, as AWS does
        efs.update_file_system(FileSystemId=file_system["FileSystemId"], ThroughputMode="turbo")
    assert err.value.response["Error"]["Code"] == "BadRequest"


def test_update_file_system_on_a_missing_file_system_is_not_found(efs):
    with pytest.raises(ClientError) as err:
        efs.update_file_system(FileSystemId="fs-00000000", ThroughputMode="elastic")
    assert err.value.response["Error"]["Code"] == "FileSystemNotFound"


def test_mount_target_security_groups_are_a_list(clients, efs, file_system):
    ec2 = clients("ec2")
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    vpc_id = subnets[0]["VpcId"]
    default_group = ec2.describe_security_groups(
        Filters=[{"Name": "group-name", "Values": ["default"]}, {"Name": "vpc-id", "Values": [vpc_id]}]
    )["SecurityGroups"][0]["GroupId"]
    extra = ec2.create_security_group(GroupName=f"efs-{file_system['FileSystemId']}", Description="nfs", VpcId=vpc_id)

    fs_id = file_system["FileSystemId"]
    with_group = efs.create_mount_target(
        FileSystemId=fs_id, SubnetId=subnets[0]["SubnetId"], SecurityGroups=[extra["GroupId"]]
    )
    assert_output_matches("efs", "CreateMountTarget", with_group)
    without = efs.create_mount_target(FileSystemId=fs_id, SubnetId=subnets[1]["SubnetId"])

    answer = efs.describe_mount_target_security_groups(MountTargetId=with_group["MountTargetId"])
    assert assert_output_matches("efs", "DescribeMountTargetSecurityGroups", answer)["SecurityGroups"] == [
        extra["GroupId"]
    ]
    # Without groups AWS uses the VPC's default group (stock moto answered null).
    answer = efs.describe_mount_target_security_groups(MountTargetId=without["MountTargetId"])
    assert assert_output_matches("efs", "DescribeMountTargetSecurityGroups", answer)["SecurityGroups"] == [
        default_group
    ]

    efs.modify_mount_target_security_groups(MountTargetId=without["MountTargetId"], SecurityGroups=[extra["GroupId"]])
    answer = efs.describe_mount_target_security_groups(MountTargetId=without["MountTargetId"])
    assert answer["SecurityGroups"] == [extra["GroupId"]]

    described = efs.describe_mount_targets(FileSystemId=fs_id)
    assert_output_matches("efs", "DescribeMountTargets", described)
    assert sorted(m["MountTargetId"] for m in described["MountTargets"]) == sorted(
        [with_group["MountTargetId"], without["MountTargetId"]]
    )
    assert efs.describe_file_systems(FileSystemId=fs_id)["FileSystems"][0]["NumberOfMountTargets"] == 2


def test_access_point_and_lifecycle_answers_match_the_model(efs, file_system):
    fs_id = file_system["FileSystemId"]
    ap = efs.create_access_point(
        FileSystemId=fs_id,
        PosixUser={"Uid": 1000, "Gid": 1000},
        RootDirectory={"Path": "/ingest", "CreationInfo": {"OwnerUid": 1000, "OwnerGid": 1000, "Permissions": "0750"}},
        Tags=[{"Key": "Name", "Value": "ingest"}],
    )
    assert_output_matches("efs", "CreateAccessPoint", ap)
    listed = assert_output_matches("efs", "DescribeAccessPoints", efs.describe_access_points(FileSystemId=fs_id))
    assert [a["AccessPointId"] for a in listed["AccessPoints"]] == [ap["AccessPointId"]]
    assert listed["AccessPoints"][0]["RootDirectory"]["Path"] == "/ingest"

    policies = [{"TransitionToIA": "AFTER_30_DAYS"}, {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"}]
    put = efs.put_lifecycle_configuration(FileSystemId=fs_id, LifecyclePolicies=policies)
    assert_output_matches("efs", "PutLifecycleConfiguration", put)
    got = efs.describe_lifecycle_configuration(FileSystemId=fs_id)
    assert assert_output_matches("efs", "DescribeLifecycleConfiguration", got)["LifecyclePolicies"] == policies


def test_encrypted_file_system_reports_its_key(clients, efs, unique):
    key = clients("kms").create_key(Description=f"efs-{unique}")["KeyMetadata"]
    fs = efs.create_file_system(CreationToken=f"efs-kms-{unique}", Encrypted=True, KmsKeyId=key["KeyId"])
    assert_output_matches("efs", "CreateFileSystem", fs)
    assert fs["Encrypted"] is True
    assert fs["KmsKeyId"] == key["Arn"]  # AWS answers the key's ARN whatever form was given
    default = efs.create_file_system(CreationToken=f"efs-kms-default-{unique}", Encrypted=True)
    assert default["KmsKeyId"].startswith(f"arn:aws:kms:{efs.meta.region_name}:")


def test_describe_file_systems_pages_by_100_as_aws_does(efs, unique):
    # moto paged by 10; community.aws.efs then follows `Nextmarker` (sic) and fails with a KeyError.
    mine = {efs.create_file_system(CreationToken=f"efs-page-{unique}-{i}")["FileSystemId"] for i in range(11)}
    total = [
        fs["FileSystemId"]
        for page in efs.get_paginator("describe_file_systems").paginate()
        for fs in page["FileSystems"]
    ]
    assert mine <= set(total)
    first = assert_output_matches("efs", "DescribeFileSystems", efs.describe_file_systems())
    assert len(first["FileSystems"]) == min(len(total), 100)
    assert ("NextMarker" in first) == (len(total) > 100)
