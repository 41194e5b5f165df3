# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DataSync task executions (modules datasync_task_execution and datasync_task_execution_info).

Pure functions first (task lookup by name, run-id idempotence, StartTaskExecution arguments, the snake_case
`execution`, result shapes and messages; unit-tested without AWS; the arguments are validated in
execution_arguments), then the flows: `run(module)` starts, waits for or cancels an execution, `run_info(module)`
reads executions. Only the flows call the API layer (datasync_api).
"""

import time

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from . import arns
from . import datasync_api as ds_api
from . import filters
from . import naming
from . import task_options
from .common import LakedropError
from .execution_arguments import RUN_ID_TAG
from .execution_arguments import task_of_execution
from .execution_arguments import warnings
from .runner import Failure
from .runner import require
from .task import SETTLING

TERMINAL = ds_api.TERMINAL
BUSY = ("QUEUED", "LAUNCHING", "PREPARING", "TRANSFERRING", "VERIFYING", "CANCELLING")
STATUSES = ["QUEUED", "LAUNCHING", "PREPARING", "TRANSFERRING", "VERIFYING", "CANCELLING", "SUCCESS", "ERROR"]
# DescribeTask statuses of a task that has an execution running or queued.
TASK_BUSY = ("QUEUED", "RUNNING")
WHEN_BUSY = ["queue", "skip", "wait", "fail"]

# --- pure: task lookup -------------------------------------------------------------------------------


def resolve_task(listed, name):
    """The ARN of the one task named `name` among ListTasks entries, or None; a Failure when several are."""
    return naming.single(
        [entry["TaskArn"] for entry in naming.named(listed, name)],
        lambda matches: naming.ambiguity_message(
            f"DataSync tasks are named {name!r}",
            matches,
            "Pass the ARN of the one you mean as task (and rename or delete the others)",
        ),
    )


def task_not_found(value):
    where = "no DataSync task has that ARN" if arns.is_arn(value) else "no DataSync task has that name"
    return f"task {value!r} not found: {where} in this account and region."


def foreign_problem(option, value, task, task_arn):
    """None when the execution ARN(s) `value` of `option` belong to the task named `task` (found as
    `task_arn`), else a message naming those that do not."""
    given = [value] if isinstance(value, str) else list(value)
    strangers = [arn for arn in given if task_of_execution(arn) != task_arn]
    if not strangers:
        return None
    what = "is not an execution" if isinstance(value, str) else "are not executions"
    return f"{option} {', '.join(strangers)} {what} of task {task!r} ({task_arn})."


# --- pure: executions --------------------------------------------------------------------------------


def newest_first(entries):
    """ListTaskExecutions entries, newest first. DataSync lists a task's executions oldest first (not
    documented, observed); callers sort what they describe by start time as well."""
    return list(reversed(entries or []))


def busy(entries):
    """The entries of executions that are queued or running (oldest first, as listed)."""
    return [entry for entry in entries or [] if entry.get("Status") in BUSY]


def arns_of(entries):
    return [entry["TaskExecutionArn"] for entry in entries]


def with_status(entries, statuses):
    """The entries (listed or described) whose Status is one of `statuses` (all when none are given)."""
    return [entry for entry in entries if not statuses or entry.get("Status") in statuses]


def select(entries, statuses, limit):
    """The ARNs of the newest `limit` ListTaskExecutions entries whose status is one of `statuses`."""
    return arns_of(with_status(newest_first(entries), statuses)[:limit])


def skip_target(task, busy_arns):
    """The execution when_busy=skip returns: the task's current one, or else the oldest queued."""
    current = (task or {}).get("CurrentTaskExecutionArn")
    return current if current in busy_arns else busy_arns[0]


def find_run(entries, run_id, tags_of):
    """(entry, tags) of the newest execution tagged with `run_id`, or (None, None). Reads tags newest
    first and stops at the first match."""
    for entry in newest_first(entries):
        tags = tags_of(entry["TaskExecutionArn"])
        if tags.get(RUN_ID_TAG) == run_id:
            return entry, tags
    return None, None


