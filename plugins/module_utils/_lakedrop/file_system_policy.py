# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The resource policy of an EFS file system (module efs_file_system_policy).

Pure functions first (validate, desired document, result; unit-tested without AWS), then the flow, the
only part that calls the API layer (efs_api), through `run(module)`.
"""

from . import efs_api
from . import file_systems
from . import policies

# --- pure --------------------------------------------------------------------------------------------


def validate(params, region=None):
    """Every problem with the arguments, as messages; nothing is called before this is empty."""
    problems = file_systems.problems(params["file_system"], region)
    if params["state"] == "present":
        if params["policy"] is None:
            problems.append("policy is required with state=present.")
        else:
            problems.append(policies.problem(params["policy"]))
    elif params["policy"] is not None:
        problems.append("state=absent removes the policy; do not give policy.")
    return [p for p in problems if p]


def desired(params):
    """The document the file system should have; None for the default policy of EFS."""
    return policies.parse(params["policy"]) if params["state"] == "present" else None


def result(file_system_id, current, wanted):
    """The module's result: an equivalent stored policy is reported as stored (and is no change)."""
    changed = policies.differs(current, wanted)
    after = (wanted if changed else current) or {}
    return dict(
        changed=changed, file_system_id=file_system_id, policy=after, diff=dict(before=current or {}, after=after)
    )


# --- flow: reads, the decision above, writes ---------------------------------------------------------


def run(module):
    params = module.params
    client = module.client("efs")
    fs_id, _described = file_systems.require(client, params["file_system"], module.region)
    wanted = desired(params)
    found = result(fs_id, efs_api.describe_file_system_policy(client, fs_id), wanted)
    if found["changed"] and not module.check_mode:
        if wanted is None:
            efs_api.delete_file_system_policy(client, fs_id)
        else:
            efs_api.put_file_system_policy(client, fs_id, wanted, params["bypass_policy_lockout_safety_check"])
    return found
