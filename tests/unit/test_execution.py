"""Pure functions of the execution modules (module_utils/_lakedrop/execution.py and execution_arguments.py),
the start retry policy, waiting and cancelling, with fake clients and clocks: no network."""

from __future__ import annotations

import datetime

import botocore.exceptions
import pytest
from support.arguments import arguments

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import datasync_api as ds_api
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import execution as ex
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import execution_arguments as args
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import task_options
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.common import LakedropError
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import Failure
from ansible_collections.lakedrop.delivery.plugins.modules import datasync_task_execution as module

TASK = "arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0"
EXEC = f"{TASK}/execution/exec-0123456789abcdef0"
EXEC2 = f"{TASK}/execution/exec-0123456789abcdef1"
LOCATION = "arn:aws:datasync:eu-west-1:222222222222:location/loc-0123456789abcdef0"


def client_error(code, message="boom", operation="StartTaskExecution"):
    return botocore.exceptions.ClientError({"Error": {"Code": code, "Message": message}}, operation)


# --- validation helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (TASK, None),
        ("nightly-copy", None),  # looks like a bucket name, is a fine task name
        ("lakedrop incoming/to efs@v2", None),
        (
            LOCATION,
            "but 'arn:aws:datasync:eu-west-1:222222222222:location/loc-0123456789abcdef0' is a DataSync location",
        ),
        (EXEC, "is a DataSync task execution ARN; give the task's ARN or name as task"),
        ("arn:aws:s3:::bucket", "is an S3 bucket ARN"),
        ("copy|all", "neither a DataSync task ARN nor a valid task name"),
        ("x" * 257, "neither a DataSync task ARN nor a valid task name"),
    ],
)
def test_task_problem(value, fragment):
    problem = args.task_problem(value)
    assert problem is None if fragment is None else fragment in problem


def test_run_id_and_tags_problems():
    assert args.run_id_problem(None) is None
    assert args.run_id_problem("release-2024.06/1 @ci") is None
    assert "run_id 'build #1'" in args.run_id_problem("build #1")
    assert args.run_id_problem("") is not None and args.run_id_problem("x" * 257) is not None
    assert args.tags_problems({"team": "data", "env": ""}) == []
    assert "set run_id instead" in args.tags_problems({"lakedrop:run-id": "x"})[0]
    assert "must not start with 'aws:'" in args.tags_problems({"aws:x": "y"})[0]
    assert "value" in args.tags_problems({"k": "a#b"})[0]
    assert "at most 49 tags" in args.tags_problems({f"k{i}": "v" for i in range(50)})[-1]


def test_resolve_task():
    listed = [{"TaskArn": TASK, "Name": "a"}, {"TaskArn": TASK[:-1] + "1", "Name": "b"}, {"TaskArn": TASK[:-1] + "2"}]
    assert ex.resolve_task(listed, "a") == TASK
    assert ex.resolve_task(listed, "c") is None
    listed.append({"TaskArn": TASK[:-1] + "3", "Name": "b"})
    with pytest.raises(Failure, match="2 DataSync tasks are named 'b'") as err:
        ex.resolve_task(listed, "b")
    assert TASK[:-1] + "1" in err.value.msg and TASK[:-1] + "3" in err.value.msg
    assert "Pass the ARN of the one you mean as task" in err.value.msg


def test_task_of_execution():
    assert args.task_of_execution(EXEC) == TASK


# --- executions ------------------------------------------------------------------------------------


def test_busy_and_newest_first():
    entries = [
        {"TaskExecutionArn": str(i), "Status": s} for i, s in enumerate(["SUCCESS", "ERROR", "LAUNCHING", "QUEUED"])
    ]
    assert [e["TaskExecutionArn"] for e in ex.busy(entries)] == ["2", "3"]
    assert [e["TaskExecutionArn"] for e in ex.newest_first(entries)] == ["3", "2", "1", "0"]
    assert ex.busy(None) == [] and ex.newest_first(None) == []


def test_find_run_reads_newest_first_and_stops_at_the_match():
    entries = [{"TaskExecutionArn": f"e{i}"} for i in range(5)]
    tags = {"e1": {ex.RUN_ID_TAG: "r1"}, "e3": {ex.RUN_ID_TAG: "r1", "x": "y"}}
    read = []

    def tags_of(arn):
        read.append(arn)
        return tags.get(arn, {})

    entry, found = ex.find_run(entries, "r1", tags_of)
    assert entry["TaskExecutionArn"] == "e3" and found == {ex.RUN_ID_TAG: "r1", "x": "y"}
    assert read == ["e4", "e3"]
    read.clear()
    assert ex.find_run(entries, "r2", tags_of) == (None, None)
    assert read == ["e4", "e3", "e2", "e1", "e0"]


