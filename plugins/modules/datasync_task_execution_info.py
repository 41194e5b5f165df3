#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: datasync_task_execution_info
short_description: Read the recent executions of an AWS DataSync task
version_added: 0.1.0
description:
  - List the most recent executions of a DataSync task, newest first, each with its status, phase
    results and counters (C(DescribeTaskExecution)) and its tags; or read specific executions by ARN.
  - The task is given by ARN or by name. A name is looked up with C(ListTasks); when several tasks
    carry it the module fails and lists their ARNs.
  - Never changes anything.
options:
  task:
    description:
      - The task, as its ARN or its name. Required unless O(task_execution_arns) is given; with it, the
        executions must belong to this task.
    type: str
  task_execution_arns:
    description:
      - Read these executions instead of the task's most recent ones. Executions that do not exist
        (DataSync keeps 30 days of history) are listed in RV(not_found).
    type: list
    elements: str
  max_results:
    description:
      - How many of the most recent executions to return (after the O(status) filter). Each costs two
        read calls.
    type: int
    default: 10
  status:
    description:
      - Return only executions with one of these statuses.
    type: list
    elements: str
    choices: [QUEUED, LAUNCHING, PREPARING, TRANSFERRING, VERIFYING, CANCELLING, SUCCESS, ERROR]
extends_documentation_fragment: [lakedrop.delivery.lakedrop, amazon.aws.common.modules, amazon.aws.region.modules, amazon.aws.boto3]
notes:
  - Supports check mode (it only reads).
  - C(ListTaskExecutions) is read in full (100 a page); DataSync lists executions oldest first, so the
    module takes the last ones and sorts what it describes by start time.
"""

EXAMPLES = r"""
- name: The five most recent executions of a task
  lakedrop.delivery.datasync_task_execution_info:
    task: lakedrop-incoming-to-efs
    max_results: 5
  register: recent

- name: Failed executions, to report their errors
  lakedrop.delivery.datasync_task_execution_info:
    task: arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0
    status: [ERROR]
  register: failed

- name: One execution by ARN
  lakedrop.delivery.datasync_task_execution_info:
    task_execution_arns:
      - "{{ recent.executions[0].task_execution_arn }}"
"""

RETURN = r"""
task_arn:
  description: ARN of the task (null when only O(task_execution_arns) was given).
  returned: always
  type: str
  sample: arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0
executions:
  description: The executions, newest first, in the shape M(lakedrop.delivery.datasync_task_execution) returns.
not_found:
  description: Executions of O(task_execution_arns) that DataSync does not know.
  returned: always
  type: list
  elements: str
extends_documentation_fragment: [lakedrop.delivery.lakedrop.executions_return]
"""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import execution
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import execution_arguments
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run_module

ARGUMENT_SPEC = dict(
    task=dict(type="str"),
    task_execution_arns=dict(type="list", elements="str"),
    max_results=dict(type="int", default=10),
    status=dict(type="list", elements="str", choices=execution.STATUSES),
)


def main():
    run_module(ARGUMENT_SPEC, execution.run_info, execution_arguments.validate_info)


if __name__ == "__main__":
    main()
