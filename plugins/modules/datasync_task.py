#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
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
author:
  - Lakedrop Delivery Maintainers (@lakedrop)
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
    suboptions:
      verify_mode:
        description: How DataSync checks data integrity after the transfer.
        type: str
        choices: [POINT_IN_TIME_CONSISTENT, ONLY_FILES_TRANSFERRED, NONE]
      overwrite_mode:
        description: Whether DataSync overwrites files at the destination.
        type: str
        choices: [ALWAYS, NEVER]
      atime:
        description: Whether to preserve access times. V(BEST_EFFORT) needs O(options.mtime=PRESERVE), V(NONE) needs O(options.mtime=NONE).
        type: str
        choices: [NONE, BEST_EFFORT]
      mtime:
        description: Whether to preserve modification times.
        type: str
        choices: [NONE, PRESERVE]
      uid:
        description: How file owner user IDs are copied.
        type: str
        choices: [NONE, INT_VALUE, NAME, BOTH]
      gid:
        description: How file owner group IDs are copied.
        type: str
        choices: [NONE, INT_VALUE, NAME, BOTH]
      preserve_deleted_files:
        description:
          - Whether files deleted at the source are kept (V(PRESERVE)) or removed (V(REMOVE)) at the destination.
          - V(REMOVE) cannot go with O(options.transfer_mode=ALL).
        type: str
        choices: [PRESERVE, REMOVE]
      preserve_devices:
        description: Whether to copy device and special files. V(PRESERVE) is not supported with an EFS destination.
        type: str
        choices: [NONE, PRESERVE]
      posix_permissions:
        description: Whether to copy POSIX permissions.
        type: str
        choices: [NONE, PRESERVE]
      bytes_per_second:
        description: Bandwidth limit in bytes per second; V(-1) is unlimited.
        type: int
      task_queueing:
        description: Whether executions queue while another runs.
        type: str
        choices: [ENABLED, DISABLED]
      log_level:
        description: What DataSync writes to O(cloudwatch_log_group_arn).
        type: str
        choices: ["OFF", BASIC, TRANSFER]
      transfer_mode:
        description: Copy only changed data (V(CHANGED)) or everything (V(ALL)).
        type: str
        choices: [CHANGED, ALL]
      security_descriptor_copy_flags:
        description: SMB security descriptors to copy.
        type: str
        choices: [NONE, OWNER_DACL, OWNER_DACL_SACL]
      object_tags:
        description: Whether to copy object tags between object storage locations.
        type: str
        choices: [PRESERVE, NONE]
      object_metadata:
        description: Whether to copy object metadata between object storage locations.
        type: str
        choices: [PRESERVE, NONE]
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
                description: ARN of the bucket (C(arn:aws:s3:::NAME)).
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
            suboptions:
              report_level:
                description: Report level.
                type: str
                choices: [ERRORS_ONLY, SUCCESSES_AND_ERRORS]
          verified:
            description: Level for verified files.
            type: dict
            suboptions:
              report_level:
                description: Report level.
                type: str
                choices: [ERRORS_ONLY, SUCCESSES_AND_ERRORS]
          deleted:
            description: Level for deleted files.
            type: dict
            suboptions:
              report_level:
                description: Report level.
                type: str
                choices: [ERRORS_ONLY, SUCCESSES_AND_ERRORS]
          skipped:
            description: Level for skipped files.
            type: dict
            suboptions:
              report_level:
                description: Report level.
                type: str
                choices: [ERRORS_ONLY, SUCCESSES_AND_ERRORS]
  wait:
    description:
      - Wait until a new task leaves C(CREATING) (becomes C(AVAILABLE)). A task cannot be started before.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for O(wait).
    type: int
    default: 300
