"""The DataSync extension through boto3: locations, tasks, executions, the data plane and the control API.

Every answer is checked against botocore's output shape (and, through `clients`, its raw JSON body).
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from support.polling import wait_for

from lakedrop_emulator.client import state_dir
from lakedrop_emulator.ext.shapes import assert_output_matches
from lakedrop_emulator.ext.shapes import watch


def _code(err: pytest.ExceptionInfo[ClientError]) -> str:
    return err.value.response["Error"]["Code"]


@contextlib.contextmanager
def timing(emulator, **overrides: float):
    """Slower phases for one test (e.g. to watch every status), then back to what was set."""
    previous = emulator.control("POST", "datasync/timing", {})
    emulator.control("POST", "datasync/timing", overrides)
    try:
        yield
    finally:
        emulator.control("POST", "datasync/timing", previous)


def s3_location(ds, world, subdirectory: str = "incoming", **extra) -> str:
    answer = ds.create_location_s3(
        S3BucketArn=f"arn:aws:s3:::{world.bucket}",
        Subdirectory=subdirectory,
        S3Config={"BucketAccessRoleArn": world.role_arn},
        **extra,
    )
    return assert_output_matches("datasync", "CreateLocationS3", answer)["LocationArn"]


def efs_location(ds, world, subdirectory: str, access_point: bool = True, **extra) -> str:
    params = {"EfsFilesystemArn": world.fs_arn, "Ec2Config": world.ec2_config(), "Subdirectory": subdirectory}
    if access_point:
        params.update(AccessPointArn=world.access_point_arn, InTransitEncryption="TLS1_2")
    answer = ds.create_location_efs(**{**params, **extra})
    return assert_output_matches("datasync", "CreateLocationEfs", answer)["LocationArn"]


def describe_task(ds, arn: str) -> dict:
    return assert_output_matches("datasync", "DescribeTask", ds.describe_task(TaskArn=arn))


def describe_execution(ds, arn: str) -> dict:
    return assert_output_matches("datasync", "DescribeTaskExecution", ds.describe_task_execution(TaskExecutionArn=arn))


def available_task(ds, source: str, destination: str, **params) -> str:
    answer = assert_output_matches(
        "datasync", "CreateTask", ds.create_task(SourceLocationArn=source, DestinationLocationArn=destination, **params)
    )
    wait_for(lambda: describe_task(ds, answer["TaskArn"])["Status"] == "AVAILABLE")
    return answer["TaskArn"]


def start(ds, task_arn: str, **params) -> str:
    answer = ds.start_task_execution(TaskArn=task_arn, **params)
    return assert_output_matches("datasync", "StartTaskExecution", answer)["TaskExecutionArn"]


def finished(ds, execution_arn: str) -> dict:
    return wait_for(
        lambda: (d := describe_execution(ds, execution_arn))["Status"] in ("SUCCESS", "ERROR") and d,
    )


def files_under(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# --- locations -----------------------------------------------------------------------------------


def test_s3_location_create_describe_update(emulator, ds, world):
    arn = s3_location(ds, world, "incoming")
    assert arn.startswith(f"arn:aws:datasync:{emulator.region}:{emulator.account_id('target')}:location/loc-")
    described = assert_output_matches("datasync", "DescribeLocationS3", ds.describe_location_s3(LocationArn=arn))
    assert described["LocationUri"] == f"s3://{world.bucket}/incoming/"
    assert described["S3Config"] == {"BucketAccessRoleArn": world.role_arn}
    assert described["S3StorageClass"] == "STANDARD"

    update = ds.update_location_s3(LocationArn=arn, Subdirectory="incoming/deep", S3StorageClass="STANDARD_IA")
    assert_output_matches("datasync", "UpdateLocationS3", update)
    described = ds.describe_location_s3(LocationArn=arn)
    assert described["LocationUri"] == f"s3://{world.bucket}/incoming/deep/"
    assert described["S3StorageClass"] == "STANDARD_IA"
    assert described["S3Config"] == {"BucketAccessRoleArn": world.role_arn}  # kept


@pytest.mark.parametrize(
    ("bucket", "subdirectory"),
    [
        (None, "a/../b"),
        (None, "a//b"),
        ("lakedrop-no-such-bucket-x", "incoming"),
    ],
)
def test_s3_location_refuses_what_aws_refuses(ds, world, bucket, subdirectory):
    with pytest.raises(ClientError) as err:
        ds.create_location_s3(
            S3BucketArn=f"arn:aws:s3:::{bucket or world.bucket}",
            Subdirectory=subdirectory,
            S3Config={"BucketAccessRoleArn": world.role_arn},
        )
    assert _code(err) == "InvalidRequestException"


def test_efs_location_create_describe_update(emulator, ds, world, unique):
    arn = efs_location(ds, world, f"landing/{unique}")
    assert arn.startswith(f"arn:aws:datasync:{emulator.region}:{emulator.account_id('target')}:location/loc-")
    described = assert_output_matches("datasync", "DescribeLocationEfs", ds.describe_location_efs(LocationArn=arn))
    assert described["LocationUri"] == f"efs://{emulator.region}.{world.fs_id}/landing/{unique}/"
    assert described["AccessPointArn"] == world.access_point_arn
    assert described["InTransitEncryption"] == "TLS1_2"
    assert described["Ec2Config"] == world.ec2_config()

    update = ds.update_location_efs(LocationArn=arn, Subdirectory=f"moved/{unique}", AccessPointArn="")
    assert_output_matches("datasync", "UpdateLocationEfs", update)
    described = assert_output_matches("datasync", "DescribeLocationEfs", ds.describe_location_efs(LocationArn=arn))
    assert "AccessPointArn" not in described  # "" cleared it
    assert described["LocationUri"] == f"efs://{emulator.region}.{world.fs_id}/moved/{unique}/"

    ds.update_location_efs(LocationArn=arn, AccessPointArn=world.access_point_arn)
    assert ds.describe_location_efs(LocationArn=arn)["AccessPointArn"] == world.access_point_arn
    with pytest.raises(ClientError) as err:  # an access point needs TLS
        ds.update_location_efs(LocationArn=arn, InTransitEncryption="NONE")
    assert _code(err) == "InvalidRequestException"


def test_efs_location_needs_tls_with_an_access_point(ds, world, unique):
    with pytest.raises(ClientError) as err:
        ds.create_location_efs(
            EfsFilesystemArn=world.fs_arn,
            Ec2Config=world.ec2_config(),
            Subdirectory=unique,
            AccessPointArn=world.access_point_arn,
            InTransitEncryption="NONE",
        )
    assert _code(err) == "InvalidRequestException"
    assert "TLS1_2" in err.value.response["Error"]["Message"]


def test_efs_location_subnet_must_be_in_an_az_with_a_mount_target(ds, world, unique):
    with pytest.raises(ClientError) as err:
        ds.create_location_efs(
            EfsFilesystemArn=world.fs_arn,
            Ec2Config=world.ec2_config(world.subnet_without_mount_target_arn),
            Subdirectory=unique,
        )
    assert _code(err) == "InvalidRequestException"
    assert "mount target" in err.value.response["Error"]["Message"]
    # Without an access point, TLS is optional.
    assert efs_location(ds, world, unique, access_point=False)


def test_list_locations_filters(emulator, ds, world, unique):
    s3_arn = s3_location(ds, world, f"list/{unique}")
    efs_arn = efs_location(ds, world, f"list/{unique}")

    def listed(*filters: dict) -> set[str]:
        answer = ds.list_locations(Filters=list(filters), MaxResults=100)
        assert_output_matches("datasync", "ListLocations", answer)
        assert "NextToken" not in answer
        return {loc["LocationArn"] for loc in answer["Locations"]}

    s3_uri = f"s3://{world.bucket}/list/{unique}/"
    assert listed({"Name": "LocationUri", "Values": [s3_uri], "Operator": "Equals"}) == {s3_arn}
    assert listed({"Name": "LocationUri", "Values": [f"s3://{world.bucket}/list/"], "Operator": "BeginsWith"}) >= {
        s3_arn
    }
    efs_prefix = f"efs://{emulator.region}.{world.fs_id}/list/{unique}"
    assert listed({"Name": "LocationUri", "Values": [efs_prefix], "Operator": "BeginsWith"}) == {efs_arn}
    by_type = listed({"Name": "LocationType", "Values": ["EFS"], "Operator": "Equals"})
    assert efs_arn in by_type and s3_arn not in by_type
    both = listed(
        {"Name": "LocationType", "Values": ["S3"], "Operator": "Equals"},
        {"Name": "LocationUri", "Values": [f"/list/{unique}/"], "Operator": "Contains"},
    )
    assert both == {s3_arn}


# --- tags ----------------------------------------------------------------------------------------


def _tags(ds, arn: str) -> dict[str, str]:
    answer = assert_output_matches("datasync", "ListTagsForResource", ds.list_tags_for_resource(ResourceArn=arn))
    return {t["Key"]: t["Value"] for t in answer["Tags"]}


def test_tags_on_locations_tasks_and_executions(ds, world, unique):
    source = s3_location(ds, world, "incoming", Tags=[{"Key": "Name", "Value": f"src-{unique}"}])
    destination = efs_location(ds, world, f"tags/{unique}")
    task = available_task(ds, source, destination, Tags=[{"Key": "Name", "Value": f"task-{unique}"}])
    execution = start(ds, task, Tags=[{"Key": "run", "Value": "1"}])

    assert _tags(ds, source) == {"Name": f"src-{unique}"}
    assert _tags(ds, task) == {"Name": f"task-{unique}"}
    assert _tags(ds, execution) == {"run": "1"}
    for arn in (destination, task, execution):
        answer = ds.tag_resource(
            ResourceArn=arn, Tags=[{"Key": "team", "Value": "data"}, {"Key": "env", "Value": "dev"}]
        )
        assert_output_matches("datasync", "TagResource", answer)
        answer = ds.untag_resource(ResourceArn=arn, Keys=["env"])
        assert_output_matches("datasync", "UntagResource", answer)
        assert _tags(ds, arn).items() >= {"team": "data"}.items()
        assert "env" not in _tags(ds, arn)
    with pytest.raises(ClientError) as err:
        ds.list_tags_for_resource(ResourceArn=source[:-1] + ("1" if source.endswith("0") else "0"))  # no such location
    assert _code(err) == "InvalidRequestException"
    finished(ds, execution)


# --- tasks ---------------------------------------------------------------------------------------

FULL_TASK = {
    "Options": {"VerifyMode": "ONLY_FILES_TRANSFERRED", "LogLevel": "TRANSFER", "PosixPermissions": "NONE"},
    "Includes": [{"FilterType": "SIMPLE_PATTERN", "Value": "/a.csv|/deep"}],
    "Excludes": [{"FilterType": "SIMPLE_PATTERN", "Value": "*.tmp"}],
    "Schedule": {"ScheduleExpression": "rate(12 hours)", "Status": "ENABLED"},
    "TaskMode": "ENHANCED",
}


def test_task_keeps_every_field_through_create_and_update(emulator, ds, world, unique):
    source = s3_location(ds, world)
    destination = efs_location(ds, world, f"task/{unique}")
    log_group = f"arn:aws:logs:{emulator.region}:{emulator.account_id('target')}:log-group:/lakedrop/{unique}:*"
    report = {
        "Destination": {
            "S3": {
                "Subdirectory": "reports",
                "S3BucketArn": f"arn:aws:s3:::{world.bucket}",
                "BucketAccessRoleArn": world.role_arn,
            }
        },
        "OutputType": "SUMMARY_ONLY",
    }
    created = ds.create_task(
        SourceLocationArn=source,
        DestinationLocationArn=destination,
        Name=f"task-{unique}",
        CloudWatchLogGroupArn=log_group,
        TaskReportConfig=report,
        **FULL_TASK,
    )
    arn = assert_output_matches("datasync", "CreateTask", created)["TaskArn"]
    assert arn.startswith(f"arn:aws:datasync:{emulator.region}:{emulator.account_id('target')}:task/task-")
    assert describe_task(ds, arn)["Status"] in ("CREATING", "AVAILABLE")
    task = wait_for(lambda: (d := describe_task(ds, arn))["Status"] == "AVAILABLE" and d)
    assert task["Name"] == f"task-{unique}"
    assert task["Options"].items() >= FULL_TASK["Options"].items()
    assert task["Options"]["OverwriteMode"] == "ALWAYS"  # defaults fill the rest
    for field in ("Includes", "Excludes", "Schedule", "TaskMode"):
        assert task[field] == FULL_TASK[field], field
    assert task["CloudWatchLogGroupArn"] == log_group
    assert task["TaskReportConfig"] == report
    assert task["ScheduleDetails"]["StatusUpdateTime"]
    assert (task["SourceLocationArn"], task["DestinationLocationArn"]) == (source, destination)

    update = ds.update_task(
        TaskArn=arn,
        Options={"LogLevel": "BASIC"},
        Includes=[{"FilterType": "SIMPLE_PATTERN", "Value": "/b.csv"}],
        Schedule={"ScheduleExpression": "cron(0 3 * * ? *)", "Status": "DISABLED"},
    )
    assert_output_matches("datasync", "UpdateTask", update)
    task = describe_task(ds, arn)
    assert task["Options"]["LogLevel"] == "BASIC"
    assert task["Options"]["VerifyMode"] == "ONLY_FILES_TRANSFERRED"  # untouched options stay
    assert task["Includes"] == [{"FilterType": "SIMPLE_PATTERN", "Value": "/b.csv"}]
    assert task["Excludes"] == FULL_TASK["Excludes"]
    assert task["Schedule"] == {"ScheduleExpression": "cron(0 3 * * ? *)", "Status": "DISABLED"}
    assert task["ScheduleDetails"]["DisabledBy"] == "USER"
    assert task["CloudWatchLogGroupArn"] == log_group and task["TaskReportConfig"] == report

    listed = assert_output_matches("datasync", "ListTasks", ds.list_tasks(MaxResults=100))
    assert arn in {t["TaskArn"] for t in listed["Tasks"]}


@pytest.mark.parametrize("expression", ["rate(30 minutes)", "rate(1 minute)", "cron(0/30 * * * ? *)"])
def test_schedule_faster_than_hourly_is_refused(ds, world, unique, expression):
    source, destination = s3_location(ds, world), efs_location(ds, world, f"sched/{unique}")
    with pytest.raises(ClientError) as err:
        ds.create_task(
            SourceLocationArn=source, DestinationLocationArn=destination, Schedule={"ScheduleExpression": expression}
        )
    assert _code(err) == "InvalidRequestException"
    task = available_task(ds, source, destination)
    with pytest.raises(ClientError) as err:
        ds.update_task(TaskArn=task, Schedule={"ScheduleExpression": expression})
    assert _code(err) == "InvalidRequestException"
    ds.update_task(TaskArn=task, Schedule={"ScheduleExpression": "rate(1 hour)"})
    assert describe_task(ds, task)["Schedule"]["ScheduleExpression"] == "rate(1 hour)"


# --- executions and the data plane -----------------------------------------------------------------


def test_execution_walks_aws_statuses_and_copies_exactly_the_filtered_objects(emulator, ds, world, unique):
    subdirectory = f"landing/{unique}"
    source = s3_location(ds, world, "incoming")
    destination = efs_location(ds, world, subdirectory)
    task = available_task(ds, source, destination, Options={"VerifyMode": "ONLY_FILES_TRANSFERRED"})
    includes = [{"FilterType": "SIMPLE_PATTERN", "Value": "/a.csv|/deep"}]
    excludes = [{"FilterType": "SIMPLE_PATTERN", "Value": "*.tmp"}]

    seen: list[str] = []
    with timing(emulator, launching=0.4, preparing=0.25, transferring=0.25, verifying=0.25):
        execution = start(ds, task, Includes=includes, Excludes=excludes, OverrideOptions={"LogLevel": "TRANSFER"})
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            status = describe_execution(ds, execution)["Status"]
            if not seen or seen[-1] != status:
                seen.append(status)
            if status in ("SUCCESS", "ERROR"):
                break
            time.sleep(0.01)
    assert "INITIALIZING" not in seen
    assert seen == ["LAUNCHING", "PREPARING", "TRANSFERRING", "VERIFYING", "SUCCESS"]

    done = describe_execution(ds, execution)
    assert done["Includes"] == includes and done["Excludes"] == excludes
    assert done["Options"]["LogLevel"] == "TRANSFER"  # the override, for this execution only
    assert describe_task(ds, task)["Options"]["LogLevel"] == "OFF"
    assert done["Result"]["TransferStatus"] == "SUCCESS" and done["Result"]["VerifyStatus"] == "SUCCESS"
    assert (done["FilesTransferred"], done["FilesVerified"]) == (2, 2)
    assert done["EndTime"] >= done["StartTime"]
    assert execution.startswith(f"{task}/execution/exec-")

    root = state_dir() / "efs" / emulator.account_id("target") / world.fs_id
    landed = root / world.access_point_root.strip("/") / subdirectory
    assert files_under(landed) == {
        "a.csv": world.objects["incoming/a.csv"],
        "deep/c.csv": world.objects["incoming/deep/c.csv"],
    }
    assert files_under(root / subdirectory) == {}  # the access point's root is honoured

    listed = ds.list_task_executions(TaskArn=task)
    assert_output_matches("datasync", "ListTaskExecutions", listed)
    assert [(e["TaskExecutionArn"], e["Status"]) for e in listed["TaskExecutions"]] == [(execution, "SUCCESS")]


def test_second_start_queues_when_filters_differ_and_is_refused_when_identical(emulator, ds, world, unique):
    source, destination = s3_location(ds, world), efs_location(ds, world, f"queue/{unique}")
    task = available_task(ds, source, destination)
    first_filter = [{"FilterType": "SIMPLE_PATTERN", "Value": "/a.csv"}]
    with timing(emulator, launching=0.3):
        first = start(ds, task, Includes=first_filter)
        second = start(ds, task, Includes=[{"FilterType": "SIMPLE_PATTERN", "Value": "/b.csv"}])
        assert describe_execution(ds, second)["Status"] == "QUEUED"
        assert describe_task(ds, task)["CurrentTaskExecutionArn"] == first
        with pytest.raises(ClientError) as err:
            ds.start_task_execution(TaskArn=task, Includes=first_filter)
        assert _code(err) == "InvalidRequestException"

    first_done, second_done = finished(ds, first), finished(ds, second)
    assert (first_done["Status"], second_done["Status"]) == ("SUCCESS", "SUCCESS")
    assert second_done["LaunchTime"] >= first_done["EndTime"]  # ran after, not alongside
    listed = ds.list_task_executions(TaskArn=task)["TaskExecutions"]
    assert {e["TaskExecutionArn"] for e in listed} == {first, second}
    landed = state_dir() / "efs" / emulator.account_id("target") / world.fs_id / world.access_point_root.strip("/")
    assert set(files_under(landed / f"queue/{unique}")) == {"a.csv", "b.csv"}


def test_cancel_ends_the_execution_in_error(emulator, ds, world, unique):
    task = available_task(ds, s3_location(ds, world), efs_location(ds, world, f"cancel/{unique}"))
    with timing(emulator, launching=1.0):
        execution = start(ds, task)
        assert_output_matches("datasync", "CancelTaskExecution", ds.cancel_task_execution(TaskExecutionArn=execution))
        done = finished(ds, execution)
    assert done["Status"] == "ERROR"
    assert done["Result"]["ErrorCode"] == "OpCancelled"
    with pytest.raises(ClientError) as err:  # nothing left to cancel
        ds.cancel_task_execution(TaskExecutionArn=execution)
    assert _code(err) == "InvalidRequestException"


# --- control API -------------------------------------------------------------------------------------


def test_throttle_fault_answers_throttling_exception_once(emulator, ds, world, unique):
    task = available_task(ds, s3_location(ds, world), efs_location(ds, world, f"throttle/{unique}"))
    no_retries = watch(emulator.client("datasync", retries={"total_max_attempts": 1, "mode": "standard"}))
    assert emulator.control("POST", "datasync/faults", {"throttle_starts": 1})["throttle_starts"] == 1
    with pytest.raises(ClientError) as err:
        no_retries.start_task_execution(TaskArn=task)
    assert _code(err) == "ThrottlingException"
    assert finished(ds, start(ds, task))["Status"] == "SUCCESS"  # only the next start was throttled


def test_hold_launching_fault_keeps_the_next_execution_launching_until_cancelled(emulator, ds, world, unique):
    task = available_task(ds, s3_location(ds, world), efs_location(ds, world, f"hold/{unique}"))
    assert emulator.control("POST", "datasync/faults", {"hold_launching": 1})["hold_launching"] == 1
    try:
        held = start(ds, task)
        time.sleep(2)  # far longer than the launching time of these tests
        assert ds.describe_task_execution(TaskExecutionArn=held)["Status"] == "LAUNCHING"
    finally:
        emulator.control("POST", "datasync/faults", {"hold_launching": 0})  # a failure leaves no hold armed
    behind = start(ds, task, Includes=[{"FilterType": "SIMPLE_PATTERN", "Value": "/other"}])
    assert ds.describe_task_execution(TaskExecutionArn=behind)["Status"] == "QUEUED"
    ds.cancel_task_execution(TaskExecutionArn=held)
    assert finished(ds, held)["Result"]["ErrorCode"] == "OpCancelled"
    assert finished(ds, behind)["Status"] == "SUCCESS"  # only one execution was held


def test_service_can_disable_a_schedule(emulator, ds, world, unique):
    task = available_task(
        ds,
        s3_location(ds, world),
        efs_location(ds, world, f"disable/{unique}"),
        Schedule={"ScheduleExpression": "rate(1 day)"},
    )
    assert describe_task(ds, task)["Schedule"]["Status"] == "ENABLED"
    emulator.control("POST", "datasync/disable-schedule", {"task_arn": task, "reason": "failed 3 times"})
    described = describe_task(ds, task)
    assert described["Schedule"]["Status"] == "DISABLED"
    assert described["ScheduleDetails"]["DisabledBy"] == "SERVICE"
    assert described["ScheduleDetails"]["DisabledReason"] == "failed 3 times"


def test_timing_control_refuses_unknown_keys(emulator, fast_datasync):
    with pytest.raises(Exception, match="400"):
        emulator.control("POST", "datasync/timing", {"warp": 1})
    assert emulator.control("POST", "datasync/timing", {}) == {**fast_datasync}
