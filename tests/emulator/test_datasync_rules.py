"""DataSync's value rules in the emulator (ext/datasync_rules.py), each held against its source: the queue
quota, the filter length, a new task's statuses, the Options combinations and defaults botocore documents,
"not found" as AWS words it, and S3 subdirectories as the API takes them. Sources: docs/emulator-fidelity.md."""

from __future__ import annotations

import itertools
import time

import pytest
from botocore.exceptions import ClientError
from test_datasync import _code
from test_datasync import available_task
from test_datasync import describe_task
from test_datasync import efs_location
from test_datasync import finished
from test_datasync import s3_location
from test_datasync import start
from test_datasync import timing

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import datasync_api
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import task_options
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import task_schedule
from lakedrop_emulator.ext import datasync
from lakedrop_emulator.ext import datasync_rules as rules
from lakedrop_emulator.ext.shapes import assert_output_matches


def _message(err: pytest.ExceptionInfo[ClientError]) -> str:
    return err.value.response["Error"]["Message"]


def _include(value: str) -> list[dict]:
    return [{"FilterType": "SIMPLE_PATTERN", "Value": value}]


def _task(ds, world, unique, subdirectory: str = "rules", **params) -> str:
    return available_task(ds, s3_location(ds, world), efs_location(ds, world, f"{subdirectory}/{unique}"), **params)


# --- queued executions per task ---------------------------------------------------------------------


def test_at_most_50_executions_queue_per_task(emulator, ds, world, unique):
    """DataSync user guide, Quotas: 50 queued executions per task, not adjustable."""
    task = _task(ds, world, unique, "cap")
    with timing(emulator, launching=30):  # the first execution holds the task while the queue fills
        running = start(ds, task, Includes=_include("/running"))
        queued = [start(ds, task, Includes=_include(f"/q{i}")) for i in range(rules.MAX_QUEUED_EXECUTIONS)]
        active = emulator.control("GET", f"datasync/active?task_arn={task}")["executions"]
        assert [e["status"] for e in active] == ["LAUNCHING"] + ["QUEUED"] * 50
        with pytest.raises(ClientError) as err:
            ds.start_task_execution(TaskArn=task, Includes=_include("/one-too-many"))
        assert _code(err) == "InvalidRequestException"
        assert "50 queued executions" in _message(err)

        ds.cancel_task_execution(TaskExecutionArn=queued[0])  # a queued execution leaves the queue at once
        queued[0] = start(ds, task, Includes=_include("/one-too-many"))  # room for exactly one again
        with pytest.raises(ClientError):
            ds.start_task_execution(TaskArn=task, Includes=_include("/two-too-many"))
        for arn in [*queued, running]:
            ds.cancel_task_execution(TaskExecutionArn=arn)
    assert finished(ds, running)["Result"]["ErrorCode"] == "OpCancelled"


# --- one filter value of at most 102,400 characters ----------------------------------------------------


def test_a_filter_value_is_at_most_102400_characters(ds, world, unique):
    """botocore FilterValue max 102400: refused by the shape check on every call that takes filters."""
    longest, too_long = "/" + "a" * 102_399, "/" + "a" * 102_400
    source, destination = s3_location(ds, world), efs_location(ds, world, f"filter/{unique}")
    task = available_task(ds, source, destination, Excludes=_include(longest))
    assert describe_task(ds, task)["Excludes"] == _include(longest)
    calls = {
        "CreateTask": lambda: ds.create_task(
            SourceLocationArn=source, DestinationLocationArn=destination, Includes=_include(too_long)
        ),
        "UpdateTask": lambda: ds.update_task(TaskArn=task, Excludes=_include(too_long)),
        "StartTaskExecution": lambda: ds.start_task_execution(TaskArn=task, Includes=_include(too_long)),
    }
    for operation, call in calls.items():
        with pytest.raises(ClientError) as err:
            call()
        assert _code(err) == "InvalidRequestException", operation
        assert "longer than max 102400" in _message(err), operation


# --- a new task: CREATING, UNAVAILABLE, AVAILABLE ----------------------------------------------------


def test_a_new_task_is_creating_then_unavailable_then_available(emulator, ds, world, unique):
    """terraform-provider-aws waitTaskAvailable waits through CREATING and UNAVAILABLE."""
    source, destination = s3_location(ds, world), efs_location(ds, world, f"settle/{unique}")
    seen: list[str] = []
    refused = []
    with timing(emulator, task_creating=0.3, task_unavailable=0.4):
        arn = ds.create_task(SourceLocationArn=source, DestinationLocationArn=destination)["TaskArn"]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and seen[-1:] != ["AVAILABLE"]:
            status = describe_task(ds, arn)["Status"]
            if seen[-1:] != [status]:
                seen.append(status)
            if status == "UNAVAILABLE" and not refused:
                with pytest.raises(ClientError) as err:
                    ds.start_task_execution(TaskArn=arn)
                refused.append(_code(err))
            time.sleep(0.02)
    assert seen == ["CREATING", "UNAVAILABLE", "AVAILABLE"]
    assert refused == ["InvalidRequestException"]
    assert datasync.TIMING["task_unavailable"] > 0  # by default too, so every caller's waiting is exercised


