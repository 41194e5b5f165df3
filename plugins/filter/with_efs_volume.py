# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
name: with_efs_volume
short_description: An ECS task definition with an EFS volume and mount point added, replaced or removed
version_added: 0.1.0
author:
  - Lakedrop Delivery Maintainers (@lakedrop)
description:
  - Takes an ECS task definition and returns it with one EFS volume (through an access point, TLS and
    IAM authorization) and the mount point of one container set as asked, everything else unchanged,
    together with whether anything changed and the arguments that register it with
    M(community.aws.ecs_taskdefinition).
  - A pure function of its inputs; it makes no AWS call.
  - >-
    With O(state=present) the volume named O(volume_name) becomes exactly an C(efsVolumeConfiguration)
    with C(fileSystemId), C(rootDirectory=/), C(transitEncryption=ENABLED) and C(authorizationConfig) of
    C(accessPointId) and C(iam=ENABLED); a volume of that name is replaced in place, otherwise the
    volume is appended. In container O(container_name), mount points of that volume or at
    O(container_path) are replaced by one mount point (C(sourceVolume), C(containerPath), C(readOnly)), at
    the position of the first one replaced, else appended.
  - With O(state=absent) the volume named O(volume_name) and every mount point of it, in every
    container, are removed.
options:
  _input:
    description:
      - The task definition, either as M(community.aws.ecs_taskdefinition_info) returns it (snake_case
        keys; its whole registered result can be passed) or in the ECS API's shape (camelCase keys, as
        C(DescribeTaskDefinition) or M(community.aws.ecs_taskdefinition) return it).
    type: dict
    required: true
  container_name:
    description:
      - The container that mounts the volume. It must exist in the task definition. Required when
        O(state=present); not used when O(state=absent).
    type: str
  volume_name:
    description: Name of the volume in the task definition (letters, digits, C(-) and C(_), at most 255).
    type: str
    required: true
  file_system_id:
    description: The EFS file system (C(fs-...)). Required when O(state=present).
    type: str
  access_point_id:
    description: The EFS access point (C(fsap-...)) the mount goes through. Required when O(state=present).
    type: str
  container_path:
    description: Absolute path of the mount inside the container. Required when O(state=present).
    type: str
  read_only:
    description: Whether the container mounts the volume read-only.
    type: bool
    default: false
  state:
    description: Whether the volume and mount point should be in the task definition.
    type: str
    choices: [present, absent]
    default: present
notes:
  - M(community.aws.ecs_taskdefinition_info) converts every key of its answer to snake_case, including
    the keys of user-defined maps (C(dockerLabels), log and FireLens C(options), Docker volume
    C(driverOpts) and C(labels)); a label C(LOG_LEVEL) comes back as C(log_level). Those keys cannot be
    restored, so such a key that shows traces of the conversion (an underscore or a character outside
    C([a-z0-9.-/:@])) is reported in RV(unkept) instead of being silently renamed. Keys whose original
    differed only by upper case letters at the start of a segment (C(FOO), C(a.BC)) cannot be detected.
    The ECS API's shape has no such loss.
  - M(community.aws.ecs_taskdefinition) cannot register C(ephemeralStorage), C(pidMode), C(ipcMode),
    C(proxyConfiguration), C(inferenceAccelerators), C(enableFaultInjection), several (or other than
    C(EC2)/C(FARGATE)) C(requiresCompatibilities), nor every C(runtimePlatform); a task definition using
    them has them listed in RV(unkept). Task definition tags are not part of either input shape and are
    not carried over.
seealso:
  - module: community.aws.ecs_taskdefinition_info
  - module: community.aws.ecs_taskdefinition
"""

EXAMPLES = r"""
- name: Read the family's latest revision
  community.aws.ecs_taskdefinition_info:
    task_definition: reports
  register: latest

- name: Add the EFS volume and its mount point
  ansible.builtin.set_fact:
    efs_revision: >-
      {{ latest | lakedrop.delivery.with_efs_volume(
           container_name='app', volume_name='shared', file_system_id='fs-0123456789abcdef0',
           access_point_id='fsap-0123456789abcdef0', container_path='/data', read_only=true) }}

