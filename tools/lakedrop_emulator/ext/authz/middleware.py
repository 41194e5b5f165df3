"""The authorization layer of the request path: between the journal and moto, every AWS request is
decided by the engine; a denial answers as the service would (403, its protocol's error shape) and is
journaled with its reason.

Error shapes (botocore's protocols): JSON services (DataSync, KMS, Logs, ECS, SQS in JSON) answer
`{"__type": "AccessDeniedException", "message": ...}`; SQS, being query-compatible, also sends
`x-amzn-query-error: AccessDenied;Sender`, from which botocore takes the code; REST-JSON services (Lambda,
EFS) name the error in `x-amzn-ErrorType`; query services (IAM, STS) answer `<ErrorResponse>` with code
AccessDenied; EC2 answers `<Response><Errors>` with UnauthorizedOperation (its code for this); S3 answers
`<Error>` with AccessDenied (no body for HEAD). An access key the emulator never issued is refused as AWS
refuses it: InvalidClientTokenId (S3: InvalidAccessKeyId, EC2: AuthFailure).
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from werkzeug.wrappers import Response

from ...journal import CALL
from ...journal import NOTES
from ...journal import Call
from ...journal import Journal
from ..shapes import service_model
from . import actions
from .engine import Decision
from .engine import decide
from .principals import ANONYMOUS_PRINCIPAL
from .principals import Principal
from .principals import from_access_key

ENFORCE, AUDIT = "enforce", "audit"
# LAKEDROP_AUTHZ_MODE=audit starts the emulator in audit mode: for diagnosing a whole run, never for tests.
STATE: dict[str, Any] = {"mode": os.environ.get("LAKEDROP_AUTHZ_MODE", ENFORCE)}


# Denials (and, in audit mode, would-be denials) with their reasons, for /_lakedrop/authz/decisions.
DECISIONS = Journal()


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    code: str = ""  # error code when refused
    decision: Decision | None = None
    principal: str | None = None
    unmodelled: bool = False


def _where(call: Call) -> actions.Where:
    from moto.utilities.utils import get_partition

    region = call.region or "us-east-1"
    return actions.Where(call.account, region, get_partition(region))


def _principal(call: Call) -> Principal | None:
    if not call.access_key:
        return ANONYMOUS_PRINCIPAL
    return from_access_key(call.access_key, call.session_token, call.region or "us-east-1")


def authorize(call: Call) -> Verdict:
    """The engine's verdict on one request (the first check that fails decides)."""
    principal = _principal(call)
    if principal is None:
        return Verdict(False, "InvalidClientTokenId")
    if (call.service, call.operation) in actions.ALWAYS_ALLOWED:
        return Verdict(True, principal=principal.arn)
    operation = call.operation or "UnrecognizedOperation"  # still decided: admins pass, scoped identities do not
    checks, modelled = actions.checks(call.service, operation, actions.parameters(call), _where(call))
    context = {"aws:RequestedRegion": call.region}
    decision = None
    for item in checks:
        decision = decide(principal, item.action, item.resources, {**context, **item.context})
        if not decision.allowed:
            return Verdict(False, "AccessDenied", decision, principal.arn, not modelled)
    if call.service == "s3" and operation == "GetObject":
        refused = _decryption(call, principal)
        if refused is not None:
            return Verdict(False, "AccessDenied", refused, principal.arn)
    return Verdict(True, decision=decision, principal=principal.arn, unmodelled=not modelled)


def _decryption(call: Call, principal: Principal) -> Decision | None:
    """Reading an SSE-KMS object also needs kms:Decrypt for the reader (S3 decrypts with the requester's
    permissions; HeadObject does not decrypt): the same rule DataSync's reads follow."""
    from ..dataplane import _moto_bucket
    from ..dataplane import s3_object
    from ..datasync_access import decrypt_decision

    params = actions.parameters(call)
    bucket_name, key_name = params.get("Bucket"), params.get("Key")
    if not bucket_name or not key_name:
        return None
    try:
        _backend, bucket = _moto_bucket(bucket_name)
        key = s3_object(bucket_name, key_name, params.get("VersionId"))
    except Exception:  # noqa: BLE001 - a missing bucket, key or version: moto answers as S3 does
        return None
    if key is None:
        return None
    return decrypt_decision(principal, bucket, key, f"{bucket.arn}/{key_name}", "s3", "GetObject")


# --- answering a refusal as the service does -----------------------------------------------------------

_INVALID_KEY = {
    "s3": ("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records."),
    "ec2": ("AuthFailure", "AWS was not able to validate the provided access credentials"),
}
_INVALID_TOKEN = ("InvalidClientTokenId", "The security token included in the request is invalid.")


