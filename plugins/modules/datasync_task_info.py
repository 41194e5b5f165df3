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

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import arns
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import datasync_api as ds_api
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import naming
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import task as tk


def validate(params):
    problems = [arns.check(arn, "datasync_task", "task_arns") for arn in params["task_arns"] or []]
    for option in ("source_location_arn", "destination_location_arn"):
        if params[option]:
            problems.append(arns.check(params[option], "datasync_location", option))
    problems.append(tk.name_problem(params["name"]))
    return [p for p in problems if p]


def candidate_arns(client, params):
    """Task ARNs to describe: the given ones, else ListTasks narrowed server-side by a location."""
    if params["task_arns"]:
        return list(dict.fromkeys(params["task_arns"]))
    location = params["source_location_arn"] or params["destination_location_arn"]
    filters = [{"Name": "LocationId", "Operator": "Equals", "Values": [location]}] if location else None
    listed = ds_api.list_tasks(client, filters)
    if params["name"] is not None:
        listed = naming.named(listed, params["name"])
    return [entry["TaskArn"] for entry in listed]


def matches(described, params):
    if params["name"] is not None and described.get("Name") != params["name"]:
        return False
    for option, key in (
        ("source_location_arn", "SourceLocationArn"),
        ("destination_location_arn", "DestinationLocationArn"),
    ):
        if params[option] and described.get(key) != params[option]:
            return False
    return True


def main():
    argument_spec = dict(
        task_arns=dict(type="list", elements="str", aliases=["task_arn"]),
        name=dict(type="str"),
        source_location_arn=dict(type="str"),
        destination_location_arn=dict(type="str"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    problems = validate(module.params)
    if problems:
        module.fail_json(msg=" ".join(problems), problems=problems)
    client = module.client("datasync")
    tasks = []
    try:
        for arn in candidate_arns(client, module.params):
            described = ds_api.describe_task(client, arn)
            if described and matches(described, module.params):
                tasks.append(tk.task_from_api(described, ds_api.list_tags(client, arn)))
    except AnsibleAWSError as err:
        module.fail_json_aws_error(err)
    tasks.sort(key=lambda t: (t["name"] or "", t["task_arn"]))
    module.exit_json(changed=False, tasks=tasks)


if __name__ == "__main__":
    main()
