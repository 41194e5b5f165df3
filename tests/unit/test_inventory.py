"""The inventory check and the deployment settings (no network): every problem at once, in inventory terms,
defaults applied, names derived once."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import access_points
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import inventory
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import names
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import role_inputs
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import rules

SOURCE, TARGET = "111111111111", "222222222222"
BASE = {
    "lakedrop_name": "lakedrop-demo",
    "lakedrop_region": "eu-west-1",
    "lakedrop_source_account_id": SOURCE,
    "lakedrop_target_account_id": TARGET,
    "lakedrop_deliveries": [
        {"name": "lake", "bucket": "lake-data", "prefix": "incoming", "efs_path": "/lake", "container_path": "/data"}
    ],
    "lakedrop_ecs_family": "rstudio",
    "lakedrop_ecs_container": "rstudio",
    "lakedrop_aws": {"region": "eu-west-1"},
}


def hosts(**changes):
    source = copy.deepcopy(BASE)
    source.update(changes)
    target = copy.deepcopy(source)
    source["lakedrop_account_id"], target["lakedrop_account_id"] = SOURCE, TARGET
    return {"source": source, "target": target}


def check(**changes):
    return inventory.check(hosts(**changes))


def test_a_valid_inventory_gives_settings_with_defaults_and_names():
    problems, settings = check()
    assert problems == []
    (delivery,) = settings["deliveries"]
    assert delivery["prefix"] == "incoming/" and delivery["trigger_mode"] == "queued"
    assert delivery["batching_window"] == 20 and delivery["schedule"] == "rate(1 hour)"
    assert delivery["names"]["datasync_role_arn"] == f"arn:aws:iam::{TARGET}:role/lakedrop-demo-lake-datasync"
    # the fast path is on by default: the notification points at its queue
    assert delivery["fast_path"] is True and delivery["fast_path_max_bytes"] == 16777216
    assert delivery["propagate_deletes"] is False
    assert delivery["names"]["destination"] == f"arn:aws:sqs:eu-west-1:{TARGET}:lakedrop-demo-lake-fast-events"
    assert settings["buckets"] == [
        {
            "name": "lake-data",
            "deliveries": ["lake"],
            "prefixes": ["incoming/"],
            "datasync_role_arns": [delivery["names"]["datasync_role_arn"]],
            "fast_role_arns": [f"arn:aws:iam::{TARGET}:role/lakedrop-demo-lake-fast-role"],
            "encryption": "AES256",
            "kms_key_arn": "",
            "kms_key_create": False,
            "kms_key_alias": "alias/lakedrop-demo-source-lake-data",
        }
    ]
    assert settings["access_points"] == [{"name": "lakedrop-demo-lake", "path": "/lake"}]
    assert "account_id" not in settings  # each host has its own


def test_the_new_users_mistakes_are_all_named_in_inventory_terms():
    deliveries = [{"name": "lake", "bucket": "Lake-Data", "efs_path": "lake", "container_path": "/d"}]
    problems, settings = check(lakedrop_deliveries=deliveries)
    assert settings is None
    assert problems == [
        "lakedrop_deliveries[0].bucket must follow S3's bucket naming rules (3-63 lower-case letters, digits, '.' "
        "and '-', starting and ending with a letter or digit), got 'Lake-Data'.",
        "lakedrop_deliveries[0].efs_path must be an absolute path starting with '/', such as '/lake', got 'lake'.",
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"lakedrop_name": None}, "lakedrop_name is required"),
        (
            {"lakedrop_source_account_id": 111111111111},
            "lakedrop_source_account_id must be an AWS account ID of 12 digits as a string (quote it",
        ),
        ({"lakedrop_region": "Ireland"}, "lakedrop_region must be a region name"),
        ({"lakedrop_deliveries": []}, "lakedrop_deliveries must list at least one delivery."),
        ({"lakedrop_deliveries": "lake"}, "lakedrop_deliveries must be a list"),
        (
            {"lakedrop_trigger_batching_window": 301},
            "lakedrop_trigger_batching_window must be a whole number from 0 to 300",
        ),
        ({"lakedrop_trigger_mode": "fast"}, "lakedrop_trigger_mode must be queued or direct"),
        ({"lakedrop_trigger_starts": "filter"}, "lakedrop_trigger_starts must be manifest or filters"),
        (
            {"lakedrop_trigger_manifest_expiration_days": 0},
            "lakedrop_trigger_manifest_expiration_days must be a whole number from 1 to 365",
        ),
        ({"lakedrop_schedule": "rate(5 minutes)"}, "lakedrop_schedule"),
        ({"lakedrop_subnet_ids": ["subnet-0a"]}, "lakedrop_subnet_ids must list at least two different subnet IDs"),
        ({"lakedrop_vpc_id": "default"}, "lakedrop_vpc_id must be a VPC ID"),
        ({"lakedrop_tags": {"Name": "x"}}, "lakedrop_tags must not set Name"),
        ({"lakedrop_ecs_cluster": "c"}, "lakedrop_ecs_cluster and lakedrop_ecs_service go together"),
        (
            {"lakedrop_trigger_batching_windw": 5},
            "lakedrop_trigger_batching_windw is not a setting; did you mean lakedrop_trigger_batching_window?",
        ),
        ({"lakedrop_build_dir": "build"}, "lakedrop_build_dir must be an absolute path"),
    ],
)
def test_each_variable_is_checked(changes, expected):
    problems, _settings = check(**changes)
    assert any(p.startswith(expected) for p in problems), problems


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"name": "Lake"}, "lakedrop_deliveries[0].name must be 1-20 lower-case letters"),
        ({"prefix": "in*"}, "lakedrop_deliveries[0].prefix must be a plain prefix"),
        ({"container_path": "data"}, "lakedrop_deliveries[0].container_path must be an absolute path"),
        ({"trigger_mode": "fast"}, "lakedrop_deliveries[0].trigger_mode must be queued or direct"),
        ({"trigger_starts": "list"}, "lakedrop_deliveries[0].trigger_starts must be manifest or filters"),
        ({"batching_window": -1}, "lakedrop_deliveries[0].batching_window must be a whole number from 0 to 300"),
        ({"schedule": "cron(0/5 * * * ? *)"}, "lakedrop_deliveries[0].schedule"),
        ({"read_only": "maybe"}, "lakedrop_deliveries[0].read_only must be a boolean"),
        ({"efs-path": "/x"}, "lakedrop_deliveries[0].efs-path is not a setting; did you mean efs_path?"),
        ({"efs_path": "/a/./b"}, "lakedrop_deliveries[0].efs_path must not have a component starting with '.'"),
    ],
)
def test_each_delivery_setting_is_checked(entry, expected):
    delivery = dict(BASE["lakedrop_deliveries"][0], **entry)
    problems, _settings = check(lakedrop_deliveries=[delivery])
    assert any(p.startswith(expected) for p in problems), problems


KEY = "arn:aws:kms:eu-west-1:111111111111:key/0e6a6b2b-2c55-4a39-8b0d-5d1e4c5b6f70"


def test_sse_kms_buckets():
    one = dict(BASE["lakedrop_deliveries"][0], encryption="aws:kms")
    problems, settings = check(lakedrop_deliveries=[one])
    assert problems == [] and settings["buckets"][0]["kms_key_create"] is True
    problems, settings = check(lakedrop_deliveries=[dict(one, kms_key_arn=KEY)])
    assert settings["buckets"][0]["kms_key_arn"] == KEY and settings["buckets"][0]["kms_key_create"] is False
    problems, _ = check(lakedrop_deliveries=[dict(one, encryption="AES256", kms_key_arn=KEY)])
    assert problems == ["lakedrop_deliveries[0].kms_key_arn is only for encryption aws:kms, not AES256."]
    problems, _ = check(lakedrop_deliveries=[dict(one, kms_key_arn="alias/mine")])
    assert problems[0].startswith("lakedrop_deliveries[0].kms_key_arn must be a KMS key ARN")
    problems, _ = check(lakedrop_deliveries=[dict(one, encryption="SSE")])
    assert problems == ["lakedrop_deliveries[0].encryption must be AES256 or aws:kms, got 'SSE'."]


def test_deliveries_sharing_a_bucket_must_agree_on_its_encryption():
    one = dict(BASE["lakedrop_deliveries"][0], encryption="aws:kms")
    two = dict(one, name="other", prefix="other/", efs_path="/o", encryption="AES256")
    problems, _ = check(lakedrop_deliveries=[one, two])
    assert "share bucket lake-data but not its encryption" in problems[0]
    problems, _ = check(lakedrop_deliveries=[one, dict(two, encryption="aws:kms", kms_key_arn=KEY)])
    assert "share bucket lake-data but not its encryption" in problems[0]
    problems, _ = check(lakedrop_deliveries=[one, dict(two, encryption="aws:kms")])
    assert problems == []


@pytest.mark.parametrize(("given", "value"), [("true", True), ("no", False), (True, True)])
def test_booleans_given_on_the_command_line_are_read_as_ansible_reads_them(given, value):
    problems, settings = check(lakedrop_teardown_bucket_contents=given)
    assert problems == [] and settings["teardown_bucket_contents"] is value


def test_rules_between_deliveries():
    one = BASE["lakedrop_deliveries"][0]
    problems, _ = check(lakedrop_deliveries=[one, dict(one, efs_path="/b")])
    assert problems[0].startswith("lakedrop_deliveries[1].name 'lake' is already the name of lakedrop_deliveries[0]")
    problems, _ = check(lakedrop_deliveries=[one, dict(one, name="sub", prefix="incoming/sub/")])
    assert "S3 refuses two ObjectCreated notifications whose prefixes overlap" in problems[0]
    problems, _ = check(lakedrop_deliveries=[one, dict(one, name="other", prefix="incoming-2/")])
    assert problems == []


def test_a_problem_of_one_host_names_the_host_and_shared_ones_are_said_once():
    both = hosts(lakedrop_region="Ireland")
    both["target"]["lakedrop_account_id"] = SOURCE
    problems, _ = inventory.check(both)
    assert problems.count("lakedrop_region must be a region name such as eu-west-1, got 'Ireland'.") == 1
    assert f"target host: lakedrop_account_id is {SOURCE}, but lakedrop_target_account_id is {TARGET}" in problems[1]


def test_missing_group_and_different_regions():
    problems, _ = inventory.check({"source": hosts()["source"], "target": None})
    assert problems == ["target host: the inventory has no host in group target_account."]
    both = hosts()
    both["target"]["lakedrop_region"] = "eu-central-1"
    problems, _ = inventory.check(both)
    assert "S3 notifies a queue or function only in the bucket's own region" in problems[0]


def test_the_fast_path_names_and_settings():
    _problems, settings = check()
    fast = settings["deliveries"][0]["names"]["fast"]
    assert fast["function"] == "lakedrop-demo-lake-fast" and fast["role"] == "lakedrop-demo-lake-fast-role"
    assert (
        fast["queue"] == "lakedrop-demo-lake-fast-events" and fast["deletes_queue"] == "lakedrop-demo-lake-fast-deletes"
    )
    assert fast["log_group"] == "/aws/lambda/lakedrop-demo-lake-fast"
    assert fast["deletes_notification_id"] == "lakedrop-demo-lake-deletes"
    assert fast["security_group"] == "lakedrop-demo-lambda" and fast["mount_path"] == "/mnt/lakedrop"
    assert fast["function_arn"] == f"arn:aws:lambda:eu-west-1:{TARGET}:function:lakedrop-demo-lake-fast"
    assert fast["deletes_queue_arn"] == f"arn:aws:sqs:eu-west-1:{TARGET}:lakedrop-demo-lake-fast-deletes"
    assert settings["fast_path"] == {
        "enabled": True,
        "security_group": "lakedrop-demo-lambda",
        "s3_endpoint": "lakedrop-demo-s3",
        "source_bucket_arns": ["arn:aws:s3:::lake-data"],
    }


@pytest.mark.parametrize(
    ("top", "entry", "fast", "limit"),
    [
        ({"lakedrop_fast_path_max_bytes": 0}, {}, False, 0),
        ({"lakedrop_fast_path_max_bytes": 0}, {"propagate_deletes": True}, True, 0),
        ({"lakedrop_fast_path_max_bytes": 0}, {"fast_path_max_bytes": 1024}, True, 1024),
        ({}, {"fast_path_max_bytes": 0}, False, 0),
        ({}, {"trigger_mode": "direct"}, False, 0),
        ({}, {"trigger_mode": "direct", "fast_path_max_bytes": 0}, False, 0),
    ],
)
def test_which_deliveries_get_a_fast_path(top, entry, fast, limit):
    delivery = dict(BASE["lakedrop_deliveries"][0], **entry)
    problems, settings = check(lakedrop_deliveries=[delivery], **top)
    assert problems == []
    (found,) = settings["deliveries"]
    assert found["fast_path"] is fast and found["fast_path_max_bytes"] == limit
    trigger = found["names"]["trigger_names"]
    wanted = found["names"]["fast"]["queue_arn"] if fast else trigger["queue_arn"]
    assert found["names"]["destination"] == (
        trigger["function_arn"] if entry.get("trigger_mode") == "direct" else wanted
    )
    assert settings["fast_path"]["enabled"] is fast
    assert settings["buckets"][0]["fast_role_arns"] == ([found["names"]["fast"]["role_arn"]] if fast else [])


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (
            {"trigger_mode": "direct", "fast_path_max_bytes": 1},
            "fast_path_max_bytes: delivery lake uses trigger_mode direct",
        ),
        (
            {"trigger_mode": "direct", "propagate_deletes": True},
            "propagate_deletes: delivery lake uses trigger_mode direct",
        ),
        (
            {"fast_path_max_bytes": -1},
            "lakedrop_deliveries[0].fast_path_max_bytes must be 0 (off) or a number of bytes",
        ),
        ({"fast_path_max_bytes": "1k"}, "lakedrop_deliveries[0].fast_path_max_bytes must be a whole number"),
        ({"propagate_deletes": "maybe"}, "lakedrop_deliveries[0].propagate_deletes must be a boolean"),
    ],
)
def test_fast_path_settings_that_are_refused(entry, message):
    problems, settings = check(lakedrop_deliveries=[dict(BASE["lakedrop_deliveries"][0], **entry)])
    assert settings is None and any(message in p for p in problems), problems


def test_a_negative_fast_path_limit_is_refused():
    problems, settings = check(lakedrop_fast_path_max_bytes=-5)
    assert settings is None and "lakedrop_fast_path_max_bytes must be 0 (off) or a number of bytes, got -5." in problems


def test_the_longest_names_allowed_still_fit_aws_limits():
    longest = "a" * 20
    problems, settings = check(
        lakedrop_name=longest, lakedrop_deliveries=[dict(BASE["lakedrop_deliveries"][0], name=longest)]
    )
    assert problems == []
    found = settings["deliveries"][0]["names"]
    assert len(found["datasync_role"]) <= names.LIMITS["iam_role"]
    assert len(found["trigger_names"]["role"]) <= names.LIMITS["iam_role"]
    assert len(found["trigger_names"]["function"]) <= names.LIMITS["function"]
    assert len(found["trigger_names"]["queue"]) <= names.LIMITS["queue"]
    assert len(found["fast"]["role"]) <= names.LIMITS["iam_role"]
    assert len(found["fast"]["deletes_queue"]) <= names.LIMITS["queue"]
    assert len(found["trigger_names"]["manifest_bucket"]) == names.LIMITS["bucket"]
    problems, _ = check(lakedrop_name="a" * 21)
    assert problems[0].startswith("lakedrop_name must be 1-20 lower-case letters")


def test_names_carry_the_partition_of_the_region():
    found = names.delivery("d", "lake", "cn-north-1", TARGET)
    assert found["datasync_role_arn"].startswith("arn:aws-cn:iam::")
    assert found["trigger_names"]["queue_arn"] == f"arn:aws-cn:sqs:cn-north-1:{TARGET}:d-lake-trigger-events"
    assert found["transfer"]["log_group_arn"] == f"arn:aws-cn:logs:cn-north-1:{TARGET}:log-group:/aws/datasync/d-lake"


@pytest.mark.parametrize("path", ["/lake data", "lake", "/a/b/c/d/e", "/.hidden", "/a*"])
def test_role_module_and_inventory_share_the_access_point_path_rule(path):
    """The same function decides for efs_access_point, efs_storage and the inventory (issue: '/lake data'
    passed the module and failed the role)."""
    module = access_points.path_problem(path, "x")
    role = role_inputs.access_point_problems(
        {
            "efs_storage_access_points": [{"name": "a", "path": path}],
            "efs_storage_posix_uid": 1000,
            "efs_storage_posix_gid": 1000,
            "efs_storage_root_permissions": "0755",
        }
    )
    inventory_rule = rules.access_point_path(path, "x")
    assert (module is None) == (not [p for p in role if p]) == (inventory_rule is None)


def test_the_inventory_page_documents_every_variable_and_setting():
    page = (Path(__file__).resolve().parents[2] / "docs/inventory.md").read_text(encoding="utf-8")
    for name in [*inventory.TOP, *inventory.DELIVERY]:
        assert f"| `{name}` |" in page, name


def test_manifest_starts_by_default_each_delivery_with_its_own_bucket():
    problems, settings = check(
        lakedrop_deliveries=[
            BASE["lakedrop_deliveries"][0],
            dict(BASE["lakedrop_deliveries"][0], name="raw", prefix="raw/", trigger_starts="filters"),
        ]
    )
    assert problems == []
    lake, raw = settings["deliveries"]
    assert (lake["trigger_starts"], raw["trigger_starts"]) == ("manifest", "filters")
    assert settings["trigger_manifest_expiration_days"] == 7
    assert lake["names"]["trigger_names"]["manifest_bucket"] == f"lakedrop-demo-lake-manifest-{TARGET}"
    assert lake["names"]["trigger_names"]["manifest_bucket_arn"] == f"arn:aws:s3:::lakedrop-demo-lake-manifest-{TARGET}"


def test_a_manifest_bucket_name_s3_would_refuse_fails_the_check_naming_the_delivery():
    """Valid short names always give a valid bucket name; the check still applies S3's rules (here to a
    name as a changed naming rule could make it), and only in manifest mode."""
    _problems, settings = check()
    (delivery,) = settings["deliveries"]
    delivery["names"]["trigger_names"]["manifest_bucket"] = "x" * 64
    (problem,) = inventory.manifest_bucket_problems([delivery])
    assert problem.startswith("the manifest bucket of lakedrop_deliveries[0] (lake), <lakedrop_name>-<delivery name>")
    assert "must follow S3's bucket naming rules (3-63" in problem
    assert inventory.manifest_bucket_problems([dict(delivery, trigger_starts="filters")]) == []