def test_start_params():
    assert ex.start_params(TASK) == {"TaskArn": TASK}
    params = ex.start_params(
        TASK,
        includes=["/a", "/b/*"],
        excludes=[],
        override_options={"verify_mode": "NONE", "atime": None},
        tags={"team": "data"},
        run_id="r1",
    )
    assert params == {
        "TaskArn": TASK,
        "Includes": [{"FilterType": "SIMPLE_PATTERN", "Value": "/a|/b/*"}],
        "Excludes": [],  # [] clears the task's exclude filter for this execution
        "OverrideOptions": {"VerifyMode": "NONE"},
        "Tags": [{"Key": "team", "Value": "data"}, {"Key": ex.RUN_ID_TAG, "Value": "r1"}],
    }
    predicted = ex.predicted_execution(TASK, params)
    assert predicted["includes"] == ["/a", "/b/*"] and predicted["options"] == {"verify_mode": "NONE"}
    assert predicted["tags"] == {"team": "data", ex.RUN_ID_TAG: "r1"} and predicted["task_execution_arn"] is None


def described(arn=EXEC, status="SUCCESS", start=None, **extra):
    answer = {
        "TaskExecutionArn": arn,
        "Status": status,
        "Options": {"VerifyMode": "NONE", "Atime": "BEST_EFFORT", "Unknown": "x"},
        "Includes": [{"FilterType": "SIMPLE_PATTERN", "Value": "/a|/b"}],
        "Excludes": [],
        "StartTime": start or datetime.datetime(2024, 6, 1, 12, 0, tzinfo=datetime.UTC),
        "EstimatedFilesToTransfer": 2,
        "FilesTransferred": 2,
        "BytesWritten": 3,
        "FilesListed": {"AtSource": 2, "AtDestinationForDelete": 0},
        "Result": {
            "PrepareStatus": "SUCCESS",
            "TransferStatus": "SUCCESS",
            "VerifyStatus": "SUCCESS",
            "TotalDuration": 61000,
        },
        "TaskMode": "BASIC",
    }
    answer.update(extra)
    return answer


def test_execution_from_api():
    execution = ex.execution_from_api(
        described(TaskReportConfig={"OutputType": "STANDARD"}, EndTime=datetime.datetime(2024, 6, 1, 12, 1)),
        {"n": "1"},
    )
    assert execution["task_execution_arn"] == EXEC and execution["task_arn"] == TASK
    assert execution["includes"] == ["/a", "/b"] and execution["excludes"] == []
    assert execution["options"] == {"verify_mode": "NONE", "atime": "BEST_EFFORT"}
    assert execution["start_time"] == "2024-06-01 12:00:00+00:00" and execution["launch_time"] is None
    assert execution["end_time"] == "2024-06-01 12:01:00"
    assert execution["result"]["prepare_status"] == "SUCCESS" and execution["result"]["total_duration"] == 61000
    assert execution["result"]["error_code"] is None  # every result key is present
    assert execution["counters"] == {
        "estimated_files_to_transfer": 2,
        "files_transferred": 2,
        "bytes_written": 3,
        "files_listed": {"at_source": 2, "at_destination_for_delete": 0},
    }
    assert execution["task_report_config"] == {"output_type": "STANDARD"}
    assert execution["tags"] == {"n": "1"}


def test_sort_newest_and_error_message():
    day = datetime.datetime(2024, 6, 1, tzinfo=datetime.UTC)
    answers = [
        described(EXEC, start=day),
        {"TaskExecutionArn": "none"},
        described(EXEC2, start=day + datetime.timedelta(seconds=1)),
    ]
    assert [a["TaskExecutionArn"] for a in ex.sort_newest(answers)] == [EXEC2, EXEC, "none"]
    failed = ex.execution_from_api(
        described(
            status="ERROR",
            Result={"PrepareStatus": "ERROR", "ErrorCode": "OpCancelled", "ErrorDetail": "Cancelled by user."},
        )
    )
    message = ex.error_message(failed)
    assert message.startswith(f"Task execution {EXEC} ended with status ERROR: OpCancelled: Cancelled by user.")
    assert "prepare=ERROR" in message


