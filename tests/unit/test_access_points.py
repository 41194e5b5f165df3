"""EFS access points' pure logic (validation, return shape, comparison, tags, client token) and their
create/wait/replace flows with a stubbed EFS client. No network."""

from __future__ import annotations

import re

import boto3
import pytest
from botocore.stub import Stubber
from support.arguments import arguments

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import access_points as ap
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import Failure
from ansible_collections.lakedrop.delivery.plugins.modules import efs_access_point

FS = "fs-0123456789abcdef0"
AP_ID = "fsap-0123456789abcdef0"
AP_ARN = f"arn:aws:elasticfilesystem:eu-west-1:222222222222:access-point/{AP_ID}"
NEW_ID = "fsap-0fedcba9876543210"


def root(path="/lake", permissions="0750"):
    """A root_directory option owned by 1000:1000."""
    return {"path": path, "creation_info": {"owner_uid": 1000, "owner_gid": 1000, "permissions": permissions}}


def params(**extra):
    user = {"uid": 1000, "gid": 1000, "secondary_gids": [3000, 2000]}
    return arguments(
        efs_access_point, {"file_system": FS, "name": "delivery", "posix_user": user, "root_directory": root()}, extra
    )


def description(**extra):
    described = {
        "ClientToken": "t",
        "Name": "delivery",
        "Tags": [{"Key": "Name", "Value": "delivery"}, {"Key": "team", "Value": "data"}],
        "AccessPointId": AP_ID,
        "AccessPointArn": AP_ARN,
        "FileSystemId": FS,
        "PosixUser": {"Uid": 1000, "Gid": 1000, "SecondaryGids": [2000, 3000]},
        "RootDirectory": {"Path": "/lake", "CreationInfo": {"OwnerUid": 1000, "OwnerGid": 1000, "Permissions": "750"}},
        "OwnerId": "222222222222",
        "LifeCycleState": "available",
    }
    described.update(extra)
    return described


# --- validation ------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0755", "755", "1777", "0000", "700"])
def test_permissions_accepts_octal_strings(value):
    assert ap.permissions_problem(value, "p") is None


@pytest.mark.parametrize("value", ["0855", "75", "07555", "rwx", "", "0o755", " 755"])
def test_permissions_refuses_other_strings(value):
    assert "must be 3 or 4 octal digits" in ap.permissions_problem(value, "p")


def test_permissions_refuses_an_integer_and_explains_yaml_octal():
    message = ap.permissions_problem(0o755, "root_directory.creation_info.permissions")
    assert message.startswith("root_directory.creation_info.permissions must be a quoted string")
    assert "got the integer 493" in message and "if you wrote 0755 unquoted" in message
    # 420 is valid-looking octal digits once turned into a string; it must still be refused
    assert "if you wrote 0644 unquoted" in ap.permissions_problem(0o644, "p")
    assert "if you wrote" not in ap.permissions_problem(99999, "p")
    assert "quoted string" in ap.permissions_problem(True, "p")
    assert "quoted string" in ap.permissions_problem(7.5, "p")


@pytest.mark.parametrize("value", ["/", "/lake", "/lake/", "/a/b/c/d", "/" + "a" * 99, "/with space/x-y_z.1"])
def test_path_accepts(value):
    assert ap.path_problem(value, "root_directory.path") is None


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("lake", "must be an absolute path"),
        ("", "must be an absolute path"),
        ("/" + "a" * 100, "is 101 characters long"),
        ("/a/b/c/d/e", "has 5 levels"),
        ("/a//b", "must not contain '//'"),
        ("/a/.b", "starting with '.'"),
        ("/a/../b", "starting with '.'"),
        ("/a/b$c", "must not contain any of"),
        ("/a/b;rm", "must not contain any of"),
    ],
)
def test_path_refuses(value, fragment):
    assert fragment in ap.path_problem(value, "root_directory.path")


@pytest.mark.parametrize(
    ("value", "ok"), [(0, True), (4294967295, True), (-1, False), (4294967296, False), (True, False), ("1", False)]
)
def test_posix_id_bounds(value, ok):
    assert (ap.posix_id_problem(value, "posix_user.uid") is None) is ok


