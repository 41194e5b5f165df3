#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: efs_lifecycle_configuration
short_description: Manage the lifecycle configuration of an Amazon EFS file system
version_added: 0.1.0
description:
  - Sets when files move from Standard storage to Infrequent Access (IA) and to Archive, and whether they
    move back to Standard when they are read, with C(PutLifecycleConfiguration).
  - The module manages the whole configuration. A transition that is not given is removed;
    O(state=absent) removes every transition.
  - M(community.aws.efs) writes only the IA transition, and replaces the whole configuration when it
    does. Do not give it O(community.aws.efs#module:transition_to_ia) for a file system this module
    manages, or the two undo each other's work.
author:
  - Lakedrop Delivery Maintainers (@lakedrop)
options:
  file_system:
    description: The file system, as an ID (V(fs-0123456789abcdef0)) or a file system ARN. It must exist.
    type: str
    required: true
  state:
    description:
      - V(present) sets exactly the transitions given; V(absent) removes the lifecycle configuration.
    type: str
    choices: [present, absent]
    default: present
  transition_to_ia:
    description:
      - Days after the last access at which files move from Standard to Infrequent Access storage.
      - Omitted means files never move to IA.
    type: str
    choices: [AFTER_1_DAY, AFTER_7_DAYS, AFTER_14_DAYS, AFTER_30_DAYS, AFTER_60_DAYS, AFTER_90_DAYS, AFTER_180_DAYS,
              AFTER_270_DAYS, AFTER_365_DAYS]
  transition_to_archive:
    description:
      - Days after the last access at which files move to Archive storage. Must be later than
        O(transition_to_ia) when both are given.
      - Archive needs a file system in Elastic throughput mode and General Purpose performance mode;
        the module checks that before writing (in check mode it only warns, since an earlier task may
        switch the mode, see M(lakedrop.delivery.efs_throughput_mode)).
      - Omitted means files never move to Archive.
    type: str
    choices: [AFTER_1_DAY, AFTER_7_DAYS, AFTER_14_DAYS, AFTER_30_DAYS, AFTER_60_DAYS, AFTER_90_DAYS, AFTER_180_DAYS,
              AFTER_270_DAYS, AFTER_365_DAYS]
  transition_to_primary_storage_class:
    description:
      - V(AFTER_1_ACCESS) moves a file back to Standard storage when it is read in IA or Archive storage.
      - Omitted means files stay where they are when read.
    type: str
    choices: [AFTER_1_ACCESS]
extends_documentation_fragment:
  - lakedrop.delivery.lakedrop
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode and diff mode. A second run with the same arguments makes no write call.
  - Run in check mode with the expected arguments, the module reads the configuration back without
    changing it (RV(lifecycle) is what the file system has, C(changed) says whether it differs).
"""

EXAMPLES = r"""
- name: Files unread for 30 days go to Infrequent Access and come back when read
  lakedrop.delivery.efs_lifecycle_configuration:
    file_system: fs-0123456789abcdef0
    transition_to_ia: AFTER_30_DAYS
    transition_to_primary_storage_class: AFTER_1_ACCESS

- name: Also archive after 180 days (Elastic throughput file systems only)
  lakedrop.delivery.efs_lifecycle_configuration:
    file_system: arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/fs-0123456789abcdef0
    transition_to_ia: AFTER_30_DAYS
    transition_to_archive: AFTER_180_DAYS
    transition_to_primary_storage_class: AFTER_1_ACCESS

- name: Keep every file in Standard storage
  lakedrop.delivery.efs_lifecycle_configuration:
    file_system: fs-0123456789abcdef0
    state: absent
"""

RETURN = r"""
file_system_id:
  description: ID of the file system.
  returned: always
  type: str
  sample: fs-0123456789abcdef0
lifecycle:
  description: The transitions after the module ran (in check mode, what they would be); null when not set.
  returned: always
  type: dict
  contains:
    transition_to_ia:
      description: When files move to Infrequent Access.
      type: str
      sample: AFTER_30_DAYS
    transition_to_archive:
      description: When files move to Archive.
      type: str
      sample: null
    transition_to_primary_storage_class:
      description: Whether files move back to Standard when read.
      type: str
      sample: AFTER_1_ACCESS
lifecycle_policies:
  description: The same configuration as the C(LifecyclePolicies) list EFS stores (one transition per item).
  returned: always
  type: list
  elements: dict
  sample: [{"TransitionToIA": "AFTER_30_DAYS"}, {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"}]
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import arns
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.changes import Changes
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.common import RETRY
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.common import EFSErrorHandler

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
# option name -> LifecyclePolicy member, in the order EFS documents them
TRANSITIONS = {
    "transition_to_ia": "TransitionToIA",
    "transition_to_archive": "TransitionToArchive",
    "transition_to_primary_storage_class": "TransitionToPrimaryStorageClass",
}


# --- calls ------------------------------------------------------------------------------------------


@EFSErrorHandler.common_error_handler("describe file system {file_system_id}")
@RETRY
def describe_file_system(client, file_system_id):
    return client.describe_file_systems(FileSystemId=file_system_id)["FileSystems"][0]


@EFSErrorHandler.common_error_handler("describe the lifecycle configuration of {file_system_id}")
@RETRY
def describe_lifecycle_configuration(client, file_system_id):
    return client.describe_lifecycle_configuration(FileSystemId=file_system_id).get("LifecyclePolicies", [])


@EFSErrorHandler.common_error_handler("put the lifecycle configuration of {file_system_id}")
@RETRY
def put_lifecycle_configuration(client, file_system_id, policies):
    client.put_lifecycle_configuration(FileSystemId=file_system_id, LifecyclePolicies=policies)


# --- pure functions ---------------------------------------------------------------------------------


def file_system_id(value):
    return arns.resource_id(value) if arns.is_arn(value) else value


def days(value):
    return int(value.split("_")[1])


def validate(params):
    """Every problem with the arguments, as messages; nothing is called before this is empty."""
    problems = []
    problem = arns.check(params["file_system"], "efs_file_system", "file_system", allow_id=True)
    if problem:
        problems.append(problem)
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
    return problems


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


def compare(current, wanted):
    changes = Changes()
    for option in TRANSITIONS:
        changes.add(option, current[option], wanted[option])
    return changes


def archive_problem(file_system):
    """Why this file system cannot archive (None when it can)."""
    mode, performance = file_system.get("ThroughputMode"), file_system.get("PerformanceMode")
    if mode != "elastic" or performance != "generalPurpose":
        return (
            f"transition_to_archive needs a file system in Elastic throughput mode and General Purpose performance mode; "
            f"{file_system['FileSystemId']} is in {mode} throughput mode and {performance} performance mode."
        )
    return None


# --- main -------------------------------------------------------------------------------------------


def run(module, client):
    params = module.params
    fs_id = file_system_id(params["file_system"])
    current = from_policies(describe_lifecycle_configuration(client, fs_id))
    wanted = desired(params)
    changes = compare(current, wanted)
    if changes.changed and wanted["transition_to_archive"]:
        problem = archive_problem(describe_file_system(client, fs_id))
        if problem and module.check_mode:  # a playbook may switch to Elastic first, which check mode did not do
            module.warn(f"A real run would fail unless the throughput mode changes first: {problem}")
        elif problem:
            module.fail_json(msg=problem)
    if changes.changed and not module.check_mode:
        put_lifecycle_configuration(client, fs_id, to_policies(wanted))
    after = wanted if changes.changed else current
    return dict(
        changed=changes.changed,
        file_system_id=fs_id,
        lifecycle=after,
        lifecycle_policies=to_policies(after),
        diff=changes.diff(),
    )


def main():
    argument_spec = dict(
        file_system=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        transition_to_ia=dict(type="str", choices=DAYS),
        transition_to_archive=dict(type="str", choices=DAYS),
        transition_to_primary_storage_class=dict(type="str", choices=["AFTER_1_ACCESS"]),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    problems = validate(module.params)
    if problems:
        module.fail_json(msg=" ".join(problems), problems=problems)
    client = module.client("efs")
    try:
        result = run(module, client)
    except AnsibleAWSError as err:
        module.fail_json_aws_error(err)
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