# --- Options: combinations botocore's documentation refuses, and defaults -------------------------------

REFUSED = [
    ("BASIC", {"Atime": "BEST_EFFORT", "Mtime": "NONE"}, "Atime BEST_EFFORT requires Mtime PRESERVE"),
    ("BASIC", {"Atime": "NONE"}, "Atime NONE requires Mtime NONE in Basic mode, but Mtime is PRESERVE"),
    ("BASIC", {"PreserveDeletedFiles": "REMOVE", "TransferMode": "ALL"}, "PreserveDeletedFiles REMOVE"),
    ("BASIC", {"PreserveDevices": "PRESERVE"}, "PreserveDevices PRESERVE is not supported for Amazon EFS"),
    ("ENHANCED", {"VerifyMode": "POINT_IN_TIME_CONSISTENT"}, "VerifyMode POINT_IN_TIME_CONSISTENT"),
    ("ENHANCED", {"Atime": "NONE", "Mtime": "NONE"}, "Mtime NONE is not supported by Enhanced mode"),
]
ACCEPTED = [
    ("BASIC", {"Atime": "NONE", "Mtime": "NONE"}),
    ("BASIC", {"PreserveDeletedFiles": "REMOVE"}),
    ("ENHANCED", {"Atime": "NONE"}),  # Enhanced mode configures Atime independently of Mtime
]


@pytest.mark.parametrize(("mode", "options", "words"), REFUSED)
def test_create_task_refuses_what_the_options_documentation_refuses(ds, world, unique, mode, options, words):
    source, destination = s3_location(ds, world), efs_location(ds, world, f"opt/{unique}")
    with pytest.raises(ClientError) as err:
        ds.create_task(SourceLocationArn=source, DestinationLocationArn=destination, TaskMode=mode, Options=options)
    assert _code(err) == "InvalidRequestException"
    assert words in _message(err)


@pytest.mark.parametrize(("mode", "options"), ACCEPTED)
def test_create_task_accepts_what_the_options_documentation_allows(ds, world, unique, mode, options):
    task = _task(ds, world, unique, "opt-ok", TaskMode=mode, Options=options)
    assert describe_task(ds, task)["Options"].items() >= options.items()


def test_update_and_overrides_are_judged_with_the_tasks_current_options(ds, world, unique):
    task = _task(ds, world, unique, "merge", Options={"Atime": "NONE", "Mtime": "NONE"})
    with pytest.raises(ClientError) as err:  # alone fine, beside the task's Mtime NONE not
        ds.update_task(TaskArn=task, Options={"Atime": "BEST_EFFORT"})
    assert "but Mtime is NONE" in _message(err)
    ds.update_task(TaskArn=task, Options={"Atime": "BEST_EFFORT", "Mtime": "PRESERVE", "TransferMode": "ALL"})
    assert describe_task(ds, task)["Options"]["Atime"] == "BEST_EFFORT"

    with pytest.raises(ClientError) as err:  # the override beside the task's TransferMode ALL
        ds.start_task_execution(TaskArn=task, OverrideOptions={"PreserveDeletedFiles": "REMOVE"})
    assert _code(err) == "InvalidRequestException" and "TransferMode ALL" in _message(err)
    overrides = {"PreserveDeletedFiles": "REMOVE", "TransferMode": "CHANGED"}
    assert finished(ds, start(ds, task, OverrideOptions=overrides))["Status"] == "SUCCESS"


# What AWS answers for a task created without Options (terraform-provider-aws TestAccDataSyncTask_basic);
# VerifyMode by mode from botocore's Options documentation.
AWS_DEFAULTS = {
    "Atime": "BEST_EFFORT",
    "BytesPerSecond": -1,
    "Gid": "INT_VALUE",
    "LogLevel": "OFF",
    "Mtime": "PRESERVE",
    "ObjectTags": "PRESERVE",
    "OverwriteMode": "ALWAYS",
    "PosixPermissions": "PRESERVE",
    "PreserveDeletedFiles": "PRESERVE",
    "PreserveDevices": "NONE",
    "SecurityDescriptorCopyFlags": "NONE",
    "TaskQueueing": "ENABLED",
    "TransferMode": "CHANGED",
    "Uid": "INT_VALUE",
}


@pytest.mark.parametrize(
    ("mode", "verify"), [("BASIC", "POINT_IN_TIME_CONSISTENT"), ("ENHANCED", "ONLY_FILES_TRANSFERRED")]
)
def test_a_task_created_without_options_has_the_documented_defaults_of_its_mode(ds, world, unique, mode, verify):
    task = _task(ds, world, unique, "defaults", TaskMode=mode)
    assert describe_task(ds, task)["Options"] == {**AWS_DEFAULTS, "VerifyMode": verify}


