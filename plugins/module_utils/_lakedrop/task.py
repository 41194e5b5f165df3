# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DataSync tasks (modules datasync_task and datasync_task_info).

Pure functions first (names, DescribeTask -> snake_case `task`, validate, desired state, compare, API
parameters, what to make of a task just created; unit-tested without AWS; the schedule and report rules
are in task_schedule and task_report), then the flows: the only part that calls the API layer
(datasync_api), through `run(module)` and `run_info(module)`.
"""

import re
import time

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import is_ansible_aws_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from . import arns
from . import datasync_api as ds_api
from . import filters
from . import naming
from . import tags
from . import task_options
from . import task_report as report
from . import task_schedule as sched
from .changes import Changes
from .changes import creation_diff
from .changes import deletion_diff
from .changes import refuse_replacement
from .changes import replace
from .runner import Failure
from .runner import require

TASK_MODES = ["BASIC", "ENHANCED"]
ENHANCED_LOG_GROUP = "/aws/datasync"
LOCATIONS = ("source_location_arn", "destination_location_arn")
CREATE_ONLY = (*LOCATIONS, "task_mode")
# A new task is CREATING, and may then report UNAVAILABLE for a while before it is AVAILABLE
# (terraform-provider-aws's waitTaskAvailable waits through both).
SETTLING = ("CREATING", "UNAVAILABLE")

_EFS_HINT = "create a DataSync EFS location for it (lakedrop.delivery.datasync_location_efs) and pass its location_arn"
_S3_HINT = "create a DataSync S3 location for it (lakedrop.delivery.datasync_location_s3) and pass its location_arn"
# What to do when a location argument names the storage instead of a DataSync location.
LOCATION_HINT = {
    "efs_file_system": _EFS_HINT,
    "efs_file_system_id": _EFS_HINT,
    "s3_bucket": _S3_HINT,
    "s3_bucket_id": _S3_HINT,
    "s3_access_point": _S3_HINT,
}

# --- pure: identity and names ------------------------------------------------------------------------


def ambiguity_message(name, matches):
    return naming.ambiguity_message(
        f"DataSync tasks are named {name!r}", matches, "Pass task_arn to choose one (and rename or delete the others)"
    )


NAME_RE = re.compile(r"^[a-zA-Z0-9\s+=._:@/-]+$")
NAME_MAX = 256


def name_problem(name, option="name"):
    if name is None:
        return None
    if not name or len(name) > NAME_MAX:
        return f"{option} must be 1 to {NAME_MAX} characters long; it has {len(name)}."
    if not NAME_RE.match(name):
        bad = ", ".join(repr(c) for c in sorted(set(c for c in name if not NAME_RE.match(c))))
        return f"{option} {name!r} may contain only letters, digits, spaces and + = . _ : @ / -; found {bad}."
    return None


# --- log groups ------------------------------------------------------------------------------------


def same_log_group(current, desired):
    """`…:log-group:NAME` and `…:log-group:NAME:*` name the same log group; None and "" mean none."""

    def norm(arn):
        arn = arn or ""
        return arn[:-2] if arn.endswith(":*") else arn

    return norm(current) == norm(desired)


# --- DescribeTask -> module return -----------------------------------------------------------------


def location_type(uri):
    """EFS, S3, NFS, SMB, … from a LocationUri's scheme."""
    match = re.match(r"^([a-z0-9-]+)://", uri or "")
    return match.group(1).upper() if match else None


def task_from_api(described, tags):
    """A DescribeTask answer (plus tags) in the modules' snake_case shape."""
    details = described.get("ScheduleDetails") or None
    schedule_details = None
    if details:
        schedule_details = {
            "disabled_by": details.get("DisabledBy"),
            "disabled_reason": details.get("DisabledReason"),
            "status_update_time": _time(details.get("StatusUpdateTime")),
        }
    schedule = sched.schedule_from_api(described.get("Schedule"))
    return {
        "task_arn": described.get("TaskArn"),
        "name": described.get("Name"),
        "status": described.get("Status"),
        "source_location_arn": described.get("SourceLocationArn"),
        "destination_location_arn": described.get("DestinationLocationArn"),
        "cloudwatch_log_group_arn": described.get("CloudWatchLogGroupArn") or None,
        "options": task_options.from_api(described.get("Options")),
        "includes": filters.from_api(described.get("Includes")),
        "excludes": filters.from_api(described.get("Excludes")),
        "schedule": schedule,
        "schedule_details": schedule_details,
        "schedule_disabled_by_service": bool(
            schedule and not schedule["enabled"] and (details or {}).get("DisabledBy") == "SERVICE"
        ),
        "task_mode": described.get("TaskMode") or "BASIC",
        "task_report_config": report.from_api(described.get("TaskReportConfig")),
        "creation_time": _time(described.get("CreationTime")),
        "current_task_execution_arn": described.get("CurrentTaskExecutionArn"),
        "error_code": described.get("ErrorCode"),
        "error_detail": described.get("ErrorDetail"),
        "tags": tags or {},
    }


