# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The lifecycle configuration of an EFS file system (module efs_lifecycle_configuration).

Pure functions first (validate, desired state, API shapes, result; unit-tested without AWS), then the
flow, the only part that calls the API layer (efs_api), through `run(module)`.
"""

from . import efs_api
from . import file_systems
from .changes import Changes
from .runner import Failure

DAYS = [
    "AFTER_1_DAY",
    "AFTER_7_DAYS",
    "AFTER_14_DAYS",
    "AFTER_30_DAYS",
    "AFTER_60_DAYS",
    "AFTER_90_DAYS",
    "AFTER_180_DAYS",
    "AFTER_270_DAYS",
    "AFTER_365_DAYS",
]
PRIMARY_STORAGE_CLASS = ["AFTER_1_ACCESS"]
# option name -> LifecyclePolicy member, in the order EFS documents them
TRANSITIONS = {
    "transition_to_ia": "TransitionToIA",
    "transition_to_archive": "TransitionToArchive",
    "transition_to_primary_storage_class": "TransitionToPrimaryStorageClass",
}

# --- pure: validation (before any call) --------------------------------------------------------------


def days(value):
    """AFTER_30_DAYS -> 30."""
    return int(value.split("_")[1])


def validate(params, region=None):
    """Every problem with the arguments, as messages; nothing is called before this is empty."""
    problems = file_systems.problems(params["file_system"], region)
    if params["state"] == "absent":
        given = [name for name in TRANSITIONS if params[name]]
        if given:
            problems.append(f"state=absent removes every transition; do not give {', '.join(given)}.")
    ia, archive = params["transition_to_ia"], params["transition_to_archive"]
    if ia and archive and days(archive) <= days(ia):
        problems.append(
            f"transition_to_archive ({archive}) must be later than transition_to_ia ({ia}): files reach "
            "Archive only after IA."
        )
    return [p for p in problems if p]


# --- pure: desired state, API shapes, result ---------------------------------------------------------


def from_policies(policies):
    """EFS's LifecyclePolicies list -> {option: value or None}."""
    by_member = {}
    for policy in policies:
        by_member.update(policy)
    return {option: by_member.get(member) for option, member in TRANSITIONS.items()}


def to_policies(lifecycle):
    """{option: value or None} -> the LifecyclePolicies list (one transition per object, as EFS requires)."""
    return [{member: lifecycle[option]} for option, member in TRANSITIONS.items() if lifecycle.get(option)]


def desired(params):
    return {option: params[option] if params["state"] == "present" else None for option in TRANSITIONS}


def archive_problem(file_system):
    """Why this file system cannot archive (None when it can)."""
    mode, performance = file_system.get("ThroughputMode"), file_system.get("PerformanceMode")
    if mode != "elastic" or performance != "generalPurpose":
        return (
            f"transition_to_archive needs a file system in Elastic throughput mode and General Purpose performance mode; "
            f"{file_system['FileSystemId']} is in {mode} throughput mode and {performance} performance mode."
        )
    return None


def result(file_system_id, changes):
    """The module's result: what the configuration is after the run (in check mode, what it would be)."""
    after = changes.diff()["after"]
    return dict(
        changed=changes.changed,
        file_system_id=file_system_id,
        lifecycle=after,
        lifecycle_policies=to_policies(after),
        diff=changes.diff(),
    )


# --- flow: reads, the plan above, writes -------------------------------------------------------------


def run(module):
    params = module.params
    client = module.client("efs")
    fs_id, described = file_systems.require(client, params["file_system"], module.region)
    wanted = desired(params)
    changes = Changes.of(TRANSITIONS, from_policies(efs_api.describe_lifecycle_configuration(client, fs_id)), wanted)
    problem = archive_problem(described) if changes.changed and wanted["transition_to_archive"] else None
    if problem and module.check_mode:  # a playbook may switch to Elastic first, which check mode did not do
        module.warn(f"A real run would fail unless the throughput mode changes first: {problem}")
    elif problem:
        raise Failure(problem)
    if changes.changed and not module.check_mode:
        efs_api.put_lifecycle_configuration(client, fs_id, to_policies(wanted))
    return result(fs_id, changes)
