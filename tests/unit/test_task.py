"""Pure logic of DataSync tasks (schedules, names, comparisons, conversions), the task API layer with a
stubbed client, and the datasync_task module's validation and comparison functions. No network."""

from __future__ import annotations

import datetime

import boto3
import pytest
import yaml
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from botocore.stub import Stubber

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import datasync_api as ds_api
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import naming
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import task as tk
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import task_options
from ansible_collections.lakedrop.delivery.plugins.modules import datasync_task as module

TASK = "arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0"
SRC = "arn:aws:datasync:eu-west-1:222222222222:location/loc-0123456789abcdef0"
DST = "arn:aws:datasync:eu-west-1:222222222222:location/loc-0123456789abcdef1"
LOGS = "arn:aws:logs:eu-west-1:222222222222:log-group:/lakedrop/datasync"

# --- schedules -------------------------------------------------------------------------------------

VALID = [
    "rate(1 hour)",
    "rate(2 hours)",
    "rate(60 minutes)",
    "rate(90 minutes)",
    "rate(1 day)",
    "rate(7 days)",
    " rate( 12  hours ) ",
    "cron(0 * * * ? *)",
    "cron(5 2 * * ? *)",
    "cron(0 */2 * * ? *)",
    "cron(0 8 ? * MON-FRI *)",
    "cron(0 8 ? * mon-fri *)",
    "cron(0 8 ? * 2#1 *)",
    "cron(15 10 L * ? *)",
    "cron(0 0 1W * ? *)",
    "cron(0 0 LW * ? *)",
    "cron(0 22-2 * * ? *)",
    "cron(30 0/6 ? * 6L 2030-2035)",
    "cron(0 12 ? JAN,JUL MON *)",
    "cron(30/45 * * * ? *)",  # minute 30 only (45 steps past 59)
    "cron(7 1,13 1-15/2 */3 ? *)",
    "",  # removes the schedule
]


@pytest.mark.parametrize("expression", VALID)
def test_valid_schedules(expression):
    assert tk.schedule_problems(expression) == []


def test_no_schedule_is_fine():
    assert tk.schedule_problems(None) == []


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("rate(5 minutes)", "every 5 minute(s)"),
        ("rate(59 minutes)", "every 59 minute(s)"),
        ("rate(1 minute)", "every 1 minute(s)"),
        ("rate(0 hours)", "at least 1"),
        ("rate(1 hours)", "singular unit: rate(1 hour)"),
        ("rate(2 hour)", "plural unit: rate(2 hours)"),
        ("rate(1.5 hours)", "not a rate expression"),
        ("rate(hour)", "not a rate expression"),
        ("rate(3 weeks)", "not a rate expression"),
        ("cron(* * * * ? *)", "60 times an hour"),
        ("cron(0/15 * * * ? *)", "4 times an hour"),
        ("cron(*/20 * * * ? *)", "3 times an hour"),
        ("cron(0,30 2 * * ? *)", "2 times an hour"),
        ("cron(0,0 2 * * ? *)", None),  # the same minute twice is still once an hour
        ("cron(0-5 * * * ? *)", "6 times an hour"),
        ("cron(50-10 * * * ? *)", "21 times an hour"),
        ("cron(0 2 * * *)", "six fields"),
        ("cron(0 2 * * ? * *)", "six fields"),
        ("cron(60 2 * * ? *)", "outside 0-59"),
        ("cron(0 24 * * ? *)", "outside 0-23"),
        ("cron(0 2 * * MON *)", "exactly one of day-of-month and day-of-week"),
        ("cron(0 2 ? * ? *)", "exactly one of day-of-month and day-of-week"),
        ("cron(? 2 * * ? *)", "'?' is allowed only in day-of-month or day-of-week"),
        ("cron(0 2 * 13 ? *)", "outside 1-12"),
        ("cron(0 2 ? * 8 *)", "outside 1-7"),
        ("cron(0 2 ? * FUN *)", "must be a number from 1 to 7 or SUN-SAT"),
        ("cron(0 2 * * ? 1969)", "outside 1970-2199"),
        ("cron(0/0 2 * * ? *)", "at least 1"),
        ("cron(0,,5 2 * * ? *)", "empty list item"),
        ("cron(0 2 ? * 2#6 *)", "must be a number"),
        ("at(2030-01-01T00:00:00)", "must be a rate(...) or cron(...)"),
        ("every hour", "must be a rate(...) or cron(...)"),
        ("rate(1 hour)" + " " * 300, None),  # whitespace does not count
        ("cron(0 2 * * ? " + "1" * 300 + ")", "longer than 256"),
    ],
)
def test_invalid_schedules(expression, words):
    problems = tk.schedule_problems(expression, "schedule.expression")
    if words is None:
        assert problems == []
    else:
        assert problems and any(words in p for p in problems), problems
        assert all(p.startswith("schedule.expression") for p in problems)