def start_params(task_arn, includes=None, excludes=None, override_options=None, tags=None, run_id=None):
    """StartTaskExecution's arguments. Filters left out (None) leave the task's own filters in force."""
    params = {"TaskArn": task_arn}
    if includes is not None:
        params["Includes"] = filters.to_api(includes)
    if excludes is not None:
        params["Excludes"] = filters.to_api(excludes)
    overrides = task_options.to_api(override_options)
    if overrides:
        params["OverrideOptions"] = overrides
    all_tags = dict(tags or {})
    if run_id is not None:
        all_tags[RUN_ID_TAG] = run_id
    if all_tags:
        params["Tags"] = ansible_dict_to_boto3_tag_list(all_tags)
    return params


COUNTER_PREFIXES = ("Estimated", "Files", "Bytes", "Folders")
RESULT_KEYS = (
    "PrepareStatus",
    "TransferStatus",
    "VerifyStatus",
    "ErrorCode",
    "ErrorDetail",
    "PrepareDuration",
    "TransferDuration",
    "VerifyDuration",
    "TotalDuration",
)


def execution_from_api(described, tags=None):
    """A DescribeTaskExecution answer (plus tags) in the modules' snake_case shape."""
    arn = described["TaskExecutionArn"]
    result = described.get("Result") or {}
    counters = dict((key, value) for key, value in described.items() if key.startswith(COUNTER_PREFIXES))
    execution = {
        "task_execution_arn": arn,
        "task_arn": task_of_execution(arn),
        "status": described.get("Status"),
        "task_mode": described.get("TaskMode"),
        "includes": filters.from_api(described.get("Includes")),
        "excludes": filters.from_api(described.get("Excludes")),
        "options": task_options.from_api(described.get("Options")),
        "start_time": _time(described.get("StartTime")),
        "launch_time": _time(described.get("LaunchTime")),
        "end_time": _time(described.get("EndTime")),
        "result": camel_dict_to_snake_dict(dict((key, result.get(key)) for key in RESULT_KEYS)),
        "counters": camel_dict_to_snake_dict(counters),
        "tags": tags or {},
    }
    for key, name in (
        ("ManifestConfig", "manifest_config"),
        ("TaskReportConfig", "task_report_config"),
        ("ReportResult", "report_result"),
    ):
        if described.get(key):
            execution[name] = camel_dict_to_snake_dict(described[key])
    return execution


def predicted_execution(task_arn, params):
    """What check mode reports for an execution it would start."""
    tags = dict((tag["Key"], tag["Value"]) for tag in params.get("Tags", []))
    return {
        "task_execution_arn": None,
        "task_arn": task_arn,
        "status": None,
        "includes": filters.from_api(params.get("Includes")),
        "excludes": filters.from_api(params.get("Excludes")),
        "options": task_options.from_api(params.get("OverrideOptions")),
        "start_time": None,
        "launch_time": None,
        "end_time": None,
        "result": {},
        "counters": {},
        "tags": tags,
    }


def sort_newest(described):
    """DescribeTaskExecution answers newest first by StartTime (stable; unknown start times last)."""
    return sorted(described, key=lambda d: (d.get("StartTime") is not None, d.get("StartTime") or 0), reverse=True)


def _time(value):
    return None if value is None else str(value)


# --- pure: results, waiting and messages -------------------------------------------------------------


class Budget:
    """The wait_timeout shared by every wait of one run."""

    def __init__(self, seconds, clock=time.monotonic):
        self.clock = clock
        self.deadline = clock() + seconds

    def remaining(self):
        return max(0.0, self.deadline - self.clock())


def outcome(changed, execution, started=False, cancelled=False, timed_out=False, diff=None):
    result = dict(changed=changed, execution=execution or {}, started=started, cancelled=cancelled, timed_out=timed_out)
    if diff is not None:
        result["diff"] = diff
    return result


def busy_diff(task_arn, busy_arns, added=None):
    """The task's running or queued executions before and after a start (`added`: the new execution)."""
    before = {"task_arn": task_arn, "running_or_queued": list(busy_arns)}
    after = {
        "task_arn": task_arn,
        "running_or_queued": list(busy_arns) + ([added["task_execution_arn"] or "(new execution)"] if added else []),
    }
    if added:
        after["new_execution"] = dict((k, added[k]) for k in ("includes", "excludes", "options", "tags"))
    return {"before": before, "after": after}