extends_documentation_fragment:
  - lakedrop.delivery.lakedrop
  - lakedrop.delivery.lakedrop.replacement
  - lakedrop.delivery.lakedrop.propagation
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
notes:
  - Supports check mode and diff mode. A second run with the same arguments makes no write call.
  - A replacement (O(allow_replacement=true)) deletes the task and creates it again with the same name,
    filters, schedule, log group, task report and tags (each as given, else as the old task had them) and
    only the options you set; anything that refers to the old task ARN must be updated.
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
  returned: always
  type: dict
  contains:
    task_arn:
      description: ARN of the task (null when it would be created in check mode).
      type: str
      sample: arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0
    name:
      description: The task's name.
      type: str
      sample: lakedrop-s3-to-efs
    status:
      description: C(AVAILABLE), C(CREATING), C(QUEUED), C(RUNNING) or C(UNAVAILABLE).
      type: str
      sample: AVAILABLE
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
      description: All of the task's options as DataSync reports them (snake_case keys, as in O(options)).
      type: dict
      sample: {"verify_mode": "ONLY_FILES_TRANSFERRED", "overwrite_mode": "ALWAYS", "log_level": "BASIC"}
    includes:
      description: Include patterns, one per item.
      type: list
      elements: str
      sample: ["/incoming/daily*"]
    excludes:
      description: Exclude patterns, one per item.
      type: list
      elements: str
      sample: ["*.tmp", "*/_temporary"]
    schedule:
      description: The schedule, or null when the task has none.
      type: dict
      contains:
        expression:
          description: The rate or cron expression.
          type: str
          sample: cron(5 * * * ? *)
        enabled:
          description: Whether the schedule is active.
          type: bool
    schedule_details:
      description: DataSync's account of the schedule's status, or null.
      type: dict
      contains:
        disabled_by:
          description: C(USER) or C(SERVICE) (DataSync disabled it after repeated failures), when disabled.
          type: str
        disabled_reason:
          description: Why it is disabled.
          type: str
        status_update_time:
          description: When the status last changed.
          type: str
    schedule_disabled_by_service:
      description: Whether DataSync itself disabled the schedule (it stays disabled until re-enabled).
      type: bool
    task_mode:
      description: C(BASIC) or C(ENHANCED).
      type: str
    task_report_config:
      description: Task report settings (snake_case keys, as in O(task_report_config)), or null.
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
      sample: {"project": "lakedrop"}
replaced:
  description: Whether the task was deleted and created again (O(allow_replacement=true)).
  returned: always
  type: bool
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import arns
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import datasync_api as ds_api
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import filters
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import locations
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import naming
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import tags
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import task as tk
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import task_options
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.changes import Changes
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.changes import creation_diff
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.changes import deletion_diff

LOCATION_HINT = {
    "efs_file_system": "create a DataSync EFS location for it (lakedrop.delivery.datasync_location_efs) and pass its location_arn",
    "efs_file_system_id": "create a DataSync EFS location for it (lakedrop.delivery.datasync_location_efs) and pass its location_arn",
    "s3_bucket": "create a DataSync S3 location for it (lakedrop.delivery.datasync_location_s3) and pass its location_arn",
    "s3_bucket_id": "create a DataSync S3 location for it (lakedrop.delivery.datasync_location_s3) and pass its location_arn",
    "s3_access_point": "create a DataSync S3 location for it (lakedrop.delivery.datasync_location_s3) and pass its location_arn",
}
ENHANCED_LOG_GROUP = "/aws/datasync"
CREATE_ONLY = ("source_location_arn", "destination_location_arn", "task_mode")


# --- validation (before any call) --------------------------------------------------------------------


