#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: datasync_task
short_description: Manage AWS DataSync tasks
version_added: 0.1.0
description:
  - Create, update in place, replace (only when allowed) or delete a DataSync task, which says what DataSync
    copies from a source location to a destination location, how, and when.
  - A task is identified by O(task_arn) when given, otherwise by its O(name). When several tasks carry that
    name the module fails and lists them; it never guesses.
  - The name, options, filters, schedule, CloudWatch log group and task report are changed in place with
    C(UpdateTask), tags with C(TagResource)/C(UntagResource). The locations and the task mode cannot be
    changed in place; see O(allow_replacement).
  - Only what you set is managed. Options you leave out keep whatever value the task has (AWS fills in
    defaults), so the module reports no drift for them.
  - Every argument is checked before any call, and the locations are checked to exist (read calls) before
    anything is written.
options:
  state:
    description: Whether the task should exist.
    type: str
    choices: [present, absent]
    default: present
  name:
    description:
      - "The task's name, which identifies it when O(task_arn) is not given. Up to 256 letters, digits,
        spaces and C(+ = . _ : @ / -)."
      - Required unless O(task_arn) is given. With O(task_arn), a different name renames the task in place
        (refused when another task already has that name, since the name would then be ambiguous).
    type: str
  task_arn:
    description:
      - ARN of the task to manage. Pins the identity so the task can be renamed. The task must exist when
        given with O(state=present).
    type: str
  source_location_arn:
    description:
      - ARN of the DataSync location to copy from (a C(…:location/loc-…) ARN, not the bucket's or file
        system's ARN). Required to create a task; cannot be changed in place.
    type: str
  destination_location_arn:
    description:
      - ARN of the DataSync location to copy to. Required to create a task; cannot be changed in place.
    type: str
  task_mode:
    description:
      - V(BASIC) or V(ENHANCED) (S3 to S3 transfers with higher limits). When omitted a new task is
        V(BASIC) and an existing task keeps its mode. Cannot be changed in place.
    type: str
    choices: [BASIC, ENHANCED]
  cloudwatch_log_group_arn:
    description:
      - ARN of the CloudWatch Logs log group DataSync writes to (C(…:log-group:NAME) or C(…:log-group:NAME:*),
        which are treated as the same). V("") removes it. Omit it to leave the task's log group alone.
      - An V(ENHANCED) task must use the log group C(/aws/datasync).
    type: str
  options:
    description:
      - Task options (C(Options) in the DataSync API). Only the options you set are compared and changed;
        the others keep the task's current values (on creation, DataSync's defaults).
      - Combinations the DataSync guide documents as invalid are refused before any call, judged together
        with the options the task already has.
    type: dict
  includes:
    description:
      - Include filter patterns (paths relative to the source location, starting with C(/); C(*) only at
        the end). Each pattern is its own list item; the module joins them with C(|) as DataSync expects
        (at most 102,400 characters). Order does not matter. V([]) removes the filter; omit to leave it alone.
    type: list
    elements: str
  excludes:
    description:
      - Exclude filter patterns, for example V(*/.snapshot) or V(*.tmp). Same rules for joining and clearing
        as O(includes).
    type: list
    elements: str
  schedule:
    description:
      - When DataSync runs the task by itself. Omit to leave the task's schedule alone.
      - If DataSync disabled the schedule itself after repeated failures and O(schedule.enabled=true), the
        schedule is re-enabled (reported as a change) with a warning quoting DataSync's reason.
    type: dict
    suboptions:
      expression:
        description:
          - An EventBridge C(rate()) or C(cron()) expression, at most once an hour, for example
            V(rate(1 hour)), V(rate(12 hours)) or V(cron(0 2 * * ? *)). Expressions that would run more than
            once an hour (V(rate(30 minutes)), a cron minutes field such as V(0/15) or V(0,30)) are refused.
          - V("") removes the schedule. Omit it to enable or disable the task's existing schedule.
        type: str
      enabled:
        description: Whether the schedule is active.
        type: bool
        default: true
  task_report_config:
    description:
      - Task report settings (C(TaskReportConfig) in the DataSync API, with snake_case keys). Only the fields
        you set are compared. V({}) removes the report configuration; omit it to leave it alone.
    type: dict
    suboptions:
      destination:
        description: Where DataSync uploads reports.
        type: dict
        suboptions:
          s3:
            description: The S3 bucket for reports.
            type: dict
            suboptions:
              s3_bucket_arn:
                description: ARN of the bucket (C(arn:PARTITION:s3:::NAME)).
                type: str
              bucket_access_role_arn:
                description: IAM role DataSync assumes to write the reports.
                type: str
              subdirectory:
                description: Prefix for the reports in the bucket.
                type: str
      output_type:
        description: A summary only or the standard report.
        type: str
        choices: [SUMMARY_ONLY, STANDARD]
      report_level:
        description: Report errors only or successes and errors.
        type: str
        choices: [ERRORS_ONLY, SUCCESSES_AND_ERRORS]
      object_version_ids:
        description: Whether reports include the object version IDs written to a versioned bucket.
        type: str
        choices: [INCLUDE, NONE]
      overrides:
        description: Report levels per aspect of the transfer.
        type: dict
        suboptions:
          transferred:
            description: Level for transferred files.
            type: dict
            suboptions: &report_level
              report_level:
                description: Report level.
                type: str
                choices: [ERRORS_ONLY, SUCCESSES_AND_ERRORS]
          verified:
            description: Level for verified files.
            type: dict
            suboptions: *report_level
          deleted:
            description: Level for deleted files.
            type: dict
            suboptions: *report_level
          skipped:
            description: Level for skipped files.
            type: dict
            suboptions: *report_level
  wait:
    description:
      - Wait until a new task is C(AVAILABLE); a task cannot be started before. A new task is C(CREATING)
        first and may then report C(UNAVAILABLE) for a while before it becomes C(AVAILABLE); the module waits
        through both, and stops waiting at any other status.
      - When O(wait_timeout) passes while the new task is still C(CREATING) or C(UNAVAILABLE), the module
        fails naming the status (for C(UNAVAILABLE) with DataSync's error code and detail), with
        C(changed=true) and the task; a re-run finds the task by name.
      - With V(false), the new task is returned as soon as DataSync describes it (usually C(CREATING)); the
        module fails if DataSync already reports it C(UNAVAILABLE).
      - An existing task that is still C(CREATING) is waited for too before it is compared.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for O(wait) (for a new task, through C(CREATING) and C(UNAVAILABLE) together).
    type: int
    default: 300
extends_documentation_fragment: [lakedrop.delivery.lakedrop, lakedrop.delivery.lakedrop.task_options,
  lakedrop.delivery.lakedrop.idempotent, lakedrop.delivery.lakedrop.replacement, lakedrop.delivery.lakedrop.propagation,
  amazon.aws.common.modules, amazon.aws.region.modules, amazon.aws.tags, amazon.aws.boto3]
notes:
  - A replacement (O(allow_replacement=true)) creates a new task with the same name, filters, schedule, log
    group, task report and tags (each as given, else as the old task had them) and only the options you set,
    then deletes the old task as soon as the new one exists (before waiting for it); anything that refers to
    the old task ARN must be updated.
  - DataSync's C(CreateTask) takes no idempotency token, so it is not retried after an C(InternalException)
    (the task may have been made anyway). The module then looks for the task by name instead and, when
    exactly one task with that name, those locations and that mode exists, uses it (with a warning);
    otherwise it reports the error.
  - The task's C(ManifestConfig) is not managed and is left as it is.
"""

EXAMPLES = r"""
- name: Copy new objects from the source bucket's location to the EFS location, hourly at :05
  lakedrop.delivery.datasync_task:
    name: lakedrop-s3-to-efs
    source_location_arn: "{{ source_location.location.location_arn }}"
    destination_location_arn: "{{ efs_location.location.location_arn }}"
    cloudwatch_log_group_arn: "arn:aws:logs:eu-west-1:222222222222:log-group:/lakedrop/datasync"
    options:
      verify_mode: ONLY_FILES_TRANSFERRED
      overwrite_mode: ALWAYS
      posix_permissions: NONE
      uid: NONE
      gid: NONE
      log_level: BASIC
    includes:
      - /incoming/daily*
    excludes:
      - "*.tmp"
      - "*/_temporary"
    schedule:
      expression: cron(5 * * * ? *)
    tags:
      project: lakedrop
  register: task

- name: Pause the schedule, keeping its expression
  lakedrop.delivery.datasync_task:
    name: lakedrop-s3-to-efs
    schedule:
      enabled: false

- name: Rename the task in place and drop its filters
  lakedrop.delivery.datasync_task:
    task_arn: "{{ task.task.task_arn }}"
    name: lakedrop-incoming-to-efs
    includes: []
    excludes: []

- name: Remove the task
  lakedrop.delivery.datasync_task:
    state: absent
    name: lakedrop-incoming-to-efs
"""

RETURN = r"""
task:
  description: The task after the module ran (in check mode, what it would be). Empty when absent.
extends_documentation_fragment: [lakedrop.delivery.lakedrop.task_return, lakedrop.delivery.lakedrop.replacement_return]
"""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import fragments
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import task
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import task_options
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import task_report
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run_module

ARGUMENT_SPEC = dict(
    state=dict(type="str", choices=["present", "absent"], default="present"),
    name=dict(type="str"),
    task_arn=dict(type="str"),
    source_location_arn=dict(type="str"),
    destination_location_arn=dict(type="str"),
    task_mode=dict(type="str", choices=task.TASK_MODES),
    cloudwatch_log_group_arn=dict(type="str"),
    options=dict(type="dict", options=task_options.argument_spec()),
    includes=dict(type="list", elements="str"),
    excludes=dict(type="list", elements="str"),
    schedule=dict(type="dict", options=dict(expression=dict(type="str"), enabled=dict(type="bool", default=True))),
    task_report_config=dict(type="dict", options=task_report.argument_spec()),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=300),
    **fragments.REPLACEMENT,
    **fragments.PROPAGATION,
    **fragments.TAGS,
)


def main():
    run_module(ARGUMENT_SPEC, task.run, task.validate)


if __name__ == "__main__":
    main()
