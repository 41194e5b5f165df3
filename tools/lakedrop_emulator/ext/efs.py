"""EFS gaps of moto 5.2.5 that community.aws.efs/efs_info and the project's roles hit.

- the legacy tag API (CreateTags, DeleteTags, DescribeTags) answered 404: mapped onto the file system's
  tags in moto's tag store, so the current tag API and DescribeFileSystems see the same tags;
- PutBackupPolicy and UpdateFileSystem answered 500; DescribeBackupPolicy of an unknown id too;
- DescribeMountTargetSecurityGroups answered null for a mount target created without groups (AWS
  puts it in the VPC's default group);
- answers carried nulls and members outside the model (LifecyclePolicies, SecurityGroups, ...);
- DescribeFileSystems paged by 10 instead of AWS's default 100 (efs modules then follow a marker);
- KmsKeyId was echoed as given and missing for the default key (AWS answers the key's ARN).
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from moto.efs.exceptions import BadRequest
from moto.efs.exceptions import FileSystemNotFound

from .shapes import service_model
from .shapes import validate

_JSON = {"Content-Type": "application/json"}
_DEFAULT_KMS_ALIAS = "alias/aws/elasticfilesystem"


def _members(shape_name: str) -> frozenset[str]:
    return frozenset(service_model("efs").shape_for(shape_name).members)


def _conforming(info: dict[str, Any], shape_name: str) -> dict[str, Any]:
    """What AWS would send: only the shape's members, and no nulls."""
    members = _members(shape_name)
    return {k: v for k, v in info.items() if k in members and v is not None}


def _file_system(backend: Any, fs_id: str) -> Any:
    fs = backend.file_systems_by_id.get(fs_id)
    if fs is None:
        raise FileSystemNotFound(fs_id)
    return fs


def _check(operation: str, params: dict[str, Any]) -> None:
    found = validate("efs", operation, params)
    if found:
        raise BadRequest("; ".join(found))


def _kms_key_arn(account_id: str, region: str, key_id: str | None) -> str:
    """Resolve a key id, ARN, alias or alias ARN as EFS does; the AWS-managed key when none is given."""
    from moto.kms.models import kms_backends

    key_id = key_id or _DEFAULT_KMS_ALIAS
    if key_id.startswith("arn:"):
        account_id, region = key_id.split(":")[4], key_id.split(":")[3]
    kms = kms_backends[account_id][region]
    try:
        return kms.describe_key(key_id).arn
    except (KeyError, TypeError, AttributeError) as err:  # moto's lookups raise these for unknown ids
        raise BadRequest(f"KmsKeyId {key_id} does not identify a KMS key.") from err


class EfsApi:
    """Methods set on moto's EFSResponse (one per botocore operation, snake_case)."""

    def _body(self) -> dict[str, Any]:
        return json.loads(self.body or "{}")

    # legacy tag API (file systems only)
    def describe_tags(self):
        fs_id = self._get_param("FileSystemId")
        _file_system(self.efs_backend, fs_id)
        tags = self.efs_backend.list_tags_for_resource(fs_id)
        return json.dumps({"Tags": tags}), _JSON

    def create_tags(self):
        self.efs_backend.tagging_service.tag_resource(*self._tags_call("CreateTags", "Tags"))
        return "", {"status": 204}

    def delete_tags(self):
        self.efs_backend.tagging_service.untag_resource_using_names(*self._tags_call("DeleteTags", "TagKeys"))
        return "", {"status": 204}

    def _tags_call(self, operation, key):
        """CreateTags/DeleteTags: (file system ID, the body's `key`), checked against the API and the backend."""
        fs_id = self._get_param("FileSystemId")
        value = self._body().get(key, [])
        _check(operation, {"FileSystemId": fs_id, key: value})
        _file_system(self.efs_backend, fs_id)
        return fs_id, value

    # backup policy
    def put_backup_policy(self):
        fs_id = self._get_param("FileSystemId")
        policy = self._body().get("BackupPolicy")
        _check("PutBackupPolicy", {"FileSystemId": fs_id, "BackupPolicy": policy})
        fs = _file_system(self.efs_backend, fs_id)
        # AWS passes through ENABLING/DISABLING; the emulator settles at once.
        fs.lakedrop_backup_status = policy["Status"]
        return json.dumps({"BackupPolicy": {"Status": policy["Status"]}}), _JSON

    def describe_backup_policy(self):
        fs_id = self._get_param("FileSystemId")
        _file_system(self.efs_backend, fs_id)  # stock moto: KeyError -> 500
        policy = self.efs_backend.describe_backup_policy(fs_id)
        return json.dumps({"BackupPolicy": policy}), _JSON

    # throughput
    def update_file_system(self):
        fs_id = self._get_param("FileSystemId")
        params = {k: v for k, v in self._body().items() if k in ("ThroughputMode", "ProvisionedThroughputInMibps")}
        _check("UpdateFileSystem", {"FileSystemId": fs_id, **params})
        fs = _file_system(self.efs_backend, fs_id)
        mode = params.get("ThroughputMode", fs.throughput_mode)
        throughput = params.get("ProvisionedThroughputInMibps", fs.provisioned_throughput_in_mibps)
        if mode == "provisioned" and not throughput:
            raise BadRequest("ProvisionedThroughputInMibps is required when ThroughputMode is provisioned.")
        fs.throughput_mode = mode
        # Only provisioned mode has a provisioned throughput to report.
        fs.provisioned_throughput_in_mibps = float(throughput) if mode == "provisioned" else None
        return json.dumps(fs.info_json()), {**_JSON, "status": 202}

    # default page size
    def describe_file_systems(self):
        max_items = self._get_int_param("MaxItems", 100)
        next_marker, file_systems = self.efs_backend.describe_file_systems(
            marker=self._get_param("Marker"),
            max_items=max_items,
            creation_token=self._get_param("CreationToken"),
            file_system_id=self._get_param("FileSystemId"),
        )
        answer: dict[str, Any] = {"FileSystems": [fs.info_json() for fs in file_systems]}
        if self._get_param("Marker"):
            answer["Marker"] = self._get_param("Marker")
        if next_marker:
            answer["NextMarker"] = next_marker
        return json.dumps(answer), _JSON