def _protocol(call: Call) -> str:
    protocol = service_model(call.service).metadata.get("protocol", "json")
    content_type = call.environ.get("CONTENT_TYPE", "")
    if protocol == "json" and content_type.startswith("application/x-www-form-urlencoded"):
        return "query"  # SQS's older query clients
    return protocol


def _query_compatible(call: Call) -> bool:
    return "awsQueryCompatible" in service_model(call.service).metadata


def _json(call: Call, code: str, message: str, request_id: str) -> tuple[str, dict[str, str]]:
    headers = {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": request_id}
    shape = "AccessDeniedException" if code == "AccessDenied" else code
    if _query_compatible(call):
        headers["x-amzn-query-error"] = f"{code};Sender"
    return json.dumps({"__type": shape, "message": message}), headers


def _rest_json(_call: Call, code: str, message: str, request_id: str) -> tuple[str, dict[str, str]]:
    shape = "AccessDeniedException" if code == "AccessDenied" else code
    headers = {"Content-Type": "application/json", "x-amzn-ErrorType": shape, "x-amzn-RequestId": request_id}
    return json.dumps({"Type": "User", "Message": message}), headers


def _query(_call: Call, code: str, message: str, request_id: str) -> tuple[str, dict[str, str]]:
    body = (
        f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{escape(message)}</Message>"
        f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return body, {"Content-Type": "text/xml"}


def _ec2(_call: Call, code: str, message: str, request_id: str) -> tuple[str, dict[str, str]]:
    if code == "AccessDenied":
        code, message = "UnauthorizedOperation", f"You are not authorized to perform this operation. {message}"
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>{code}</Code>'
        f"<Message>{escape(message)}</Message></Error></Errors><RequestID>{request_id}</RequestID></Response>"
    )
    return body, {"Content-Type": "text/xml"}


def _rest_xml(call: Call, code: str, message: str, request_id: str) -> tuple[str, dict[str, str]]:
    headers = {"Content-Type": "application/xml", "x-amz-request-id": request_id}
    if call.environ.get("REQUEST_METHOD") == "HEAD":
        return "", headers
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>{escape(message)}</Message>'
        f"<RequestId>{request_id}</RequestId><HostId>{request_id}</HostId></Error>"
    )
    return body, headers


_RENDERERS = {"json": _json, "rest-json": _rest_json, "query": _query, "ec2": _ec2, "rest-xml": _rest_xml}


def refusal(call: Call, verdict: Verdict) -> Response:
    if verdict.code == "AccessDenied":
        code, message = "AccessDenied", verdict.decision.message if verdict.decision is not None else "Access Denied"
    else:
        code, message = _INVALID_KEY.get(call.service or "", _INVALID_TOKEN)
    body, headers = _RENDERERS.get(_protocol(call), _json)(call, code, message, uuid.uuid4().hex)
    return Response(body, 403, headers=headers)


# --- the WSGI layer ------------------------------------------------------------------------------------


def _note(environ: dict[str, Any], verdict: Verdict, outcome: str) -> None:
    notes = {"principal": verdict.principal, "authz": outcome}
    if verdict.unmodelled:
        notes["unmodelled"] = True
    if verdict.decision is not None and not verdict.allowed:
        notes["authz_reason"] = verdict.decision.reason
    environ.setdefault(NOTES, {}).update(notes)


def _record(call: Call, verdict: Verdict, outcome: str) -> None:
    decision = verdict.decision or Decision(False, "the access key is not one the emulator issued")
    DECISIONS.record(
        time=time.time(),
        outcome=outcome,
        account=call.account,
        service=call.service,
        operation=call.operation,
        principal=verdict.principal,
        code=verdict.code,
        action=decision.action,
        resource=decision.resource,
        reason=decision.reason,
        message=decision.message,
        unmodelled=verdict.unmodelled,
    )


class AuthzMiddleware:
    """WSGI layer in front of moto (behind the journal, which identifies the call)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        call: Call | None = environ.get(CALL)
        if call is None or not call.service:  # not an AWS request (no SigV4 service)
            return self.app(environ, start_response)
        verdict = authorize(call)
        if verdict.allowed:
            _note(environ, verdict, "allow")
            return self.app(environ, start_response)
        outcome = "deny" if STATE["mode"] == ENFORCE else "would-deny"
        _note(environ, verdict, outcome)
        _record(call, verdict, outcome)
        if outcome == "would-deny":
            return self.app(environ, start_response)
        return refusal(call, verdict)(environ, start_response)


def set_mode(mode: str) -> dict[str, str]:
    if mode not in (ENFORCE, AUDIT):
        raise ValueError(f"mode must be {ENFORCE!r} or {AUDIT!r}")
    STATE["mode"] = mode
    return {"mode": mode}
