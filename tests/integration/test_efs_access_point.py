"""lakedrop.delivery.efs_access_point against the emulator: every state, idempotence measured with the
request journal, check and diff mode, create-only changes, identity by Name tag, client tokens, waiting,
and bad input."""

from __future__ import annotations

import json
import uuid

import pytest
import yaml
from support.ansible import run_module
from support.ansible import run_playbook

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import access_points as ap
from ansible_collections.lakedrop.delivery.plugins.modules import efs_access_point

MODULE = "efs_access_point"


@pytest.fixture(scope="module")
def file_system(emulator) -> dict:
    """A file system of its own, so the access point counts below are exact."""
    fs = emulator.client("efs").create_file_system(CreationToken=uuid.uuid4().hex, Encrypted=True)
    return {"id": fs["FileSystemId"], "arn": fs["FileSystemArn"]}


@pytest.fixture
def ap_settings(emulator):
    """Emulated access point lifecycle/token behaviour for one test; always back to defaults after."""
    defaults = {"creating_describes": 0, "deleting_describes": 0, "remember_deleted_tokens": False}
    yield lambda **settings: emulator.control("POST", "efs/access-points", settings)
    emulator.control("POST", "efs/access-points", defaults)


def args(fs_id, name, **extra):
    return {
        "file_system": fs_id,
        "name": name,
        "posix_user": {"uid": 1000, "gid": 1000, "secondary_gids": [3000, 2000]},
        "root_directory": {
            "path": "/lake",
            "creation_info": {"owner_uid": 1000, "owner_gid": 1000, "permissions": "0750"},
        },
        **extra,
    }


def access_points(emulator, fs_id, name=None):
    found = emulator.client("efs").describe_access_points(FileSystemId=fs_id)["AccessPoints"]
    return [a for a in found if name is None or {"Key": "Name", "Value": name} in a.get("Tags", [])]