# --- API wrappers: retries and waiting -------------------------------------------------------------


class FakeClient:
    def __init__(self, starts=(), statuses=(), task_statuses=()):
        self.starts = list(starts)
        self.statuses = list(statuses)
        self.task_statuses = list(task_statuses)
        self.calls = []

    def start_task_execution(self, **params):
        self.calls.append(("start", params))
        outcome = self.starts.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return {"TaskExecutionArn": outcome}

    def describe_task_execution(self, TaskExecutionArn):
        self.calls.append(("describe", TaskExecutionArn))
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        if isinstance(status, Exception):
            raise status
        return {"TaskExecutionArn": TaskExecutionArn, "Status": status}

    def describe_task(self, TaskArn):
        self.calls.append(("describe_task", TaskArn))
        return {
            "TaskArn": TaskArn,
            "Status": self.task_statuses.pop(0) if len(self.task_statuses) > 1 else self.task_statuses[0],
        }


@pytest.fixture
def no_sleep(monkeypatch):
    from ansible_collections.amazon.aws.plugins.module_utils import cloud

    slept = []
    monkeypatch.setattr(cloud.time, "sleep", slept.append)
    return slept


def test_throttled_start_is_retried(no_sleep):
    client = FakeClient(starts=[client_error("ThrottlingException"), client_error("ThrottlingException"), EXEC])
    assert ds_api.start_task_execution(client, {"TaskArn": TASK}) == EXEC
    assert len(client.calls) == 3 and len(no_sleep) == 2


def test_start_is_not_retried_after_an_internal_error(no_sleep):
    """DataSync may have started the execution before failing: a retry could start a second one."""
    client = FakeClient(starts=[client_error("InternalException"), EXEC])
    with pytest.raises(LakedropError, match=f"Failed to start an execution of task {TASK}"):
        ds_api.start_task_execution(client, {"TaskArn": TASK})
    assert len(client.calls) == 1 and no_sleep == []


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def test_wait_for_execution():
    clock = FakeClock()
    client = FakeClient(statuses=["LAUNCHING", "PREPARING", "TRANSFERRING", "SUCCESS"])
    last, finished = ds_api.wait_for_execution(client, EXEC, 60, 0.5, sleep=clock.sleep, clock=clock)
    assert finished and last["Status"] == "SUCCESS" and clock.now == 1.5

    clock = FakeClock()
    client = FakeClient(statuses=["LAUNCHING"])
    last, finished = ds_api.wait_for_execution(client, EXEC, 2, 0.5, sleep=clock.sleep, clock=clock)
    assert not finished and last["Status"] == "LAUNCHING" and clock.now == 2

    # a vanished execution ends the wait rather than spinning until the timeout
    client = FakeClient(
        statuses=[
            client_error("InvalidRequestException", "Sync task execution x is not found.", "DescribeTaskExecution")
        ]
    )
    assert ds_api.wait_for_execution(client, EXEC, 60, 0.5, sleep=FakeClock().sleep) == (None, True)


def test_wait_for_task_until_free():
    clock = FakeClock()
    client = FakeClient(task_statuses=["RUNNING", "QUEUED", "AVAILABLE"])
    last, free = ds_api.wait_for_task(client, TASK, ex.TASK_BUSY, 10, 1, sleep=clock.sleep, clock=clock)
    assert free and last["Status"] == "AVAILABLE" and clock.now == 2


# --- validation -------------------------------------------------------------------------


def params(**given):
    return arguments(module, given)


def test_validate_started():
    assert args.validate(params(task=TASK)) == []
    assert (
        args.validate(params(task="nightly", includes=["/a/*"], excludes=["*.tmp"], run_id="r", tags={"a": "b"})) == []
    )
    problems = args.validate(
        params(
            task=LOCATION,
            includes=["/a|b", "c"],
            override_options={"preserve_deleted_files": "REMOVE", "transfer_mode": "ALL"},
            wait_timeout=-1,
            poll_interval=0.0,
            task_execution_arn=EXEC,
        )
    )
    text = " ".join(problems)
    for fragment in (
        "task must be a DataSync task ARN or a task name",
        "contains '|'",
        "must start with '/'",
        "cannot be combined",
        "wait_timeout must be 0 or more",
        "poll_interval must be more than 0",
        "task_execution_arn is used only with state=cancelled",
    ):
        assert fragment in text, fragment
    assert args.validate(params(task=None))[0].startswith("task (a DataSync task ARN or name) is required")
    # the atime/mtime rules depend on the task's mode, known only after DescribeTask
    assert args.validate(params(task=TASK, override_options={"atime": "NONE", "mtime": "PRESERVE"})) == []


