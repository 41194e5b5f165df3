#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: efs_throughput_mode
short_description: Set the throughput mode of an Amazon EFS file system
version_added: 0.1.0
description:
  - Sets the throughput mode of an existing EFS file system (C(bursting), C(provisioned) with its MiB/s, or
    C(elastic)) with C(UpdateFileSystem).
  - M(community.aws.efs) cannot set C(elastic), the mode EFS requires for Archive storage. Do not also give it
    O(community.aws.efs#module:throughput_mode) for a file system this module manages.
author:
  - Lakedrop Delivery Maintainers (@lakedrop)
options:
  file_system:
    description: The file system, as an ID (V(fs-0123456789abcdef0)) or a file system ARN. It must exist.
    type: str
    required: true
  throughput_mode:
    description: The throughput mode.
    type: str
    choices: [bursting, provisioned, elastic]
    required: true
  provisioned_throughput_in_mibps:
    description:
      - Throughput in MiB/s. Required with O(throughput_mode=provisioned), refused otherwise.
    type: float
extends_documentation_fragment:
  - lakedrop.delivery.lakedrop
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode and diff mode. A second run with the same arguments makes no write call.
  - EFS limits how often the mode can change (for example, leaving provisioned mode or lowering the provisioned
    throughput waits 24 hours after the last change); the module then fails with the error of EFS and does not retry.
"""

EXAMPLES = r"""
- name: Elastic throughput (needed for Archive storage)
  lakedrop.delivery.efs_throughput_mode:
    file_system: fs-0123456789abcdef0
    throughput_mode: elastic

- name: 64 MiB/s provisioned
  lakedrop.delivery.efs_throughput_mode:
    file_system: fs-0123456789abcdef0
    throughput_mode: provisioned
    provisioned_throughput_in_mibps: 64
"""

RETURN = r"""
file_system_id:
  description: ID of the file system.
  returned: always
  type: str
  sample: fs-0123456789abcdef0
throughput_mode:
  description: The throughput mode after the module ran (in check mode, what it would be).
  returned: always
  type: str
  sample: elastic
provisioned_throughput_in_mibps:
  description: The provisioned throughput in provisioned mode, else null.
  returned: always
  type: float
  sample: null
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import arns
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.changes import Changes
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.common import RETRY
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.common import EFSErrorHandler

# EFS answers TooManyRequests when the mode changed too recently (a 24-hour limit): retrying cannot help,
# so the update retries only real throttling.
UPDATE_RETRY = AWSRetry.jittered_backoff(
    retries=5, delay=1, max_delay=10, catch_extra_error_codes=["ThrottlingException"]
)


# --- calls ------------------------------------------------------------------------------------------


@EFSErrorHandler.common_error_handler("describe file system {file_system_id}")
@RETRY
def describe_file_system(client, file_system_id):
    return client.describe_file_systems(FileSystemId=file_system_id)["FileSystems"][0]


@EFSErrorHandler.common_error_handler("update the throughput of file system {file_system_id}")
@UPDATE_RETRY
def update_file_system(client, file_system_id, params):
    client.update_file_system(FileSystemId=file_system_id, **params)


# --- pure functions ---------------------------------------------------------------------------------


def file_system_id(value):
    return arns.resource_id(value) if arns.is_arn(value) else value


def validate(params):
    """Every problem with the arguments, as messages; nothing is called before this is empty."""
    problems = []
    problem = arns.check(params["file_system"], "efs_file_system", "file_system", allow_id=True)
    if problem:
        problems.append(problem)
    mibps = params["provisioned_throughput_in_mibps"]
    if params["throughput_mode"] == "provisioned":
        if mibps is None or mibps <= 0:
            problems.append(
                f"provisioned_throughput_in_mibps must be more than 0 with throughput_mode=provisioned; got {mibps}."
            )
    elif mibps is not None:
        problems.append(
            f"provisioned_throughput_in_mibps is only for throughput_mode=provisioned, not {params['throughput_mode']}."
        )
    return problems


def current_settings(file_system):
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


def compare(current, desired):
    changes = Changes()
    for name in ("throughput_mode", "provisioned_throughput_in_mibps"):
        changes.add(name, current[name], desired[name])
    return changes


def update_params(desired):
    params = {"ThroughputMode": desired["throughput_mode"]}
    if desired["throughput_mode"] == "provisioned":
        params["ProvisionedThroughputInMibps"] = desired["provisioned_throughput_in_mibps"]
    return params


# --- main -------------------------------------------------------------------------------------------


def run(module, client):
    fs_id = file_system_id(module.params["file_system"])
    current = current_settings(describe_file_system(client, fs_id))
    desired = desired_settings(module.params)
    changes = compare(current, desired)
    if changes.changed and not module.check_mode:
        update_file_system(client, fs_id, update_params(desired))
    after = desired if changes.changed else current
    return dict(changed=changes.changed, file_system_id=fs_id, diff=changes.diff(), **after)


def main():
    argument_spec = dict(
        file_system=dict(type="str", required=True),
        throughput_mode=dict(type="str", required=True, choices=["bursting", "provisioned", "elastic"]),
        provisioned_throughput_in_mibps=dict(type="float"),
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