def status_diff(arn, before, after):
    """The diff of a cancel: the execution's status before and after."""
    return {
        "before": {"task_execution_arn": arn, "status": before},
        "after": {"task_execution_arn": arn, "status": after},
    }


def error_code(err):
    """(code, message) of the AWS error behind an AnsibleAWSError; (None, "") when it carries none."""
    response = getattr(getattr(err, "exception", None), "response", None) or {}
    return response.get("Error", {}).get("Code"), response.get("Error", {}).get("Message", "")


def listing(entries):
    """`ARN (STATUS), ...` of ListTaskExecutions entries, for messages."""
    return ", ".join(f"{e['TaskExecutionArn']} ({e['Status']})" for e in entries)


def busy_message(task_arn, running):
    return (
        f"Task {task_arn} already has executions running or queued: {listing(running)}; "
        "when_busy=fail. Use when_busy=queue, skip or wait to proceed anyway."
    )


def still_busy_message(task_arn, status, wait_timeout, running):
    return (
        f"Task {task_arn} was still busy ({status}) after wait_timeout={wait_timeout}s "
        f"(running or queued: {listing(running)}); nothing was started."
    )


def refused_message(task_arn, running, message):
    """Why DataSync refused a start while the task was busy, and what to do."""
    return (
        f"DataSync refused to start task {task_arn} while executions are running or queued "
        f"({listing(running)}): {message} DataSync queues a new execution only when its includes "
        "and excludes differ from those already running or queued (and the task's "
        "task_queueing is ENABLED). Use when_busy=wait or skip, or different filters."
    )


def unfinished_message(arn, task_arn, wait_timeout, status, cancelled=None):
    """An execution this run started did not finish in time. `cancelled`: None without cancel_on_timeout,
    else whether cancelling it went through."""
    if cancelled is None:
        note = "It is still running; set cancel_on_timeout=true to cancel it when waiting gives up."
    elif cancelled:
        note = "It was cancelled (cancel_on_timeout=true) so that it does not hold the task."
    else:
        note = "It finished before it could be cancelled."
    return f"Execution {arn} of task {task_arn} did not finish within wait_timeout={wait_timeout}s (status {status}). {note}"


def not_ours_message(execution, wait_timeout):
    """An execution this run did not start did not finish in time (it is never cancelled)."""
    return (
        f"Execution {execution['task_execution_arn']} was still {execution['status']} after "
        f"wait_timeout={wait_timeout}s. It was not cancelled: this run did not start it."
    )


def error_message(execution):
    result = execution.get("result") or {}
    code = result.get("error_code") or "no error code"
    detail = result.get("error_detail") or "no detail given"
    phases = ", ".join(f"{p}={result.get(p + '_status')}" for p in ("prepare", "transfer", "verify"))
    return f"Task execution {execution['task_execution_arn']} ended with status ERROR: {code}: {detail} ({phases})."


# --- flow: reads shared by both modules --------------------------------------------------------------


def locate_task(client, value):
    """(ARN, DescribeTask answer) of the task a task ARN or name designates; a Failure when there is none."""
    arn = value if arns.kind_of(value) == "datasync_task" else resolve_task(ds_api.list_tasks(client), value)
    described = ds_api.describe_task(client, arn) if arn else None
    if described is None:
        raise Failure(task_not_found(value))
    return arn, described


def read_execution(client, arn):
    described = ds_api.describe_task_execution(client, arn)
    if described is None:
        return None
    return execution_from_api(described, ds_api.list_tags(client, arn))


def find_run_of(client, entries, run_id):
    return find_run(entries, run_id, lambda arn: ds_api.list_tags(client, arn))


# --- flow: state=started -----------------------------------------------------------------------------


def wait_existing(module, client, execution, budget, result):
    """Wait for an execution this run did not start (never cancelled on timeout)."""
    if not module.params["wait"] or module.check_mode or execution["status"] in TERMINAL:
        return execution
    _described, finished = ds_api.wait_for_execution(
        client, execution["task_execution_arn"], budget.remaining(), module.params["poll_interval"]
    )
    execution = read_execution(client, execution["task_execution_arn"]) or execution
    if not finished:
        raise Failure(
            not_ours_message(execution, module.params["wait_timeout"]),
            **dict(result, execution=execution, timed_out=True),
        )
    return execution


