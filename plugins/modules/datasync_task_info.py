#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: datasync_task_info
short_description: Describe AWS DataSync tasks
version_added: 0.1.0
description:
  - Describe DataSync tasks chosen by ARN, name, source or destination location, or all tasks of the account
    and region, with their options, filters, schedule (including whether DataSync disabled it itself) and tags.
  - The selectors combine; a task is returned when it matches all that are given. Never changes anything.
author:
  - Lakedrop Delivery Maintainers (@lakedrop)
options:
  task_arns:
    description:
      - ARNs of the tasks to describe. ARNs of tasks that do not exist are left out of the result.
    type: list
    elements: str
    aliases: [task_arn]
  name:
    description: Only tasks with exactly this name.
    type: str
  source_location_arn:
    description: Only tasks that copy from this DataSync location.
    type: str
  destination_location_arn:
    description: Only tasks that copy to this DataSync location.
    type: str
extends_documentation_fragment:
  - lakedrop.delivery.lakedrop
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode (it only reads).
"""

EXAMPLES = r"""
- name: Describe the task that feeds the file system
  lakedrop.delivery.datasync_task_info:
    name: lakedrop-s3-to-efs
  register: found

- name: Fail loudly when DataSync disabled the schedule after repeated failures
  ansible.builtin.assert:
    that: found.tasks | selectattr('schedule_disabled_by_service') | list | length == 0
    fail_msg: >-
      DataSync disabled the schedule:
      {{ found.tasks | selectattr('schedule_disabled_by_service') | map(attribute='schedule_details.disabled_reason') | join('; ') }}

- name: Every task that writes to the EFS location
  lakedrop.delivery.datasync_task_info:
    destination_location_arn: "{{ efs_location.location.location_arn }}"

- name: All tasks of the account and region
  lakedrop.delivery.datasync_task_info:
"""

RETURN = r"""
tasks:
  description: The matching tasks, sorted by name then ARN.
  returned: always
  type: list
  elements: dict
  contains:
    task_arn:
      description: ARN of the task.
      type: str
      sample: arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0
    name:
      description: The task's name.
      type: str
    status:
      description: C(AVAILABLE), C(CREATING), C(QUEUED), C(RUNNING) or C(UNAVAILABLE).
      type: str
    source_location_arn:
      description: The source location.
      type: str
    destination_location_arn:
      description: The destination location.
      type: str
    cloudwatch_log_group_arn:
      description: The log group, or null.
      type: str
    options:
      description: The task's options (snake_case keys, as in M(lakedrop.delivery.datasync_task)).
      type: dict
    includes:
      description: Include patterns, one per item.
      type: list
      elements: str
    excludes:
      description: Exclude patterns, one per item.
      type: list
      elements: str
    schedule:
      description: The schedule (C(expression), C(enabled)), or null when the task has none.
      type: dict
    schedule_details:
      description: C(disabled_by) (C(USER) or C(SERVICE)), C(disabled_reason) and C(status_update_time), or null.
      type: dict
    schedule_disabled_by_service:
      description: Whether DataSync itself disabled the schedule after repeated failures.
      type: bool
    task_mode:
      description: C(BASIC) or C(ENHANCED).
      type: str
    task_report_config:
      description: Task report settings (snake_case keys), or null.
      type: dict
    creation_time:
      description: When the task was created.
      type: str
    current_task_execution_arn:
      description: The execution running now, if any.
      type: str
    error_code:
      description: Why the task is unavailable, if it is.
      type: str
    error_detail:
      description: Details of the error code.
      type: str
    tags:
      description: The task's tags.
      type: dict
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import task
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run

ARGUMENT_SPEC = dict(
    task_arns=dict(type="list", elements="str", aliases=["task_arn"]),
    name=dict(type="str"),
    source_location_arn=dict(type="str"),
    destination_location_arn=dict(type="str"),
)


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    run(module, task.run_info, task.validate_info)


if __name__ == "__main__":
    main()
