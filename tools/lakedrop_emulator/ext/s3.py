"""S3 as the project needs it beyond moto: bucket policies decided by the authorization engine, and
conditional writes that hold under concurrency.

Bucket policies: moto 5.2.5 evaluates a bucket policy itself on object calls (FakeBucket.get_permission):
without the caller (every Principal counts as "everyone"), without most conditions (it treats a condition it
cannot evaluate as met, so a production `Deny` on `aws:SecureTransport = false` denied every call) and
without identity policies. The engine in front of moto already decided each request with the caller, its
policies and the bucket policy, so moto's second opinion is switched off: it always answers NEUTRAL (no
statement applies), and the one place that decides is the engine.

Conditional writes (S3 user guide, "How to prevent object overwrites with conditional writes"; botocore's
S3 model `PutObject.IfMatch` / `IfNoneMatch`): PutObject with If-None-Match: * writes only if the key does
not exist, with If-Match: <ETag> only if the current object has that ETag; otherwise 412 Precondition
Failed; "If a conflicting operation occurs during the upload S3 returns a 409 ConditionalRequestConflict".
moto checks the condition and then writes, unlocked, in a threaded server: two writers with the same
condition could both succeed. Here a conditional PutObject checks and writes under one lock (moto's 412
PreconditionFailed already has S3's status and REST XML shape). The 409 is injected only
(`POST /_lakedrop/s3/faults {"conditional_conflicts": n}`): with the lock no real conflict happens.

Stalled reads (a test fault, nothing S3 does on purpose): `POST /_lakedrop/s3/faults {"stall_reads": {"key": k,
"after_bytes": n, "seconds": s}}` makes the next GetObject of key k (any bucket, no Range) send its headers and
first n bytes of the body, then nothing for s seconds, then the rest, as a slow or congested network would;
a client's read timeout, or a function's, then ends the read in the middle of the body. moto returns the body
as bytes; here it becomes a generator, which Flask's Response, werkzeug's server (a write and flush per
chunk, Content-Length kept) and the middlewares in front (journal, egress, authorization: they return the
application's iterable untouched) send as it is produced.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from ..server import control
from ..server import update_settings

LOCK = threading.RLock()
# Injected faults (tests): how many of the next conditional PutObjects answer 409 ConditionalRequestConflict;
# the next GetObject of a key whose body stalls part way ({"key", "after_bytes", "seconds"} or None).
FAULTS: dict[str, Any] = {"conditional_conflicts": 0, "stall_reads": None}
STALL_LIMIT_SECONDS = 600  # a server thread sleeps that long at most (a forgotten fault ends)
# ConditionalRequestConflict's message (wording ours: the S3 API reference lists the code with 409 Conflict).
CONFLICT = "A conflicting conditional operation is currently in progress against this resource. Please try again."


def _error(status: int, code: str, message: str) -> tuple[int, dict, str]:
    """An S3 REST XML error (moto would answer an error code botocore's S3 model does not declare with 400)."""
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>'
    return status, {"Content-Type": "application/xml"}, body


def _conditional_put(original: Any) -> Any:
    def put_object(self: Any) -> Any:
        if not (self.headers.get("If-Match") or self.headers.get("If-None-Match")):
            return original(self)
        with LOCK:
            if FAULTS["conditional_conflicts"] > 0:
                FAULTS["conditional_conflicts"] -= 1
                return _error(409, "ConditionalRequestConflict", CONFLICT)
            return original(self)  # moto's check and write (its 412 is S3's), now one step for conditional writers

    return put_object


def _stall_setting(value: Any) -> dict | None:
    """A stall_reads fault as armed (None disarms it); ValueError (400) names what is wrong."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"key", "after_bytes", "seconds"}:
        raise ValueError('stall_reads is {"key": <key>, "after_bytes": <n>, "seconds": <s>} or null')
    key, after, seconds = value["key"], value["after_bytes"], value["seconds"]
    if not isinstance(key, str) or not key:
        raise ValueError("stall_reads.key must be an object key")
    if not isinstance(after, int) or isinstance(after, bool) or after < 0:
        raise ValueError("stall_reads.after_bytes must be a whole number of bytes")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not 0 <= seconds <= STALL_LIMIT_SECONDS:
        raise ValueError(f"stall_reads.seconds must be between 0 and {STALL_LIMIT_SECONDS}")
    return {"key": key, "after_bytes": after, "seconds": seconds}


def _stalled(content: bytes, after: int, seconds: float) -> Any:
    """The body sent as a slow network would: `after` bytes, a pause of `seconds`, the rest."""
    yield content[:after]
    time.sleep(seconds)
    yield content[after:]


def _stalling_get(original: Any) -> Any:
    def get_object(self: Any) -> Any:
        status, headers, content = original(self)
        if status != 200 or not isinstance(content, bytes) or self.headers.get("range"):
            return status, headers, content  # moto slices a ranged body afterwards: it must stay bytes
        with LOCK:
            stall = FAULTS["stall_reads"]
            if not stall or stall["key"] != self.parse_key_name():
                return status, headers, content
            FAULTS["stall_reads"] = None  # the next read of the key only
        return status, headers, _stalled(content, stall["after_bytes"], stall["seconds"])

    return get_object


@control("POST", "/_lakedrop/s3/faults")
def _set_faults(request) -> dict:
    return update_settings(
        request, FAULTS, LOCK, "S3 fault keys", {"conditional_conflicts": int, "stall_reads": _stall_setting}
    )


def install() -> None:
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket
    from moto.s3.responses import S3Response

    def get_permission(self: Any, action: str, resource: str) -> Any:
        return PermissionResult.NEUTRAL

    FakeBucket.get_permission = get_permission
    S3Response.put_object = _conditional_put(S3Response.put_object)
    S3Response.get_object = _stalling_get(S3Response.get_object)