def test_lifecycle(emulator, file_system, unique):
    fs_id = file_system["id"]
    name = f"delivery-{unique}"
    tags = {"team": "data", "cost": "lake"}

    # check mode on nothing: reports the creation, writes nothing
    mark = emulator.mark()
    result = run_module(emulator, MODULE, args(fs_id, name, tags=tags), check=True, diff=True)
    assert result.changed and not result.failed, result.result
    assert result["access_point"]["access_point_id"] is None
    assert result["diff"]["after"]["root_directory"]["path"] == "/lake"
    assert emulator.writes(mark) == []
    assert access_points(emulator, fs_id, name) == []

    # create
    mark = emulator.mark()
    result = run_module(emulator, MODULE, args(fs_id, name, tags=tags), diff=True)
    assert result.changed and not result["replaced"], result.result
    created = result["access_point"]
    ap_id = created["access_point_id"]
    assert ap_id.startswith("fsap-")
    assert created["access_point_arn"].endswith(f":access-point/{ap_id}")
    assert created["file_system_id"] == fs_id and created["name"] == name
    assert created["posix_user"] == {"uid": 1000, "gid": 1000, "secondary_gids": [3000, 2000]}
    assert created["root_directory"] == {
        "path": "/lake",
        "creation_info": {"owner_uid": 1000, "owner_gid": 1000, "permissions": "0750"},
    }
    assert created["life_cycle_state"] == "available"
    assert created["owner_id"] == emulator.account_id()
    assert created["tags"] == {"Name": name, **tags}
    assert emulator.writes(mark) == ["efs:CreateAccessPoint"]
    described = access_points(emulator, fs_id, name)
    assert len(described) == 1 and described[0]["ClientToken"].startswith("lakedrop-")

    # re-run, spelled differently (the file system's ARN, 750 for 0750, a trailing slash, gids
    # reordered): unchanged, zero write calls
    same = args(file_system["arn"], name, tags=tags)
    same["root_directory"] = {
        "path": "/lake/",
        "creation_info": {"owner_uid": 1000, "owner_gid": 1000, "permissions": "750"},
    }
    same["posix_user"]["secondary_gids"] = [2000, 3000]
    mark = emulator.mark()
    result = run_module(emulator, MODULE, same, diff=True)
    assert not result.changed, result.result
    assert result["access_point"]["access_point_id"] == ap_id
    assert emulator.writes(mark) == []
    # omitted create-only sections are left alone: still unchanged
    result = run_module(emulator, MODULE, {"file_system": fs_id, "name": name})
    assert not result.changed and result["access_point"]["posix_user"]["uid"] == 1000
    assert emulator.writes(mark) == []

    # in-place update of tags: check mode first, then for real
    update = args(fs_id, name, tags={"team": "platform"})
    mark = emulator.mark()
    result = run_module(emulator, MODULE, update, check=True, diff=True)
    assert result.changed
    assert result["diff"]["before"]["tags"] == {"Name": name, **tags}
    assert result["diff"]["after"]["tags"] == {"Name": name, "team": "platform"}
    assert emulator.writes(mark) == []
    result = run_module(emulator, MODULE, update, diff=True)
    assert result.changed and result["access_point"]["access_point_id"] == ap_id
    assert result["access_point"]["tags"] == {"Name": name, "team": "platform"}
    assert sorted(emulator.writes(mark)) == ["efs:TagResource", "efs:UntagResource"]
    # purge_tags=false only adds
    result = run_module(emulator, MODULE, args(fs_id, name, tags={"extra": "1"}, purge_tags=False))
    assert result.changed and result["access_point"]["tags"] == {"Name": name, "team": "platform", "extra": "1"}

    # create-only changes without permission: one clear failure naming each field, nothing written
    changed = args(fs_id, name)
    changed["posix_user"]["uid"] = 1001
    changed["root_directory"]["creation_info"]["permissions"] = "0700"
    changed["root_directory"]["path"] = "/lake/v2"
    mark = emulator.mark()
    result = run_module(emulator, MODULE, changed)
    assert result.failed
    assert "posix_user.uid: 1000 -> 1001" in result["msg"]
    assert "root_directory.path: '/lake' -> '/lake/v2'" in result["msg"]
    assert "root_directory.creation_info.permissions: '0750' -> '0700'" in result["msg"]
    assert "posix_user.gid" not in result["msg"]  # only what differs is named
    assert "allow_replacement=true" in result["msg"] and ap_id in result["msg"]
    assert emulator.writes(mark) == []

    # delete: check mode, for real, again
    absent = {"state": "absent", "file_system": fs_id, "name": name}
    mark = emulator.mark()
    result = run_module(emulator, MODULE, absent, check=True, diff=True)
    assert result.changed and result["diff"]["before"]["access_point_id"] == ap_id
    assert emulator.writes(mark) == [] and len(access_points(emulator, fs_id, name)) == 1
    result = run_module(emulator, MODULE, absent)
    assert result.changed and result["access_point"] == {}
    assert access_points(emulator, fs_id, name) == []
    mark = emulator.mark()
    result = run_module(emulator, MODULE, absent)
    assert not result.changed and emulator.writes(mark) == []


def test_replacement_when_allowed_keeps_what_is_not_managed(emulator, file_system, unique):
    fs_id = file_system["id"]
    name = f"repl-{unique}"
    first = run_module(emulator, MODULE, args(fs_id, name, tags={"team": "data"}))
    old_id = first["access_point"]["access_point_id"]
    # only the root directory is given: the POSIX user, creation info and tags carry over
    change = {"file_system": fs_id, "name": name, "root_directory": {"path": "/lake/v2"}, "allow_replacement": True}
    mark = emulator.mark()
    result = run_module(emulator, MODULE, change, check=True, diff=True)
    assert result.changed and result["replaced"] and emulator.writes(mark) == []
    result = run_module(emulator, MODULE, change, diff=True)
    assert result.changed and result["replaced"], result.result
    new = result["access_point"]
    assert new["access_point_id"] != old_id
    assert new["root_directory"]["path"] == "/lake/v2"
    assert new["root_directory"]["creation_info"]["permissions"] == "0750"
    assert new["posix_user"]["uid"] == 1000
    assert new["tags"] == {"Name": name, "team": "data"}
    assert result["diff"]["before"]["access_point_id"] == old_id
    assert emulator.writes(mark) == ["efs:CreateAccessPoint", "efs:DeleteAccessPoint"]  # create-before-delete
    assert [a["AccessPointId"] for a in access_points(emulator, fs_id, name)] == [new["access_point_id"]]
    # and the replacement is stable
    mark = emulator.mark()
    result = run_module(emulator, MODULE, change)
    assert not result.changed and emulator.writes(mark) == []