def test_validate_reports_every_problem_at_once():
    bad = params(
        file_system="arn:aws:s3:::bucket",
        name=None,
        posix_user={"uid": -1, "gid": 1, "secondary_gids": list(range(17))},
        root_directory={"path": "x", "creation_info": {"owner_uid": 1, "owner_gid": 1, "permissions": 493}},
        tags={"aws:x": "y"},
        wait_timeout=-5,
    )
    problems = ap.validate(bad, "eu-west-1")
    assert len(problems) == 8, problems
    assert (
        problems[0]
        == "file_system must be an EFS file system ARN or its ID, but 'arn:aws:s3:::bucket' is an S3 bucket ARN."
    )


def test_validate_identity_rules():
    assert ap.validate(params(), "eu-west-1") == []
    # access_point_id alone is enough (for present and absent)
    assert ap.validate(params(file_system=None, name=None, access_point_id=AP_ID), "eu-west-1") == []
    assert ap.validate(params(file_system=None, name=None, access_point_id=AP_ARN), "eu-west-1") == []
    assert ap.validate(params(file_system=None, name="x"), "eu-west-1") == [
        "file_system is required unless access_point_id is given."
    ]
    assert (
        "in region eu-west-1, but the module runs in us-east-1"
        in ap.validate(params(access_point_id=AP_ARN), "us-east-1")[0]
    )
    assert "must be an ID such as fs-0123456789abcdef0" in ap.validate(params(file_system="data"), "eu-west-1")[0]
    assert "is a bare efs access point ID" in ap.validate(params(file_system=AP_ID), "eu-west-1")[0]


def test_tags_must_not_contradict_name():
    assert ap.tags_problems({"Name": "delivery", "a": "b"}, "delivery") == []
    assert "drop Name from tags" in ap.tags_problems({"Name": "other"}, "delivery")[0]
    assert "set it with the name option" in ap.tags_problems({"Name": "x"}, None)[0]
    assert "at most 50" in ap.tags_problems({f"k{i}": "v" for i in range(50)}, "delivery")[0]
    assert "aws: prefix" in ap.tags_problems({"AWS:x": "v"}, "d")[0]


# --- shape -------------------------------------------------------------------------------------------


def test_to_result_snake_case_and_name_from_tag():
    result = ap.to_result(description(Name="stale"))  # AWS's Name follows the tag; the tag wins
    assert result == {
        "access_point_id": AP_ID,
        "access_point_arn": AP_ARN,
        "file_system_id": FS,
        "name": "delivery",
        "posix_user": {"uid": 1000, "gid": 1000, "secondary_gids": [2000, 3000]},
        "root_directory": {
            "path": "/lake",
            "creation_info": {"owner_uid": 1000, "owner_gid": 1000, "permissions": "750"},
        },
        "life_cycle_state": "available",
        "owner_id": "222222222222",
        "tags": {"Name": "delivery", "team": "data"},
    }


def test_to_result_of_a_bare_access_point():
    bare = {"AccessPointId": AP_ID, "FileSystemId": FS, "LifeCycleState": "creating"}
    result = ap.to_result(bare)
    assert result["posix_user"] is None and result["name"] is None and result["tags"] == {}
    assert result["root_directory"] == {"path": "/", "creation_info": None}


def test_live_named_ignores_access_points_being_deleted():
    results = [
        ap.to_result(description()),
        ap.to_result(description(AccessPointId="fsap-1", LifeCycleState="deleting")),
        ap.to_result(description(AccessPointId="fsap-2", Tags=[{"Key": "Name", "Value": "other"}])),
    ]
    assert [r["access_point_id"] for r in ap.live(results)] == [AP_ID, "fsap-2"]
    assert not ap.is_live({"LifeCycleState": "deleted"}) and ap.is_live({"life_cycle_state": "creating"})
    assert ap.ambiguity_message("d", FS, ["fsap-b", "fsap-a"]) == (
        f"2 access points of {FS} are named 'd': fsap-a, fsap-b. Pass access_point_id to choose one (and delete "
        "or rename the others); the module never guesses."
    )


def test_select_filters_by_file_system_name_and_tags():
    results = [
        ap.to_result(description()),
        ap.to_result(description(AccessPointId="fsap-1", FileSystemId="fs-00000000")),
        ap.to_result(description(AccessPointId="fsap-2", Tags=[{"Key": "Name", "Value": "other"}])),
    ]
    assert ap.select(results) == results
    assert [r["access_point_id"] for r in ap.select(results, fs_id=FS)] == [AP_ID, "fsap-2"]
    assert [r["access_point_id"] for r in ap.select(results, name="delivery")] == [AP_ID, "fsap-1"]
    assert [r["access_point_id"] for r in ap.select(results, FS, "delivery", {"team": "data"})] == [AP_ID]
    assert ap.select(results, wanted_tags={"team": "ops"}) == []