def test_validate_cancelled():
    assert args.validate(params(state="cancelled", task_execution_arn=EXEC)) == []
    assert args.validate(params(state="cancelled", task="nightly", run_id="r")) == []
    assert "state=cancelled needs task_execution_arn" in args.validate(params(state="cancelled"))[0]
    assert (
        "must be a DataSync task execution ARN, but"
        in args.validate(params(state="cancelled", task_execution_arn=TASK))[0]
    )
    other = TASK.replace("0123", "9999")
    assert (
        "is not an execution of task"
        in args.validate(params(state="cancelled", task=other, task_execution_arn=EXEC))[0]
    )


def test_warnings():
    assert args.warnings(params(task=TASK)) == []
    assert "cancel_on_timeout has no effect" in args.warnings(params(task=TASK, cancel_on_timeout=True))[0]
    assert (
        "includes, tags apply only to state=started"
        in args.warnings(params(state="cancelled", includes=[], tags={}))[0]
    )


def test_budget_is_shared():
    clock = FakeClock()
    budget = ex.Budget(10, clock=clock)
    clock.now = 4
    assert budget.remaining() == 6
    clock.now = 11
    assert budget.remaining() == 0


def test_cancel_of_an_execution_that_just_finished():
    class Client(FakeClient):
        def cancel_task_execution(self, TaskExecutionArn):
            raise client_error(
                "InvalidRequestException", "cannot be cancelled in its current status", "CancelTaskExecution"
            )

    assert ex.cancel(Client(statuses=["SUCCESS"]), EXEC) is False
    with pytest.raises(LakedropError):
        ex.cancel(Client(statuses=["TRANSFERRING"]), EXEC)


def test_validate_info():
    info_params = {"task": TASK, "task_execution_arns": None, "max_results": 10, "status": None}
    assert args.validate_info(info_params) == []
    assert args.validate_info(dict(info_params, task=None, task_execution_arns=[EXEC])) == []
    problems = args.validate_info(dict(info_params, task=LOCATION, max_results=0, task_execution_arns=[TASK]))
    assert len(problems) == 3
    assert ex.select(
        [{"TaskExecutionArn": str(i), "Status": s} for i, s in enumerate(["SUCCESS", "ERROR", "SUCCESS", "QUEUED"])],
        ["SUCCESS"],
        1,
    ) == ["2"]


def test_arns_of_another_region_are_refused_before_any_call():
    elsewhere = EXEC.replace("eu-west-1", "us-east-1")
    assert args.validate(params(task=TASK), "eu-west-1") == []
    assert (
        "task arn:aws:datasync:us-east-1"
        in args.validate(params(task=elsewhere.split("/execution")[0]), "eu-west-1")[0]
    )
    cancelled = args.validate(params(state="cancelled", task=None, task_execution_arn=elsewhere), "eu-west-1")
    assert cancelled[0].startswith(f"task_execution_arn {elsewhere} is in region us-east-1")
    info = {"task": None, "task_execution_arns": [EXEC, elsewhere], "max_results": 10, "status": None}
    assert args.validate_info(info, "eu-west-1") == [
        f"task_execution_arns[1] {elsewhere} is in region us-east-1, but the module runs in eu-west-1; "
        "set region: us-east-1 or pass a resource of eu-west-1."
    ]


@pytest.mark.parametrize(
    ("value", "task", "expected"),
    [
        (EXEC, None, None),
        (EXEC, "nightly", None),  # a name is compared once the task is found
        (EXEC, TASK, None),
        (EXEC2, TASK.replace("0123", "9999"), f"x {EXEC2} is not an execution of task {TASK.replace('0123', '9999')}."),
        (TASK, None, "x must be a DataSync task execution ARN, but"),
    ],
)
def test_execution_arn_problem(value, task, expected):
    problem = args.execution_arn_problem(value, task, "x")
    assert problem is None if expected is None else problem.startswith(expected)


def test_task_not_found_says_what_was_looked_for():
    assert (
        ex.task_not_found(TASK) == f"task {TASK!r} not found: no DataSync task has that ARN in this account and region."
    )
    assert "no DataSync task has that name" in ex.task_not_found("nightly")