def validate(params, region=None):
    """Every problem with the arguments, as messages; nothing is called before this is empty."""
    problems = []
    if params["name"] is None and not params["task_arn"]:
        problems.append("name is required unless task_arn is given (the name identifies the task).")
    problems.append(tk.name_problem(params["name"]))
    if params["task_arn"]:
        problems.append(arns.check(params["task_arn"], "datasync_task", "task_arn"))
        problems.append(region_problem(params["task_arn"], "task_arn", region))
    for option in ("source_location_arn", "destination_location_arn"):
        value = params[option]
        if value:
            problems.append(location_arn_problem(value, option))
            problems.append(region_problem(value, option, region))
    if params["source_location_arn"] and params["source_location_arn"] == params["destination_location_arn"]:
        problems.append(
            "source_location_arn and destination_location_arn are the same location; a task copies between two."
        )
    log_group = params["cloudwatch_log_group_arn"]
    if log_group:
        problems.append(arns.check(log_group, "log_group", "cloudwatch_log_group_arn"))
        problems.append(log_group_mode_problem(log_group, params["task_mode"]))
    problems.extend(filters.problems(params["includes"], "includes", include=True))
    problems.extend(filters.problems(params["excludes"], "excludes", include=False))
    if params["schedule"] is not None:
        problems.extend(tk.schedule_problems(params["schedule"]["expression"]))
    # Mode-specific rules wait for the task's mode when task_mode is not given.
    problems.extend(task_options.problems(managed_options(params), "options", params["task_mode"]))
    problems.extend(report_config_problems(params["task_report_config"]))
    return [p for p in problems if p]


def location_arn_problem(value, option):
    problem = arns.check(value, "datasync_location", option)
    hint = LOCATION_HINT.get(arns.kind_of(value))
    if problem and hint:
        problem = f"{problem[:-1]}: {hint}."
    return problem


def region_problem(arn, option, region):
    if not region or not arns.is_arn(arn) or arn.count(":") < 5:
        return None
    arn_region = arns.arn_parts(arn)[2]
    if arn_region and arn_region != region:
        return f"{option} {arn} is in region {arn_region}, but the module works in {region}; set region to {arn_region} or use a resource in {region}."
    return None


def log_group_mode_problem(log_group, task_mode):
    if task_mode != "ENHANCED" or not log_group:
        return None
    name = log_group.split(":log-group:", 1)[-1]
    name = name[:-2] if name.endswith(":*") else name
    if name != ENHANCED_LOG_GROUP:
        return f"cloudwatch_log_group_arn: an ENHANCED task must log to the log group {ENHANCED_LOG_GROUP}, not {name}."
    return None


def report_config_problems(config):
    wanted = tk.strip_none(config or {})
    if not wanted:
        return []
    s3 = (wanted.get("destination") or {}).get("s3") or {}
    problems = []
    if not s3.get("s3_bucket_arn") or not s3.get("bucket_access_role_arn"):
        problems.append(
            "task_report_config.destination.s3 needs s3_bucket_arn and bucket_access_role_arn (or give task_report_config: {} to remove reports)."
        )
    bucket = s3.get("s3_bucket_arn")
    if bucket and arns.kind_of(bucket) not in ("s3_bucket", "s3_access_point"):
        problems.append(
            f"task_report_config.destination.s3.s3_bucket_arn must be an S3 bucket ARN (arn:aws:s3:::NAME) or an "
            f"S3 access point ARN, but {bucket!r} is {arns.describe(bucket)}."
        )
    if s3.get("bucket_access_role_arn"):
        problems.append(
            arns.check(
                s3["bucket_access_role_arn"], "iam_role", "task_report_config.destination.s3.bucket_access_role_arn"
            )
        )
    problems.append(
        locations.subdirectory_problem(
            s3.get("subdirectory"), "task_report_config.destination.s3.subdirectory", s3=True
        )
    )
    return [p for p in problems if p]


def managed_options(params):
    return dict((k, v) for k, v in (params["options"] or {}).items() if v is not None)


# --- current state --------------------------------------------------------------------------------


def find_task(client, params):
    """DescribeTask of the existing task, or None. Fails (ValueError) when the name is ambiguous."""
    if params["task_arn"]:
        return ds_api.describe_task(client, params["task_arn"])
    matches = naming.named(ds_api.list_tasks(client), params["name"])
    if len(matches) > 1:
        raise ValueError(tk.ambiguity_message(params["name"], [m["TaskArn"] for m in matches]))
    return ds_api.describe_task(client, matches[0]["TaskArn"]) if matches else None


def read_task(client, described):
    return tk.task_from_api(described, ds_api.list_tags(client, described["TaskArn"]))


