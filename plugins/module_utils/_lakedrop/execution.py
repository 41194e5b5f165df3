# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DataSync task executions: task lookup by name, run-id idempotence and the conversion of DescribeTaskExecution answers to the
modules' snake_case `execution`."""

import re

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from . import arns
from . import datasync_api as ds_api
from . import filters
from . import task_options

TERMINAL = ds_api.TERMINAL
BUSY = ("QUEUED", "LAUNCHING", "PREPARING", "TRANSFERRING", "VERIFYING", "CANCELLING")
STATUSES = ["QUEUED", "LAUNCHING", "PREPARING", "TRANSFERRING", "VERIFYING", "CANCELLING", "SUCCESS", "ERROR"]
# DescribeTask statuses of a task that has an execution running or queued.
TASK_BUSY = ("QUEUED", "RUNNING")
RUN_ID_TAG = "lakedrop:run-id"

# --- validation ------------------------------------------------------------------------------------

TASK_NAME_RE = re.compile(r"^[a-zA-Z0-9\s+=._:@/-]+$")
TAG_VALUE_RE = re.compile(r"^[a-zA-Z0-9\s+=._:@/-]*$")
TAG_KEY_RE = re.compile(r"^[a-zA-Z0-9\s+=._:/-]+$")


def task_problem(value, option="task"):
    """None when `value` is a task ARN or could be a task name, else a message naming what it is."""
    kind = arns.kind_of(value)
    if kind == "datasync_task":
        return None
    if kind == "datasync_execution":
        return (
            f"{option} {value!r} is a DataSync task execution ARN; give the task's ARN or name as {option}, "
            "and the execution as task_execution_arn."
        )
    if arns.is_arn(value):  # a bare ID-like string (e.g. "nightly-copy") may well be a task name
        return f"{option} must be a DataSync task ARN or a task name, but {value!r} is {arns.describe(value)}."
    if len(value) > 256 or not TASK_NAME_RE.match(value):
        return (
            f"{option} {value!r} is neither a DataSync task ARN nor a valid task name (1 to 256 letters, digits, "
            "spaces and + = . _ : @ / -)."
        )
    return None


def run_id_problem(run_id, option="run_id"):
    if run_id is None:
        return None
    if not run_id or len(run_id) > 256 or not TAG_VALUE_RE.match(run_id):
        return (
            f"{option} {run_id!r} must be 1 to 256 letters, digits, spaces and + = . _ : @ / - "
            "(it is stored as a tag value on the execution)."
        )
    return None


def tags_problems(tags, option="tags"):
    found = []
    for key, value in (tags or {}).items():
        if key == RUN_ID_TAG:
            found.append(f"{option} must not set {RUN_ID_TAG!r}; that tag is the module's: set run_id instead.")
        elif key.lower().startswith("aws:") or len(key) > 256 or not TAG_KEY_RE.match(key):
            found.append(
                f"{option} key {key!r} must be 1 to 256 letters, digits, spaces and + = . _ : / - "
                "and must not start with 'aws:'."
            )
        if value is not None and (len(str(value)) > 256 or not TAG_VALUE_RE.match(str(value))):
            found.append(
                f"{option}[{key!r}] value {value!r} may have at most 256 letters, digits, spaces and + = . _ : @ / -."
            )
    if len(tags or {}) > 49:
        found.append(f"{option} may have at most 49 tags (an execution takes 50, one of which run_id may use).")
    return found


def task_of_execution(execution_arn):
    """The task ARN an execution ARN belongs to."""
    return execution_arn.split("/execution/")[0]


# --- task lookup -----------------------------------------------------------------------------------


def resolve_task(listed, name):
    """The ARN of the one task named `name` among ListTasks entries. ValueError when none or several."""
    found = sorted(entry["TaskArn"] for entry in listed if entry.get("Name") == name)
    if not found:
        return None
    if len(found) > 1:
        raise ValueError(
            f"{len(found)} DataSync tasks are named {name!r}: {', '.join(found)}. Pass the ARN of the one "
            "you mean as task (and rename or delete the others); the module never guesses."
        )
    return found[0]


def find_task(client, value):
    """(ARN, DescribeTask answer) of the task a task ARN or name designates; (None, None) when there is none."""
    arn = value if arns.kind_of(value) == "datasync_task" else resolve_task(ds_api.list_tasks(client), value)
    described = ds_api.describe_task(client, arn) if arn else None
    return (arn, described) if described is not None else (None, None)


# --- executions ------------------------------------------------------------------------------------


def newest_first(entries):
    """ListTaskExecutions entries, newest first. DataSync lists a task's executions oldest first (not
    documented, observed); callers sort what they describe by start time as well."""
    return list(reversed(entries or []))


def busy(entries):
    """The entries of executions that are queued or running (oldest first, as listed)."""
    return [entry for entry in entries or [] if entry.get("Status") in BUSY]


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


def error_message(execution):
    result = execution.get("result") or {}
    code = result.get("error_code") or "no error code"
    detail = result.get("error_detail") or "no detail given"
    phases = ", ".join(f"{p}={result.get(p + '_status')}" for p in ("prepare", "transfer", "verify"))
    return f"Task execution {execution['task_execution_arn']} ended with status ERROR: {code}: {detail} ({phases})."


def _time(value):
    return None if value is None else str(value)