def test_validate_info_and_missing_file_system_message():
    assert ap.validate_info({"file_system": FS, "access_point_id": None}, "eu-west-1") == []
    assert (
        "is in region eu-west-1" in ap.validate_info({"file_system": None, "access_point_id": AP_ARN}, "us-east-1")[0]
    )
    assert ap.missing_file_system_message(FS, "eu-west-1") == (
        f"file_system {FS} does not exist in region eu-west-1. Create it first, or check the ID."
    )
    arn = f"arn:aws:elasticfilesystem:eu-west-1:333333333333:file-system/{FS}"
    assert "the ARN names account 333333333333" in ap.missing_file_system_message(arn, "eu-west-1")


def test_normalize_path_and_permissions():
    assert [ap.normalize_path(p) for p in (None, "", "/", "//", "/lake/", "/a/b")] == [
        "/",
        "/",
        "/",
        "/",
        "/lake",
        "/a/b",
    ]
    assert ap.canonical_permissions("755") == ap.canonical_permissions("0755") == "0755"


# --- comparison ------------------------------------------------------------------------------------


def test_equivalent_spellings_are_no_change():
    current = ap.to_result(description())
    in_place, create_only = ap.compare(current, params(root_directory=root("/lake/")), FS)
    assert not in_place.changed and not create_only.changed
    assert ap.merged_diff(create_only, in_place)["after"]["root_directory"]["path"] == "/lake"


def test_omitted_sections_are_left_alone():
    current = ap.to_result(description())
    _in_place, create_only = ap.compare(current, params(posix_user=None, root_directory=None), FS)
    assert not create_only.changed and "posix_user" not in create_only.diff()["after"]
    # a root directory without creation_info compares the path only
    _in_place, create_only = ap.compare(current, params(root_directory={"path": "/lake", "creation_info": None}), None)
    assert not create_only.changed


def refusal(create_only):
    with pytest.raises(Failure) as refused:
        ap.refuse(AP_ID, create_only)
    return refused.value.msg


def test_create_only_changes_name_each_field():
    current = ap.to_result(description())
    desired = params(
        posix_user={"uid": 1001, "gid": 1000, "secondary_gids": [2000]}, root_directory=root("/lake2", "700")
    )
    _in_place, create_only = ap.compare(current, desired, "fs-00000000")
    assert create_only.changed
    message = refusal(create_only)
    assert message.startswith(f"Access point {AP_ID} cannot be changed in place (")
    for fragment in (
        "file_system_id: 'fs-0123456789abcdef0' -> 'fs-00000000'",
        "posix_user.uid: 1000 -> 1001",
        "posix_user.secondary_gids: [2000, 3000] -> [2000]",
        "root_directory.path: '/lake' -> '/lake2'",
        "root_directory.creation_info.permissions: '0750' -> '0700'",
        "EFS can only change an access point's tags.",
        "allow_replacement=true",
        "clients mounting it by ID must then use the new ID",
    ):
        assert fragment in message
    assert "posix_user.gid" not in message  # unchanged fields are not listed


def test_posix_user_added_where_there_was_none():
    current = ap.to_result(description(PosixUser=None))
    _in_place, create_only = ap.compare(current, params(), None)
    assert "posix_user: None -> {'uid': 1000" in refusal(create_only)


def test_plan_tags():
    current = {"Name": "delivery", "team": "data", "old": "1"}

    def plan(tags, purge, name):
        return ap.plan_tags(current, params(tags=tags, purge_tags=purge, name=name))

    assert plan(None, True, "delivery") == ({}, [], current)
    assert plan({"team": "ops"}, True, "delivery") == ({"team": "ops"}, ["old"], {"Name": "delivery", "team": "ops"})
    assert plan({"new": "x"}, False, "delivery")[2] == dict(current, new="x")
    # rename
    assert plan(None, True, "renamed") == ({"Name": "renamed"}, [], dict(current, Name="renamed"))
    # without name, purge never strips Name
    assert plan({}, True, None) == ({}, ["old", "team"], {"Name": "delivery"})
    assert plan(None, True, None) == ({}, [], current)


