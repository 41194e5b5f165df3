"""DataSync's data plane, played locally: S3 objects -> a directory standing for an EFS file system.

Pure functions (filter matching, planning) plus the two side-effecting steps (read S3, write files).
The destination of an EFS location is `<state>/efs/<account>/<fs-id>/<access point root>/<subdir>`.

Owner and mode: S3 objects carry no DataSync POSIX metadata, so DataSync writes files 0644 and directories
0755 owned by UID/GID 65534 (DataSync user guide, how DataSync handles metadata and special files); through
an access point with a PosixUser, EFS imposes that user's UID/GID on every NFS operation, so what DataSync
creates is that user's. The emulator runs as root and sets both (chown/chmod) on each file and on each
directory it creates; directories that exist keep theirs.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SourceObject:
    path: str  # relative to the location's subdirectory, starting with "/"
    key: str
    size: int
    mtime: float
    body: Any  # callable returning bytes (read lazily, only when transferred)
    version: str | None = None  # the version a manifest named (read with s3:GetObjectVersion)


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(part) for part in pattern.split("*")) + "$")


class Filter:
    """A `|`-joined SIMPLE_PATTERN value, compiled once.

    A pattern names a file or a folder (a folder selects everything under it); `*` matches any run of
    characters. Patterns without a leading `/` (exclude style, e.g. `*.tmp`) may match anywhere.
    Patterns without `*` (what the trigger sends, up to thousands per value) are looked up in a set, so
    a 10,000-pattern execution over 10,000 objects stays linear.
    """

    def __init__(self, value: str | None) -> None:
        self.exact: set[str] = set()
        self.wild: list[re.Pattern[str]] = []
        for pattern in (value or "").split("|"):
            if not pattern:
                continue
            anchored = pattern if pattern.startswith(("/", "*")) else "*/" + pattern
            anchored = anchored.rstrip("/") or "/"
            if "*" in anchored:
                self.wild.append(_compile(anchored))
            else:
                self.exact.add(anchored)

    def __bool__(self) -> bool:
        return bool(self.exact or self.wild)

    def selects(self, path: str) -> bool:
        parts = path.split("/")
        candidates = [path] + ["/".join(parts[:i]) for i in range(2, len(parts))]  # itself, its folders
        if any(candidate in self.exact for candidate in candidates):
            return True
        return any(regex.match(candidate) for regex in self.wild for candidate in candidates)


@functools.lru_cache(maxsize=256)
def compiled(value: str | None) -> Filter:
    return Filter(value)


def matches(patterns: str | None, path: str) -> bool:
    """Whether `path` is selected by a `|`-joined SIMPLE_PATTERN value (see Filter)."""
    return compiled(patterns).selects(path)


def filter_value(rules: list[dict] | None) -> str | None:
    return rules[0]["Value"] if rules else None


def select(objects: list[SourceObject], includes: str | None, excludes: str | None) -> list[SourceObject]:
    include, exclude = compiled(includes), compiled(excludes)
    return [
        obj
        for obj in objects
        # a value is a filter even when it names nothing ("|"): then it selects nothing, as before
        if (not includes or include.selects(obj.path)) and not (excludes and exclude.selects(obj.path))
    ]


def relative_path(key: str, subdirectory: str) -> str | None:
    prefix = subdirectory.strip("/")
    prefix = f"{prefix}/" if prefix else ""
    if not key.startswith(prefix) or key.endswith("/"):
        return None
    return "/" + key[len(prefix) :]


def needs_transfer(obj: SourceObject, dest: Path, options: dict) -> bool:
    if not dest.exists():
        return True
    if options.get("OverwriteMode") == "NEVER":
        return False
    if options.get("TransferMode") == "ALL":
        return True
    stat = dest.stat()
    if stat.st_size != obj.size:
        return True
    return options.get("Mtime", "PRESERVE") == "PRESERVE" and int(stat.st_mtime) != int(obj.mtime)


NOBODY = (65534, 65534)  # UID, GID of what carries no POSIX metadata
FILE_MODE = 0o644
DIRECTORY_MODE = 0o755


def _own(path: Path, owner: tuple[int, int], mode: int) -> None:
    if os.geteuid() == 0:  # the emulator runs as root; elsewhere ownership cannot be given away
        os.chown(path, *owner)
    os.chmod(path, mode)


def make_directories(directory: Path, owner: tuple[int, int] = NOBODY, mode: int = DIRECTORY_MODE) -> None:
    """`directory` and its missing parents, each created with `mode` and owned by `owner`; existing ones untouched."""
    missing = []
    while not directory.exists():
        missing.append(directory)
        directory = directory.parent
    for path in reversed(missing):
        path.mkdir(exist_ok=True)  # a concurrent writer may have made it
        _own(path, owner, mode)


def write(obj: SourceObject, dest: Path, options: dict, owner: tuple[int, int] = NOBODY) -> int:
    make_directories(dest.parent, owner)
    data = obj.body()
    tmp = dest.with_name(f".{dest.name}.datasync-tmp")
    tmp.write_bytes(data)
    _own(tmp, owner, FILE_MODE)
    if options.get("Mtime", "PRESERVE") == "PRESERVE":
        os.utime(tmp, (obj.mtime, obj.mtime))
    os.replace(tmp, dest)  # readers in the "container" never see a partial file, nor one without its metadata
    return len(data)


def destination_file(root: Path, path: str) -> Path:
    target = (root / path.lstrip("/")).resolve()
    if root.resolve() not in target.parents:
        raise ValueError(f"refusing to write outside the destination: {path}")
    return target


# --- moto-facing readers -------------------------------------------------------------------------


def list_s3_objects(bucket_name: str, subdirectory: str) -> list[SourceObject]:
    from moto.s3.models import FakeKey

    _backend, bucket = _moto_bucket(bucket_name)
    found = []
    for name in list(bucket.keys.keys()):
        key = bucket.keys.get(name)
        if not isinstance(key, FakeKey):
            continue  # delete marker
        rel = relative_path(name, subdirectory)
        if rel is None:
            continue
        found.append(
            SourceObject(
                path=rel,
                key=name,
                size=key.size,
                mtime=last_modified(key),
                body=lambda key=key: key.value,
            )
        )
    return found


def last_modified(key: Any) -> float:
    """The object's LastModified as S3 answers it (whole seconds: HeadObject/GetObject's Last-Modified header),
    so a file DataSync writes and one the fast function writes from GetObject get the same mtime."""
    return float(int(key.last_modified.timestamp()))


def _moto_bucket(bucket_name: str) -> Any:
    from moto.s3.models import s3_backends

    accounts = s3_backends.bucket_accounts
    if bucket_name not in accounts:
        raise LookupError(f"bucket {bucket_name} does not exist")
    partition, account_id = accounts[bucket_name]
    return s3_backends[account_id][partition], s3_backends[account_id][partition].buckets[bucket_name]


def s3_object(bucket_name: str, key: str, version_id: str | None = None) -> Any:
    """moto's object `key` (the given version, else the current one), or None when it does not exist or the
    current version is a delete marker (moto keeps every version of a versioned bucket)."""
    backend, _bucket = _moto_bucket(bucket_name)
    return backend.get_object(bucket_name, key, version_id=version_id)


def manifest_objects(
    bucket_name: str, subdirectory: str, entries: list[tuple[str, str | None]]
) -> tuple[list[SourceObject], list[str]]:
    """The objects a manifest's entries name (exactly these: the given version where one is listed), and
    one line per entry that names no object: a folder ("You can't specify only a directory or folder"), a
    key that does not exist, or a version that does not."""
    from . import datasync_rules

    found, missing = [], []
    for path, version in entries:
        key = datasync_rules.manifest_key(path, subdirectory)
        obj = None if key.endswith("/") else s3_object(bucket_name, key, version)
        if obj is None:
            what = f"version {version} of " if version else ""
            missing.append(f"{what}s3://{bucket_name}/{key} (manifest entry {path!r}) does not exist")
            continue
        found.append(
            SourceObject(
                path="/" + path,
                key=key,
                size=obj.size,
                mtime=last_modified(obj),
                body=lambda obj=obj: obj.value,
                version=version,
            )
        )
    return found, missing


def efs_directory(
    efs_root: Path, account_id: str, region: str, fs_id: str, access_point_id: str | None, subdirectory: str
) -> Path:
    """The directory standing for an EFS location: the access point's root directory (created as EFS creates it
    when a client connects, see efs_access_points.root_directory), then the location's subdirectory."""
    root = efs_root / account_id / fs_id
    if access_point_id:
        from .efs_access_points import root_directory

        root = root_directory(root, _access_point(account_id, region, access_point_id))
    return root / subdirectory.strip("/")


def efs_owner(account_id: str, region: str, access_point_id: str | None) -> tuple[int, int]:
    """(UID, GID) DataSync's files and directories get: the access point's PosixUser, else 65534."""
    if not access_point_id:
        return NOBODY
    from .efs_access_points import posix_user

    return posix_user(_access_point(account_id, region, access_point_id)) or NOBODY


def _access_point(account_id: str, region: str, access_point_id: str) -> Any:
    from moto.efs.models import efs_backends

    access_point = efs_backends[account_id][region].access_points.get(access_point_id)
    if access_point is None:
        raise LookupError(f"access point {access_point_id} does not exist")
    return access_point
