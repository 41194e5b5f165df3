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
"""

from __future__ import annotations

import threading
from typing import Any

from ..server import control
from ..server import update_settings

LOCK = threading.RLock()
# Injected faults (tests): how many of the next conditional PutObjects answer 409 ConditionalRequestConflict.
FAULTS: dict[str, int] = {"conditional_conflicts": 0}
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


@control("POST", "/_lakedrop/s3/faults")
def _set_faults(request) -> dict:
    return update_settings(request, FAULTS, LOCK, "S3 fault keys", int)


def install() -> None:
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket
    from moto.s3.responses import S3Response

    def get_permission(self: Any, action: str, resource: str) -> Any:
        return PermissionResult.NEUTRAL

    FakeBucket.get_permission = get_permission
    S3Response.put_object = _conditional_put(S3Response.put_object)