def _time(value):
    return None if value is None else str(value)


# --- pure: validation (before any call) --------------------------------------------------------------


def validate(params, region=None):
    """Every problem with the arguments, as messages; nothing is called before this is empty."""
    problems = []
    if params["name"] is None and not params["task_arn"]:
        problems.append("name is required unless task_arn is given (the name identifies the task).")
    problems.append(name_problem(params["name"]))
    if params["task_arn"]:
        problems.append(arns.check(params["task_arn"], "datasync_task", "task_arn"))
        problems.append(arns.region_problem(params["task_arn"], region, "task_arn"))
    for option in LOCATIONS:
        if params[option]:
            problems.append(location_arn_problem(params[option], option))
            problems.append(arns.region_problem(params[option], region, option))
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
        problems.extend(sched.schedule_problems(params["schedule"]["expression"]))
    # Mode-specific rules wait for the task's mode when task_mode is not given.
    problems.extend(task_options.problems(managed_options(params), "options", params["task_mode"]))
    problems.extend(report.problems(params["task_report_config"]))
    return [p for p in problems if p]


def location_arn_problem(value, option):
    """arns.check's message, plus what to do when `value` names the storage instead of a DataSync location."""
    problem = arns.check(value, "datasync_location", option)
    hint = LOCATION_HINT.get(arns.kind_of(value))
    if problem and hint:
        problem = f"{problem[:-1]}: {hint}."
    return problem


def log_group_mode_problem(log_group, task_mode):
    if task_mode != "ENHANCED" or not log_group:
        return None
    name = log_group.split(":log-group:", 1)[-1]
    name = name[:-2] if name.endswith(":*") else name
    if name != ENHANCED_LOG_GROUP:
        return f"cloudwatch_log_group_arn: an ENHANCED task must log to the log group {ENHANCED_LOG_GROUP}, not {name}."
    return None


def managed_options(params):
    """The task options the arguments set (the others are not managed)."""
    return dict((k, v) for k, v in (params["options"] or {}).items() if v is not None)


# --- pure: checks that need read answers (still before any write) ------------------------------------


def missing_locations_problem(desired):
    missing = [option for option in LOCATIONS if not desired[option]]
    if not missing:
        return None
    return (
        f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} required to create task "
        f"{desired['name']!r} (no task has that name yet)."
    )


def create_problems(desired, params, uris, region):
    """Problems with creating `desired`, given the account's locations (`uris`: ARN -> LocationUri): its
    locations must exist; options are judged against the destination's type and DataSync's defaults."""
    problems = [
        f"{option} {desired[option]} does not exist in this account and region ({region}); create the location "
        "first or check the ARN."
        for option in LOCATIONS
        if desired[option] not in uris
    ]
    problems.extend(
        task_options.problems(
            managed_options(params),
            "options",
            desired["task_mode"],
            location_type(uris.get(desired["destination_location_arn"])),
            task_options.DEFAULTS,
            source_type=location_type(uris.get(desired["source_location_arn"])),
        )
    )
    problems.append(log_group_mode_problem(desired["cloudwatch_log_group_arn"], desired["task_mode"]))
    problems.append(sched.expression_problem(params["schedule"], None))
    return [p for p in problems if p]


