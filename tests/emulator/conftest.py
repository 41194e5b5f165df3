"""Fixtures of the emulator suite: watched clients, fast DataSync timing, a small two-account world.

The emulator is shared by every test of a run, so everything here gets a unique name.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import pytest

from lakedrop_emulator.ext.shapes import watch
from lakedrop_emulator.stack import grant_datasync_read

# Fast enough for a sub-minute suite; a test that watches each phase slows them down for itself.
FAST_TIMING = {
    "task_creating": 0.05,
    "task_unavailable": 0.05,
    "launching": 0.05,
    "preparing": 0.05,
    "preparing_per_object": 0.0,
    "transferring": 0.05,
    "per_file": 0.0,
    "verifying": 0.05,
    "iam_propagation": 0.0,
}
DATASYNC_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "datasync.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


@pytest.fixture(scope="session")
def clients(emulator):
    """clients(service, label="target"): one watched boto3 client per (service, account)."""
    cache: dict[tuple[str, str], Any] = {}

    def get(service: str, label: str = "target"):
        if (service, label) not in cache:
            cache[(service, label)] = watch(emulator.client(service, label))
        return cache[(service, label)]

    return get


@pytest.fixture(scope="session")
def fast_datasync(emulator):
    """Short DataSync phases for the session; the emulator's previous timing is restored after."""
    previous = emulator.control("POST", "datasync/timing", {})
    emulator.control("POST", "datasync/timing", FAST_TIMING)
    yield FAST_TIMING
    emulator.control("POST", "datasync/timing", previous)


@pytest.fixture
def ds(clients, fast_datasync):
    """The target account's watched DataSync client, with fast phases."""
    return clients("datasync")


@dataclass
class World:
    """A source bucket (source account), a DataSync role and an EFS file system (target account)."""

    suffix: str
    bucket: str
    role_arn: str
    fs_id: str
    fs_arn: str
    access_point_id: str
    access_point_arn: str
    access_point_root: str
    subnet_arn: str
    subnet_without_mount_target_arn: str
    security_group_arn: str
    objects: dict[str, bytes] = field(default_factory=dict)

    def ec2_config(self, subnet_arn: str | None = None) -> dict[str, Any]:
        return {"SubnetArn": subnet_arn or self.subnet_arn, "SecurityGroupArns": [self.security_group_arn]}


def make_world(emulator, clients) -> World:
    suffix = uuid.uuid4().hex[:8]
    region = emulator.region
    target = emulator.account_id("target")
    s3 = clients("s3", "source")
    bucket = f"lakedrop-src-{suffix}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    objects = {
        "incoming/a.csv": b"a,1\n",
        "incoming/b.csv": b"b,2\n",
        "incoming/skip.tmp": b"temporary",
        "incoming/deep/c.csv": b"c,3\n",
        "incoming/other/d.json": b"{}",
        "outside.txt": b"not under the location's subdirectory",
    }
    for key, body in objects.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)

    iam = clients("iam")
    role = iam.create_role(RoleName=f"lakedrop-datasync-{suffix}", AssumeRolePolicyDocument=json.dumps(DATASYNC_TRUST))
    grant_datasync_read(emulator, bucket, role["Role"]["Arn"])

    ec2 = clients("ec2")
    subnets = sorted(
        ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"],
        key=lambda s: s["AvailabilityZone"],
    )
    group = ec2.describe_security_groups(Filters=[{"Name": "group-name", "Values": ["default"]}])["SecurityGroups"][0]

    efs = clients("efs")
    fs = efs.create_file_system(
        CreationToken=f"lakedrop-{suffix}", Tags=[{"Key": "Name", "Value": f"lakedrop-{suffix}"}]
    )
    efs.create_mount_target(
        FileSystemId=fs["FileSystemId"], SubnetId=subnets[0]["SubnetId"], SecurityGroups=[group["GroupId"]]
    )
    root = f"/lakedrop/{suffix}"
    ap = efs.create_access_point(
        FileSystemId=fs["FileSystemId"],
        PosixUser={"Uid": 1000, "Gid": 1000},
        RootDirectory={"Path": root, "CreationInfo": {"OwnerUid": 1000, "OwnerGid": 1000, "Permissions": "0750"}},
    )

    def subnet_arn(subnet: dict) -> str:
        return f"arn:aws:ec2:{region}:{target}:subnet/{subnet['SubnetId']}"

    return World(
        suffix=suffix,
        bucket=bucket,
        role_arn=role["Role"]["Arn"],
        fs_id=fs["FileSystemId"],
        fs_arn=fs["FileSystemArn"],
        access_point_id=ap["AccessPointId"],
        access_point_arn=ap["AccessPointArn"],
        access_point_root=root,
        subnet_arn=subnet_arn(subnets[0]),
        subnet_without_mount_target_arn=subnet_arn(subnets[-1]),
        security_group_arn=f"arn:aws:ec2:{region}:{target}:security-group/{group['GroupId']}",
        objects=objects,
    )


@pytest.fixture(scope="session")
def world(emulator, clients) -> World:
    return make_world(emulator, clients)
