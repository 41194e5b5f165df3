"""lakedrop.delivery.datasync_task_execution_info against the emulator: newest first, status filter,
specific executions, pagination past 100, never a write."""

from __future__ import annotations

import pytest
import yaml
from execution_fixtures import *  # noqa: F403 - the fixtures (see its __all__)
from execution_fixtures import datasync_timing
from execution_fixtures import operations
from execution_fixtures import wait_finished
from support.ansible import run_module

MODULE = "datasync_task_execution_info"


@pytest.fixture(scope="module")
def history(emulator, make_task) -> dict:
    """A task with three executions, oldest first: SUCCESS (all files), SUCCESS (/a.csv), ERROR (cancelled)."""
    import uuid

    name = f"it-info-{uuid.uuid4().hex[:8]}"
    arn = make_task(name)
    ds = emulator.client("datasync")
    first = ds.start_task_execution(TaskArn=arn, Tags=[{"Key": "n", "Value": "1"}])["TaskExecutionArn"]
    wait_finished(emulator, first)
    second = ds.start_task_execution(
        TaskArn=arn, Includes=[{"FilterType": "SIMPLE_PATTERN", "Value": "/a.csv"}], Tags=[{"Key": "n", "Value": "2"}]
    )["TaskExecutionArn"]
    wait_finished(emulator, second)
    with datasync_timing(emulator, launching=30):
        third = ds.start_task_execution(TaskArn=arn)["TaskExecutionArn"]
        ds.cancel_task_execution(TaskExecutionArn=third)
    wait_finished(emulator, third)
    return {"name": name, "arn": arn, "executions": [first, second, third]}


def arns_of(result):
    return [e["task_execution_arn"] for e in result["executions"]]


def test_recent_executions_newest_first(emulator, history):
    first, second, third = history["executions"]
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"task": history["name"], "max_results": 2})
    assert not result.changed and not result.failed, result.result
    assert result["task_arn"] == history["arn"]
    assert arns_of(result) == [third, second]
    cancelled, copied = result["executions"]
    assert cancelled["status"] == "ERROR" and cancelled["result"]["error_code"] == "OpCancelled"
    assert copied["status"] == "SUCCESS" and copied["includes"] == ["/a.csv"]
    assert copied["result"]["transfer_status"] == "SUCCESS"
    assert set(copied["counters"]) >= {
        "estimated_files_to_transfer",
        "files_transferred",
        "bytes_written",
        "files_skipped",
    }
    assert copied["tags"] == {"n": "2"} and copied["end_time"]
    assert emulator.writes(mark) == []

    # default max_results (10) covers all three; check mode reads the same
    result = run_module(emulator, MODULE, {"task": history["arn"]}, check=True)
    assert arns_of(result) == [third, second, first]
    assert result["executions"][2]["counters"]["files_transferred"] >= 0


def test_status_filter_and_specific_executions(emulator, history):
    first, second, third = history["executions"]
    result = run_module(emulator, MODULE, {"task": history["arn"], "status": ["ERROR"]})
    assert arns_of(result) == [third]
    result = run_module(emulator, MODULE, {"task": history["arn"], "status": ["SUCCESS", "QUEUED"], "max_results": 5})
    assert arns_of(result) == [second, first]

    # specific ARNs, one of which DataSync does not know
    unknown = f"{history['arn']}/execution/exec-0123456789abcdef0"
    result = run_module(emulator, MODULE, {"task_execution_arns": [first, unknown, third]})
    assert not result.failed and arns_of(result) == [third, first], result.result
    assert result["not_found"] == [unknown] and result["task_arn"] is None

    # by task name, an execution of another task is refused
    other = "arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0/execution/exec-0123456789abcdef0"
    result = run_module(emulator, MODULE, {"task": history["name"], "task_execution_arns": [first, other]})
    assert result.failed and "are not executions of task" in result["msg"] and other in result["msg"]


def test_pagination_past_one_page(emulator, make_task, unique):
    """105 executions: ListTaskExecutions answers at most 100 a page; the newest are on the second."""
    arn = make_task(f"it-info-pages-{unique}")
    ds = emulator.client("datasync")
    with datasync_timing(emulator, launching=60):
        started = []
        for i in range(105):
            include = [{"FilterType": "SIMPLE_PATTERN", "Value": f"/f{i}"}]
            started.append(ds.start_task_execution(TaskArn=arn, Includes=include)["TaskExecutionArn"])
            if i:  # the first holds the task; each queued one leaves the queue at once (DataSync queues 50)
                ds.cancel_task_execution(TaskExecutionArn=started[-1])
        ds.cancel_task_execution(TaskExecutionArn=started[0])
    wait_finished(emulator, started[0])
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"task": arn, "max_results": 3})
    assert arns_of(result) == started[:-4:-1], result.result
    assert len(operations(emulator, mark, "ListTaskExecutions")) == 2
    assert len(operations(emulator, mark, "DescribeTaskExecution")) == 3
    assert emulator.writes(mark) == []


TASK_ARN = "arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0"
EXEC_ARN = f"{TASK_ARN}/execution/exec-0123456789abcdef0"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"task": "arn:aws:s3:::lakedrop-source"}, "task must be a DataSync task ARN or a task name, but"),
        ({"task": None}, "task (a DataSync task ARN or name) is required unless task_execution_arns is given"),
        ({"max_results": 0}, "max_results must be at least 1, not 0"),
        ({"task_execution_arns": [TASK_ARN]}, "task_execution_arns[0] must be a DataSync task execution ARN"),
        (
            {"task_execution_arns": [EXEC_ARN.replace("task-0123", "task-9999")]},
            "is not an execution of task " + TASK_ARN,
        ),
        ({"status": ["FAILED"]}, "status"),
    ],
)
def test_bad_input_fails_before_any_call(emulator, bad, message):
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"task": TASK_ARN, **bad})
    assert result.failed and message in result["msg"], result.result
    assert emulator.calls(mark) == []


def test_examples(emulator, history):
    from ansible_collections.lakedrop.delivery.plugins.modules import datasync_task_execution_info

    substitutions = {"lakedrop-incoming-to-efs": history["name"], TASK_ARN: history["arn"]}
    registered: dict = {}
    results = []
    for example in yaml.safe_load(datasync_task_execution_info.EXAMPLES):
        args = dict(example[f"lakedrop.delivery.{MODULE}"])
        args = {k: substitutions.get(v, v) if isinstance(v, str) else v for k, v in args.items()}
        if args.get("task_execution_arns") == ["{{ recent.executions[0].task_execution_arn }}"]:
            args["task_execution_arns"] = [registered["recent"]["executions"][0]["task_execution_arn"]]
        assert "{{" not in str(args), args
        result = run_module(emulator, MODULE, args)
        assert not result.failed and not result.changed, (example["name"], result.result)
        registered[example.get("register", "_")] = result.result
        results.append(result)
    recent, failed, one = results
    assert arns_of(recent) == history["executions"][::-1]
    assert arns_of(failed) == [history["executions"][2]]
    assert arns_of(one) == [history["executions"][2]]
