# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The existing EFS file system that a setting module (efs_file_system_policy, efs_lifecycle_configuration,
efs_throughput_mode) works on: its `file_system` option (the FILE_SYSTEM documentation fragment), checked
once and read once."""

from . import arns
from . import efs_api
from .runner import Failure

# --- pure --------------------------------------------------------------------------------------------


def problems(value, region, option="file_system"):
    """What is wrong with `value` as a file system ID or ARN of `region` (None entries when nothing)."""
    return [
        arns.check(value, "efs_file_system", option, allow_id=True),
        arns.region_problem(value, region, option),
    ]


def missing_message(file_system_id, region, option="file_system"):
    return (
        f"{option} {file_system_id} does not exist in {region} (or this account cannot see it); create it "
        "first, or check the ID and the region."
    )


# --- flow: one read ----------------------------------------------------------------------------------


def require(client, value, region, option="file_system"):
    """(ID, description) of the file system `value` (an ID or ARN); a Failure when it does not exist."""
    file_system_id = arns.id_of(value)
    found = efs_api.describe_file_system(client, file_system_id)
    if found is None:
        raise Failure(missing_message(file_system_id, region, option))
    return file_system_id, found