def test_too_frequent_cron_suggests_a_fix():
    (problem,) = tk.schedule_problems("cron(0/15 8-18 ? * MON-FRI *)")
    assert "e.g. cron(0 8-18 ? * MON-FRI *)" in problem


def test_cron_field_values():
    assert tk.cron_field_values("*", "minutes", 0, 59) == set(range(60))
    assert tk.cron_field_values("5/15", "minutes", 0, 59) == {5, 20, 35, 50}
    assert tk.cron_field_values("10-20/5", "minutes", 0, 59) == {10, 15, 20}
    assert tk.cron_field_values("22-1", "hours", 0, 23) == {22, 23, 0, 1}
    assert tk.cron_field_values("JAN,mar-APR", "month", 1, 12, tk.MONTHS) == {1, 3, 4}
    assert tk.cron_field_values("?", "day-of-week", 1, 7, tk.WEEKDAYS) == set()
    with pytest.raises(ValueError, match="step"):
        tk.cron_field_values("*/x", "minutes", 0, 59)


def test_schedule_conversions_and_comparison():
    assert tk.schedule_from_api(None) is None
    assert tk.schedule_from_api({"ScheduleExpression": ""}) is None
    assert tk.schedule_from_api({"ScheduleExpression": "rate(1 hour)", "Status": "DISABLED"}) == {
        "expression": "rate(1 hour)",
        "enabled": False,
    }
    assert tk.schedule_to_api(None) == {"ScheduleExpression": ""}
    assert tk.schedule_to_api({"expression": " rate(1 hour) ", "enabled": True}) == {
        "ScheduleExpression": "rate(1 hour)",
        "Status": "ENABLED",
    }
    assert tk.normalize_expression(" cron( 0  2 * * ? * ) ") == "cron(0 2 * * ? *)"
    on = {"expression": "cron(0 2 * * ? *)", "enabled": True}
    assert tk.same_schedule(on, {"expression": "cron( 0 2 * * ? *)", "enabled": True})
    assert not tk.same_schedule(on, dict(on, enabled=False))
    assert not tk.same_schedule(on, None) and tk.same_schedule(None, None)


# --- names, log groups, report configuration --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("nightly copy: s3/efs @ 02:00 +v1.2=ok_", None),
        ("", "1 to 256"),
        ("x" * 257, "1 to 256"),
        ("bad|name", "found '|'"),
        ("nightly*copy!", "found '!', '*'"),
    ],
)
def test_name_problem(name, words):
    problem = tk.name_problem(name)
    assert (problem is None) if words is None else (words in problem)


def test_same_log_group():
    assert tk.same_log_group(LOGS, LOGS + ":*")
    assert tk.same_log_group(None, "") and tk.same_log_group("", None)
    assert not tk.same_log_group(LOGS, LOGS + "-2")
    assert not tk.same_log_group(LOGS, "")