- name: Register a revision only when something changed
  community.aws.ecs_taskdefinition:
    state: present
    force_create: true
    family: "{{ efs_revision.register.family }}"
    containers: "{{ efs_revision.register.containers }}"
    volumes: "{{ efs_revision.register.volumes }}"
    network_mode: "{{ efs_revision.register.network_mode }}"
    launch_type: "{{ efs_revision.register.launch_type | default(omit) }}"
    cpu: "{{ efs_revision.register.cpu | default(omit) }}"
    memory: "{{ efs_revision.register.memory | default(omit) }}"
    task_role_arn: "{{ efs_revision.register.task_role_arn }}"
    execution_role_arn: "{{ efs_revision.register.execution_role_arn }}"
    placement_constraints: "{{ efs_revision.register.placement_constraints | default(omit) }}"
    runtime_platform: "{{ efs_revision.register.runtime_platform | default(omit) }}"
  when: efs_revision.changed and efs_revision.unkept | length == 0

- name: Remove the volume and its mount points again
  ansible.builtin.set_fact:
    without_efs: "{{ latest | lakedrop.delivery.with_efs_volume(volume_name='shared', state='absent') }}"
"""

RETURN = r"""
_value:
  description: What changed and how to register it.
  type: dict
  contains:
    changed:
      description: Whether the result differs from the input (a revision needs to be registered).
      type: bool
      sample: true
    task_definition:
      description:
        - The resulting task definition in the ECS API's shape (camelCase), with only task definition
          fields (a registered module result's C(changed), C(invocation)... are dropped).
      type: dict
      sample: {"family": "reports", "containerDefinitions": [{"name": "app", "mountPoints": [
               {"sourceVolume": "shared", "containerPath": "/data", "readOnly": true}]}],
               "volumes": [{"name": "shared", "efsVolumeConfiguration": {"fileSystemId": "fs-0123456789abcdef0",
               "rootDirectory": "/", "transitEncryption": "ENABLED",
               "authorizationConfig": {"accessPointId": "fsap-0123456789abcdef0", "iam": "ENABLED"}}}]}
    register:
      description:
        - The arguments of M(community.aws.ecs_taskdefinition) that register RV(_value.task_definition)
          (with O(community.aws.ecs_taskdefinition#module:force_create=true), as the module's own matching
          may pick an older revision).
        - Always C(family), C(containers), C(volumes), C(network_mode), C(task_role_arn) and
          C(execution_role_arn); C(launch_type), C(cpu), C(memory), C(placement_constraints) and
          C(runtime_platform) when the task definition has them.
      type: dict
      sample: {"family": "reports", "containers": [], "volumes": [], "network_mode": "awsvpc",
               "launch_type": "FARGATE", "cpu": "256", "memory": "512", "task_role_arn": "", "execution_role_arn": ""}
    unkept:
      description:
        - What M(community.aws.ecs_taskdefinition) cannot register as it is, one sentence each. Empty when
          RV(_value.register) reproduces the task definition faithfully.
      type: list
      elements: str
      sample: ["ephemeralStorage (community.aws.ecs_taskdefinition cannot register it)"]
"""

# Imports follow the documentation, as in modules.
import copy  # noqa: E402
import re  # noqa: E402

from ansible.errors import AnsibleFilterError  # noqa: E402
from ansible.module_utils.parsing.convert_bool import boolean  # noqa: E402

# TaskDefinition members (ECS API) a registered result may carry; anything else is module noise.
_TASK_DEFINITION_KEYS = (
    "taskDefinitionArn",
    "containerDefinitions",
    "family",
    "taskRoleArn",
    "executionRoleArn",
    "networkMode",
    "revision",
    "volumes",
    "status",
    "requiresAttributes",
    "placementConstraints",
    "compatibilities",
    "runtimePlatform",
    "requiresCompatibilities",
    "cpu",
    "memory",
    "inferenceAccelerators",
    "pidMode",
    "ipcMode",
    "proxyConfiguration",
    "registeredAt",
    "deregisteredAt",
    "registeredBy",
    "ephemeralStorage",
    "enableFaultInjection",
)
# Maps whose keys are the user's, not the API's: never camelised.
_OPAQUE_MAPS = frozenset(("docker_labels", "options", "driver_opts", "labels"))
# A user key the snake_case conversion leaves as it was, if it was that already.
_UNCHANGED_KEY = re.compile(r"^[a-z0-9.\-/:@]+$")
# What community.aws.ecs_taskdefinition cannot pass to RegisterTaskDefinition.
_UNREGISTRABLE = (
    "ephemeralStorage",
    "pidMode",
    "ipcMode",
    "proxyConfiguration",
    "inferenceAccelerators",
    "enableFaultInjection",
)
_RUNTIME_CPU = ("X86_64", "ARM64")
_RUNTIME_OS = (
    "LINUX",
    "WINDOWS_SERVER_2019_FULL",
    "WINDOWS_SERVER_2019_CORE",
    "WINDOWS_SERVER_2022_FULL",
    "WINDOWS_SERVER_2022_CORE",
)
_FILE_SYSTEM_ID = re.compile(r"^fs-[0-9a-f]{8,40}$")
_ACCESS_POINT_ID = re.compile(r"^fsap-[0-9a-f]{8,40}$")
_VOLUME_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


def _camel(key):
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _from_snake(value, where, unkept):
    """ecs_taskdefinition_info's snake_case answer back in the API's shape; user maps kept verbatim."""
    if isinstance(value, list):
        return [
            _from_snake(item, f"{where}[{item.get('name', i) if isinstance(item, dict) else i}].", unkept)
            for i, item in enumerate(value)
        ]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        name = _camel(key)
        if key in _OPAQUE_MAPS and isinstance(item, dict):
            unkept.extend(
                f"{where}{name} key {user_key!r} (community.aws.ecs_taskdefinition_info may have renamed it)"
                for user_key in item
                if not _UNCHANGED_KEY.match(str(user_key))
            )
            out[name] = dict(item)
        else:
            out[name] = _from_snake(item, f"{where}{name}" if isinstance(item, list) else f"{where}{name}.", unkept)
    return out


def _normalise(task_definition):
    """(task definition in the API's shape, what the conversion may have lost)."""
    if not isinstance(task_definition, dict):
        raise AnsibleFilterError(
            f"with_efs_volume expects a task definition (a dict), got {type(task_definition).__name__}"
        )
    unkept = []
    if "containerDefinitions" in task_definition:
        api = copy.deepcopy(task_definition)
    elif "container_definitions" in task_definition:
        api = _from_snake(copy.deepcopy(task_definition), "", unkept)
    else:
        raise AnsibleFilterError(
            "with_efs_volume expects a task definition with container definitions (the result of "
            "community.aws.ecs_taskdefinition_info); this one has none - does the family exist?"
        )
    api = {key: api[key] for key in _TASK_DEFINITION_KEYS if key in api}
    api["volumes"] = list(api.get("volumes") or [])
    api["containerDefinitions"] = list(api.get("containerDefinitions") or [])
    return api, unkept


def _efs_volume(volume_name, file_system_id, access_point_id):
    return {
        "name": volume_name,
        "efsVolumeConfiguration": {
            "fileSystemId": file_system_id,
            "rootDirectory": "/",
            "transitEncryption": "ENABLED",
            "authorizationConfig": {"accessPointId": access_point_id, "iam": "ENABLED"},
        },
    }


def _set_volume(volumes, wanted):
    names = [v.get("name") for v in volumes]
    if wanted["name"] in names:
        index = names.index(wanted["name"])
        return [*volumes[:index], wanted, *(v for v in volumes[index + 1 :] if v.get("name") != wanted["name"])]
    return [*volumes, wanted]


def _set_mount_point(mount_points, wanted):
    def replaced(m):
        return m.get("sourceVolume") == wanted["sourceVolume"] or m.get("containerPath") == wanted["containerPath"]

    hits = [i for i, m in enumerate(mount_points) if replaced(m)]
    kept = [m for m in mount_points if not replaced(m)]
    if not hits:
        return [*kept, wanted]
    return [*kept[: hits[0]], wanted, *kept[hits[0] :]]


def _register_args(api):
    """community.aws.ecs_taskdefinition's arguments for `api`, and what they cannot carry."""
    unkept = [f"{key} (community.aws.ecs_taskdefinition cannot register it)" for key in _UNREGISTRABLE if api.get(key)]
    args = {
        "family": api.get("family", ""),
        "containers": api["containerDefinitions"],
        "volumes": api["volumes"],
        "network_mode": api.get("networkMode") or "default",
        "task_role_arn": api.get("taskRoleArn") or "",
        "execution_role_arn": api.get("executionRoleArn") or "",
    }
    compatibilities = api.get("requiresCompatibilities") or []
    if len(compatibilities) == 1 and compatibilities[0] in ("EC2", "FARGATE"):
        args["launch_type"] = compatibilities[0]
    elif compatibilities:
        unkept.append(
            f"requiresCompatibilities {compatibilities} (community.aws.ecs_taskdefinition takes one of EC2, FARGATE)"
        )
    for key, arg in (("cpu", "cpu"), ("memory", "memory"), ("placementConstraints", "placement_constraints")):
        if api.get(key):
            args[arg] = api[key]
    platform = api.get("runtimePlatform")
    if platform:
        if (
            platform.get("cpuArchitecture", "X86_64") in _RUNTIME_CPU
            and platform.get("operatingSystemFamily", "LINUX") in _RUNTIME_OS
        ):
            args["runtime_platform"] = platform
        else:
            unkept.append(f"runtimePlatform {platform} (community.aws.ecs_taskdefinition does not accept it)")
    return args, unkept


def with_efs_volume(
    task_definition,
    container_name=None,
    volume_name=None,
    file_system_id=None,
    access_point_id=None,
    container_path=None,
    read_only=False,
    state="present",
):
    if state not in ("present", "absent"):
        raise AnsibleFilterError(f"with_efs_volume: state must be present or absent, got {state!r}")
    if not isinstance(volume_name, str) or not _VOLUME_NAME.match(volume_name):
        raise AnsibleFilterError(
            f"with_efs_volume: volume_name must be 1-255 letters, digits, - or _, got {volume_name!r}"
        )
    if state == "present":
        if not isinstance(file_system_id, str) or not _FILE_SYSTEM_ID.match(file_system_id):
            raise AnsibleFilterError(
                f"with_efs_volume: file_system_id must look like fs-0123456789abcdef0, got {file_system_id!r}"
            )
        if not isinstance(access_point_id, str) or not _ACCESS_POINT_ID.match(access_point_id):
            raise AnsibleFilterError(
                f"with_efs_volume: access_point_id must look like fsap-0123456789abcdef0, got {access_point_id!r}"
            )
        if not isinstance(container_path, str) or not container_path.startswith("/"):
            raise AnsibleFilterError(
                f"with_efs_volume: container_path must be an absolute path, got {container_path!r}"
            )
        try:
            read_only = boolean(read_only, strict=True)
        except TypeError as e:
            raise AnsibleFilterError(f"with_efs_volume: read_only must be a boolean, got {read_only!r}") from e

    before, unkept = _normalise(task_definition)
    names = [c.get("name") for c in before["containerDefinitions"]]
    if state == "present" and container_name not in names:
        raise AnsibleFilterError(
            f"with_efs_volume: no container named {container_name!r} in task definition "
            f"{before.get('family', '?')}:{before.get('revision', '?')} (containers: {', '.join(map(str, names))})"
        )

    after = copy.deepcopy(before)
    if state == "present":
        after["volumes"] = _set_volume(after["volumes"], _efs_volume(volume_name, file_system_id, access_point_id))
        wanted = {"sourceVolume": volume_name, "containerPath": container_path, "readOnly": read_only}
        for container in after["containerDefinitions"]:
            if container.get("name") == container_name:
                container["mountPoints"] = _set_mount_point(list(container.get("mountPoints") or []), wanted)
    else:
        after["volumes"] = [v for v in after["volumes"] if v.get("name") != volume_name]
        for container in after["containerDefinitions"]:
            mounts = container.get("mountPoints") or []
            if any(m.get("sourceVolume") == volume_name for m in mounts):
                container["mountPoints"] = [m for m in mounts if m.get("sourceVolume") != volume_name]

    register, unregistrable = _register_args(after)
    return {
        "changed": after != before,
        "task_definition": after,
        "register": register,
        "unkept": unkept + unregistrable,
    }


class FilterModule:
    def filters(self):
        return {"with_efs_volume": with_efs_volume}
