"""Pure logic of DataSync tasks (schedules, names, comparisons, conversions), the task API layer with a
stubbed client, and the datasync_task module's validation and comparison functions. No network."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import boto3
import pytest
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from support.arguments import arguments

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import datasync_api as ds_api
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import naming
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import task as tk
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import task_options
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import task_report as report
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import task_schedule as sched
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import Failure
from ansible_collections.lakedrop.delivery.plugins.modules import datasync_task

TASK = "arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0"
OTHER = TASK[:-1] + "1"
SRC = "arn:aws:datasync:eu-west-1:222222222222:location/loc-0123456789abcdef0"
DST = "arn:aws:datasync:eu-west-1:222222222222:location/loc-0123456789abcdef1"
DST2 = "arn:aws:datasync:eu-west-1:222222222222:location/loc-0123456789abcdef2"
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
    assert sched.schedule_problems(expression) == []


def test_no_schedule_is_fine():
    assert sched.schedule_problems(None) == []


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
    problems = sched.schedule_problems(expression, "schedule.expression")
    if words is None:
        assert problems == []
    else:
        assert problems and any(words in p for p in problems), problems
        assert all(p.startswith("schedule.expression") for p in problems)


def test_too_frequent_cron_suggests_a_fix():
    (problem,) = sched.schedule_problems("cron(0/15 8-18 ? * MON-FRI *)")
    assert "e.g. cron(0 8-18 ? * MON-FRI *)" in problem


def test_cron_field_values():
    assert sched.cron_field_values("*", "minutes", 0, 59) == set(range(60))
    assert sched.cron_field_values("5/15", "minutes", 0, 59) == {5, 20, 35, 50}
    assert sched.cron_field_values("10-20/5", "minutes", 0, 59) == {10, 15, 20}
    assert sched.cron_field_values("22-1", "hours", 0, 23) == {22, 23, 0, 1}
    assert sched.cron_field_values("JAN,mar-APR", "month", 1, 12, sched.MONTHS) == {1, 3, 4}
    assert sched.cron_field_values("?", "day-of-week", 1, 7, sched.WEEKDAYS) == set()
    with pytest.raises(ValueError, match="step"):
        sched.cron_field_values("*/x", "minutes", 0, 59)


def test_schedule_conversions_and_comparison():
    assert sched.schedule_from_api(None) is None
    assert sched.schedule_from_api({"ScheduleExpression": ""}) is None
    assert sched.schedule_from_api({"ScheduleExpression": "rate(1 hour)", "Status": "DISABLED"}) == {
        "expression": "rate(1 hour)",
        "enabled": False,
    }
    assert sched.schedule_to_api(None) == {"ScheduleExpression": ""}
    assert sched.schedule_to_api({"expression": " rate(1 hour) ", "enabled": True}) == {
        "ScheduleExpression": "rate(1 hour)",
        "Status": "ENABLED",
    }
    assert sched.normalize_expression(" cron( 0  2 * * ? * ) ") == "cron(0 2 * * ? *)"
    on = {"expression": "cron(0 2 * * ? *)", "enabled": True}
    assert sched.same_schedule(on, {"expression": "cron( 0 2 * * ? *)", "enabled": True})
    assert not sched.same_schedule(on, dict(on, enabled=False))
    assert not sched.same_schedule(on, None) and sched.same_schedule(None, None)


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
    api = report.to_api(config)
    assert api == {
        "Destination": {"S3": {"S3BucketArn": "arn:aws:s3:::r", "BucketAccessRoleArn": "arn:aws:iam::2:role/r"}},
        "ReportLevel": "ERRORS_ONLY",
    }
    assert report.from_api(api) == report.strip_none(config)
    assert report.to_api(None) == {} and report.from_api({}) is None
    current = {
        "destination": {"s3": {"s3_bucket_arn": "arn:aws:s3:::r", "subdirectory": "reports/"}},
        "output_type": "STANDARD",
    }
    assert report.contains(current, {"destination": {"s3": {"subdirectory": "reports"}}})
    assert report.contains(current, {})
    assert not report.contains(current, {"output_type": "SUMMARY_ONLY"})
    assert not report.contains(current, {"overrides": {"skipped": {"report_level": "ERRORS_ONLY"}}})


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


# --- the module's pure functions ---------------------------------------------------------------------


def params(**overrides):
    return arguments(
        datasync_task, {"name": "t", "source_location_arn": SRC, "destination_location_arn": DST}, overrides
    )


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
    assert tk.validate(good, "eu-west-1") == []
    assert (
        tk.validate(
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
    problems = tk.validate(params(**overrides), "eu-west-1")
    assert any(words in p for p in problems), problems


def test_compare_only_what_is_set():
    current = current_task()
    in_place, create_only = tk.compare(current, params(source_location_arn=None, destination_location_arn=None))
    assert not in_place.changed and not create_only.changed
    # equal meanings: log group without ":*", patterns in another order, spacing in the schedule
    same = params(
        cloudwatch_log_group_arn=LOGS,
        includes=["/b", "/a"],
        schedule={"expression": "rate( 1 hour )", "enabled": True},
        options=opts(log_level="OFF"),
    )
    in_place, create_only = tk.compare(current, same)
    assert not in_place.changed and not create_only.changed
    changed = params(
        options=opts(log_level="BASIC"), includes=[], cloudwatch_log_group_arn="", tags={"k": "w"}, task_mode="ENHANCED"
    )
    in_place, create_only = tk.compare(current, changed)
    assert sorted(in_place.names) == ["cloudwatch_log_group_arn", "includes", "options", "tags"]
    assert in_place.diff()["before"]["options"] == {"log_level": "OFF"}
    assert create_only.names == ["task_mode"]


def test_update_params_merge_options_and_clear():
    current = current_task()
    described = {"Options": {"VerifyMode": "POINT_IN_TIME_CONSISTENT", "LogLevel": "OFF", "Unknown": "x"}}
    in_place, _ = tk.compare(
        current,
        params(
            options=opts(log_level="BASIC"),
            includes=[],
            cloudwatch_log_group_arn="",
            schedule={"expression": "", "enabled": True},
        ),
    )
    update = tk.update_params(in_place, described)
    assert update == {
        "Options": {"VerifyMode": "POINT_IN_TIME_CONSISTENT", "LogLevel": "BASIC"},
        "Includes": [],
        "CloudWatchLogGroupArn": "",
        "Schedule": {"ScheduleExpression": ""},
    }
    predicted = tk.predict(current, in_place)
    assert (
        predicted["options"]["log_level"] == "BASIC"
        and predicted["options"]["verify_mode"] == "POINT_IN_TIME_CONSISTENT"
    )
    assert predicted["schedule"] is None and predicted["includes"] == []


def test_pausing_keeps_the_expression():
    current = current_task()
    in_place, _ = tk.compare(current, params(schedule={"expression": None, "enabled": False}))
    assert in_place.diff()["after"]["schedule"] == {"expression": "rate(1 hour)", "enabled": False}
    assert sched.expression_problem({"expression": None, "enabled": False}, None)


def test_schedule_warning_quotes_the_reason():
    current = current_task(
        schedule={"expression": "rate(1 hour)", "enabled": False},
        schedule_details={"disabled_by": "SERVICE", "disabled_reason": "S3 access denied", "status_update_time": "t"},
        schedule_disabled_by_service=True,
    )
    enable = {"expression": None, "enabled": True}
    in_place, _ = tk.compare(current, params(schedule=enable))
    assert in_place.names == ["schedule"]
    warning = sched.disabled_by_service_warning(current, enable, True, False)
    assert "'S3 access denied'" in warning and "was re-enabled" in warning
    assert "would be re-enabled (check mode)" in sched.disabled_by_service_warning(current, enable, True, True)
    assert "Set schedule.enabled=true" in sched.disabled_by_service_warning(current, None, False, False)
    assert sched.disabled_by_service_warning(current, {"expression": None, "enabled": False}, False, False) is None
    assert sched.disabled_by_service_warning(current_task(), None, False, False) is None


def test_create_params():
    desired = tk.desired_task(
        params(
            options=opts(log_level="BASIC"),
            includes=["/a"],
            schedule={"expression": "rate(1 hour)", "enabled": False},
            tags={"k": "v"},
            task_report_config={"report_level": "ERRORS_ONLY", "destination": None},
        )
    )
    create = tk.create_params(desired)
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


def test_create_problems_need_known_locations():
    wanted = params(options=opts(preserve_devices="PRESERVE"))
    desired = tk.desired_task(wanted)
    assert tk.missing_locations_problem(desired) is None
    (problem,) = tk.create_problems(desired, wanted, {SRC: "s3://b/", DST: "efs://eu-west-1.fs-1/"}, "eu-west-1")
    assert "preserve_devices PRESERVE is not supported when the destination is an EFS location" in problem
    unknown = tk.create_problems(tk.desired_task(params()), params(), {SRC: "s3://b/"}, "eu-west-1")
    assert unknown == [
        f"destination_location_arn {DST} does not exist in this account and region (eu-west-1); create the "
        "location first or check the ARN."
    ]
    bare = tk.desired_task(params(source_location_arn=None, destination_location_arn=None))
    assert tk.missing_locations_problem(bare) == (
        "source_location_arn and destination_location_arn are required to create task 't' (no task has that name yet)."
    )


def test_update_problems_judge_options_with_the_task_and_refuse_a_used_name():
    current = current_task()
    wanted = params(name="u", options=opts(mtime="NONE", preserve_devices="PRESERVE"))
    in_place, _ = tk.compare(current, wanted)
    problems = tk.update_problems(current, wanted, in_place, ("S3", "EFS"), [OTHER])
    assert len(problems) == 3, problems
    assert "atime BEST_EFFORT (the task's current or default value" in problems[0]
    assert "preserve_devices PRESERVE is not supported when the destination is an EFS" in problems[1]
    assert f"Cannot rename task {TASK} to 'u': {OTHER} already has that name" in problems[2]
    enhanced = dict(current, task_mode="ENHANCED")
    other_log_group = params(cloudwatch_log_group_arn=LOGS + "-2")
    (problem,) = tk.update_problems(enhanced, other_log_group, tk.compare(enhanced, other_log_group)[0])
    assert "must log to the log group /aws/datasync" in problem
    assert tk.update_problems(current, params(), tk.compare(current, params())[0]) == []


def test_replacement_task_carries_over_what_is_not_managed():
    current = current_task(
        status="AVAILABLE", schedule_disabled_by_service=True, schedule_details={"disabled_by": "SERVICE"}
    )
    wanted = params(destination_location_arn=DST2, excludes=["*.tmp"], options=opts(log_level="BASIC"))
    in_place, create_only = tk.compare(current, wanted)
    task = tk.replacement_task(current, in_place, create_only, wanted)
    assert task["task_arn"] is None and task["status"] is None and task["schedule_disabled_by_service"] is False
    assert task["destination_location_arn"] == DST2 and task["excludes"] == ["*.tmp"]
    assert task["includes"] == ["/a", "/b"] and task["schedule"] == current["schedule"] and task["tags"] == {"k": "v"}
    assert task["options"] == {"log_level": "BASIC"}  # only the managed options; the others take the defaults
    assert tk.create_params(task)["DestinationLocationArn"] == DST2


def test_report_problems_and_sameness():
    assert report.problems(None) == [] and report.problems({"destination": None}) == []
    (problem,) = report.problems({"report_level": "ERRORS_ONLY"})
    assert "needs s3_bucket_arn and bucket_access_role_arn" in problem
    assert report.same(None, {}) and not report.same({"report_level": "ERRORS_ONLY"}, {})
    assert report.same({"report_level": "ERRORS_ONLY", "output_type": "STANDARD"}, {"report_level": "ERRORS_ONLY"})
    assert not report.same(None, {"report_level": "ERRORS_ONLY"})


def test_info_selectors():
    info = dict(task_arns=None, name=None, source_location_arn=None, destination_location_arn=None)
    assert tk.validate_info(info) == []
    problems = tk.validate_info(dict(info, task_arns=[SRC], name="a|b"))
    assert "must be a DataSync task ARN" in problems[0] and "found '|'" in problems[1]
    assert tk.list_filters(info) is None
    assert tk.list_filters(dict(info, destination_location_arn=DST)) == [
        {"Name": "LocationId", "Operator": "Equals", "Values": [DST]}
    ]
    described = {"Name": "t", "SourceLocationArn": SRC, "DestinationLocationArn": DST}
    assert tk.matches(described, info) and tk.matches(described, dict(info, name="t", source_location_arn=SRC))
    assert not tk.matches(described, dict(info, name="u"))
    assert not tk.matches(described, dict(info, destination_location_arn=SRC))


# --- a task just created: waiting through CREATING and UNAVAILABLE, adopting after InternalException --


class Clock:
    """A fake clock: sleeping moves it on at once."""

    def __init__(self):
        self.now = 0.0
        self.slept = []

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds

    def __call__(self):
        return self.now


class FakeTasks:
    """A DataSync client whose DescribeTask answers `statuses` in turn, the last one for ever (None: not
    found yet), and which lists no tags."""

    def __init__(self, *statuses):
        self.statuses = list(statuses)

    def describe_task(self, TaskArn):
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        if status is None:
            error = {"Error": {"Code": "InvalidRequestException", "Message": f"Sync task {TaskArn} is not found."}}
            raise ClientError(error, "DescribeTask")
        described = {"TaskArn": TaskArn, "Name": "t", "Status": status}
        if status == "UNAVAILABLE":
            described.update(ErrorCode="AgentNotConnected", ErrorDetail="The agent is offline.")
        return described

    def get_paginator(self, name):
        assert name == "list_tags_for_resource"
        return SimpleNamespace(paginate=lambda **_: SimpleNamespace(build_full_result=lambda: {"Tags": []}))


def test_wait_until_available():
    clock = Clock()
    described, done = ds_api.wait_until_available(
        FakeTasks("CREATING", "CREATING", "AVAILABLE"), TASK, 60, 5, sleep=clock.sleep, clock=clock
    )
    assert done and described["Status"] == "AVAILABLE" and clock.slept == [5, 5]
    described, done = ds_api.wait_until_available(FakeTasks("CREATING"), TASK, 3, 1, sleep=clock.sleep, clock=clock)
    assert not done and described["Status"] == "CREATING"
    # a task not described yet (eventual consistency) is polled on
    described, done = ds_api.wait_until_available(
        FakeTasks(None, "AVAILABLE"), TASK, 10, 1, sleep=clock.sleep, clock=clock
    )
    assert done and described["Status"] == "AVAILABLE"
    # only CREATING unless told: an existing UNAVAILABLE task is not waited for
    assert ds_api.wait_until_available(FakeTasks("UNAVAILABLE", "AVAILABLE"), TASK, 10, 1)[0]["Status"] == "UNAVAILABLE"


@pytest.mark.parametrize(
    ("statuses", "status", "slept"),
    [
        (("CREATING", "CREATING", "UNAVAILABLE", "UNAVAILABLE", "AVAILABLE"), "AVAILABLE", [1, 1, 1]),
        ((None, "CREATING", "AVAILABLE"), "AVAILABLE", [1]),
        (("AVAILABLE",), "AVAILABLE", []),
        (("UNAVAILABLE", "RUNNING"), "RUNNING", []),  # an unexpected status ends the wait; reported as it is
    ],
)
def test_a_new_task_is_waited_for_through_creating_and_unavailable(statuses, status, slept):
    clock = Clock()
    task = tk.settle(FakeTasks(*statuses), TASK, True, 300, sleep=clock.sleep, clock=clock)
    assert task["task_arn"] == TASK and task["status"] == status and clock.slept == slept


@pytest.mark.parametrize(
    ("statuses", "message"),
    [
        (
            ("CREATING", "UNAVAILABLE"),
            f"Task {TASK} was created but is still UNAVAILABLE after 5 seconds (AgentNotConnected: The agent is "
            "offline.). Re-run later (it will be found by name) or raise wait_timeout.",
        ),
        (("CREATING",), f"Task {TASK} was created but is still CREATING after 5 seconds. Re-run later"),
        ((None,), f"Task {TASK} was created but DataSync does not describe it yet"),
    ],
)
def test_a_new_task_that_does_not_settle_in_time_fails_with_the_task(statuses, message):
    clock = Clock()
    with pytest.raises(Failure) as failed:
        tk.settle(FakeTasks(*statuses), TASK, True, 5, sleep=clock.sleep, clock=clock)
    assert failed.value.msg.startswith(message) and failed.value.result["changed"] is True
    assert failed.value.result["task"]["task_arn"] == TASK and clock.now == 5
    if statuses[-1]:
        assert failed.value.result["task"]["status"] == statuses[-1]


def test_without_wait_a_new_task_is_reported_as_it_is():
    clock = Clock()
    task = tk.settle(FakeTasks("CREATING", "AVAILABLE"), TASK, False, 300, sleep=clock.sleep, clock=clock)
    assert task["status"] == "CREATING"
    with pytest.raises(Failure, match=r"DataSync reports it UNAVAILABLE: AgentNotConnected The agent is offline\.$"):
        tk.settle(FakeTasks("UNAVAILABLE", "AVAILABLE"), TASK, False, 300, sleep=clock.sleep, clock=clock)
    assert clock.slept == []
    assert tk.unsettled_message(TASK, {"Status": "QUEUED"}, 300) is None


def described_task(arn=TASK, **extra):
    return dict({"TaskArn": arn, "Name": "t", "SourceLocationArn": SRC, "DestinationLocationArn": DST}, **extra)


@pytest.mark.parametrize(
    ("found", "replaced", "adopted"),
    [
        ([described_task()], None, TASK),
        ([described_task(TaskMode="BASIC"), described_task(OTHER, Name="other")], None, TASK),
        ([described_task(OTHER), described_task()], OTHER, TASK),  # the task being replaced is not the new one
        ([described_task(), described_task(OTHER)], None, None),  # two: never guess
        ([described_task(DestinationLocationArn=DST2)], None, None),  # the name, but other locations
        ([described_task(TaskMode="ENHANCED")], None, None),
        ([None], None, None),  # listed, then gone
        ([], None, None),
    ],
)
def test_after_internal_exception_only_the_one_matching_task_is_adopted(found, replaced, adopted):
    assert tk.adoptable(found, tk.desired_task(params()), replaced) == adopted


def test_a_nameless_task_is_never_adopted():
    assert tk.adoptable([described_task(Name=None)], tk.desired_task(params(name=None)), None) is None


@pytest.mark.parametrize("made", [True, False])
def test_create_answered_internal_exception(stubbed, made):
    client, stub = stubbed
    warnings = []
    module = SimpleNamespace(check_mode=False, params=params(propagation_timeout=0), warn=warnings.append)
    stub.add_client_error("create_task", "InternalException", "An internal error occurred.")
    stub.add_response("list_tasks", {"Tasks": [{"TaskArn": TASK, "Name": "t"}] if made else []})
    if made:
        stub.add_response("describe_task", described_task(Status="AVAILABLE"), {"TaskArn": TASK})
        assert tk.submit(module, client, tk.desired_task(module.params)) == TASK
        assert warnings and "InternalException" in warnings[0] and TASK in warnings[0]
    else:
        with pytest.raises(AnsibleAWSError, match="create task"):
            tk.submit(module, client, tk.desired_task(module.params))


def test_other_create_errors_are_not_looked_into(stubbed):
    client, stub = stubbed
    module = SimpleNamespace(check_mode=False, params=params(propagation_timeout=0), warn=None)
    stub.add_client_error("create_task", "InvalidRequestException", "Bad filter.")
    with pytest.raises(AnsibleAWSError, match="Bad filter"):
        tk.submit(module, client, tk.desired_task(module.params))
    assert tk.submit(SimpleNamespace(check_mode=True), client, tk.desired_task(params())) is None
