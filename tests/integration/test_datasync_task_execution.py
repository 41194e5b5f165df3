"""lakedrop.delivery.datasync_task_execution against the emulator's DataSync, which runs executions
for real (queueing, phases, copying S3 objects to the EFS directory). Idempotence, check mode, skip and
cancel-on-timeout are proven with the request journal."""

from __future__ import annotations

import uuid

import pytest
import yaml
from execution_fixtures import *  # noqa: F403 - the fixtures (see its __all__)
from execution_fixtures import datasync_timing
from execution_fixtures import operations
from execution_fixtures import status_of
from execution_fixtures import wait_finished
from support.ansible import run_module

from lakedrop_emulator.client import state_dir

MODULE = "datasync_task_execution"
FAST_POLL = 0.2


def test_start_wait_and_run_id_idempotence(emulator, make_task, execution_locations, unique):
    name = f"it-exec-{unique}"
    task_arn = make_task(name)
    run_id = f"deploy-{unique}"
    args = {
        "task": name,
        "includes": ["/a.csv"],
        "run_id": run_id,
        "tags": {"purpose": "it"},
        "override_options": {"atime": "NONE", "mtime": "NONE"},
        "wait": True,
        "poll_interval": FAST_POLL,
        "wait_timeout": 60,
    }

    # check mode: reports what it would start, writes nothing, does not wait
    mark = emulator.mark()
    result = run_module(emulator, MODULE, args, check=True, diff=True)
    assert result.changed and result["started"] and not result.failed, result.result
    assert result["execution"]["task_execution_arn"] is None
    assert result["execution"]["includes"] == ["/a.csv"]
    assert result["diff"]["before"]["running_or_queued"] == []
    assert result["diff"]["after"]["running_or_queued"] == ["(new execution)"]
    assert emulator.writes(mark) == []
    assert emulator.client("datasync").list_task_executions(TaskArn=task_arn)["TaskExecutions"] == []

    # start by name and wait: the one included file is copied to EFS
    mark = emulator.mark()
    result = run_module(emulator, MODULE, args, diff=True)
    assert result.changed and result["started"] and not result["timed_out"], result.result
    execution = result["execution"]
    assert execution["task_arn"] == task_arn
    assert execution["task_execution_arn"].startswith(f"{task_arn}/execution/exec-")
    assert execution["status"] == "SUCCESS"
    assert execution["includes"] == ["/a.csv"] and execution["excludes"] == []
    assert execution["options"]["atime"] == "NONE" and execution["options"]["mtime"] == "NONE"
    assert execution["result"]["prepare_status"] == "SUCCESS" and execution["result"]["error_code"] is None
    assert execution["counters"]["files_transferred"] == 1
    assert execution["counters"]["bytes_written"] == 1
    assert execution["tags"] == {"purpose": "it", "lakedrop:run-id": run_id}
    assert execution["start_time"] and execution["end_time"]
    assert emulator.writes(mark) == ["datasync:StartTaskExecution"]
    copied = list((state_dir() / "efs").rglob(f"{execution_locations['subdirectory']}/a.csv"))
    assert copied and copied[0].read_bytes() == b"a"

    # re-run with the same run_id: the same execution, unchanged, zero writes (check mode too)
    for check in (False, True):
        mark = emulator.mark()
        again = run_module(emulator, MODULE, args, check=check)
        assert not again.changed and not again["started"], again.result
        assert again["execution"]["task_execution_arn"] == execution["task_execution_arn"]
        assert again["execution"]["status"] == "SUCCESS"
        assert emulator.writes(mark) == []
    assert len(emulator.client("datasync").list_task_executions(TaskArn=task_arn)["TaskExecutions"]) == 1

    # a new run_id starts again (by ARN, task filters this time: both files)
    result = run_module(emulator, MODULE, {**args, "task": task_arn, "run_id": f"{run_id}-2", "includes": None})
    assert result.changed and result["execution"]["task_execution_arn"] != execution["task_execution_arn"]
    assert result["execution"]["counters"]["estimated_files_to_transfer"] == 1  # a.csv is already there
    assert result["execution"]["counters"]["files_skipped"] == 1