def test_identity_by_name_and_by_id(emulator, file_system, unique):
    fs_id = file_system["id"]
    efs = emulator.client("efs")
    name = f"dup-{unique}"
    ids = [
        efs.create_access_point(ClientToken=f"{unique}-{i}", FileSystemId=fs_id, Tags=[{"Key": "Name", "Value": name}])[
            "AccessPointId"
        ]
        for i in range(2)
    ]
    # two access points share the name: refused, both listed, nothing written
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"file_system": fs_id, "name": name})
    assert result.failed and all(i in result["msg"] for i in ids) and "access_point_id" in result["msg"]
    assert emulator.writes(mark) == []

    # access_point_id pins one; renaming it onto a name another access point has is refused
    result = run_module(emulator, MODULE, {"access_point_id": ids[0], "name": name})
    assert not result.changed and result["access_point"]["access_point_id"] == ids[0]
    other = efs.create_access_point(
        ClientToken=f"{unique}-other", FileSystemId=fs_id, Tags=[{"Key": "Name", "Value": f"other-{unique}"}]
    )
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"access_point_id": ids[0], "name": f"other-{unique}"})
    assert result.failed and other["AccessPointId"] in result["msg"] and "already has that name" in result["msg"]
    assert emulator.writes(mark) == []

    # rename by ID (the ARN works too): only the Name tag changes; other tags stay
    efs.tag_resource(ResourceId=ids[0], Tags=[{"Key": "keep", "Value": "me"}])
    arn = efs.describe_access_points(AccessPointId=ids[0])["AccessPoints"][0]["AccessPointArn"]
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"access_point_id": arn, "name": f"renamed-{unique}"}, diff=True)
    assert result.changed and result["access_point"]["name"] == f"renamed-{unique}"
    assert result["access_point"]["tags"] == {"Name": f"renamed-{unique}", "keep": "me"}
    assert emulator.writes(mark) == ["efs:TagResource"]
    # purge_tags with access_point_id but no name never strips the Name tag
    result = run_module(emulator, MODULE, {"access_point_id": ids[0], "tags": {}, "purge_tags": True})
    assert result.changed and result["access_point"]["tags"] == {"Name": f"renamed-{unique}"}

    # absent by ID refuses when the name contradicts it, then deletes
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"state": "absent", "access_point_id": ids[0], "name": name})
    assert result.failed and "refusing to delete" in result["msg"] and emulator.writes(mark) == []
    result = run_module(emulator, MODULE, {"state": "absent", "access_point_id": ids[0]})
    assert result.changed
    # present by ID of a deleted access point: a clear failure
    result = run_module(emulator, MODULE, {"access_point_id": ids[0], "name": name})
    assert result.failed and "does not exist" in result["msg"]