def check_error(module, execution, result):
    if module.params["fail_on_error"] and execution.get("status") == "ERROR":
        raise Failure(error_message(execution), **result)


def report_existing(module, client, result, budget):
    """`result` for an execution this run did not start (found by run_id, or skipped to), after any waiting."""
    result["execution"] = wait_existing(module, client, result["execution"], budget, result)
    check_error(module, result["execution"], result)
    return result


def started_before(module, client, task_arn, entries, budget):
    """The result for the execution already tagged with run_id, or None when there is none."""
    entry, tags = find_run_of(client, entries, module.params["run_id"])
    described = ds_api.describe_task_execution(client, entry["TaskExecutionArn"]) if entry else None
    if not described:
        return None
    diff = busy_diff(task_arn, arns_of(busy(entries)))
    return report_existing(module, client, outcome(False, execution_from_api(described, tags), diff=diff), budget)


def skip_to(module, client, task_arn, task, busy_arns, budget):
    """when_busy=skip: the running (or else oldest queued) execution, unchanged."""
    execution = read_execution(client, skip_target(task, busy_arns)) or {}
    result = outcome(False, execution, diff=busy_diff(task_arn, busy_arns))
    return report_existing(module, client, result, budget) if execution else result


def wait_until_free(module, client, task_arn, running, budget):
    """when_busy=wait: until the task has no execution running or queued; a Failure on timeout."""
    params = module.params
    task, free = ds_api.wait_for_task(client, task_arn, TASK_BUSY, budget.remaining(), params["poll_interval"])
    if not free:
        raise Failure(
            still_busy_message(task_arn, (task or {}).get("Status"), params["wait_timeout"], running),
            **outcome(False, None, timed_out=True),
        )


def wait_started(module, client, arn, task_arn, budget, result):
    """Wait for the execution this run started; on timeout cancel it (cancel_on_timeout) and fail."""
    params = module.params
    described, finished = ds_api.wait_for_execution(client, arn, budget.remaining(), params["poll_interval"])
    if finished:
        return read_execution(client, arn) or result["execution"]
    result["timed_out"] = True
    cancelled = cancel(client, arn) if params["cancel_on_timeout"] else None
    result["cancelled"] = bool(cancelled)
    result["execution"] = read_execution(client, arn) or result["execution"]
    status = (described or {}).get("Status")
    raise Failure(unfinished_message(arn, task_arn, params["wait_timeout"], status, cancelled), **result)


def start(module, client, task_arn, running, busy_arns, budget):
    """Start the execution (check mode: predict it), then wait for it when asked."""
    params = module.params
    request = start_params(
        task_arn, params["includes"], params["excludes"], params["override_options"], params["tags"], params["run_id"]
    )
    if module.check_mode:
        predicted = predicted_execution(task_arn, request)
        return outcome(True, predicted, started=True, diff=busy_diff(task_arn, busy_arns, predicted))
    try:
        arn = ds_api.start_task_execution(client, request)
    except LakedropError as err:
        code, message = error_code(err)
        if code == "InvalidRequestException" and running:
            raise Failure(refused_message(task_arn, running, message), **outcome(False, None)) from err
        raise
    execution = read_execution(client, arn) or {"task_execution_arn": arn, "task_arn": task_arn}
    result = outcome(True, execution, started=True, diff=busy_diff(task_arn, busy_arns, execution))
    if params["wait"]:
        result["execution"] = wait_started(module, client, arn, task_arn, budget, result)
    check_error(module, result["execution"], result)
    return result


def ensure_started(module, client):
    params = module.params
    budget = Budget(params["wait_timeout"])
    task_arn, task = locate_task(client, params["task"])
    require(
        task_options.problems(
            params["override_options"],
            "override_options",
            task_mode=task.get("TaskMode") or "BASIC",
            effective=task_options.from_api(task.get("Options")),
        )
    )
    if task.get("Status") in SETTLING and not module.check_mode:  # a task created moments ago
        task, _ready = ds_api.wait_for_task(
            client, task_arn, SETTLING, budget.remaining(), min(params["poll_interval"], 2.0)
        )

    entries = None
    if params["run_id"] is not None:
        entries = ds_api.list_task_executions(client, task_arn)
        found = started_before(module, client, task_arn, entries, budget)
        if found is not None:
            return found
    if entries is None and (task or {}).get("Status") in TASK_BUSY:
        entries = ds_api.list_task_executions(client, task_arn)
    running = busy(entries)
    busy_arns = arns_of(running)
    if running:
        if params["when_busy"] == "fail":
            raise Failure(busy_message(task_arn, running), **outcome(False, None))
        if params["when_busy"] == "skip":
            return skip_to(module, client, task_arn, task, busy_arns, budget)
        if params["when_busy"] == "wait" and not module.check_mode:
            wait_until_free(module, client, task_arn, running, budget)
            busy_arns = []
    return start(module, client, task_arn, running, busy_arns, budget)