def test_when_busy(emulator, make_task, unique):
    task_arn = make_task(f"it-busy-{unique}")
    ds = emulator.client("datasync")
    base = {"task": task_arn, "poll_interval": FAST_POLL}
    with datasync_timing(emulator, launching=60):
        blocker = ds.start_task_execution(TaskArn=task_arn)["TaskExecutionArn"]

        # skip: returns the running execution, starts nothing
        mark = emulator.mark()
        result = run_module(emulator, MODULE, {**base, "when_busy": "skip"}, diff=True)
        assert not result.changed and not result["started"], result.result
        assert result["execution"]["task_execution_arn"] == blocker
        assert result["execution"]["status"] == "LAUNCHING"
        assert result["diff"]["before"] == result["diff"]["after"]
        assert operations(emulator, mark, "StartTaskExecution") == []
        assert emulator.writes(mark) == []

        # fail: names the running execution, writes nothing
        mark = emulator.mark()
        result = run_module(emulator, MODULE, {**base, "when_busy": "fail"})
        assert result.failed and blocker in result["msg"] and "when_busy=fail" in result["msg"]
        assert emulator.writes(mark) == []

        # queue with the same (no) filters: DataSync refuses; the message says why and what to do
        result = run_module(emulator, MODULE, {**base, "when_busy": "queue"})
        assert result.failed and blocker in result["msg"], result.result
        assert "includes and excludes differ" in result["msg"] and "when_busy=wait" in result["msg"]

        # queue with different filters: queued behind the blocker
        result = run_module(emulator, MODULE, {**base, "includes": ["/sub dir/"]})
        assert result.changed and result["execution"]["status"] == "QUEUED", result.result
        queued = result["execution"]["task_execution_arn"]

        # wait: gives up within wait_timeout, starts nothing
        mark = emulator.mark()
        result = run_module(emulator, MODULE, {**base, "when_busy": "wait", "wait_timeout": 1, "excludes": ["*.tmp"]})
        assert result.failed and result["timed_out"] and not result["started"], result.result
        assert "nothing was started" in result["msg"]
        assert operations(emulator, mark, "StartTaskExecution") == []

        # state=cancelled with only the task: cancels its current execution (check mode first)
        mark = emulator.mark()
        result = run_module(emulator, MODULE, {"state": "cancelled", "task": task_arn}, check=True, diff=True)
        assert result.changed and result["cancelled"] and result["execution"]["task_execution_arn"] == blocker
        assert result["diff"]["after"]["status"] == "CANCELLING"
        assert emulator.writes(mark) == []
        result = run_module(emulator, MODULE, {"state": "cancelled", "task": task_arn})
        assert result.changed and result["cancelled"], result.result
        assert emulator.writes(mark) == ["datasync:CancelTaskExecution"]

    # the queued execution runs now; when_busy=wait starts once the task is free
    assert wait_finished(emulator, blocker) == "ERROR"
    result = run_module(emulator, MODULE, {**base, "when_busy": "wait", "wait": True, "wait_timeout": 60})
    assert result.changed and result["started"] and result["execution"]["status"] == "SUCCESS", result.result
    assert status_of(emulator, queued) == "SUCCESS"

    # cancelling a finished execution changes nothing
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"state": "cancelled", "task_execution_arn": blocker})
    assert not result.changed and not result["cancelled"] and result["execution"]["status"] == "ERROR"
    assert result["execution"]["result"]["error_code"] == "OpCancelled"
    assert emulator.writes(mark) == []