def location_uris(client):
    return dict((loc["LocationArn"], loc.get("LocationUri")) for loc in ds_api.list_locations(client))


# --- desired state and comparison ----------------------------------------------------------------


def desired_schedule(spec, current):
    """The schedule the arguments ask for ({expression, enabled} or None for none)."""
    expression = spec["expression"]
    if expression is None:
        expression = current["expression"] if current else ""
    if not expression.strip():
        return None
    return {"expression": expression.strip(), "enabled": spec["enabled"]}


def desired_task(params):
    """The task a create makes from the arguments (what check mode reports)."""
    schedule = desired_schedule(params["schedule"], None) if params["schedule"] else None
    return {
        "task_arn": None,
        "name": params["name"],
        "status": None,
        "source_location_arn": params["source_location_arn"],
        "destination_location_arn": params["destination_location_arn"],
        "cloudwatch_log_group_arn": params["cloudwatch_log_group_arn"] or None,
        "options": managed_options(params),
        "includes": list(params["includes"] or []),
        "excludes": list(params["excludes"] or []),
        "schedule": schedule,
        "schedule_details": None,
        "schedule_disabled_by_service": False,
        "task_mode": params["task_mode"] or "BASIC",
        "task_report_config": tk.strip_none(params["task_report_config"] or {}) or None,
        "creation_time": None,
        "current_task_execution_arn": None,
        "error_code": None,
        "error_detail": None,
        "tags": params["tags"] or {},
    }


def compare(current, params):
    """(in-place Changes, create-only Changes) between an existing task and the arguments. Fields the
    arguments leave out are not compared; equal-meaning spellings are kept as they are in `after`."""
    in_place, create_only = Changes(), Changes()
    for key in CREATE_ONLY:
        if params[key] is not None:
            create_only.add(key, current[key], params[key])
    if params["name"] is not None:
        in_place.add("name", current["name"], params["name"])
    log_group = params["cloudwatch_log_group_arn"]
    if log_group is not None:
        before = current["cloudwatch_log_group_arn"]
        in_place.add(
            "cloudwatch_log_group_arn", before, before if tk.same_log_group(before, log_group) else (log_group or None)
        )
    wanted = managed_options(params)
    if wanted:
        in_place.add("options", dict((k, current["options"].get(k)) for k in wanted), wanted)
    for key in ("includes", "excludes"):
        if params[key] is not None:
            before = current[key]
            in_place.add(key, before, before if sorted(before) == sorted(params[key]) else list(params[key]))
    if params["schedule"] is not None:
        before = current["schedule"]
        wanted_schedule = desired_schedule(params["schedule"], before)
        in_place.add("schedule", before, before if tk.same_schedule(before, wanted_schedule) else wanted_schedule)
    if params["task_report_config"] is not None:
        before = current["task_report_config"]
        wanted_report = tk.strip_none(params["task_report_config"])
        same = (not wanted_report and not before) or bool(
            wanted_report and before and tk.contains(before, wanted_report)
        )
        in_place.add("task_report_config", before, before if same else (wanted_report or None))
    if params["tags"] is not None:
        _set, _remove, tag_result = tags.plan(current["tags"], params["tags"], params["purge_tags"])
        in_place.add("tags", current["tags"], tag_result)
    return in_place, create_only


def predict(current, in_place):
    """What an in-place update makes of `current` (check mode reports it without writing)."""
    after = in_place.diff()["after"]
    task = dict(current)
    for key in in_place.names:
        task[key] = after[key]
    if "options" in in_place.names:
        task["options"] = dict(current["options"], **after["options"])
    if "schedule" in in_place.names:
        task["schedule_details"] = None
        task["schedule_disabled_by_service"] = False
    return task


