"""Owner and mode of what DataSync writes on EFS (ext/dataplane.py, ext/efs_access_points.py): files 0644 and
directories 0755 owned by 65534 (S3 objects carry no POSIX metadata), the access point's PosixUser when
there is one, and an access point's missing root directory created with its CreationInfo."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from types import SimpleNamespace

import pytest
from support.polling import wait_for

from lakedrop_emulator.client import state_dir
from lakedrop_emulator.ext.dataplane import SourceObject
from lakedrop_emulator.ext.dataplane import write
from lakedrop_emulator.ext.efs_access_points import root_directory

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="giving files away needs root, as the emulator runs")

MTIME = 1_700_000_000.0


def owner_mode(path: Path) -> tuple[int, int, str]:
    info = path.stat()
    return info.st_uid, info.st_gid, oct(stat.S_IMODE(info.st_mode))


def obj(body: bytes = b"a,1\n") -> SourceObject:
    return SourceObject(path="/x", key="x", size=len(body), mtime=MTIME, body=lambda: body)


def test_a_file_without_posix_metadata_lands_as_65534_0644_in_new_0755_directories(tmp_path):
    os.umask(0o077)  # the emulator's umask must not decide the modes
    try:
        existing = tmp_path / "kept"
        existing.mkdir(mode=0o700)
        dest = existing / "new" / "deeper" / "a.csv"
        assert write(obj(), dest, {}) == 4
    finally:
        os.umask(0o022)
    assert dest.read_bytes() == b"a,1\n" and dest.stat().st_mtime == MTIME
    assert owner_mode(dest) == (65534, 65534, "0o644")
    assert owner_mode(dest.parent) == owner_mode(dest.parent.parent) == (65534, 65534, "0o755")
    assert owner_mode(existing) == (0, 0, "0o700")  # an existing directory keeps its owner and mode
    assert sorted(p.name for p in dest.parent.iterdir()) == ["a.csv"]  # no temporary file left


def test_through_an_access_point_the_posix_user_owns_what_is_written(tmp_path):
    dest = tmp_path / "sub" / "b.csv"
    write(obj(b"b"), dest, {"Mtime": "PRESERVE"}, owner=(1000, 1001))
    assert owner_mode(dest) == (1000, 1001, "0o644")
    assert owner_mode(dest.parent) == (1000, 1001, "0o755")
    write(obj(b"bb"), dest, {}, owner=(1000, 1001))  # a replacement is owned and moded the same
    assert owner_mode(dest) == (1000, 1001, "0o644") and dest.read_bytes() == b"bb"


def access_point(path: str, creation: dict | None = None) -> SimpleNamespace:
    directory = {"Path": path, **({"CreationInfo": creation} if creation else {})}
    return SimpleNamespace(root_directory=directory, posix_user={"Uid": 1000, "Gid": 1000})


def test_a_missing_root_directory_is_created_with_its_creation_info(tmp_path):
    fs_root = tmp_path / "fs-1"
    creation = {"OwnerUid": 1000, "OwnerGid": 1002, "Permissions": "0750"}
    root = root_directory(fs_root, access_point("/lakedrop/team", creation))
    assert root == fs_root / "lakedrop" / "team" and root.is_dir()
    assert owner_mode(root) == (1000, 1002, "0o750")
    assert owner_mode(fs_root) == (0, 0, "0o755")  # the file system's own root is not the access point's

    os.chmod(root, 0o700)
    root_directory(fs_root, access_point("/lakedrop/team", creation))
    assert owner_mode(root) == (1000, 1002, "0o700")  # EFS applies CreationInfo only when it creates it


def test_the_file_system_root_as_access_point_root_is_left_alone(tmp_path):
    fs_root = tmp_path / "fs-2"
    assert root_directory(fs_root, access_point("/", {"OwnerUid": 5, "OwnerGid": 5, "Permissions": "700"})) == fs_root
    assert owner_mode(fs_root) == (0, 0, "0o755")


def test_datasync_writes_as_the_access_point_user_and_as_65534_without_one(emulator, ds, world, unique):
    """An access point of its own (PosixUser 1001/1002, a root directory that does not exist yet) and a
    location without access point, both fed from the world's bucket."""
    efs = emulator.client("efs")
    path = f"/posix-{unique}/root"
    ap = efs.create_access_point(
        FileSystemId=world.fs_id,
        PosixUser={"Uid": 1001, "Gid": 1002},
        RootDirectory={"Path": path, "CreationInfo": {"OwnerUid": 1001, "OwnerGid": 1002, "Permissions": "0750"}},
    )
    source = ds.create_location_s3(
        S3BucketArn=f"arn:aws:s3:::{world.bucket}",
        Subdirectory="incoming",
        S3Config={"BucketAccessRoleArn": world.role_arn},
    )["LocationArn"]
    through_ap = ds.create_location_efs(
        EfsFilesystemArn=world.fs_arn,
        Ec2Config=world.ec2_config(),
        Subdirectory=f"landing/{unique}",
        AccessPointArn=ap["AccessPointArn"],
        InTransitEncryption="TLS1_2",
    )["LocationArn"]
    as_root = ds.create_location_efs(
        EfsFilesystemArn=world.fs_arn, Ec2Config=world.ec2_config(), Subdirectory=f"plain-{unique}"
    )["LocationArn"]
    fs_root = state_dir() / "efs" / emulator.account_id("target") / world.fs_id
    includes = [{"FilterType": "SIMPLE_PATTERN", "Value": "/a.csv|/deep"}]
    for destination in (through_ap, as_root):
        task = ds.create_task(SourceLocationArn=source, DestinationLocationArn=destination)["TaskArn"]
        wait_for(lambda task=task: ds.describe_task(TaskArn=task)["Status"] == "AVAILABLE")
        execution = ds.start_task_execution(TaskArn=task, Includes=includes)["TaskExecutionArn"]
        done = wait_for(
            lambda execution=execution: (
                (d := ds.describe_task_execution(TaskExecutionArn=execution))["Status"] in ("SUCCESS", "ERROR") and d
            )
        )
        assert done["Status"] == "SUCCESS", done

    root = fs_root / path.strip("/")
    assert owner_mode(root) == (1001, 1002, "0o750")  # created with CreationInfo when DataSync connected
    landed = root / "landing" / unique
    assert owner_mode(landed / "a.csv") == (1001, 1002, "0o644")
    assert owner_mode(landed / "deep" / "c.csv") == (1001, 1002, "0o644")
    assert owner_mode(landed / "deep") == owner_mode(landed) == (1001, 1002, "0o755")
    assert (landed / "a.csv").read_bytes() == world.objects["incoming/a.csv"]
    head = emulator.client("s3", "source").head_object(Bucket=world.bucket, Key="incoming/a.csv")
    assert (landed / "a.csv").stat().st_mtime == head["LastModified"].timestamp()  # what GetObject says, to the second

    plain = fs_root / f"plain-{unique}"
    assert owner_mode(plain / "a.csv") == (65534, 65534, "0o644")
    assert owner_mode(plain / "deep") == owner_mode(plain) == (65534, 65534, "0o755")
