"""S3 bucket policies are decided by the authorization engine (ext/authz), not by moto.

moto 5.2.5 evaluates a bucket policy itself on object calls (FakeBucket.get_permission): without the
caller (every Principal counts as "everyone"), without most conditions (it treats a condition it cannot
evaluate as met, so a production `Deny` on `aws:SecureTransport = false` denied every call) and without
identity policies. The engine in front of moto already decided each request with the caller, its
policies and the bucket policy, so moto's second opinion is switched off: it always answers NEUTRAL
(no statement applies), and the one place that decides is the engine.
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self: Any, action: str, resource: str) -> Any:
        return PermissionResult.NEUTRAL

    FakeBucket.get_permission = get_permission
