#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: execution_progress
short_description: Wait for DataSync task executions, one line of progress per poll
version_added: 0.2.0
description:
  - Polls M(lakedrop.delivery.datasync_task_execution_info) with the play's connection (the variable
    C(lakedrop_aws_connection)) and prints one line per execution and poll - status, files and bytes transferred
    of the estimate - until every execution has finished (V(SUCCESS) or V(ERROR)).
  - When O(wait_timeout) runs out it fails, naming the executions still running and the exact command that
    cancels each; it never cancels anything itself.
  - Runs on the controller (an action plugin). Used by the runbooks C(sync_now), C(resume_trigger),
    C(replay_failed) and C(cancel_stuck). In check mode it waits for nothing.
options:
  task_execution_arns:
    description: The executions to follow.
    type: list
    elements: str
    required: true
  label:
    description: What the lines start with (the delivery's name).
    type: str
    default: delivery
  wait_timeout:
    description: Seconds to wait in total.
    type: int
    default: 1800
  poll_interval:
    description: Seconds between two polls.
    type: float
    default: 10
extends_documentation_fragment: [lakedrop.delivery.lakedrop, lakedrop.delivery.lakedrop.controller]
"""

EXAMPLES = r"""
- name: Follow what was started
  lakedrop.delivery.execution_progress:
    task_execution_arns: "{{ started.results | map(attribute='execution.task_execution_arn') | list }}"
    label: lake
    wait_timeout: 1800
    poll_interval: 10
  register: progress
"""

RETURN = r"""
executions:
  description: The executions as M(lakedrop.delivery.datasync_task_execution_info) returns them, at the last poll.
  returned: always
  type: list
  elements: dict
summaries:
  description: Per finished execution, its status, files transferred, skipped and verified, bytes and duration.
  returned: success
  type: list
  elements: dict
succeeded:
  description: Whether every execution ended in V(SUCCESS).
  returned: success
  type: bool
timed_out:
  description: Whether waiting gave up.
  returned: failure
  type: bool
running:
  description: The executions still running when waiting gave up.
  returned: failure
  type: list
  elements: str
"""