def test_waits_for_available_and_deleted(emulator, file_system, unique, ap_settings):
    fs_id = file_system["id"]
    name = f"wait-{unique}"
    ap_settings(creating_describes=1, deleting_describes=1)
    mark = emulator.mark()
    result = run_module(emulator, MODULE, args(fs_id, name))
    assert result.changed and result["access_point"]["life_cycle_state"] == "available", result.result
    ops = [e["operation"] for e in emulator.calls(mark)]
    assert ops.count("DescribeAccessPoints") >= 3  # the lookup, one while creating, one available
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"state": "absent", "file_system": fs_id, "name": name})
    assert result.changed
    assert [e["operation"] for e in emulator.calls(mark)][-2:] == ["DescribeAccessPoints", "DescribeAccessPoints"]
    assert access_points(emulator, fs_id, name) == []

    # a bounded wait that runs out says what to do
    ap_settings(creating_describes=5)
    result = run_module(emulator, MODULE, args(fs_id, f"slow-{unique}", wait_timeout=0))
    assert result.failed and "still creating after 0 seconds" in result["msg"] and "wait_timeout" in result["msg"]
    # wait=false returns at once
    result = run_module(emulator, MODULE, args(fs_id, f"nowait-{unique}", wait=False))
    assert result.changed and result["access_point"]["life_cycle_state"] == "creating"


def test_client_token_is_deterministic_and_never_blocks_a_recreate(emulator, file_system, unique, ap_settings):
    """The token is the same for the same arguments (a retried create cannot make a second access point);
    when AWS still remembers it for a deleted access point, the module uses a token of its own."""
    fs_id = file_system["id"]
    name = f"token-{unique}"
    params = efs_access_point_params(args(fs_id, name))
    token = ap.client_token(fs_id, name, params)
    result = run_module(emulator, MODULE, args(fs_id, name))
    first = result["access_point"]["access_point_id"]
    assert access_points(emulator, fs_id, name)[0]["ClientToken"] == token

    # a create with that token again (what a retry would send) is refused by EFS, it makes nothing
    efs = emulator.client("efs")
    with pytest.raises(efs.exceptions.AccessPointAlreadyExists):
        efs.create_access_point(ClientToken=token, FileSystemId=fs_id)

    ap_settings(remember_deleted_tokens=True)
    run_module(emulator, MODULE, {"state": "absent", "file_system": fs_id, "name": name})
    mark = emulator.mark()
    result = run_module(emulator, MODULE, args(fs_id, name))
    assert result.changed and result["access_point"]["access_point_id"] != first, result.result
    creates = [e["status"] for e in emulator.calls(mark) if e["operation"] == "CreateAccessPoint"]
    assert creates == [409, 200]
    assert access_points(emulator, fs_id, name)[0]["ClientToken"] == ap.client_token(fs_id, name, params, salt=first)


def efs_access_point_params(module_args):
    """The module's parameters as Ansible would fill them (defaults included) for the pure helpers."""
    params = {"tags": None, "purge_tags": True, **module_args}
    params["root_directory"] = {"path": "/", **params.get("root_directory", {})}
    return params


def test_missing_file_system_fails_clearly(emulator, unique):
    missing = "fs-0123456789abcdef0"
    mark = emulator.mark()
    result = run_module(emulator, MODULE, args(missing, f"x-{unique}"))
    assert result.failed and f"file_system {missing} does not exist" in result["msg"]
    assert emulator.writes(mark) == []
    result = run_module(emulator, MODULE, {"state": "absent", "file_system": missing, "name": f"x-{unique}"})
    assert not result.changed and not result.failed


def test_examples_run(emulator, file_system, tmp_path):
    """Every EXAMPLES task, in order, as one play against a real file system."""
    tasks = yaml.safe_load(efs_access_point.EXAMPLES.replace("fs-0123456789abcdef0", file_system["id"]))
    playbook = tmp_path / "examples.yml"
    playbook.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]))
    run = run_playbook(
        playbook,
        env={
            **emulator.env(),
            "ANSIBLE_STDOUT_CALLBACK": "ansible.posix.json",
            "ANSIBLE_LOAD_CALLBACK_PLUGINS": "1",
        },
    )
    report = json.loads(run.stdout[run.stdout.index("{") :])
    results = [task["hosts"]["localhost"] for task in report["plays"][0]["tasks"]]
    assert run.rc == 0, run.stdout[-3000:]
    created, replaced, renamed, removed = results
    assert created["changed"] and created["access_point"]["root_directory"]["path"] == "/lake"
    assert replaced["replaced"] and replaced["access_point"]["posix_user"]["secondary_gids"] == [2000]
    assert renamed["changed"] and renamed["access_point"]["name"] == "lakedrop-delivery-v1"
    assert removed["changed"]
    assert access_points(emulator, file_system["id"], "lakedrop-delivery-v1") == []