def test_report_config_round_trip_and_contains():
    config = {
        "destination": {
            "s3": {
                "s3_bucket_arn": "arn:aws:s3:::r",
                "bucket_access_role_arn": "arn:aws:iam::2:role/r",
                "subdirectory": None,
            }
        },
        "output_type": None,
        "report_level": "ERRORS_ONLY",
        "object_version_ids": None,
        "overrides": {"transferred": {"report_level": None}, "verified": None, "deleted": None, "skipped": None},
    }
    api = tk.report_config_to_api(config)
    assert api == {
        "Destination": {"S3": {"S3BucketArn": "arn:aws:s3:::r", "BucketAccessRoleArn": "arn:aws:iam::2:role/r"}},
        "ReportLevel": "ERRORS_ONLY",
    }
    assert tk.report_config_from_api(api) == tk.strip_none(config)
    assert tk.report_config_to_api(None) == {} and tk.report_config_from_api({}) is None
    current = {
        "destination": {"s3": {"s3_bucket_arn": "arn:aws:s3:::r", "subdirectory": "reports/"}},
        "output_type": "STANDARD",
    }
    assert tk.contains(current, {"destination": {"s3": {"subdirectory": "reports"}}})
    assert tk.contains(current, {})
    assert not tk.contains(current, {"output_type": "SUMMARY_ONLY"})
    assert not tk.contains(current, {"overrides": {"skipped": {"report_level": "ERRORS_ONLY"}}})


def test_task_from_api():
    when = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    described = {
        "TaskArn": TASK,
        "Status": "AVAILABLE",
        "Name": "t",
        "SourceLocationArn": SRC,
        "DestinationLocationArn": DST,
        "CloudWatchLogGroupArn": LOGS,
        "Options": {"VerifyMode": "NONE", "SomethingNew": "x"},
        "Includes": [{"FilterType": "SIMPLE_PATTERN", "Value": "/a|/b*"}],
        "Excludes": [],
        "Schedule": {"ScheduleExpression": "rate(1 hour)", "Status": "DISABLED"},
        "ScheduleDetails": {"StatusUpdateTime": when, "DisabledBy": "SERVICE", "DisabledReason": "failing"},
        "CreationTime": when,
        "TaskReportConfig": {"ReportLevel": "ERRORS_ONLY"},
    }
    task = tk.task_from_api(described, {"k": "v"})
    assert task["options"] == {"verify_mode": "NONE"}
    assert task["includes"] == ["/a", "/b*"] and task["excludes"] == []
    assert task["schedule"] == {"expression": "rate(1 hour)", "enabled": False}
    assert task["schedule_disabled_by_service"] is True
    assert task["schedule_details"] == {
        "disabled_by": "SERVICE",
        "disabled_reason": "failing",
        "status_update_time": str(when),
    }
    assert task["task_mode"] == "BASIC" and task["creation_time"] == str(when)
    assert task["task_report_config"] == {"report_level": "ERRORS_ONLY"} and task["tags"] == {"k": "v"}
    described["ScheduleDetails"] = {"StatusUpdateTime": when, "DisabledBy": "USER"}
    assert tk.task_from_api(described, {})["schedule_disabled_by_service"] is False
    bare = tk.task_from_api({"TaskArn": TASK, "CloudWatchLogGroupArn": ""}, None)
    assert bare["schedule"] is None and bare["cloudwatch_log_group_arn"] is None and bare["tags"] == {}


def test_identity_helpers():
    listed = [{"TaskArn": "a", "Name": "x"}, {"TaskArn": "b"}, {"TaskArn": "c", "Name": "x"}]
    assert [t["TaskArn"] for t in naming.named(listed, "x")] == ["a", "c"]
    assert naming.named(listed, "y") == []
    message = tk.ambiguity_message("x", ["c", "a"])
    assert "2 DataSync tasks are named 'x': a, c" in message and "task_arn" in message
    assert tk.location_type("efs://eu-west-1.fs-1/lake/") == "EFS" and tk.location_type("s3://b/") == "S3"
    assert tk.location_type(None) is None


