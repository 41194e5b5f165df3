"""lakedrop.delivery.efs_access_point_info against the emulator: every filter, the return shape,
missing things, never a write, and its EXAMPLES."""

from __future__ import annotations

import json
import uuid

import pytest
import yaml
from support.ansible import run_module
from support.ansible import run_playbook

from ansible_collections.lakedrop.delivery.plugins.modules import efs_access_point_info

MODULE = "efs_access_point_info"


@pytest.fixture(scope="module")
def listed(emulator) -> dict:
    """Two file systems; the first has a data and an ops access point, the second one more."""
    efs = emulator.client("efs")
    fs_ids = [efs.create_file_system(CreationToken=uuid.uuid4().hex)["FileSystemId"] for _ in range(2)]
    suffix = uuid.uuid4().hex[:8]

    def create(fs_id, name, team, **extra):
        tags = [{"Key": "Name", "Value": name}, {"Key": "team", "Value": team}]
        return efs.create_access_point(ClientToken=uuid.uuid4().hex, FileSystemId=fs_id, Tags=tags, **extra)

    data = create(
        fs_ids[0],
        f"data-{suffix}",
        "data",
        PosixUser={"Uid": 1000, "Gid": 1000, "SecondaryGids": [2000]},
        RootDirectory={"Path": "/lake", "CreationInfo": {"OwnerUid": 1000, "OwnerGid": 1000, "Permissions": "0750"}},
    )
    ops = create(fs_ids[0], f"ops-{suffix}", "ops")
    elsewhere = create(fs_ids[1], f"data-{suffix}", "data")
    return {"fs_ids": fs_ids, "suffix": suffix, "data": data, "ops": ops, "elsewhere": elsewhere}


def ids(result):
    return sorted(a["access_point_id"] for a in result["access_points"])


def test_filters_and_shape(emulator, listed):
    fs_id = listed["fs_ids"][0]
    data, ops, elsewhere = listed["data"], listed["ops"], listed["elsewhere"]
    mark = emulator.mark()

    result = run_module(emulator, MODULE, {"file_system": fs_id})
    assert not result.changed and ids(result) == sorted([data["AccessPointId"], ops["AccessPointId"]])
    shaped = next(a for a in result["access_points"] if a["access_point_id"] == data["AccessPointId"])
    assert shaped == {
        "access_point_id": data["AccessPointId"],
        "access_point_arn": data["AccessPointArn"],
        "file_system_id": fs_id,
        "name": f"data-{listed['suffix']}",
        "posix_user": {"uid": 1000, "gid": 1000, "secondary_gids": [2000]},
        "root_directory": {
            "path": "/lake",
            "creation_info": {"owner_uid": 1000, "owner_gid": 1000, "permissions": "0750"},
        },
        "life_cycle_state": "available",
        "owner_id": emulator.account_id(),
        "tags": {"Name": f"data-{listed['suffix']}", "team": "data"},
    }
    bare = next(a for a in result["access_points"] if a["access_point_id"] == ops["AccessPointId"])
    assert bare["posix_user"] is None and bare["root_directory"] == {"path": "/", "creation_info": None}

    # by name (on one file system, or across all of them), by tags
    result = run_module(emulator, MODULE, {"file_system": fs_id, "name": f"data-{listed['suffix']}"})
    assert ids(result) == [data["AccessPointId"]]
    result = run_module(emulator, MODULE, {"name": f"data-{listed['suffix']}"})
    assert ids(result) == sorted([data["AccessPointId"], elsewhere["AccessPointId"]])
    result = run_module(emulator, MODULE, {"file_system": fs_id, "tags": {"team": "ops"}}, check=True)
    assert ids(result) == [ops["AccessPointId"]]

    # by ID or ARN; with a file system it does not belong to, nothing
    result = run_module(emulator, MODULE, {"access_point_id": elsewhere["AccessPointArn"]})
    assert ids(result) == [elsewhere["AccessPointId"]]
    result = run_module(emulator, MODULE, {"access_point_id": elsewhere["AccessPointId"], "file_system": fs_id})
    assert result["access_points"] == []

    assert emulator.writes(mark) == []


def test_missing_things(emulator, listed):
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"access_point_id": "fsap-0123456789abcdef0"})
    assert not result.failed and result["access_points"] == []
    result = run_module(emulator, MODULE, {"file_system": "fs-0123456789abcdef0"})
    assert result.failed and "file_system fs-0123456789abcdef0 does not exist" in result["msg"]
    assert emulator.writes(mark) == []


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"file_system": "arn:aws:s3:::lakedrop-source"}, "file_system must be an EFS file system ARN or its ID, but"),
        (
            {"access_point_id": "arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/fs-0123abcd"},
            "is an EFS file system ARN",
        ),
    ],
)
def test_bad_input_fails_before_any_call(emulator, bad, message):
    mark = emulator.mark()
    result = run_module(emulator, MODULE, bad)
    assert result.failed and message in result["msg"], result.result
    assert emulator.calls(mark) == []


def test_examples_run(emulator, listed, tmp_path):
    fs_id = listed["fs_ids"][0]
    efs = emulator.client("efs")
    delivery = efs.create_access_point(
        ClientToken=uuid.uuid4().hex,
        FileSystemId=fs_id,
        Tags=[{"Key": "Name", "Value": "lakedrop-delivery"}, {"Key": "team", "Value": "data"}],
    )
    tasks = yaml.safe_load(efs_access_point_info.EXAMPLES.replace("fs-0123456789abcdef0", fs_id))
    playbook = tmp_path / "examples.yml"
    playbook.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    run = run_playbook(
        playbook,
        env={**emulator.env(), "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json", "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1"},
    )
    assert run.rc == 0, run.stdout[-3000:]
    report = json.loads(run.stdout[run.stdout.index("{") :])
    by_name, by_tags, by_id = [task["hosts"]["localhost"] for task in report["plays"][0]["tasks"]]
    assert ids(by_name) == [delivery["AccessPointId"]]
    assert ids(by_tags) == sorted([delivery["AccessPointId"], listed["data"]["AccessPointId"]])
    assert ids(by_id) == [delivery["AccessPointId"]]
