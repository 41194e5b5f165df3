"""S3 event notifications carry the object's version ID and a sequencer, and removals are announced as S3
announces them.

moto 5.2.5 builds a record with key, size and eTag only. The S3 user guide's "Event message structure"
(notification-content-structure) documents `versionId` ("object version if bucket is versioning-enabled,
otherwise null") and `sequencer` ("a string representation of a hexadecimal value used to determine event
sequence, only used with PUTs and DELETEs"; for one key, the greater value is the later event). Here the
version ID is the object's when the bucket is versioned, and the sequencer a hexadecimal counter that only
grows (S3 promises an order per key; a global counter keeps that promise). One event has one sequencer,
whichever destinations it reaches.

Removals (user guide, "Event notification types and destinations": `s3:ObjectRemoved:Delete` when an
object is deleted or a versioned object is permanently deleted, `s3:ObjectRemoved:DeleteMarkerCreated` when
a delete marker is created for a versioned object; DeleteObjects announces each object it removes). moto
announced only deletes on unversioned buckets and the removal of a key's last version, with the size and
eTag of what remained, never a delete marker, and failed (500) when that last version was a delete marker.
Here DeleteObject, and each object of DeleteObjects, announce:

- unversioned bucket, the key existed: ObjectRemoved:Delete, no versionId;
- versioned bucket, no version named: ObjectRemoved:DeleteMarkerCreated, versionId = the new marker's;
- versioned bucket, an existing version (object or delete marker) named: ObjectRemoved:Delete, versionId =
  that version.

A removal's object holds key, versionId (versioned buckets) and sequencer, no size or eTag (the shape of the
delete event the AWS SAM CLI generates, `samcli/lib/generated_sample_events/events/s3/S3Delete.json`).
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

_LOCK = threading.Lock()
_COUNTER = itertools.count(0x62E99A88DC407400)
_LOCAL = threading.local()  # the sequencer of the event being delivered on this thread

REMOVED_DELETE = "s3:ObjectRemoved:Delete"
REMOVED_MARKER = "s3:ObjectRemoved:DeleteMarkerCreated"


def sequencer() -> str:
    with _LOCK:
        return format(next(_COUNTER), "018X")


@dataclass(frozen=True)
class Removed:
    """What a removal event names: the key and, on a versioned bucket, the version removed or the marker
    created. (`size`/`etag` only for moto's EventBridge path, which reads them; S3's records carry neither.)"""

    name: str
    version_id: str | None
    size: int = 0
    etag: str = ""


def removal(versioned: bool, version_named: str | None, versions_before: list[str], answer: dict) -> tuple | None:
    """(event name, version ID or None) of the event one successful DeleteObject announces, or None when it
    removed nothing. `versions_before`: the key's versions (objects and delete markers) before the call;
    `answer`: moto's response headers (`version-id` of the marker it created)."""
    if not versioned:
        return (REMOVED_DELETE, None) if versions_before else None
    if version_named is None:
        marker = answer.get("version-id")
        return (REMOVED_MARKER, marker) if marker else None
    return (REMOVED_DELETE, str(version_named)) if str(version_named) in versions_before else None


def _event_value(event_name: Any) -> str:
    return getattr(event_name, "value", event_name)


def install() -> None:
    """Installed after ext/lambda_runner.py, whose `send_event` (cross-account routing, destination checks)
    this wraps."""
    from moto.s3 import notifications
    from moto.s3.models import S3Backend

    build = notifications._get_s3_event
    deliver = notifications.send_event
    delete = S3Backend.delete_object

    def get_s3_event(event_name: str, bucket: Any, key: Any, notification_id: str) -> dict:
        event = build(event_name, bucket, key, notification_id)
        obj = event["Records"][0]["s3"]["object"]
        if isinstance(key, Removed):
            obj.clear()
            obj["key"] = quote_plus(key.name)
            if key.version_id:
                obj["versionId"] = key.version_id
        elif getattr(bucket, "is_versioned", False) and getattr(key, "version_id", None):
            obj["versionId"] = key.version_id
        obj["sequencer"] = getattr(_LOCAL, "sequencer", None) or sequencer()
        return event

    def send_event(account_id: str, event_name: Any, bucket: Any, key: Any) -> None:
        if _event_value(event_name).startswith("s3:ObjectRemoved:") and not isinstance(key, Removed):
            return  # moto's own removal events (wrong version, none for markers): delete_object's replace them
        _LOCAL.sequencer = sequencer()
        try:
            deliver(account_id, event_name, bucket, key)
        finally:
            _LOCAL.sequencer = None

    def delete_object(
        self: Any, bucket_name: str, key_name: str, version_id: str | None = None, bypass: bool = False
    ) -> Any:
        bucket = self.get_bucket(bucket_name)
        versioned = bool(bucket.is_versioned)
        before = [str(k.version_id) for k in bucket.keys.getlist(key_name, None) or []]
        removed, answer = delete(self, bucket_name, key_name, version_id=version_id, bypass=bypass)
        event = removal(versioned, version_id, before, answer) if removed else None
        if event:
            name, version = event
            matching = next(e for e in notifications.S3NotificationEvent if e.value == name)
            notifications.send_event(self.account_id, matching, bucket, Removed(key_name, version))
        return removed, answer

    notifications._get_s3_event = get_s3_event
    notifications.send_event = send_event
    S3Backend.delete_object = delete_object