def test_foreign_problem():
    other = TASK.replace("0123", "9999")
    assert ex.foreign_problem("task_execution_arn", EXEC, "nightly", TASK) is None
    assert ex.foreign_problem("task_execution_arn", EXEC, "nightly", other) == (
        f"task_execution_arn {EXEC} is not an execution of task 'nightly' ({other})."
    )
    assert ex.foreign_problem("task_execution_arns", [EXEC, EXEC2], "nightly", TASK) is None
    assert ex.foreign_problem("task_execution_arns", [EXEC], "nightly", other) == (
        f"task_execution_arns {EXEC} are not executions of task 'nightly' ({other})."
    )


def test_selection_helpers():
    entries = [{"TaskExecutionArn": str(i), "Status": s} for i, s in enumerate(["SUCCESS", "ERROR", "QUEUED"])]
    assert ex.arns_of(entries) == ["0", "1", "2"]
    assert ex.with_status(entries, None) == entries and ex.with_status(entries, ["ERROR"]) == [entries[1]]
    assert ex.select(entries, None, 2) == ["2", "1"]
    assert ex.skip_target({"CurrentTaskExecutionArn": "2"}, ["1", "2"]) == "2"
    assert ex.skip_target({"CurrentTaskExecutionArn": None}, ["1", "2"]) == "1"  # only queued: the oldest
    assert ex.skip_target(None, ["1"]) == "1"


def test_result_shapes():
    assert ex.outcome(False, None) == {
        "changed": False,
        "execution": {},
        "started": False,
        "cancelled": False,
        "timed_out": False,
    }
    assert ex.outcome(True, {"a": 1}, started=True, diff={})["diff"] == {}
    predicted = ex.predicted_execution(TASK, ex.start_params(TASK, includes=["/a"]))
    assert ex.busy_diff(TASK, [EXEC]) == {
        "before": {"task_arn": TASK, "running_or_queued": [EXEC]},
        "after": {"task_arn": TASK, "running_or_queued": [EXEC]},
    }
    after = ex.busy_diff(TASK, [EXEC], predicted)["after"]
    assert after["running_or_queued"] == [EXEC, "(new execution)"]
    assert after["new_execution"] == {"includes": ["/a"], "excludes": [], "options": {}, "tags": {}}
    assert ex.status_diff(EXEC, "QUEUED", "CANCELLING") == {
        "before": {"task_execution_arn": EXEC, "status": "QUEUED"},
        "after": {"task_execution_arn": EXEC, "status": "CANCELLING"},
    }


def test_error_code():
    err = LakedropError(message="Failed", exception=client_error("InvalidRequestException", "busy"))
    assert ex.error_code(err) == ("InvalidRequestException", "busy")
    assert ex.error_code(LakedropError(message="no AWS error behind it")) == (None, "")


RUNNING = [{"TaskExecutionArn": EXEC, "Status": "LAUNCHING"}, {"TaskExecutionArn": EXEC2, "Status": "QUEUED"}]


@pytest.mark.parametrize(
    ("message", "fragments"),
    [
        (ex.busy_message(TASK, RUNNING), [f"{EXEC} (LAUNCHING), {EXEC2} (QUEUED); when_busy=fail"]),
        (ex.still_busy_message(TASK, "RUNNING", 5, RUNNING), ["still busy (RUNNING) after wait_timeout=5s", "nothing"]),
        (ex.refused_message(TASK, RUNNING[:1], "Same filters."), [f"({EXEC} (LAUNCHING)): Same filters. DataSync"]),
        (
            ex.unfinished_message(EXEC, TASK, 5, "LAUNCHING"),
            ["within wait_timeout=5s (status LAUNCHING)", "set cancel"],
        ),
        (ex.unfinished_message(EXEC, TASK, 5, "LAUNCHING", True), ["It was cancelled (cancel_on_timeout=true)"]),
        (ex.unfinished_message(EXEC, TASK, 5, "LAUNCHING", False), ["It finished before it could be cancelled."]),
        (
            ex.not_ours_message({"task_execution_arn": EXEC, "status": "QUEUED"}, 5),
            ["still QUEUED", "did not start it"],
        ),
    ],
)
def test_messages(message, fragments):
    for fragment in fragments:
        assert fragment in message, (fragment, message)


# --- documentation and argument spec agree (tests/unit/test_documentation.py checks every module) ---


def test_override_options_are_the_task_options():
    assert module.ARGUMENT_SPEC["override_options"]["options"] == task_options.argument_spec()