def test_cancel_on_timeout(emulator, make_task, unique):
    """Airflow's lesson: an execution left behind by a caller that gave up blocks later ones."""
    task_arn = make_task(f"it-timeout-{unique}")
    args = {"task": task_arn, "wait": True, "wait_timeout": 1, "poll_interval": 0.3}
    with datasync_timing(emulator, launching=60):
        # without cancel_on_timeout: fails, says so, leaves the execution running
        mark = emulator.mark()
        result = run_module(emulator, MODULE, {**args, "run_id": f"a-{unique}"})
        assert result.failed and result["timed_out"] and not result["cancelled"], result.result
        assert "did not finish within wait_timeout=1s" in result["msg"] and "cancel_on_timeout" in result["msg"]
        left = result["execution"]["task_execution_arn"]
        assert status_of(emulator, left) == "LAUNCHING"
        assert operations(emulator, mark, "CancelTaskExecution") == []

        # the same run_id again, with cancel_on_timeout: the execution was not started by this run,
        # so it is waited for but never cancelled
        result = run_module(emulator, MODULE, {**args, "run_id": f"a-{unique}", "cancel_on_timeout": True})
        assert result.failed and result["timed_out"] and not result["cancelled"] and not result["started"]
        assert "did not start it" in result["msg"]
        assert status_of(emulator, left) == "LAUNCHING"

        # cancel it through the module by run_id, then start with cancel_on_timeout
        result = run_module(emulator, MODULE, {"state": "cancelled", "task": task_arn, "run_id": f"a-{unique}"})
        assert result.changed and result["execution"]["task_execution_arn"] == left
        assert wait_finished(emulator, left) == "ERROR"
        mark = emulator.mark()
        result = run_module(emulator, MODULE, {**args, "cancel_on_timeout": True})
        assert result.failed and result["timed_out"] and result["cancelled"] and result["started"], result.result
        assert "was cancelled" in result["msg"]
        mine = result["execution"]["task_execution_arn"]
        cancels = operations(emulator, mark, "CancelTaskExecution")
        assert len(cancels) == 1 and cancels[0]["status"] == 200
        assert wait_finished(emulator, mine) == "ERROR"
        described = emulator.client("datasync").describe_task_execution(TaskExecutionArn=mine)
        assert described["Result"]["ErrorCode"] == "OpCancelled"


def test_throttled_start_is_retried(emulator, make_task, unique):
    """Two ThrottlingException answers to StartTaskExecution; botocore's own retries are switched off
    (AWS_MAX_ATTEMPTS=1), so it is the module's jittered backoff that gets the start through."""
    task_arn = make_task(f"it-throttle-{unique}")
    emulator.control("POST", "datasync/faults", {"throttle_starts": 2})
    try:
        mark = emulator.mark()
        result = run_module(emulator, MODULE, {"task": task_arn}, env={"AWS_MAX_ATTEMPTS": "1"})
    finally:
        emulator.control("POST", "datasync/faults", {"throttle_starts": 0})
    assert result.changed and result["started"] and not result.failed, result.result
    starts = operations(emulator, mark, "StartTaskExecution")
    assert [s["status"] for s in starts] == [400, 400, 200]
    assert len(emulator.client("datasync").list_task_executions(TaskArn=task_arn)["TaskExecutions"]) == 1


def test_execution_error(emulator, make_task, source_bucket, datasync_role, unique):
    """A final status ERROR fails the task with DataSync's error code and detail, unless told not to."""
    ds = emulator.client("datasync")
    doomed = ds.create_location_s3(
        S3BucketArn=f"arn:aws:s3:::{source_bucket}",
        Subdirectory=f"gone-{unique}/",
        S3Config={"BucketAccessRoleArn": datasync_role},
    )["LocationArn"]
    task_arn = make_task(f"it-error-{unique}", source=doomed)
    ds.delete_location(LocationArn=doomed)  # the execution fails while preparing
    args = {"task": task_arn, "wait": True, "poll_interval": FAST_POLL, "wait_timeout": 60}
    result = run_module(emulator, MODULE, args)
    assert result.failed and result["started"] and not result["timed_out"], result.result
    assert "ended with status ERROR: DataSyncError" in result["msg"] and "no longer exists" in result["msg"]
    assert result["execution"]["result"]["prepare_status"] == "ERROR"
    result = run_module(emulator, MODULE, {**args, "fail_on_error": False, "includes": ["/x"]})
    assert not result.failed and result.changed and result["execution"]["status"] == "ERROR"


