"""Prerequisites the module tests build directly with boto3 (what the roles would create)."""

from __future__ import annotations

import json
import uuid

import pytest
from support.policies import document

from lakedrop_emulator.stack import grant_datasync_read

DATASYNC_TRUST = document(
    {"Effect": "Allow", "Principal": {"Service": "datasync.amazonaws.com"}, "Action": "sts:AssumeRole"}
)


@pytest.fixture(scope="module")
def source_bucket(emulator) -> str:
    """A bucket in the source account, with two objects under incoming/."""
    name = f"lakedrop-it-{uuid.uuid4().hex[:10]}"
    s3 = emulator.client("s3", "source")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": emulator.region})
    s3.put_object(Bucket=name, Key="incoming/a.csv", Body=b"a")
    s3.put_object(Bucket=name, Key="incoming/sub dir/b c.csv", Body=b"bc")
    return name


@pytest.fixture(scope="module")
def datasync_role(emulator, source_bucket) -> str:
    """ARN of a role in the target account that DataSync can assume and that may read the source bucket
    (whose policy also lets the target account create locations on it)."""
    iam = emulator.client("iam")
    name = f"lakedrop-it-ds-{uuid.uuid4().hex[:8]}"
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(DATASYNC_TRUST))["Role"]["Arn"]
    grant_datasync_read(emulator, source_bucket, arn)
    return arn


@pytest.fixture(scope="module")
def efs_env(emulator) -> dict:
    """An EFS file system with mount targets in two subnets, a security group and an access point."""
    ec2 = emulator.client("ec2")
    efs = emulator.client("efs")
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"][:2]
    vpc_id = subnets[0]["VpcId"]
    sg = ec2.create_security_group(GroupName=f"lakedrop-it-{uuid.uuid4().hex[:8]}", Description="it", VpcId=vpc_id)
    fs = efs.create_file_system(CreationToken=uuid.uuid4().hex, Encrypted=True)
    for subnet in subnets:
        efs.create_mount_target(
            FileSystemId=fs["FileSystemId"], SubnetId=subnet["SubnetId"], SecurityGroups=[sg["GroupId"]]
        )
    ap = efs.create_access_point(
        FileSystemId=fs["FileSystemId"],
        PosixUser={"Uid": 1000, "Gid": 1000},
        RootDirectory={"Path": "/lake", "CreationInfo": {"OwnerUid": 1000, "OwnerGid": 1000, "Permissions": "0755"}},
    )
    account = emulator.account_id()
    return {
        "file_system_id": fs["FileSystemId"],
        "file_system_arn": fs["FileSystemArn"],
        "subnet_ids": [s["SubnetId"] for s in subnets],
        "subnet_arns": [s["SubnetArn"] for s in subnets],
        "security_group_id": sg["GroupId"],
        "security_group_arn": f"arn:aws:ec2:{emulator.region}:{account}:security-group/{sg['GroupId']}",
        "access_point_id": ap["AccessPointId"],
        "access_point_arn": ap["AccessPointArn"],
    }


@pytest.fixture(scope="module")
def task_locations(emulator, source_bucket, datasync_role, efs_env) -> dict:
    """DataSync locations for task tests, made directly with boto3 (not with the location modules):
    S3 locations on two prefixes of the source bucket and an EFS location."""
    ds = emulator.client("datasync")
    s3 = [
        ds.create_location_s3(
            S3BucketArn=f"arn:aws:s3:::{source_bucket}",
            Subdirectory=sub,
            S3Config={"BucketAccessRoleArn": datasync_role},
        )["LocationArn"]
        for sub in ("incoming", "archive")
    ]
    efs = ds.create_location_efs(
        EfsFilesystemArn=efs_env["file_system_arn"],
        Subdirectory="lake",
        Ec2Config={"SubnetArn": efs_env["subnet_arns"][0], "SecurityGroupArns": [efs_env["security_group_arn"]]},
    )["LocationArn"]
    return {"s3": s3[0], "s3_other": s3[1], "efs": efs}


@pytest.fixture(scope="module")
def log_group_arn(emulator) -> str:
    """ARN (as CloudWatch Logs reports it, ending in `:*`) of a new log group in the target account."""
    logs = emulator.client("logs")
    name = f"/lakedrop/it-{uuid.uuid4().hex[:8]}"
    logs.create_log_group(logGroupName=name)
    return logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["arn"]