# --- flow: state=cancelled ---------------------------------------------------------------------------


def cancel(client, arn):
    """Cancel `arn`. False when it had already finished (DataSync refuses to cancel a finished execution)."""
    try:
        ds_api.cancel_task_execution(client, arn)
        return True
    except LakedropError:
        described = ds_api.describe_task_execution(client, arn)
        if described and described.get("Status") in (*TERMINAL, "CANCELLING"):
            return False
        raise


def target_execution(client, params):
    """The ARN of the execution to cancel, or None when there is none."""
    if params["task_execution_arn"]:
        # A task ARN was compared by validate(); a name must be looked up first.
        if params["task"] and not arns.is_arn(params["task"]):
            task_arn, _task = locate_task(client, params["task"])
            problem = foreign_problem("task_execution_arn", params["task_execution_arn"], params["task"], task_arn)
            if problem:
                raise Failure(problem)
        return params["task_execution_arn"]
    task_arn, task = locate_task(client, params["task"])
    if params["run_id"] is not None:
        entry, _tags = find_run_of(client, ds_api.list_task_executions(client, task_arn), params["run_id"])
        return entry["TaskExecutionArn"] if entry else None
    return task.get("CurrentTaskExecutionArn")


def ensure_cancelled(module, client):
    arn = target_execution(client, module.params)
    if not arn:
        return outcome(False, None, diff={"before": {}, "after": {}})
    execution = read_execution(client, arn)
    if execution is None:
        raise Failure(f"task_execution_arn {arn} not found (DataSync keeps execution history for 30 days).")
    status = execution["status"]
    if status in TERMINAL or status == "CANCELLING":
        result = outcome(False, execution, diff=status_diff(arn, status, status))
    elif module.check_mode:
        return outcome(True, execution, cancelled=True, diff=status_diff(arn, status, "CANCELLING"))
    else:
        cancelled = cancel(client, arn)
        execution = read_execution(client, arn) or execution
        result = outcome(cancelled, execution, cancelled=cancelled, diff=status_diff(arn, status, execution["status"]))
    result["execution"] = wait_existing(module, client, execution, Budget(module.params["wait_timeout"]), result)
    return result


def run(module):
    for warning in warnings(module.params):
        module.warn(warning)
    client = module.client("datasync")
    if module.params["state"] == "cancelled":
        return ensure_cancelled(module, client)
    return ensure_started(module, client)


# --- flow: datasync_task_execution_info --------------------------------------------------------------


def describe_all(client, execution_arns):
    """(DescribeTaskExecution answers, ARNs DataSync does not know)."""
    found, missing = [], []
    for arn in execution_arns:
        described = ds_api.describe_task_execution(client, arn)
        if described is None:
            missing.append(arn)
        else:
            found.append(described)
    return found, missing


def run_info(module):
    params = module.params
    client = module.client("datasync")
    task_arn = locate_task(client, params["task"])[0] if params["task"] else None
    if params["task_execution_arns"]:
        if task_arn:
            problem = foreign_problem("task_execution_arns", params["task_execution_arns"], params["task"], task_arn)
            if problem:
                raise Failure(problem)
        wanted = params["task_execution_arns"]
    else:
        wanted = select(ds_api.list_task_executions(client, task_arn), params["status"], params["max_results"])
    described, missing = describe_all(client, wanted)
    executions = [
        execution_from_api(d, ds_api.list_tags(client, d["TaskExecutionArn"]))
        for d in sort_newest(with_status(described, params["status"]))
    ]
    return dict(changed=False, task_arn=task_arn, executions=executions, not_found=missing)