def update_params(in_place, described):
    """UpdateTask arguments for the changed fields (tags are not UpdateTask's business)."""
    names = in_place.names
    after = in_place.diff()["after"]
    update = {}
    if "name" in names:
        update["Name"] = after["name"]
    if "cloudwatch_log_group_arn" in names:
        update["CloudWatchLogGroupArn"] = after["cloudwatch_log_group_arn"] or ""  # "" removes it
    if "options" in names:
        # Send the task's other options too, so nothing unmanaged can fall back to a default.
        known = set(key for key, _choices in task_options.FIELDS.values())
        current = dict((k, v) for k, v in (described.get("Options") or {}).items() if k in known)
        update["Options"] = dict(current, **task_options.to_api(after["options"]))
    for key, api_key in (("includes", "Includes"), ("excludes", "Excludes")):
        if key in names:
            update[api_key] = filters.to_api(after[key])  # [] removes the filter
    if "schedule" in names:
        update["Schedule"] = tk.schedule_to_api(after["schedule"])
    if "task_report_config" in names:
        update["TaskReportConfig"] = tk.report_config_to_api(after["task_report_config"])  # {} removes it
    return update


def create_params(desired, wanted_options):
    create = {
        "SourceLocationArn": desired["source_location_arn"],
        "DestinationLocationArn": desired["destination_location_arn"],
    }
    if desired["name"]:
        create["Name"] = desired["name"]
    if desired["task_mode"]:
        create["TaskMode"] = desired["task_mode"]
    if desired["cloudwatch_log_group_arn"]:
        create["CloudWatchLogGroupArn"] = desired["cloudwatch_log_group_arn"]
    if wanted_options:
        create["Options"] = task_options.to_api(wanted_options)
    if desired["includes"]:
        create["Includes"] = filters.to_api(desired["includes"])
    if desired["excludes"]:
        create["Excludes"] = filters.to_api(desired["excludes"])
    if desired["schedule"]:
        create["Schedule"] = tk.schedule_to_api(desired["schedule"])
    if desired["task_report_config"]:
        create["TaskReportConfig"] = tk.report_config_to_api(desired["task_report_config"])
    if desired["tags"]:
        create["Tags"] = ansible_dict_to_boto3_tag_list(desired["tags"])
    return create


# --- checks that need read calls (still before any write) ------------------------------------------


def create_problems(client, desired, params, region):
    """Problems with creating `desired`: its locations must exist; options are judged against the
    destination's type and DataSync's defaults."""
    missing = [o for o in ("source_location_arn", "destination_location_arn") if not desired[o]]
    if missing:
        return [
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} required to create task {desired['name']!r} "
            "(no task has that name yet)."
        ]
    uris = location_uris(client)
    problems = []
    for option in ("source_location_arn", "destination_location_arn"):
        if desired[option] not in uris:
            problems.append(
                f"{option} {desired[option]} does not exist in this account and region ({region}); create the "
                "location first or check the ARN."
            )
    problems.extend(
        task_options.problems(
            managed_options(params),
            "options",
            desired["task_mode"],
            tk.location_type(uris.get(desired["destination_location_arn"])),
            task_options.DEFAULTS,
        )
    )
    problems.append(log_group_mode_problem(desired["cloudwatch_log_group_arn"], desired["task_mode"]))
    problems.append(schedule_expression_problem(params, None))
    return [p for p in problems if p]


def update_problems(client, current, params, in_place):
    problems = []
    if "options" in in_place.names:
        destination_type = tk.location_type(location_uris(client).get(current["destination_location_arn"]))
        problems.extend(
            task_options.problems(
                managed_options(params), "options", current["task_mode"], destination_type, current["options"]
            )
        )
    if "cloudwatch_log_group_arn" in in_place.names:
        problems.append(log_group_mode_problem(params["cloudwatch_log_group_arn"], current["task_mode"]))
    problems.append(schedule_expression_problem(params, current["schedule"]))
    if "name" in in_place.names:
        others = [
            t["TaskArn"]
            for t in naming.named(ds_api.list_tasks(client), params["name"])
            if t["TaskArn"] != current["task_arn"]
        ]
        if others:
            problems.append(
                f"Cannot rename task {current['task_arn']} to {params['name']!r}: {', '.join(others)} already has "
                "that name, and the name identifies a task. Rename or delete that task first."
            )
    return [p for p in problems if p]