def _patch_models() -> None:
    from moto.efs.models import AccessPoint
    from moto.efs.models import EFSBackend
    from moto.efs.models import FileSystem
    from moto.efs.models import MountTarget

    fs_info, mt_info, ap_info = FileSystem.info_json, MountTarget.info_json, AccessPoint.info_json
    FileSystem.info_json = lambda self: _conforming(fs_info(self), "FileSystemDescription")
    MountTarget.info_json = lambda self: _conforming(mt_info(self), "MountTargetDescription")
    AccessPoint.info_json = lambda self: _conforming(ap_info(self), "AccessPointDescription")

    stock_backup = FileSystem.backup_policy

    def backup_policy(self: Any) -> dict[str, str] | None:
        status = getattr(self, "lakedrop_backup_status", None)
        return {"Status": status} if status else stock_backup.fget(self)

    FileSystem.backup_policy = property(backup_policy)

    create_file_system = EFSBackend.create_file_system
    signature = inspect.signature(create_file_system)

    def create_file_system_with_key(self: Any, *args: Any, **kwargs: Any) -> Any:
        bound = signature.bind(self, *args, **kwargs)
        if bound.arguments.get("encrypted"):
            key = bound.arguments.get("kms_key_id")
            bound.arguments["kms_key_id"] = _kms_key_arn(self.account_id, self.region_name, key)
        return create_file_system(*bound.args, **bound.kwargs)

    EFSBackend.create_file_system = create_file_system_with_key

    create_mount_target = EFSBackend.create_mount_target

    def create_mount_target_in_a_group(self: Any, *args: Any, **kwargs: Any) -> Any:
        mount_target = create_mount_target(self, *args, **kwargs)
        if not mount_target.security_groups:  # AWS: the VPC's default security group
            group = self.ec2_backend.get_default_security_group(mount_target.vpc_id)
            mount_target.security_groups = [group.id] if group else []
        return mount_target

    EFSBackend.create_mount_target = create_mount_target_in_a_group

    for name in ("describe_file_system_policy", "put_file_system_policy"):
        stock = getattr(EFSBackend, name)

        def checked(self: Any, file_system_id: str, *args: Any, _stock: Any = stock, **kwargs: Any) -> Any:
            _file_system(self, file_system_id)  # stock moto: KeyError -> 500
            return _stock(self, file_system_id, *args, **kwargs)

        setattr(EFSBackend, name, checked)


def install() -> None:
    from moto.efs import urls
    from moto.efs.responses import EFSResponse

    for name, member in vars(EfsApi).items():
        if not name.startswith("__"):
            setattr(EFSResponse, name, member)
    # REST paths moto's URL map lacks (the legacy tag API); routed to the methods above by operation.
    urls.url_paths.update(
        {
            "/2015-02-01/create-tags/<file_system_id>": EFSResponse.dispatch,
            "/2015-02-01/delete-tags/<file_system_id>": EFSResponse.dispatch,
            "/2015-02-01/tags/<file_system_id>/": EFSResponse.dispatch,
        }
    )
    _patch_models()
