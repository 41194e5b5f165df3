#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: datasync_task_execution
short_description: Start, wait for or cancel an AWS DataSync task execution
version_added: 0.1.0
description:
  - Start an execution of a DataSync task (optionally with its own include/exclude filters and option
    overrides), wait for it to finish, or cancel an execution.
  - Starting is an action, not a state, so a plain start reports C(changed) every time. Give O(run_id)
    to make it idempotent; the module tags the execution it starts with C(lakedrop:run-id=<run_id>)
    and, when an execution of the task already carries that tag, returns it instead of starting
    another (C(changed=false), no write call). A re-run of a playbook with the same O(run_id) therefore
    starts nothing.
  - DataSync runs one execution of a task at a time. O(when_busy) decides what happens when the task
    already has an execution running or queued.
  - The task is given by ARN or by name. A name is looked up with C(ListTasks); when several tasks
    carry it the module fails and lists their ARNs.
options:
  state:
    description:
      - V(started) starts an execution (subject to O(run_id) and O(when_busy)).
      - V(cancelled) cancels O(task_execution_arn); without it, the execution of O(task) that carries
        O(run_id); without O(run_id), the task's current (running) execution. Cancelling an execution
        that has already finished (or is being cancelled) changes nothing.
    type: str
    choices: [started, cancelled]
    default: started
  task:
    description:
      - The task, as its ARN or its name.
      - Required with O(state=started). With O(state=cancelled), required unless O(task_execution_arn)
        is given.
    type: str
  task_execution_arn:
    description:
      - The execution to cancel (O(state=cancelled) only).
    type: str
  includes:
    description:
      - Include filter patterns for this execution only, each a path relative to the source location
        starting with C(/), for example V(/reports/2024/) or V(/data/*). DataSync joins them with C(|),
        so a pattern must not contain C(|).
      - When omitted the task's own include filter applies; V([]) runs without any include filter.
    type: list
    elements: str
  excludes:
    description:
      - Exclude filter patterns for this execution only, for example V(*.tmp). Same rules as O(includes)
        except that patterns need not start with C(/).
    type: list
    elements: str
  override_options:
    description:
      - Task options to use for this execution only (C(OverrideOptions)); unset suboptions keep the
        task's value.
      - Combinations DataSync refuses are reported before anything starts, judged together with the
        task's own options (for example O(override_options.atime=NONE) while the task preserves mtime).
    type: dict
  run_id:
    description:
      - An identifier of this run (for example a deployment or pipeline run ID). The module starts an
        execution only if no execution of the task already carries the tag C(lakedrop:run-id=<run_id>),
        and tags the execution it starts with it. When such an execution exists it is returned with
        C(changed=false), whatever its status; use a new O(run_id) to start again.
      - Finding it reads the tags of the task's executions newest first (one call each, until a match);
        DataSync keeps 30 days of execution history.
      - With O(state=cancelled) and without O(task_execution_arn), selects the execution to cancel.
    type: str
  tags:
    description:
      - Tags for the execution this module starts (at most 49; C(lakedrop:run-id) is reserved for O(run_id)).
    type: dict
  when_busy:
    description:
      - What to do when the task already has an execution running or queued (O(state=started)).
      - V(queue) starts anyway. DataSync queues the new execution behind the running one when their
        filters differ; it refuses a start whose includes and excludes are the same as those of an
        execution already running or queued, and the module then fails and names that execution.
      - V(skip) starts nothing and returns the running (or else the oldest queued) execution with
        C(changed=false).
      - V(wait) waits until the task has no execution running or queued (within O(wait_timeout)), then
        starts.
      - V(fail) fails, naming the executions that are running or queued.
    type: str
    choices: [queue, skip, wait, fail]
    default: queue
  wait:
    description:
      - Wait until the execution returned (started, found by O(run_id), skipped to, or cancelled) has
        finished (V(SUCCESS) or V(ERROR)), within O(wait_timeout).
    type: bool
    default: false
  wait_timeout:
    description:
      - Seconds the module may spend waiting in total - for the task to become free with
        O(when_busy=wait) and for the execution to finish with O(wait=true). When it runs out the
        module fails with RV(timed_out=true); see O(cancel_on_timeout).
    type: int
    default: 3600
  poll_interval:
    description:
      - Seconds between two status reads while waiting. Fractions are allowed (V(0.5)); must be greater
        than 0. Against AWS, values below a few seconds mostly spend API quota.
    type: float
    default: 10
  cancel_on_timeout:
    description:
      - When waiting for an execution this module started gives up, cancel that execution so it does
        not hold the task and make later executions queue behind it. Executions the module did not
        start (found by O(run_id), or returned by O(when_busy=skip)) are never cancelled.
      - Has an effect only with O(wait=true).
    type: bool
    default: false
  fail_on_error:
    description:
      - Fail when the returned execution has finished with status V(ERROR), with DataSync's error code
        and detail in the message (O(state=started) only; a cancelled execution ends in V(ERROR) too).
    type: bool
    default: true
extends_documentation_fragment: [lakedrop.delivery.lakedrop, lakedrop.delivery.lakedrop.override_options, amazon.aws.common.modules,
  amazon.aws.region.modules, amazon.aws.boto3]
notes:
  - Supports check mode (reports what would be started or cancelled and writes nothing; it does not
    wait) and diff mode (the task's running or queued executions before and after).
  - Throttled calls (C(ThrottlingException)) are retried with jittered backoff. A start is not retried
    on other errors, since DataSync may have started the execution before failing.
  - DataSync lists a task's executions oldest first; the module relies on that to look at the newest first.
"""

EXAMPLES = r"""
- name: Copy this release's files, once per release, and wait for the transfer
  lakedrop.delivery.datasync_task_execution:
    task: lakedrop-incoming-to-efs
    includes:
      - /releases/2024-06/
    run_id: "release-2024-06"
    wait: true
    wait_timeout: 1800
    poll_interval: 15
    cancel_on_timeout: true
  register: copy

- name: Full copy with verification off, unless a transfer is already running
  lakedrop.delivery.datasync_task_execution:
    task: arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0
    override_options:
      verify_mode: NONE
      transfer_mode: ALL
    when_busy: skip
    tags:
      reason: nightly-full

- name: Cancel the execution started above
  lakedrop.delivery.datasync_task_execution:
    state: cancelled
    task_execution_arn: "{{ copy.execution.task_execution_arn }}"

- name: Cancel whatever the task is running now
  lakedrop.delivery.datasync_task_execution:
    state: cancelled
    task: lakedrop-incoming-to-efs
"""

RETURN = r"""
execution:
  description:
    - The execution started, found, skipped to or cancelled, after any waiting. Empty when there was
      nothing to cancel. In check mode, an execution that would be started has no ARN or status.
started:
  description: Whether this run started an execution (in check mode, would start one).
  returned: always
  type: bool
cancelled:
  description: Whether this run cancelled an execution (in check mode, would cancel one), including with O(cancel_on_timeout).
  returned: always
  type: bool
timed_out:
  description: Whether waiting gave up after O(wait_timeout). The module then fails.
  returned: always
  type: bool
extends_documentation_fragment: [lakedrop.delivery.lakedrop.execution_return]
"""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import execution
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import execution_arguments
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import task_options
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run_module

ARGUMENT_SPEC = dict(
    state=dict(type="str", choices=["started", "cancelled"], default="started"),
    task=dict(type="str"),
    task_execution_arn=dict(type="str"),
    includes=dict(type="list", elements="str"),
    excludes=dict(type="list", elements="str"),
    override_options=dict(type="dict", options=task_options.argument_spec()),
    run_id=dict(type="str"),
    tags=dict(type="dict"),
    when_busy=dict(type="str", choices=execution.WHEN_BUSY, default="queue"),
    wait=dict(type="bool", default=False),
    wait_timeout=dict(type="int", default=3600),
    poll_interval=dict(type="float", default=10),
    cancel_on_timeout=dict(type="bool", default=False),
    fail_on_error=dict(type="bool", default=True),
)


def main():
    run_module(ARGUMENT_SPEC, execution.run, execution_arguments.validate)


if __name__ == "__main__":
    main()