# --- API layer, with a stubbed client ----------------------------------------------------------------


@pytest.fixture
def stubbed():
    client = boto3.client("datasync", region_name="eu-west-1")  # never sends: the Stubber answers before signing
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def test_describe_missing_task_is_none(stubbed):
    client, stub = stubbed
    stub.add_client_error("describe_task", "InvalidRequestException", f"Sync task {TASK} is not found.")
    assert ds_api.describe_task(client, TASK) is None


def test_describe_other_errors_raise(stubbed):
    client, stub = stubbed
    stub.add_client_error("describe_task", "InvalidRequestException", "Something else is wrong.")
    with pytest.raises(AnsibleAWSError, match=f"describe task {TASK}"):
        ds_api.describe_task(client, TASK)


def test_delete_missing_task_is_false(stubbed):
    client, stub = stubbed
    stub.add_client_error(
        "delete_task", "InvalidRequestException", "Request references a resource which does not exist"
    )
    assert ds_api.delete_task(client, TASK) is False


def test_list_tasks_paginates_with_filters(stubbed):
    client, stub = stubbed
    flt = [{"Name": "LocationId", "Operator": "Equals", "Values": [SRC]}]
    stub.add_response("list_tasks", {"Tasks": [{"TaskArn": TASK, "Name": "a"}], "NextToken": "1"}, {"Filters": flt})
    stub.add_response("list_tasks", {"Tasks": [{"TaskArn": TASK[:-1] + "1"}]}, {"Filters": flt, "NextToken": "1"})
    assert [t["TaskArn"] for t in ds_api.list_tasks(client, flt)] == [TASK, TASK[:-1] + "1"]


def test_create_and_update_pass_parameters(stubbed):
    client, stub = stubbed
    stub.add_response("create_task", {"TaskArn": TASK}, {"SourceLocationArn": SRC, "DestinationLocationArn": DST})
    stub.add_response("update_task", {}, {"TaskArn": TASK, "Name": "n"})
    assert ds_api.create_task(client, {"SourceLocationArn": SRC, "DestinationLocationArn": DST}) == TASK
    ds_api.update_task(client, TASK, {"Name": "n"})


def test_wait_until_available():
    answers = iter([{"Status": "CREATING"}, {"Status": "CREATING"}, {"Status": "AVAILABLE"}])
    now = [0.0]

    class Client:
        def describe_task(self, TaskArn):
            return dict(next(answers))

    slept = []
    described, done = ds_api.wait_until_available(
        Client(), TASK, 60, 5, sleep=lambda s: (slept.append(s), now.__setitem__(0, now[0] + s)), clock=lambda: now[0]
    )
    assert done and described["Status"] == "AVAILABLE" and slept == [5, 5]

    class Slow:
        def describe_task(self, TaskArn):
            return {"Status": "CREATING"}

    now[0] = 0.0
    described, done = ds_api.wait_until_available(
        Slow(), TASK, 3, 1, sleep=lambda s: now.__setitem__(0, now[0] + s), clock=lambda: now[0]
    )
    assert not done and described["Status"] == "CREATING"


# --- the module's pure functions ---------------------------------------------------------------------


def params(**overrides):
    base = dict(
        state="present",
        name="t",
        task_arn=None,
        source_location_arn=SRC,
        destination_location_arn=DST,
        task_mode=None,
        cloudwatch_log_group_arn=None,
        options=None,
        includes=None,
        excludes=None,
        schedule=None,
        task_report_config=None,
        wait=True,
        wait_timeout=300,
        allow_replacement=False,
        propagation_timeout=120,
        tags=None,
        purge_tags=True,
    )
    base.update(overrides)
    return base


def opts(**set_):
    return dict(dict.fromkeys(task_options.FIELDS), **set_)


