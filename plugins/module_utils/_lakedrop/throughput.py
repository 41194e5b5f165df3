# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The throughput mode of an EFS file system (module efs_throughput_mode).

Pure functions first (validate, current and desired settings, API parameters, result; unit-tested
without AWS), then the flow, the only part that calls the API layer (efs_api), through `run(module)`.
"""

from . import efs_api
from . import file_systems
from .changes import Changes

MODES = ["bursting", "provisioned", "elastic"]
SETTINGS = ("throughput_mode", "provisioned_throughput_in_mibps")
MIN_MIBPS = 1.0  # botocore: EFS ProvisionedThroughputInMibps has min 1.0

# --- pure --------------------------------------------------------------------------------------------


def validate(params, region=None):
    """Every problem with the arguments, as messages; nothing is called before this is empty."""
    problems = file_systems.problems(params["file_system"], region)
    mibps = params["provisioned_throughput_in_mibps"]
    if params["throughput_mode"] == "provisioned":
        if mibps is None or mibps < MIN_MIBPS:
            problems.append(
                f"provisioned_throughput_in_mibps must be at least {MIN_MIBPS:g} MiB/s with throughput_mode=provisioned "
                f"(EFS's minimum); got {mibps}."
            )
    elif mibps is not None:
        problems.append(
            f"provisioned_throughput_in_mibps is only for throughput_mode=provisioned, not {params['throughput_mode']}."
        )
    return [p for p in problems if p]


def current_settings(file_system):
    """The settings of a DescribeFileSystems entry (the MiB/s only count in provisioned mode)."""
    mode = file_system.get("ThroughputMode")
    return {
        "throughput_mode": mode,
        "provisioned_throughput_in_mibps": file_system.get("ProvisionedThroughputInMibps")
        if mode == "provisioned"
        else None,
    }


def desired_settings(params):
    mibps = params["provisioned_throughput_in_mibps"]
    return {
        "throughput_mode": params["throughput_mode"],
        "provisioned_throughput_in_mibps": float(mibps) if mibps else None,
    }


def update_params(desired):
    """UpdateFileSystem arguments (besides FileSystemId)."""
    params = {"ThroughputMode": desired["throughput_mode"]}
    if desired["throughput_mode"] == "provisioned":
        params["ProvisionedThroughputInMibps"] = desired["provisioned_throughput_in_mibps"]
    return params


def result(file_system_id, changes):
    """The module's result: the settings after the run (in check mode, what they would be)."""
    return dict(changed=changes.changed, file_system_id=file_system_id, diff=changes.diff(), **changes.diff()["after"])


# --- flow: one read, the comparison above, one write -------------------------------------------------


def run(module):
    client = module.client("efs")
    fs_id, described = file_systems.require(client, module.params["file_system"], module.region)
    desired = desired_settings(module.params)
    changes = Changes.of(SETTINGS, current_settings(described), desired)
    if changes.changed and not module.check_mode:
        efs_api.update_file_system(client, fs_id, update_params(desired))
    return result(fs_id, changes)
