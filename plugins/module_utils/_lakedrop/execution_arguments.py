# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The arguments of the execution modules (datasync_task_execution, datasync_task_execution_info), checked
before any call: `validate(params, region)` and `validate_info(params, region)` list every problem, `warnings`
names what is ignored. The flows are in execution.py."""

import re

from . import arns
from . import filters
from . import task_options

RUN_ID_TAG = "lakedrop:run-id"

# --- pure: validation (before any call) --------------------------------------------------------------

TASK_NAME_RE = re.compile(r"^[a-zA-Z0-9\s+=._:@/-]+$")
TAG_VALUE_RE = re.compile(r"^[a-zA-Z0-9\s+=._:@/-]*$")
TAG_KEY_RE = re.compile(r"^[a-zA-Z0-9\s+=._:/-]+$")


def validate(params, region=None):
    """Every problem with datasync_task_execution's arguments, as messages; nothing is called before this is empty."""
    problems = []
    started = params["state"] == "started"
    if params["task"] is not None:
        problems.append(task_problem(params["task"], "task", region))
    elif started:
        problems.append("task (a DataSync task ARN or name) is required with state=started.")
    elif not params["task_execution_arn"]:
        problems.append(
            "state=cancelled needs task_execution_arn, or task (to cancel its current execution, "
            "or the one carrying run_id)."
        )
    if params["task_execution_arn"] is not None:
        if started:
            problems.append(
                "task_execution_arn is used only with state=cancelled; to read an execution use "
                "lakedrop.delivery.datasync_task_execution_info."
            )
        problems.append(
            execution_arn_problem(params["task_execution_arn"], params["task"], "task_execution_arn", region)
        )
    problems.extend(filters.problems(params["includes"], "includes", include=True))
    problems.extend(filters.problems(params["excludes"], "excludes", include=False))
    # The task's mode is not known before DescribeTask: mode-specific rules are checked once it is.
    problems.extend(task_options.problems(params["override_options"], "override_options", task_mode=None))
    problems.append(run_id_problem(params["run_id"]))
    problems.extend(tags_problems(params["tags"]))
    if params["wait_timeout"] < 0:
        problems.append(f"wait_timeout must be 0 or more seconds, not {params['wait_timeout']}.")
    if not params["poll_interval"] > 0:
        problems.append(
            f"poll_interval must be more than 0 seconds (fractions such as 0.5 are fine), not {params['poll_interval']}."
        )
    return [p for p in problems if p]


def validate_info(params, region=None):
    """Every problem with datasync_task_execution_info's arguments, as messages."""
    problems = []
    if params["task"] is not None:
        problems.append(task_problem(params["task"], "task", region))
    elif not params["task_execution_arns"]:
        problems.append("task (a DataSync task ARN or name) is required unless task_execution_arns is given.")
    for index, arn in enumerate(params["task_execution_arns"] or []):
        problems.append(execution_arn_problem(arn, params["task"], f"task_execution_arns[{index}]", region))
    if params["max_results"] < 1:
        problems.append(f"max_results must be at least 1, not {params['max_results']}.")
    return [p for p in problems if p]


def warnings(params):
    """Warnings about arguments datasync_task_execution ignores."""
    found = []
    if params["state"] == "cancelled":
        ignored = [name for name in ("includes", "excludes", "override_options", "tags") if params[name] is not None]
        if ignored:
            found.append(f"{', '.join(ignored)} apply only to state=started and were ignored.")
    if params["cancel_on_timeout"] and not params["wait"]:
        found.append("cancel_on_timeout has no effect without wait=true.")
    return found


def task_problem(value, option="task", region=None):
    """None when `value` is a task ARN (of `region`) or could be a task name, else a message naming what it is."""
    kind = arns.kind_of(value)
    if kind == "datasync_task":
        return arns.region_problem(value, region, option)
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


def execution_arn_problem(value, task, option, region=None):
    """None when `value` is an execution ARN (of `region`) and, when `task` is a task ARN, one of its
    executions; else a message."""
    problem = arns.check(value, "datasync_execution", option)
    if problem:
        return problem
    if arns.kind_of(task) == "datasync_task" and task_of_execution(value) != task:
        return f"{option} {value} is not an execution of task {task}."
    return arns.region_problem(value, region, option)


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