def current_task(**overrides):
    task = tk.task_from_api(
        {
            "TaskArn": TASK,
            "Status": "AVAILABLE",
            "Name": "t",
            "SourceLocationArn": SRC,
            "DestinationLocationArn": DST,
            "Options": {
                "VerifyMode": "POINT_IN_TIME_CONSISTENT",
                "LogLevel": "OFF",
                "Atime": "BEST_EFFORT",
                "Mtime": "PRESERVE",
            },
            "Includes": [{"FilterType": "SIMPLE_PATTERN", "Value": "/a|/b"}],
            "Schedule": {"ScheduleExpression": "rate(1 hour)", "Status": "ENABLED"},
            "CloudWatchLogGroupArn": LOGS + ":*",
        },
        {"k": "v"},
    )
    task.update(overrides)
    return task


def test_validate_accepts_a_full_valid_set():
    good = params(
        cloudwatch_log_group_arn=LOGS,
        options=opts(verify_mode="ONLY_FILES_TRANSFERRED"),
        includes=["/in*"],
        excludes=["*.tmp"],
        schedule={"expression": "cron(0 2 * * ? *)", "enabled": True},
    )
    assert module.validate(good, "eu-west-1") == []
    assert (
        module.validate(
            params(state="absent", name=None, task_arn=TASK, source_location_arn=None, destination_location_arn=None)
        )
        == []
    )


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"name": None}, "name is required unless task_arn"),
        ({"destination_location_arn": SRC}, "are the same location"),
        ({"source_location_arn": "fs-0123abcd"}, "a bare efs file system ID: create a DataSync EFS location"),
        ({"cloudwatch_log_group_arn": LOGS, "task_mode": "ENHANCED"}, "must log to the log group /aws/datasync"),
        ({"task_mode": "ENHANCED", "options": opts(mtime="NONE")}, "ENHANCED does not support mtime NONE"),
        ({"task_arn": TASK.replace("eu-west-1", "us-east-1")}, "is in region us-east-1"),
        (
            {
                "task_report_config": {
                    "destination": {
                        "s3": {"s3_bucket_arn": "bucket", "bucket_access_role_arn": "r", "subdirectory": None}
                    }
                }
            },
            "s3_bucket_arn must be an S3 bucket ARN",
        ),
    ],
)
def test_validate_problems(overrides, words):
    problems = module.validate(params(**overrides), "eu-west-1")
    assert any(words in p for p in problems), problems


def test_compare_only_what_is_set():
    current = current_task()
    in_place, create_only = module.compare(current, params(source_location_arn=None, destination_location_arn=None))
    assert not in_place.changed and not create_only.changed
    # equal meanings: log group without ":*", patterns in another order, spacing in the schedule
    same = params(
        cloudwatch_log_group_arn=LOGS,
        includes=["/b", "/a"],
        schedule={"expression": "rate( 1 hour )", "enabled": True},
        options=opts(log_level="OFF"),
    )
    in_place, create_only = module.compare(current, same)
    assert not in_place.changed and not create_only.changed
    changed = params(
        options=opts(log_level="BASIC"), includes=[], cloudwatch_log_group_arn="", tags={"k": "w"}, task_mode="ENHANCED"
    )
    in_place, create_only = module.compare(current, changed)
    assert sorted(in_place.names) == ["cloudwatch_log_group_arn", "includes", "options", "tags"]
    assert in_place.diff()["before"]["options"] == {"log_level": "OFF"}
    assert create_only.names == ["task_mode"]


