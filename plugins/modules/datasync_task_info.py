#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: datasync_task_info
short_description: Describe AWS DataSync tasks
version_added: 0.1.0
description:
  - Describe DataSync tasks chosen by ARN, name, source or destination location, or all tasks of the account
    and region, with their options, filters, schedule (including whether DataSync disabled it itself) and tags.
  - The selectors combine; a task is returned when it matches all that are given. Never changes anything.
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
extends_documentation_fragment: [lakedrop.delivery.lakedrop, amazon.aws.common.modules, amazon.aws.region.modules, amazon.aws.boto3]
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
  description: The matching tasks, sorted by name then ARN, in the shape M(lakedrop.delivery.datasync_task) returns.
extends_documentation_fragment: [lakedrop.delivery.lakedrop.tasks_return]
"""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import task
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run_module

ARGUMENT_SPEC = dict(
    task_arns=dict(type="list", elements="str", aliases=["task_arn"]),
    name=dict(type="str"),
    source_location_arn=dict(type="str"),
    destination_location_arn=dict(type="str"),
)


def main():
    run_module(ARGUMENT_SPEC, task.run_info, task.validate_info)


if __name__ == "__main__":
    main()