def test_task_lookup_and_option_combinations(emulator, make_task, unique):
    name = f"it-dup-{unique}"
    first, second = make_task(name), make_task(name)
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"task": name})
    assert result.failed and first in result["msg"] and second in result["msg"] and "never guesses" in result["msg"]
    result = run_module(emulator, MODULE, {"task": f"no-such-task-{unique}"})
    assert result.failed and "not found" in result["msg"]
    missing = f"arn:aws:datasync:{emulator.region}:{emulator.account_id()}:task/task-{uuid.uuid4().hex[:17]}"
    result = run_module(emulator, MODULE, {"task": missing})
    assert result.failed and "no DataSync task has that ARN" in result["msg"]
    # atime NONE conflicts with the task's own mtime PRESERVE: judged with the task's options
    result = run_module(emulator, MODULE, {"task": first, "override_options": {"atime": "NONE"}})
    assert result.failed and "atime NONE requires mtime NONE" in result["msg"], result.result
    assert "task's current or default value" in result["msg"]
    result = run_module(
        emulator, MODULE, {"task": first, "override_options": {"atime": "BEST_EFFORT", "mtime": "NONE"}}
    )
    assert result.failed and "requires mtime PRESERVE" in result["msg"]
    assert emulator.writes(mark) == []


LOCATION_ARN = "arn:aws:datasync:eu-west-1:222222222222:location/loc-0123456789abcdef0"
TASK_ARN = "arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0"
EXEC_ARN = f"{TASK_ARN}/execution/exec-0123456789abcdef0"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"task": LOCATION_ARN}, "task must be a DataSync task ARN or a task name, but"),
        ({"task": EXEC_ARN}, "is a DataSync task execution ARN; give the task's ARN or name as task"),
        ({"includes": ["/a.csv|/b.csv"]}, "includes[0] '/a.csv|/b.csv' contains '|'"),
        ({"includes": ["a.csv"]}, "must start with '/'"),
        ({"override_options": {"preserve_deleted_files": "REMOVE", "transfer_mode": "ALL"}}, "cannot be combined"),
        ({"wait_timeout": -5}, "wait_timeout must be 0 or more seconds, not -5"),
        ({"poll_interval": 0}, "poll_interval must be more than 0 seconds"),
        ({"task": None, "state": "cancelled"}, "state=cancelled needs task_execution_arn, or task"),
        (
            {"state": "cancelled", "task_execution_arn": TASK_ARN},
            "task_execution_arn must be a DataSync task execution ARN",
        ),
        ({"run_id": "build #42"}, "run_id 'build #42' must be 1 to 256"),
        ({"tags": {"lakedrop:run-id": "x"}}, "set run_id instead"),
    ],
)
def test_bad_input_fails_before_any_call(emulator, bad, message):
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"task": TASK_ARN, **bad})
    assert result.failed and message in result["msg"], result.result
    assert emulator.calls(mark) == []


def test_examples(emulator, make_task, unique):
    """Every EXAMPLES task, with the fixture's task name/ARN and fast polling substituted."""
    from ansible_collections.lakedrop.delivery.plugins.modules import datasync_task_execution

    name = f"it-examples-{unique}"
    task_arn = make_task(name)
    substitutions = {"lakedrop-incoming-to-efs": name, TASK_ARN: task_arn}
    registered: dict = {}
    results = []
    for example in yaml.safe_load(datasync_task_execution.EXAMPLES):
        args = {
            key: substitutions.get(value, value) if isinstance(value, str) else value
            for key, value in example[f"lakedrop.delivery.{MODULE}"].items()
        }
        if args.get("poll_interval"):
            args["poll_interval"] = FAST_POLL  # the example's 15 s suits AWS, not a test
        if args.get("task_execution_arn") == "{{ copy.execution.task_execution_arn }}":
            args["task_execution_arn"] = registered["copy"]["execution"]["task_execution_arn"]
        assert not any("{{" in str(v) for v in args.values()), args
        result = run_module(emulator, MODULE, args)
        assert not result.failed, (example["name"], result.result)
        if "register" in example:
            registered[example["register"]] = result.result
        results.append(result)
    copy, full, cancel_copy, _cancel_current = results
    assert copy.changed and copy["execution"]["status"] == "SUCCESS"
    assert copy["execution"]["tags"]["lakedrop:run-id"] == "release-2024-06"
    assert full.changed and full["execution"]["options"]["transfer_mode"] == "ALL"
    assert not cancel_copy.changed  # the copy had finished
