"""EFS file-system policy and lifecycle configuration as the real API answers them (moto 5.2.5 lacks or
accepts too much), for lakedrop.delivery.efs_file_system_policy and efs_lifecycle_configuration.
Kept apart from ext/efs.py, which patches file systems and tags.

- DeleteFileSystemPolicy answered 500 (no handler). AWS deletes the policy (the default policy applies
  again) and answers 200, also when there was none; an unknown file system is FileSystemNotFound;
- PutFileSystemPolicy stored any string. AWS refuses a policy that is not a JSON policy document with
  InvalidPolicyException;
- PutLifecycleConfiguration stored anything. AWS answers BadRequest when a LifecyclePolicy object holds
  more than one transition (or none), a transition repeats, a value is outside the enum, an Archive
  transition is not later than the IA one, or Archive is asked of a file system that is not in Elastic
  throughput and General Purpose performance mode.
"""

from __future__ import annotations

import json
from typing import Any

from moto.efs.exceptions import BadRequest
from moto.efs.exceptions import EFSError
from moto.efs.exceptions import FileSystemNotFound

from .shapes import service_model

_JSON = {"Content-Type": "application/json"}


class InvalidPolicyException(EFSError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("InvalidPolicyException", message)


def _file_system(backend: Any, fs_id: str) -> Any:
    fs = backend.file_systems_by_id.get(fs_id)
    if fs is None:
        raise FileSystemNotFound(fs_id)
    return fs


def _days(value: str) -> int:
    return int(value.split("_")[1])  # AFTER_30_DAYS, AFTER_1_DAY


def lifecycle_problems(policies: Any, throughput_mode: str, performance_mode: str) -> list[str]:
    """Why AWS would refuse these LifecyclePolicies (empty when it accepts them)."""
    if not isinstance(policies, list):
        return ["LifecyclePolicies must be a list."]
    shape = service_model("efs").shape_for("LifecyclePolicy")
    found, seen = [], {}
    for index, policy in enumerate(policies):
        if not isinstance(policy, dict) or len(policy) != 1:
            found.append(f"LifecyclePolicies[{index}] must hold exactly one transition.")
            continue
        ((name, value),) = policy.items()
        member = shape.members.get(name)
        if member is None:
            found.append(f"LifecyclePolicies[{index}].{name} is not a transition.")
        elif value not in member.enum:
            found.append(f"LifecyclePolicies[{index}].{name} must be one of {', '.join(member.enum)}.")
        elif name in seen:
            found.append(f"{name} appears more than once.")
        else:
            seen[name] = value
    if "TransitionToArchive" in seen:
        if "TransitionToIA" in seen and _days(seen["TransitionToArchive"]) <= _days(seen["TransitionToIA"]):
            found.append("TransitionToArchive must be later than TransitionToIA.")
        if throughput_mode != "elastic" or performance_mode != "generalPurpose":
            found.append(
                "The Archive storage class is available only for file systems in Elastic throughput mode "
                "and General Purpose performance mode."
            )
    return found


class EfsPolicyApi:
    """Methods set on moto's EFSResponse (one per botocore operation, snake_case)."""

    def delete_file_system_policy(self):
        fs = _file_system(self.efs_backend, self._get_param("FileSystemId"))
        fs.file_system_policy = None
        return "{}", _JSON

    def put_file_system_policy(self):
        fs_id = self._get_param("FileSystemId")
        policy = self._get_param("Policy")
        fs = _file_system(self.efs_backend, fs_id)
        try:
            document = json.loads(policy or "")
        except ValueError as err:
            raise InvalidPolicyException(f"Policy is not valid JSON: {err}") from err
        if not isinstance(document, dict) or "Statement" not in document:
            raise InvalidPolicyException("Policy must be a policy document with a Statement.")
        fs.file_system_policy = policy
        return json.dumps({"FileSystemId": fs_id, "Policy": policy}), _JSON

    def put_lifecycle_configuration(self):
        fs_id = self._get_param("FileSystemId")
        policies = self._get_param("LifecyclePolicies")
        fs = _file_system(self.efs_backend, fs_id)
        found = lifecycle_problems(policies, fs.throughput_mode, fs.performance_mode)
        if found:
            raise BadRequest(" ".join(found))
        fs.lifecycle_policies = policies
        return json.dumps({"LifecyclePolicies": policies}), _JSON


def install() -> None:
    from moto.efs.responses import EFSResponse

    for name, member in vars(EfsPolicyApi).items():
        if not name.startswith("__"):
            setattr(EFSResponse, name, member)