def update_problems(current, params, in_place, location_types=(None, None), others=()):
    """Problems with updating `current` in place: options judged with the task's other options and its
    locations' types (source, destination), and a new name that `others` (task ARNs) already carry."""
    problems = []
    if "options" in in_place.names:
        source_type, destination_type = location_types
        problems.extend(
            task_options.problems(
                managed_options(params),
                "options",
                current["task_mode"],
                destination_type,
                current["options"],
                source_type=source_type,
            )
        )
    if "cloudwatch_log_group_arn" in in_place.names:
        problems.append(log_group_mode_problem(params["cloudwatch_log_group_arn"], current["task_mode"]))
    problems.append(sched.expression_problem(params["schedule"], current["schedule"]))
    if others:
        problems.append(
            f"Cannot rename task {current['task_arn']} to {params['name']!r}: {', '.join(others)} already has "
            "that name, and the name identifies a task. Rename or delete that task first."
        )
    return [p for p in problems if p]


# --- pure: desired state and comparison --------------------------------------------------------------


def desired_task(params):
    """The task a create makes from the arguments (what check mode reports)."""
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
        "schedule": sched.desired_schedule(params["schedule"], None) if params["schedule"] else None,
        "schedule_details": None,
        "schedule_disabled_by_service": False,
        "task_mode": params["task_mode"] or "BASIC",
        "task_report_config": report.strip_none(params["task_report_config"] or {}) or None,
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
            "cloudwatch_log_group_arn", before, before if same_log_group(before, log_group) else (log_group or None)
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
        wanted_schedule = sched.desired_schedule(params["schedule"], before)
        in_place.add("schedule", before, before if sched.same_schedule(before, wanted_schedule) else wanted_schedule)
    if params["task_report_config"] is not None:
        before = current["task_report_config"]
        wanted_report = report.strip_none(params["task_report_config"])
        in_place.add(
            "task_report_config", before, before if report.same(before, wanted_report) else (wanted_report or None)
        )
    if params["tags"] is not None:
        in_place.add("tags", current["tags"], tags.plan(current["tags"], params["tags"], params["purge_tags"])[2])
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
        task.update(schedule_details=None, schedule_disabled_by_service=False)
    return task


def replacement_task(current, in_place, create_only, params):
    """The task a replacement creates: `current` with every change, a schedule DataSync has not disabled, and
    only the options the arguments set (the others take DataSync's defaults)."""
    task = predict(current, in_place)
    task.update(create_only.diff()["after"])
    task.update(dict.fromkeys(("task_arn", "status", "creation_time", "current_task_execution_arn", "error_code")))
    task.update(
        error_detail=None, schedule_details=None, schedule_disabled_by_service=False, options=managed_options(params)
    )
    return task


# --- pure: API parameters ----------------------------------------------------------------------------


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
        update["Schedule"] = sched.schedule_to_api(after["schedule"])
    if "task_report_config" in names:
        update["TaskReportConfig"] = report.to_api(after["task_report_config"])  # {} removes it
    return update


def create_params(desired):
    """CreateTask arguments for `desired` (its options are the managed ones)."""
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
    if desired["options"]:
        create["Options"] = task_options.to_api(desired["options"])
    if desired["includes"]:
        create["Includes"] = filters.to_api(desired["includes"])
    if desired["excludes"]:
        create["Excludes"] = filters.to_api(desired["excludes"])
    if desired["schedule"]:
        create["Schedule"] = sched.schedule_to_api(desired["schedule"])
    if desired["task_report_config"]:
        create["TaskReportConfig"] = report.to_api(desired["task_report_config"])
    if desired["tags"]:
        create["Tags"] = ansible_dict_to_boto3_tag_list(desired["tags"])
    return create


# --- pure: a task just created -----------------------------------------------------------------------


def adoptable(described_tasks, desired, replaced=None):
    """The ARN of the task a CreateTask answered with InternalException may still have made: the only one
    (DescribeTask answers) with the desired name, locations and mode, other than the task being `replaced`.
    None when there is not exactly one: then the error stands."""
    if not desired["name"]:
        return None
    found = [
        described["TaskArn"]
        for described in described_tasks
        if described
        and described.get("TaskArn") != replaced
        and described.get("Name") == desired["name"]
        and described.get("SourceLocationArn") == desired["source_location_arn"]
        and described.get("DestinationLocationArn") == desired["destination_location_arn"]
        and (described.get("TaskMode") or "BASIC") == desired["task_mode"]
    ]
    return found[0] if len(found) == 1 else None