def _snake(options: dict) -> dict:
    names = {key: name for name, (key, _choices) in task_options.FIELDS.items()}
    return {names[key]: value for key, value in options.items()}


GRID = {
    "Atime": ["BEST_EFFORT", "NONE"],
    "Mtime": ["PRESERVE", "NONE"],
    "VerifyMode": ["POINT_IN_TIME_CONSISTENT", "ONLY_FILES_TRANSFERRED", "NONE"],
    "PreserveDeletedFiles": ["PRESERVE", "REMOVE"],
    "TransferMode": ["CHANGED", "ALL"],
    "PreserveDevices": ["NONE", "PRESERVE"],
}


@pytest.mark.parametrize(("mode", "destination"), itertools.product(["BASIC", "ENHANCED"], ["S3", "EFS"]))
def test_the_emulator_and_the_collection_refuse_the_same_combinations(mode, destination):
    """Two encodings of one documentation (the emulator's is AWS's side, task_options the module's early
    check) must agree on every combination of the options they judge, for tasks from S3."""
    for values in itertools.product(*GRID.values()):
        options = dict(zip(GRID, values, strict=True))
        emulator_refuses = bool(rules.option_problems(options, mode, ("S3", destination)))
        module_refuses = bool(task_options.problems(_snake(options), task_mode=mode, destination_type=destination))
        assert emulator_refuses == module_refuses, (mode, destination, options)


@pytest.mark.parametrize(
    "expression",
    [
        "rate(1 minute)",
        "rate(59 minutes)",
        "rate(60 minutes)",
        "rate(1 hour)",
        "rate(12 hours)",
        "cron(0 12 ? * SUN,WED *)",
        "cron(15 10 ? * MON-FRI *)",
        "cron(0 */2 * * ? *)",
        "cron(0/30 * * * ? *)",
        "cron(5,35 * * * ? *)",
        "cron(0-5 2 * * ? *)",
        "cron(* 2 * * ? *)",
    ],
)
def test_the_emulator_and_the_collection_agree_on_what_is_more_than_hourly(expression):
    assert rules.more_than_hourly(expression) == bool(task_schedule.schedule_problems(expression))


# --- "not found" as AWS words it -------------------------------------------------------------------


def test_a_missing_location_or_task_is_not_found_for_aws_and_the_collection(emulator, ds):
    prefix = f"arn:aws:datasync:{emulator.region}:{emulator.account_id('target')}"
    location, task = f"{prefix}:location/loc-{'0' * 17}", f"{prefix}:task/task-{'0' * 17}"
    calls = [
        lambda: ds.describe_location_s3(LocationArn=location),
        lambda: ds.describe_location_efs(LocationArn=location),
        lambda: ds.update_location_s3(LocationArn=location, S3StorageClass="STANDARD"),
        lambda: ds.update_location_efs(LocationArn=location, Subdirectory="x"),
        lambda: ds.delete_location(LocationArn=location),
        lambda: ds.list_tags_for_resource(ResourceArn=location),
        lambda: ds.describe_task(TaskArn=task),
        lambda: ds.update_task(TaskArn=task, Name="x"),
        lambda: ds.delete_task(TaskArn=task),
        lambda: ds.start_task_execution(TaskArn=task),
        lambda: ds.list_tags_for_resource(ResourceArn=task),
    ]
    for call in calls:
        with pytest.raises(ClientError) as err:
            call()
        assert _code(err) == "InvalidRequestException"
        assert "is not found" in _message(err)  # terraform-provider-aws findLocationS3ByARN / findTaskByARN
    # The collection's DataSyncErrorHandler reads these as "missing", not as failures.
    assert datasync_api.describe_location(ds, "s3", location) is None
    assert datasync_api.describe_location(ds, "efs", location) is None
    assert datasync_api.describe_task(ds, task) is None
    assert datasync_api.delete_location(ds, location) is False


# --- S3 location subdirectories ------------------------------------------------------------------------


def test_an_s3_subdirectory_may_start_with_a_slash_on_create_and_update(emulator, ds, world, unique):
    """terraform-provider-aws location_s3_test.go creates "/test" and reads back "/test/" (from LocationUri)."""
    arn = s3_location(ds, world, "/incoming")
    described = assert_output_matches("datasync", "DescribeLocationS3", ds.describe_location_s3(LocationArn=arn))
    assert described["LocationUri"] == f"s3://{world.bucket}/incoming/"
    task = available_task(ds, arn, efs_location(ds, world, f"slash/{unique}"))
    assert finished(ds, start(ds, task, Includes=_include("/a.csv")))["FilesTransferred"] == 1

    ds.update_location_s3(LocationArn=arn, Subdirectory="/incoming/deep")
    assert ds.describe_location_s3(LocationArn=arn)["LocationUri"] == f"s3://{world.bucket}/incoming/deep/"
    for bad in ("incoming//deep", "/incoming/../x"):  # refused alike by create and update
        with pytest.raises(ClientError) as err:
            ds.update_location_s3(LocationArn=arn, Subdirectory=bad)
        assert _code(err) == "InvalidRequestException"