def schedule_expression_problem(params, current_schedule):
    spec = params["schedule"]
    if spec is not None and spec["expression"] is None and not current_schedule:
        return "schedule.expression is required: the task has no schedule yet to enable or disable."
    return None


def schedule_warning(current, params, changing, check_mode):
    """A warning when DataSync disabled the schedule itself (quoting its reason)."""
    if not current["schedule_disabled_by_service"]:
        return None
    details = current["schedule_details"] or {}
    said = f"DataSync disabled the schedule of task {current['task_arn']} itself (at {details.get('status_update_time')}): {details.get('disabled_reason')!r}."
    wanted = params["schedule"]
    if wanted is None:
        return f"{said} Set schedule.enabled=true to re-enable it once the cause is fixed."
    if changing and wanted["enabled"]:
        verb = "would be re-enabled (check mode)" if check_mode else "was re-enabled"
        return f"{said} The schedule {verb} as requested; fix the cause or DataSync will disable it again."
    return None


# --- actions --------------------------------------------------------------------------------------


def ensure_absent(module, client, described):
    if not described:
        return dict(changed=False, task={}, replaced=False)
    current = read_task(client, described)
    if not module.check_mode:
        ds_api.delete_task(client, described["TaskArn"])
    return dict(changed=True, task={}, replaced=False, diff=deletion_diff(current))


def create(module, client, desired, wanted_options, created=None):
    """Create the task (unless check mode), call `created()` (a replacement deletes the old task there),
    wait for the new one if asked, and return it."""
    if module.check_mode:
        return desired
    params = module.params
    arn = ds_api.create_task(client, create_params(desired, wanted_options), params["propagation_timeout"])
    if created:
        created()
    described = ds_api.describe_task(client, arn)
    if params["wait"] and (described is None or described.get("Status") == "CREATING"):
        described, done = ds_api.wait_until_available(client, arn, params["wait_timeout"])
        if not done:
            module.fail_json(
                msg=f"Task {arn} was created but is still CREATING after {params['wait_timeout']} seconds. Re-run "
                "later (it will be found by name) or raise wait_timeout.",
                changed=True,
                task=read_task(client, described) if described else {"task_arn": arn},
            )
    if described is None:
        module.fail_json(
            msg=f"Task {arn} was created but DataSync does not describe it yet; re-run to manage it.",
            changed=True,
            task={"task_arn": arn},
        )
    task = read_task(client, described)
    if task["status"] == "UNAVAILABLE":
        module.fail_json(
            msg=f"Task {arn} was created but DataSync reports it UNAVAILABLE: {task['error_code']} {task['error_detail']}",
            changed=True,
            task=task,
        )
    return task


def ensure_present(module, client, described):
    params = module.params
    if not described:
        if params["task_arn"]:
            module.fail_json(
                msg=f"task_arn {params['task_arn']} does not exist; omit it (and give name) to create a new task."
            )
        desired = desired_task(params)
        problems = create_problems(client, desired, params, module.region)
        if problems:
            module.fail_json(msg=" ".join(problems), problems=problems)
        task = create(module, client, desired, managed_options(params))
        return dict(changed=True, task=task, replaced=False, diff=creation_diff(task))

    if described.get("Status") == "CREATING" and params["wait"] and not module.check_mode:
        described, _done = ds_api.wait_until_available(client, described["TaskArn"], params["wait_timeout"])
    current = read_task(client, described)
    in_place, create_only = compare(current, params)

    if create_only.changed:
        return replace(module, client, current, in_place, create_only)

    problems = update_problems(client, current, params, in_place)
    if problems:
        module.fail_json(msg=" ".join(problems), problems=problems)
    warning = schedule_warning(current, params, "schedule" in in_place.names, module.check_mode)
    if not in_place.changed or module.check_mode:
        if warning:
            module.warn(warning)
        task = predict(current, in_place) if in_place.changed else current
        return dict(changed=in_place.changed, task=task, replaced=False, diff=in_place.diff())
    arn = current["task_arn"]
    updates = update_params(in_place, described)
    if updates:
        ds_api.update_task(client, arn, updates, params["propagation_timeout"])
    tags.ensure(ds_api, client, arn, current["tags"], params["tags"], params["purge_tags"])
    if warning:  # said once the update went through
        module.warn(warning)
    return dict(
        changed=True, task=read_task(client, ds_api.describe_task(client, arn)), replaced=False, diff=in_place.diff()
    )