def unsettled_message(arn, described, waited):
    """Why a task just created cannot be reported as it is (None when it can). `waited`: the seconds the
    module waited for it to settle, or None (wait=false)."""
    if described is None:
        return f"Task {arn} was created but DataSync does not describe it yet; re-run to manage it."
    status = described.get("Status")
    later = "Re-run later (it will be found by name) or raise wait_timeout."
    if status == "CREATING" and waited is not None:
        return f"Task {arn} was created but is still CREATING after {waited} seconds. {later}"
    if status != "UNAVAILABLE":
        return None
    code, detail = described.get("ErrorCode"), described.get("ErrorDetail")
    if waited is None:
        return f"Task {arn} was created but DataSync reports it UNAVAILABLE: {code} {detail}"
    return f"Task {arn} was created but is still UNAVAILABLE after {waited} seconds ({code}: {detail}). {later}"


# --- pure: datasync_task_info ------------------------------------------------------------------------


def validate_info(params, region=None):
    problems = [arns.check(arn, "datasync_task", "task_arns") for arn in params["task_arns"] or []]
    for option in LOCATIONS:
        if params[option]:
            problems.append(arns.check(params[option], "datasync_location", option))
    problems.append(name_problem(params["name"]))
    return [p for p in problems if p]


def list_filters(params):
    """ListTasks filters narrowing the listing server-side by a location (None: list all)."""
    location = params["source_location_arn"] or params["destination_location_arn"]
    return [{"Name": "LocationId", "Operator": "Equals", "Values": [location]}] if location else None


def matches(described, params):
    """Whether a DescribeTask answer has every selector that is given."""
    if params["name"] is not None and described.get("Name") != params["name"]:
        return False
    return all(
        not params[option] or described.get(key) == params[option]
        for option, key in (
            ("source_location_arn", "SourceLocationArn"),
            ("destination_location_arn", "DestinationLocationArn"),
        )
    )


# --- flow: reads, the plan above, writes -------------------------------------------------------------


def find(client, params):
    """DescribeTask of the existing task, or None (a Failure when the name is ambiguous)."""
    if params["task_arn"]:
        return ds_api.describe_task(client, params["task_arn"])
    found = naming.single(
        naming.named(ds_api.list_tasks(client), params["name"]),
        lambda matched: ambiguity_message(params["name"], [m["TaskArn"] for m in matched]),
    )
    return ds_api.describe_task(client, found["TaskArn"]) if found else None


def read_task(client, described):
    return task_from_api(described, ds_api.list_tags(client, described["TaskArn"]))


def location_uris(client):
    return dict((loc["LocationArn"], loc.get("LocationUri")) for loc in ds_api.list_locations(client))


def check_create(module, client, desired):
    """Refuse what CreateTask would refuse, before writing: locations missing or unknown, bad options."""
    require([missing_locations_problem(desired)])
    require(create_problems(desired, module.params, location_uris(client), module.region))


def check_update(module, client, current, in_place):
    """Refuse what UpdateTask would refuse, before writing; reads only what the changes need."""
    location_types = (None, None)
    if "options" in in_place.names:
        uris = location_uris(client)
        location_types = tuple(location_type(uris.get(current[option])) for option in LOCATIONS)
    others = []
    if "name" in in_place.names:
        named = naming.named(ds_api.list_tasks(client), module.params["name"])
        others = [t["TaskArn"] for t in named if t["TaskArn"] != current["task_arn"]]
    require(update_problems(current, module.params, in_place, location_types, others))


def submit(module, client, desired, replaced=None):
    """CreateTask; the new task's ARN (None in check mode). CreateTask takes no client token, so it is not
    retried after InternalException, which may come after DataSync made the task: look for it first."""
    if module.check_mode:
        return None
    try:
        return ds_api.create_task(client, create_params(desired), module.params["propagation_timeout"])
    except is_ansible_aws_error_code("InternalException"):
        named = naming.named(ds_api.list_tasks(client), desired["name"]) if desired["name"] else []
        arn = adoptable([ds_api.describe_task(client, t["TaskArn"]) for t in named], desired, replaced)
        if arn is None:
            raise
        module.warn(f"CreateTask answered InternalException, but it made task {arn} (found by name); using it.")
        return arn


