"""EFS access point behaviour of the real API that moto 5.2.5 lacks and lakedrop.delivery.efs_access_point
relies on (kept apart from ext/efs.py, which patches file systems):

- ClientToken: AWS answers AccessPointAlreadyExists (409, with the existing AccessPointId) when a token
  was already used; moto created a second access point. The emulator scopes tokens to the file system
  (AWS documents no scope; it may be the account). Whether AWS still remembers the token of a
  deleted access point is not documented; `remember_deleted_tokens` makes the emulator do so, so the
  module's handling of that case can be tested;
- CreateAccessPoint on a file system that does not exist answered 200 (AWS: FileSystemNotFound);
- DeleteAccessPoint of an unknown id answered 200 (AWS: AccessPointNotFound);
- `Name` stayed what it was at creation; AWS reports the current value of the `Name` tag;
- LifeCycleState was always `available` and deletion immediate. `creating_describes` and
  `deleting_describes` make an access point report `creating`/`deleting` for that many describes
  first (0 by default, so other tests see moto's behaviour).

- the root directory (`root_directory`): "If the RootDirectory > Path specified does not exist, EFS creates
  it and applies the CreationInfo settings when a client connects to an access point" (Model
  `CreationInfo`); DataSync's copy (dataplane.efs_directory) and a function's mount connect through it.
  Parent directories missing too get the same owner and permissions (AWS: unsure). Without CreationInfo
  AWS fails the mount; the emulator creates the directory owned by root, 0755 (not modelled).
- the identity (`posix_user`): with a PosixUser, EFS uses its UID/GID for every NFS operation.

Settings: POST /_lakedrop/efs/access-points {"creating_describes": 1, ...}; answers the settings.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from moto.efs.exceptions import AccessPointNotFound
from moto.efs.exceptions import EFSError
from moto.efs.exceptions import FileSystemNotFound

from ..server import control
from ..server import update_settings

SETTINGS: dict[str, Any] = {"creating_describes": 0, "deleting_describes": 0, "remember_deleted_tokens": False}
LOCK = threading.Lock()


class AccessPointAlreadyExists(EFSError):
    code = 409

    def __init__(self, access_point_id: str) -> None:
        super().__init__(
            "AccessPointAlreadyExists", f"Access point {access_point_id} was created with this ClientToken."
        )
        self.description = json.dumps(
            {
                "__type": "AccessPointAlreadyExists",
                "ErrorCode": "AccessPointAlreadyExists",
                "Message": self.message,
                "AccessPointId": access_point_id,
            }
        )


def _patch() -> None:
    from moto.efs.models import AccessPoint
    from moto.efs.models import EFSBackend

    create = EFSBackend.create_access_point
    describe = EFSBackend.describe_access_points
    delete = EFSBackend.delete_access_point
    info_json = AccessPoint.info_json  # ext/efs.py's conforming wrapper, installed before this one

    def create_access_point(self: Any, client_token: str, tags: Any, file_system_id: str, **kwargs: Any) -> Any:
        if file_system_id not in self.file_systems_by_id:
            raise FileSystemNotFound(file_system_id)
        with LOCK:
            tokens = getattr(self, "lakedrop_ap_tokens", {})
            self.lakedrop_ap_tokens = tokens
            # Scoped to the file system: the project's modules put the file system into their tokens,
            # and a looser scope than AWS's could only hide a collision, never invent one.
            key = (file_system_id, client_token)
            known = tokens.get(key)
            if known and (known in self.access_points or SETTINGS["remember_deleted_tokens"]):
                raise AccessPointAlreadyExists(known)
            access_point = create(self, client_token, tags=tags, file_system_id=file_system_id, **kwargs)
            tokens[key] = access_point.access_point_id
            steps = int(SETTINGS["creating_describes"])
            access_point.lakedrop_pending = ["creating"] * steps
            access_point.lakedrop_state = "creating" if steps > 0 else None
        return access_point

    def describe_access_points(self: Any, access_point_id: str | None, file_system_id: str | None) -> Any:
        found = describe(self, access_point_id, file_system_id)
        with LOCK:
            for access_point in list(found):
                pending = getattr(access_point, "lakedrop_pending", [])
                access_point.lakedrop_state = pending.pop(0) if pending else None
                if access_point.lakedrop_state is None and getattr(access_point, "lakedrop_deleting", False):
                    self.access_points.pop(access_point.access_point_id, None)  # gone now
                    found.remove(access_point)
        if access_point_id and not found:
            raise AccessPointNotFound(access_point_id)
        return found

    def delete_access_point(self: Any, access_point_id: str) -> None:
        access_point = self.access_points.get(access_point_id)
        if access_point is None or getattr(access_point, "lakedrop_deleting", False):
            raise AccessPointNotFound(access_point_id)
        with LOCK:
            steps = int(SETTINGS["deleting_describes"])
            if steps <= 0:
                delete(self, access_point_id)
                return
            access_point.lakedrop_deleting = True
            access_point.lakedrop_pending = ["deleting"] * steps

    def conforming_info(self: Any) -> dict[str, Any]:
        info = info_json(self)
        name = next((t["Value"] for t in info.get("Tags", []) if t["Key"] == "Name"), None)
        info.pop("Name", None)
        if name is not None:
            info["Name"] = name
        state = getattr(self, "lakedrop_state", None)
        if state:
            info["LifeCycleState"] = state
        return info

    EFSBackend.create_access_point = create_access_point
    EFSBackend.describe_access_points = describe_access_points
    EFSBackend.delete_access_point = delete_access_point
    AccessPoint.info_json = conforming_info


def posix_user(access_point: Any) -> tuple[int, int] | None:
    """(UID, GID) the access point imposes on every NFS operation, or None without a PosixUser."""
    user = getattr(access_point, "posix_user", None) or {}
    if "Uid" not in user or "Gid" not in user:
        return None
    return int(user["Uid"]), int(user["Gid"])


def creation_info(access_point: Any) -> tuple[int, int, int] | None:
    """(OwnerUid, OwnerGid, permission bits) of the root directory's CreationInfo, or None."""
    info = (getattr(access_point, "root_directory", None) or {}).get("CreationInfo")
    if not info:
        return None
    return int(info["OwnerUid"]), int(info["OwnerGid"]), int(str(info["Permissions"]), 8)


def root_directory(fs_root: Path, access_point: Any) -> Path:
    """The access point's root directory in the tree standing for its file system (`fs_root`), created when
    missing as EFS creates it when a client connects (see the module's docstring); an existing one is kept."""
    from .dataplane import make_directories

    path = ((getattr(access_point, "root_directory", None) or {}).get("Path") or "/").strip("/")
    target = fs_root / path
    fs_root.mkdir(parents=True, exist_ok=True)  # the file system's own root (root-owned, as EFS makes it)
    info = creation_info(access_point)
    make_directories(target, info[:2] if info else (0, 0), info[2] if info else 0o755)
    return target


@control("POST", "/_lakedrop/efs/access-points")
def _settings(request: Any) -> dict:
    return update_settings(request, SETTINGS, LOCK, "access point settings")


def install() -> None:
    _patch()
