"""S3 event notifications carry the object's version ID and a sequencer, as S3 sends them.

moto 5.2.5 builds a record with key, size and eTag only. The S3 user guide's "Event message structure"
(notification-content-structure) documents `versionId` ("object version if bucket is versioning-enabled,
otherwise null") and `sequencer` ("a string representation of a hexadecimal value used to determine event
sequence, only used with PUTs and DELETEs"; for one key, the greater value is the later event). Here the
version ID is the object's when the bucket is versioned, and the sequencer a hexadecimal counter that only
grows (S3 promises an order per key; a global counter keeps that promise).
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

_LOCK = threading.Lock()
_COUNTER = itertools.count(0x62E99A88DC407400)


def sequencer() -> str:
    with _LOCK:
        return format(next(_COUNTER), "018X")


def install() -> None:
    from moto.s3 import notifications

    original = notifications._get_s3_event

    def get_s3_event(event_name: str, bucket: Any, key: Any, notification_id: str) -> dict:
        event = original(event_name, bucket, key, notification_id)
        obj = event["Records"][0]["s3"]["object"]
        if getattr(bucket, "is_versioned", False) and getattr(key, "version_id", None):
            obj["versionId"] = key.version_id
        obj["sequencer"] = sequencer()
        return event

    notifications._get_s3_event = get_s3_event