LONG_PATH = "/" + "a" * 100
AP_ARN = "arn:aws:elasticfilesystem:eu-west-1:222222222222:access-point/fsap-0123abcd"
US_EAST_FS_ARN = "arn:aws:elasticfilesystem:us-east-1:222222222222:file-system/fs-0123abcd"
GIDS_17 = list(range(17))


def info(permissions, path="/x"):
    return {"path": path, "creation_info": {"owner_uid": 1, "owner_gid": 1, "permissions": permissions}}


# Every problem validate() finds is reported in one failure, so several cases share a run (each run
# costs a second); the option each message names is asserted one by one.
@pytest.mark.parametrize(
    ("bad", "messages"),
    [
        (
            {"root_directory": info("0855", path="lake"), "posix_user": {"uid": -1, "gid": 4294967296}},
            [
                'root_directory.creation_info.permissions must be 3 or 4 octal digits (0-7) such as "0755"',
                "root_directory.path must be an absolute path starting with '/'",
                "posix_user.uid must be an integer from 0 to 4294967295, got -1",
                "posix_user.gid must be an integer from 0 to 4294967295, got 4294967296",
            ],
        ),
        (
            {
                "root_directory": info(493, path=LONG_PATH),
                "posix_user": {"uid": 0, "gid": 0, "secondary_gids": GIDS_17},
            },
            [
                'permissions must be a quoted string such as "0755", got the integer 493 (if you wrote 0755 '
                "unquoted, YAML read it as the octal number 493)",
                "root_directory.path is 101 characters long; EFS allows at most 100",
                "posix_user.secondary_gids has 17 entries; EFS allows at most 16",
            ],
        ),
        (
            {"file_system": AP_ARN, "root_directory": {"path": "/a/b/c/d/e"}, "tags": {"Name": "other"}},
            [
                f"file_system must be an EFS file system ARN or its ID, but '{AP_ARN}' is an EFS access point ARN",
                "root_directory.path has 5 levels ('/a/b/c/d/e'); EFS allows at most 4",
                "tags sets Name to 'other' but name is 'bad-input'",
            ],
        ),
        (
            {"file_system": US_EAST_FS_ARN, "root_directory": {"path": "/lake/.snapshot"}, "tags": {"aws:owner": "me"}},
            [
                f"file_system {US_EAST_FS_ARN} is in region us-east-1, but the module runs in eu-west-1",
                "root_directory.path must not have a component starting with '.', found '.snapshot'",
                "tags key 'aws:owner' is not allowed",
            ],
        ),
        (
            {"file_system": "my-filesystem", "name": None, "access_point_id": None},
            [
                "file_system must be an ID such as fs-0123456789abcdef0 or an EFS file system ARN, got 'my-filesystem'",
                "name is required unless access_point_id is given",
            ],
        ),
        (
            {"access_point_id": "fs-0123abcd", "wait_timeout": -1},
            [
                "access_point_id must be an EFS access point ARN or its ID, but 'fs-0123abcd' is a bare efs file system ID",
                "wait_timeout must be 0 or more seconds",
            ],
        ),
        ({"posix_user": {"uid": 0}}, ["missing required arguments: gid found in posix_user"]),
    ],
)
def test_bad_input_fails_before_any_call(emulator, file_system, bad, messages):
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {**args(file_system["id"], "bad-input"), **bad})
    assert result.failed, result.result
    for message in messages:
        assert message in result["msg"], result["msg"]
    if "problems" in result.result:  # validate()'s list: one entry per problem, none missing
        assert len(result["problems"]) == len(messages), result["problems"]
    assert emulator.calls(mark) == []