@pytest.fixture(scope="module")
def efs_extra(emulator, efs_env) -> dict:
    """More around `efs_env`: a second access point (root /other) and a second security group on the same
    file system, an access point of another file system, and a default subnet whose Availability Zone has
    no mount target of `efs_env`'s file system."""
    ec2 = emulator.client("ec2")
    efs = emulator.client("efs")
    subnets = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    lonely = next(s for s in subnets if s["SubnetId"] not in efs_env["subnet_ids"])
    sg = ec2.create_security_group(
        GroupName=f"lakedrop-it-{uuid.uuid4().hex[:8]}", Description="it", VpcId=subnets[0]["VpcId"]
    )
    ap = efs.create_access_point(FileSystemId=efs_env["file_system_id"], RootDirectory={"Path": "/other"})
    other_fs = efs.create_file_system(CreationToken=uuid.uuid4().hex, Encrypted=True)
    other_ap = efs.create_access_point(FileSystemId=other_fs["FileSystemId"], RootDirectory={"Path": "/lake"})
    account = emulator.account_id()
    return {
        "access_point_id": ap["AccessPointId"],
        "access_point_arn": ap["AccessPointArn"],
        "security_group_id": sg["GroupId"],
        "security_group_arn": f"arn:aws:ec2:{emulator.region}:{account}:security-group/{sg['GroupId']}",
        "other_file_system_id": other_fs["FileSystemId"],
        "other_file_system_arn": other_fs["FileSystemArn"],
        "other_access_point_id": other_ap["AccessPointId"],
        "subnet_without_mount_target_id": lonely["SubnetId"],
    }


# --- datasync_location_efs and datasync_location_info: EFS locations, EXAMPLES as tasks ----------------------


@pytest.fixture(scope="module")
def make_efs_location(emulator, efs_env):
    """Creates an EFS location on `efs_env`'s file system directly with boto3: make(subdirectory,
    subnet=INDEX of efs_env's subnets, **more CreateLocationEfs arguments) -> its ARN."""
    ds = emulator.client("datasync")

    def make(subdirectory, subnet=0, **extra):
        ec2_config = {"SubnetArn": efs_env["subnet_arns"][subnet], "SecurityGroupArns": [efs_env["security_group_arn"]]}
        return ds.create_location_efs(
            EfsFilesystemArn=efs_env["file_system_arn"], Subdirectory=subdirectory, Ec2Config=ec2_config, **extra
        )["LocationArn"]

    return make


@pytest.fixture(scope="module")
def efs_location_fields(efs_env) -> dict:
    """What the modules return for an EFS location on `efs_env`'s file system, first subnet and security
    group, mounted through its access point (so with TLS)."""
    return {
        "file_system_id": efs_env["file_system_id"],
        "file_system_arn": efs_env["file_system_arn"],
        "ec2_config": {"subnet_arn": efs_env["subnet_arns"][0], "security_group_arns": [efs_env["security_group_arn"]]},
        "access_point_arn": efs_env["access_point_arn"],
        "in_transit_encryption": "TLS1_2",
    }


@pytest.fixture(scope="session")
def example_tasks():
    """A module's EXAMPLES as a task list, each fake name replaced by a real one: example_tasks(module, {fake: real})."""

    import yaml  # here, so that this block stays one piece at the end of the file

    def tasks(module, real_names):
        text = module.EXAMPLES
        for fake, real in real_names.items():
            text = text.replace(fake, real)
        return yaml.safe_load(text)

    return tasks


# --- EFS setting modules (efs_file_system_policy, efs_lifecycle_configuration, efs_throughput_mode) and
# cloudwatchlogs_resource_policy: a file system of the test's own, and failures checked one way.


@pytest.fixture
def new_file_system(emulator, unique) -> dict:
    """A new file system of the test's own (bursting, General Purpose), as CreateFileSystem returns it."""
    return emulator.client("efs").create_file_system(CreationToken=f"lakedrop-it-fs-{unique}", Encrypted=True)


@pytest.fixture
def assert_fails(emulator):
    """`assert_fails(module, args, message)`: the module fails saying `message` without any AWS call (with
    `writes_only=True`: without any write, reads allowed). Returns the result."""
    from support.ansible import run_module

    def check(module, args, message, writes_only=False):
        mark = emulator.mark()
        result = run_module(emulator, module, args)
        assert result.failed and message in result["msg"], result["msg"]
        assert (emulator.writes(mark) if writes_only else emulator.calls(mark)) == []
        return result

    return check


@pytest.fixture
def assert_missing_file_system(assert_fails):
    """`assert_missing_file_system(module, args)`: with file_system fs-00000000 (which does not exist) the
    module fails saying so, without any write."""

    def check(module, args):
        message = "file_system fs-00000000 does not exist in"
        assert_fails(module, {**args, "file_system": "fs-00000000"}, message, writes_only=True)

    return check