def test_retagged_predicts_a_rename():
    current = ap.to_result(description())
    assert ap.retagged(current, {"Name": "renamed"}) == dict(current, name="renamed", tags={"Name": "renamed"})
    assert ap.retagged(current, {})["name"] == "delivery"


def test_client_token_is_deterministic_and_bounded():
    token = ap.client_token(FS, "delivery", params())
    assert token == ap.client_token(FS, "delivery", params())
    assert re.match(r"^lakedrop-[0-9a-f]{48}$", token) and len(token) <= 64
    # the same access point spelled differently is the same create
    spelled = params(
        root_directory=root("/lake/", "750"), posix_user={"uid": 1000, "gid": 1000, "secondary_gids": [2000, 3000]}
    )
    assert ap.client_token(FS, "delivery", spelled) == token
    others = {
        ap.client_token("fs-00000000", "delivery", params()),
        ap.client_token(FS, "other", params()),
        ap.client_token(FS, "delivery", params(posix_user={"uid": 1, "gid": 1})),
        ap.client_token(FS, "delivery", params(), salt=AP_ID),
    }
    assert token not in others and len(others) == 4


def test_create_params():
    create = ap.create_params(params(tags={"team": "data"}), FS, "tok")
    assert create == {
        "ClientToken": "tok",
        "FileSystemId": FS,
        "PosixUser": {"Uid": 1000, "Gid": 1000, "SecondaryGids": [3000, 2000]},
        "RootDirectory": {
            "Path": "/lake",
            "CreationInfo": {"OwnerUid": 1000, "OwnerGid": 1000, "Permissions": "0750"},
        },
        "Tags": [{"Key": "Name", "Value": "delivery"}, {"Key": "team", "Value": "data"}],
    }
    minimal = ap.create_params(params(posix_user=None, root_directory=None), FS, "tok")
    assert minimal == {"ClientToken": "tok", "FileSystemId": FS, "Tags": [{"Key": "Name", "Value": "delivery"}]}


def test_desired_result_is_what_check_mode_reports():
    desired = ap.desired_result(params(tags={"team": "data"}), FS)
    assert desired["access_point_id"] is None and desired["file_system_id"] == FS
    assert desired["posix_user"] == {"uid": 1000, "gid": 1000, "secondary_gids": [3000, 2000]}
    assert desired["root_directory"] == root()
    assert desired["tags"] == {"Name": "delivery", "team": "data"}
    bare = ap.desired_result(params(posix_user=None, root_directory=None), FS)
    assert bare["posix_user"] is None and bare["root_directory"] == {"path": "/", "creation_info": None}


def test_with_current_keeps_what_the_arguments_omit():
    current = ap.to_result(description())
    merged = ap.with_current(
        params(name=None, posix_user=None, root_directory={"path": "/new", "creation_info": None}), current
    )
    assert merged["name"] == "delivery"
    assert merged["posix_user"] == {"uid": 1000, "gid": 1000, "secondary_gids": [2000, 3000]}
    assert merged["root_directory"]["path"] == "/new"
    assert merged["root_directory"]["creation_info"]["permissions"] == "750"
    assert merged["tags"] == {"Name": "delivery", "team": "data"}
    # the replacement's create-only sections differ, so its client token does too
    assert ap.client_token(FS, "delivery", merged) != ap.client_token(
        FS, "delivery", ap.with_current(params(), current)
    )


def test_result_shape():
    assert ap.result(False, {}) == {"changed": False, "access_point": {}, "replaced": False}
    assert ap.result(True, {"a": 1}, True, diff={})["diff"] == {}


# --- flows with a stubbed client -------------------------------------------------------------------


class FakeModule:
    def __init__(self, **extra):
        self.params = params(**extra)
        self.check_mode = False


@pytest.fixture
def efs(monkeypatch):
    monkeypatch.setattr(ap, "WAIT_INTERVAL", 0)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    client = boto3.client("efs", region_name="eu-west-1")
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def already_exists(stubber, existing_id):
    stubber.add_client_error(
        "create_access_point",
        service_error_code="AccessPointAlreadyExists",
        http_status_code=409,
        modeled_fields={"ErrorCode": "AccessPointAlreadyExists", "AccessPointId": existing_id},
    )


