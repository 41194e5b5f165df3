# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""A Lambda function's file system configuration and ephemeral storage (module lambda_file_system_config),
the two settings amazon.aws.lambda cannot write.

Pure functions first (validate, current/desired, compare, result; unit-tested without AWS), then the flow,
the only part that calls the API layer (lambda_api), through `run(module)`.
"""

import re
import time

from . import arns
from . import lambda_api
from .changes import Changes
from .common import wait_for
from .runner import Failure

# Lambda's rules (API reference, FileSystemConfig and EphemeralStorage): one file system per function, mounted
# under /mnt/, 512-10240 MB of /tmp.
MOUNT_PATH = re.compile(r"^/mnt/[a-zA-Z0-9-_.]+$")
MOUNT_PATH_LENGTH = 160
EPHEMERAL = (512, 10240)
# How long to wait for an update to settle (Lambda: LastUpdateStatus InProgress -> Successful/Failed); a
# function in a VPC may take minutes while its network interfaces are (re)created.
UPDATE_TIMEOUT, UPDATE_INTERVAL = 600, 2

# --- pure --------------------------------------------------------------------------------------------


def validate(params, region=None):
    """Every problem with the arguments, as messages; nothing is called before this is empty."""
    problems = []
    configs = params["file_system_configs"] or []
    if len(configs) > 1:
        problems.append(f"file_system_configs may hold one file system (Lambda's limit), got {len(configs)}.")
    for index, config in enumerate(configs):
        option = f"file_system_configs[{index}]"
        problems.append(arns.check(config["arn"], "efs_access_point", f"{option}.arn"))
        if region and not problems[-1]:
            problems.append(arns.region_problem(config["arn"], region, f"{option}.arn"))
        path = config["local_mount_path"]
        if not MOUNT_PATH.match(path) or len(path) > MOUNT_PATH_LENGTH:
            problems.append(
                f"{option}.local_mount_path must be /mnt/ and one name of letters, digits, '-', '_' or '.' "
                f"(at most {MOUNT_PATH_LENGTH} characters; Lambda's rule), got {path!r}."
            )
    size = params.get("ephemeral_storage_size")
    if size is not None and not EPHEMERAL[0] <= size <= EPHEMERAL[1]:
        problems.append(
            f"ephemeral_storage_size must be {EPHEMERAL[0]}-{EPHEMERAL[1]} MB (Lambda's limits), got {size}."
        )
    return [p for p in problems if p]


def current(configuration):
    """What the function has now, in the module's terms."""
    return {
        "file_system_configs": [
            {"arn": c["Arn"], "local_mount_path": c["LocalMountPath"]}
            for c in configuration.get("FileSystemConfigs") or []
        ],
        "ephemeral_storage_size": (configuration.get("EphemeralStorage") or {}).get("Size", EPHEMERAL[0]),
    }


def desired(params, now):
    """What the function should have; an omitted ephemeral_storage_size keeps the current size."""
    size = params.get("ephemeral_storage_size")
    return {
        "file_system_configs": [
            {"arn": c["arn"], "local_mount_path": c["local_mount_path"]} for c in params["file_system_configs"] or []
        ],
        "ephemeral_storage_size": now["ephemeral_storage_size"] if size is None else size,
    }


def compare(now, wanted):
    return Changes.of(["file_system_configs", "ephemeral_storage_size"], now, wanted)


def update_fields(changes, wanted):
    """The UpdateFunctionConfiguration fields of what changed, and nothing else (the other settings stay
    amazon.aws.lambda's)."""
    fields = {}
    if "file_system_configs" in changes.names:
        fields["FileSystemConfigs"] = [
            {"Arn": c["arn"], "LocalMountPath": c["local_mount_path"]} for c in wanted["file_system_configs"]
        ]
    if "ephemeral_storage_size" in changes.names:
        fields["EphemeralStorage"] = {"Size": wanted["ephemeral_storage_size"]}
    return fields


def vpc_problem(configuration, wanted, name):
    """Lambda mounts a file system only for a function in a VPC (it reaches the mount targets through the
    function's subnets); say so before the write AWS would refuse."""
    if wanted["file_system_configs"] and not (configuration.get("VpcConfig") or {}).get("SubnetIds"):
        return (
            f"Function {name} is not connected to a VPC, and Lambda mounts a file system only through a VPC: "
            "give the function the subnets of the file system's mount targets and a security group that reaches "
            "them on TCP 2049 (amazon.aws.lambda vpc_subnet_ids, vpc_security_group_ids) first."
        )
    return None


def settled(configuration):
    return configuration is not None and configuration.get("LastUpdateStatus") not in ("InProgress",)


def update_failure(configuration, name):
    """A Failure when Lambda could not apply the update (LastUpdateStatus Failed), else None."""
    if configuration and configuration.get("LastUpdateStatus") == "Failed":
        return Failure(
            f"Lambda could not update function {name}: {configuration.get('LastUpdateStatusReasonCode', '')} "
            f"{configuration.get('LastUpdateStatusReason', '')}".strip(),
            changed=True,
        )
    return None


def result(configuration, changes):
    return dict(
        changed=changes.changed,
        function_arn=(configuration or {}).get("FunctionArn"),
        diff=changes.diff(),
        **changes.diff()["after"],
    )


# --- flow: one read, the comparison above, one write, then wait until Lambda applied it --------------


def run(module, sleep=time.sleep, clock=time.monotonic):
    params = module.params
    name = params["function_name"]
    client = module.client("lambda")
    configuration = lambda_api.get_function_configuration(client, name)
    if configuration is None:
        if module.check_mode:  # created by an earlier task of the same run
            empty = current({})
            return result(None, compare(empty, desired(params, empty)))
        raise Failure(f"Function {name} does not exist; create it with amazon.aws.lambda first.")
    now = current(configuration)
    wanted = desired(params, now)
    changes = compare(now, wanted)
    if not changes.changed:
        return result(configuration, changes)
    problem = vpc_problem(configuration, wanted, name)
    if problem:
        raise Failure(problem)  # in check mode too: a dry run must not promise what the real run refuses
    if module.check_mode:
        return result(configuration, changes)

    def read():
        return lambda_api.get_function_configuration(client, name)

    # An update of amazon.aws.lambda a moment ago may still be in progress; Lambda refuses another meanwhile.
    wait_for(read, settled, UPDATE_TIMEOUT, UPDATE_INTERVAL, sleep, clock)
    lambda_api.update_function_configuration(client, name, **update_fields(changes, wanted))
    configuration, done = wait_for(read, settled, UPDATE_TIMEOUT, UPDATE_INTERVAL, sleep, clock)
    failure = update_failure(configuration, name)
    if failure:
        raise failure
    if not done:
        raise Failure(
            f"Function {name}: the update was accepted but had not finished after {UPDATE_TIMEOUT} s "
            "(LastUpdateStatus InProgress); run again to check it.",
            changed=True,
        )
    return result(configuration, changes)