def replace(module, client, current, in_place, create_only):
    params = module.params
    arn = current["task_arn"]
    if not params["allow_replacement"]:
        diff = create_only.diff()
        details = "; ".join(f"{n}: {diff['before'][n]!r} -> {diff['after'][n]!r}" for n in create_only.names)
        module.fail_json(
            msg=f"Task {arn} cannot be changed in place ({details}). Set allow_replacement=true to delete and "
            "recreate it; anything that refers to its ARN must then be updated."
        )
    desired = predict(current, in_place)
    desired.update(create_only.diff()["after"])
    desired.update(
        task_arn=None,
        status=None,
        creation_time=None,
        current_task_execution_arn=None,
        error_code=None,
        error_detail=None,
        options=managed_options(params),
    )
    problems = create_problems(client, desired, params, module.region)
    if problems:
        module.fail_json(msg=" ".join(problems), problems=problems)
    # The new task is created first: if AWS refuses it, the old one still works.
    task = create(module, client, desired, managed_options(params), created=lambda: ds_api.delete_task(client, arn))
    return dict(changed=True, task=task, replaced=True, diff={"before": current, "after": task})


def report_level():
    return dict(
        type="dict", options=dict(report_level=dict(type="str", choices=["ERRORS_ONLY", "SUCCESSES_AND_ERRORS"]))
    )


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        name=dict(type="str"),
        task_arn=dict(type="str"),
        source_location_arn=dict(type="str"),
        destination_location_arn=dict(type="str"),
        task_mode=dict(type="str", choices=["BASIC", "ENHANCED"]),
        cloudwatch_log_group_arn=dict(type="str"),
        options=dict(type="dict", options=task_options.argument_spec()),
        includes=dict(type="list", elements="str"),
        excludes=dict(type="list", elements="str"),
        schedule=dict(
            type="dict",
            options=dict(
                expression=dict(type="str"),
                enabled=dict(type="bool", default=True),
            ),
        ),
        task_report_config=dict(
            type="dict",
            options=dict(
                destination=dict(
                    type="dict",
                    options=dict(
                        s3=dict(
                            type="dict",
                            options=dict(
                                s3_bucket_arn=dict(type="str"),
                                bucket_access_role_arn=dict(type="str"),
                                subdirectory=dict(type="str"),
                            ),
                        ),
                    ),
                ),
                output_type=dict(type="str", choices=["SUMMARY_ONLY", "STANDARD"]),
                report_level=dict(type="str", choices=["ERRORS_ONLY", "SUCCESSES_AND_ERRORS"]),
                object_version_ids=dict(type="str", choices=["INCLUDE", "NONE"]),
                overrides=dict(
                    type="dict",
                    options=dict(
                        transferred=report_level(),
                        verified=report_level(),
                        deleted=report_level(),
                        skipped=report_level(),
                    ),
                ),
            ),
        ),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=300),
        allow_replacement=dict(type="bool", default=False),
        propagation_timeout=dict(type="int", default=120),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    problems = validate(module.params, module.region)
    if problems:
        module.fail_json(msg=" ".join(problems), problems=problems)
    client = module.client("datasync")
    try:
        described = find_task(client, module.params)
        if module.params["state"] == "absent":
            result = ensure_absent(module, client, described)
        else:
            result = ensure_present(module, client, described)
    except ValueError as err:
        module.fail_json(msg=str(err))
    except AnsibleAWSError as err:
        module.fail_json_aws_error(err)
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