def settle(client, arn, wait, timeout, sleep=time.sleep, clock=time.monotonic):
    """The task just created as a `task` result, once it left CREATING and UNAVAILABLE when `wait`; a
    Failure (changed, with the task) when it did not within `timeout` or is UNAVAILABLE without waiting."""
    described = ds_api.describe_task(client, arn)
    if wait and (described is None or described.get("Status") in SETTLING):
        described, _done = ds_api.wait_until_available(client, arn, timeout, sleep=sleep, clock=clock, through=SETTLING)
    task = read_task(client, described) if described else {"task_arn": arn}
    message = unsettled_message(arn, described, timeout if wait else None)
    if message:
        raise Failure(message, changed=True, task=task)
    return task


def created(module, client, arn, desired):
    """The task `submit` made (check mode: `desired`)."""
    if module.check_mode:
        return desired
    return settle(client, arn, module.params["wait"], module.params["wait_timeout"])


def ensure_absent(module, client, described):
    if not described:
        return dict(changed=False, task={}, replaced=False)
    current = read_task(client, described)
    if not module.check_mode:
        ds_api.delete_task(client, described["TaskArn"])
    return dict(changed=True, task={}, replaced=False, diff=deletion_diff(current))


def ensure_present(module, client, described):
    params = module.params
    if not described:
        if params["task_arn"]:
            raise Failure(
                f"task_arn {params['task_arn']} does not exist; omit it (and give name) to create a new task."
            )
        desired = desired_task(params)
        check_create(module, client, desired)
        task = created(module, client, submit(module, client, desired), desired)
        return dict(changed=True, task=task, replaced=False, diff=creation_diff(task))

    if described.get("Status") == "CREATING" and params["wait"] and not module.check_mode:
        described, _done = ds_api.wait_until_available(client, described["TaskArn"], params["wait_timeout"])
    current = read_task(client, described)
    in_place, create_only = compare(current, params)
    if create_only.changed:
        return replacement(module, client, current, in_place, create_only)

    check_update(module, client, current, in_place)
    changing_schedule = "schedule" in in_place.names
    warning = sched.disabled_by_service_warning(current, params["schedule"], changing_schedule, module.check_mode)
    if not in_place.changed or module.check_mode:
        if warning:
            module.warn(warning)
        return dict(changed=in_place.changed, task=predict(current, in_place), replaced=False, diff=in_place.diff())
    arn = current["task_arn"]
    updates = update_params(in_place, described)
    if updates:
        ds_api.update_task(client, arn, updates, params["propagation_timeout"])
    tags.ensure(ds_api, client, arn, current["tags"], params["tags"], params["purge_tags"])
    if warning:  # said once the update went through
        module.warn(warning)
    task = read_task(client, ds_api.describe_task(client, arn))
    return dict(changed=True, task=task, replaced=False, diff=in_place.diff())


def replacement(module, client, current, in_place, create_only):
    old = current["task_arn"]
    if not module.params["allow_replacement"]:
        refuse_replacement("Task", old, create_only, "anything that refers to its ARN must then be updated")
    desired = replacement_task(current, in_place, create_only, module.params)
    check_create(module, client, desired)
    # The old task goes as soon as the new one exists, before waiting for it: while both carry the name,
    # a run would find the name ambiguous.
    arn = replace(
        lambda: submit(module, client, desired, replaced=old),
        lambda: ds_api.delete_task(client, old),
        module.check_mode,
    )
    task = created(module, client, arn, desired)
    return dict(changed=True, task=task, replaced=True, diff={"before": current, "after": task})


def run(module):
    client = module.client("datasync")
    ensure = ensure_absent if module.params["state"] == "absent" else ensure_present
    return ensure(module, client, find(client, module.params))


# --- flow: datasync_task_info ------------------------------------------------------------------------


def candidate_arns(client, params):
    """Task ARNs to describe: the given ones, else ListTasks narrowed by a location and the name."""
    if params["task_arns"]:
        return list(dict.fromkeys(params["task_arns"]))
    listed = ds_api.list_tasks(client, list_filters(params))
    if params["name"] is not None:
        listed = naming.named(listed, params["name"])
    return [entry["TaskArn"] for entry in listed]


def run_info(module):
    client = module.client("datasync")
    tasks = []
    for arn in candidate_arns(client, module.params):
        described = ds_api.describe_task(client, arn)
        if described and matches(described, module.params):
            tasks.append(read_task(client, described))
    tasks.sort(key=lambda t: (t["name"] or "", t["task_arn"]))
    return dict(changed=False, tasks=tasks)