def test_update_params_merge_options_and_clear():
    current = current_task()
    described = {"Options": {"VerifyMode": "POINT_IN_TIME_CONSISTENT", "LogLevel": "OFF", "Unknown": "x"}}
    in_place, _ = module.compare(
        current,
        params(
            options=opts(log_level="BASIC"),
            includes=[],
            cloudwatch_log_group_arn="",
            schedule={"expression": "", "enabled": True},
        ),
    )
    update = module.update_params(in_place, described)
    assert update == {
        "Options": {"VerifyMode": "POINT_IN_TIME_CONSISTENT", "LogLevel": "BASIC"},
        "Includes": [],
        "CloudWatchLogGroupArn": "",
        "Schedule": {"ScheduleExpression": ""},
    }
    predicted = module.predict(current, in_place)
    assert (
        predicted["options"]["log_level"] == "BASIC"
        and predicted["options"]["verify_mode"] == "POINT_IN_TIME_CONSISTENT"
    )
    assert predicted["schedule"] is None and predicted["includes"] == []


def test_pausing_keeps_the_expression():
    current = current_task()
    in_place, _ = module.compare(current, params(schedule={"expression": None, "enabled": False}))
    assert in_place.diff()["after"]["schedule"] == {"expression": "rate(1 hour)", "enabled": False}
    assert module.schedule_expression_problem(params(schedule={"expression": None, "enabled": False}), None)


def test_schedule_warning_quotes_the_reason():
    current = current_task(
        schedule={"expression": "rate(1 hour)", "enabled": False},
        schedule_details={"disabled_by": "SERVICE", "disabled_reason": "S3 access denied", "status_update_time": "t"},
        schedule_disabled_by_service=True,
    )
    enable = params(schedule={"expression": None, "enabled": True})
    in_place, _ = module.compare(current, enable)
    assert in_place.names == ["schedule"]
    warning = module.schedule_warning(current, enable, True, False)
    assert "'S3 access denied'" in warning and "was re-enabled" in warning
    assert "Set schedule.enabled=true" in module.schedule_warning(current, params(), False, False)
    assert (
        module.schedule_warning(current, params(schedule={"expression": None, "enabled": False}), False, False) is None
    )
    assert module.schedule_warning(current_task(), params(), False, False) is None


def test_create_params():
    desired = module.desired_task(
        params(
            options=opts(log_level="BASIC"),
            includes=["/a"],
            schedule={"expression": "rate(1 hour)", "enabled": False},
            tags={"k": "v"},
            task_report_config={"report_level": "ERRORS_ONLY", "destination": None},
        )
    )
    create = module.create_params(desired, {"log_level": "BASIC"})
    assert create == {
        "SourceLocationArn": SRC,
        "DestinationLocationArn": DST,
        "Name": "t",
        "TaskMode": "BASIC",
        "Options": {"LogLevel": "BASIC"},
        "Includes": [{"FilterType": "SIMPLE_PATTERN", "Value": "/a"}],
        "Schedule": {"ScheduleExpression": "rate(1 hour)", "Status": "DISABLED"},
        "TaskReportConfig": {"ReportLevel": "ERRORS_ONLY"},
        "Tags": [{"Key": "k", "Value": "v"}],
    }


def test_documentation_matches_argument_spec():
    """validate-modules compares DOCUMENTATION with the spec; the generated `options` suboptions most of all."""
    doc = yaml.safe_load(module.DOCUMENTATION)["options"]
    documented = doc["options"]["suboptions"]
    spec = task_options.argument_spec()
    assert sorted(documented) == sorted(spec)
    for name, entry in spec.items():
        assert documented[name]["type"] == entry["type"], name
        assert documented[name].get("choices") == entry.get("choices"), name


def test_wait_keeps_polling_while_a_new_task_is_not_described_yet():
    from botocore.exceptions import ClientError

    answers = iter(["missing", "AVAILABLE"])

    class Client:
        def describe_task(self, TaskArn):
            status = next(answers)
            if status == "missing":
                error = {"Error": {"Code": "InvalidRequestException", "Message": f"Sync task {TaskArn} is not found."}}
                raise ClientError(error, "DescribeTask")
            return {"Status": status}

    described, done = ds_api.wait_until_available(Client(), TASK, 10, 1, sleep=lambda s: None, clock=lambda: 0.0)
    assert done and described == {"Status": "AVAILABLE"}