def test_create_adopts_the_access_point_its_token_already_made(efs):
    client, stubber = efs
    module = FakeModule()
    already_exists(stubber, AP_ID)
    stubber.add_response("describe_access_points", {"AccessPoints": [description()]}, {"AccessPointId": AP_ID})
    # the tags already match: no tag call; the access point is returned as it is
    result = ap.create(module, client, module.params, FS)
    assert result["access_point_id"] == AP_ID


def test_create_uses_a_token_of_its_own_when_the_earlier_one_is_gone(efs):
    client, stubber = efs
    module = FakeModule()
    token = ap.client_token(FS, "delivery", module.params)
    already_exists(stubber, "fsap-00000000000000000")
    stubber.add_client_error("describe_access_points", "AccessPointNotFound", http_status_code=404)
    salted = ap.client_token(FS, "delivery", module.params, salt="fsap-00000000000000000")
    assert salted != token
    expected = ap.create_params(module.params, FS, salted)
    stubber.add_response("create_access_point", description(LifeCycleState="creating"), expected)
    stubber.add_response("describe_access_points", {"AccessPoints": [description(LifeCycleState="creating")]})
    stubber.add_response("describe_access_points", {"AccessPoints": [description()]})
    result = ap.create(module, client, module.params, FS)
    assert result["life_cycle_state"] == "available"


def test_wait_fails_when_creation_ends_in_error(efs):
    client, stubber = efs
    module = FakeModule()
    stubber.add_response("describe_access_points", {"AccessPoints": [description(LifeCycleState="error")]})
    with pytest.raises(Failure, match="did not become available: it is error"):
        ap.wait_available(module, client, description(LifeCycleState="creating"))


def test_wait_is_bounded(efs):
    client, stubber = efs
    module = FakeModule(wait_timeout=0)
    stubber.add_response("describe_access_points", {"AccessPoints": [description(LifeCycleState="creating")]})
    with pytest.raises(Failure, match="still creating after 0 seconds; raise wait_timeout") as failed:
        ap.wait_available(module, client, description(LifeCycleState="creating"))
    assert failed.value.result["changed"] and failed.value.result["access_point"]["access_point_id"] == AP_ID


def replacement(stubber, module, current):
    """Stub the replacement's create of NEW_ID (it comes first) and then the delete of the old one."""
    merged = ap.with_current(module.params, current)
    create = ap.create_params(merged, FS, ap.client_token(FS, "delivery", merged))
    stubber.add_response(
        "create_access_point", description(AccessPointId=NEW_ID, PosixUser={"Uid": 1001, "Gid": 1000}), create
    )
    return {"AccessPointId": AP_ID}


def test_replacement_creates_before_it_deletes(efs):
    client, stubber = efs
    module = FakeModule(posix_user={"uid": 1001, "gid": 1000}, allow_replacement=True)
    current = ap.to_result(description())
    deleted = replacement(stubber, module, current)
    stubber.add_response("delete_access_point", {}, deleted)
    stubber.add_client_error("describe_access_points", "AccessPointNotFound", http_status_code=404)  # gone
    new = ap.replace_access_point(module, client, current, FS)
    assert new["access_point_id"] == NEW_ID and new["posix_user"]["uid"] == 1001


def test_replacement_says_the_new_one_exists_when_the_old_one_stays(efs):
    client, stubber = efs
    module = FakeModule(posix_user={"uid": 1001, "gid": 1000}, allow_replacement=True)
    current = ap.to_result(description())
    deleted = replacement(stubber, module, current)
    stubber.add_client_error("delete_access_point", "AccessDenied", http_status_code=403, expected_params=deleted)
    with pytest.raises(Failure, match=f"Created access point {NEW_ID} to replace {AP_ID}, but deleting") as failed:
        ap.replace_access_point(module, client, current, FS)
    assert failed.value.result["changed"] and failed.value.result["replaced"]
    assert failed.value.result["access_point"]["access_point_id"] == NEW_ID


def test_replacement_in_check_mode_only_predicts(efs):
    client, _stubber = efs  # no call at all
    module = FakeModule(posix_user={"uid": 1001, "gid": 1000}, allow_replacement=True)
    module.check_mode = True
    new = ap.replace_access_point(module, client, ap.to_result(description()), FS)
    assert new["access_point_id"] is None and new["posix_user"]["uid"] == 1001 and new["name"] == "delivery"
