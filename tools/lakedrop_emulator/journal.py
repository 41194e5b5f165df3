"""The request journal: one entry per AWS API call the emulator answered.

Recorded at the WSGI layer, so every service (S3's REST dispatch included) is covered the same way.
Tests read it to prove that an idempotent run made zero write calls and to count DataSync executions.
"""

from __future__ import annotations

import io
import re
import threading
import time
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from urllib.parse import parse_qs

# Signing names that differ from botocore's service names.
_SIGNING_TO_SERVICE = {"elasticfilesystem": "efs", "monitoring": "cloudwatch"}
# Operations that only read. Anything else (including an unrecognised call) counts as a write, so an
# idempotence check errs on the side of failing.
READ_PREFIXES = ("Describe", "Get", "List", "Head", "Lookup", "Search", "BatchGet", "Query", "Scan")
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/aws4_request")
MAX_ENTRIES = 500_000
CALL = "lakedrop.call"  # environ key: the Call, for the layers between the journal and moto
NOTES = "lakedrop.journal"  # environ key: extra fields those layers want in the entry (e.g. authz)


def is_write(operation: str | None) -> bool:
    return not (operation or "").startswith(READ_PREFIXES)


class Journal:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []
        self._seq = 0

    def record(self, **entry: Any) -> None:
        with self._lock:
            self._seq += 1
            entry["seq"] = self._seq
            self._entries.append(entry)
            if len(self._entries) > MAX_ENTRIES:
                del self._entries[: len(self._entries) - MAX_ENTRIES]

    def entries(self, since: int = 0) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self._entries if e["seq"] > since]

    @property
    def seq(self) -> int:
        with self._lock:
            return self._seq

    def reset(self) -> int:
        """Forget every entry; returns the sequence number so far (it keeps growing)."""
        with self._lock:
            self._entries.clear()
            return self._seq


JOURNAL = Journal()


@dataclass
class Call:
    """One AWS request as the emulator sees it before moto answers (shared with the authorization layer)."""

    environ: dict[str, Any]
    body: bytes
    service: str | None  # botocore service name
    operation: str | None  # botocore operation name
    access_key: str | None
    session_token: str | None
    region: str | None
    account: str  # the account moto answers in
    uri_params: dict[str, Any] = field(default_factory=dict)  # REST protocols: the path's labels


def _operation(environ: dict[str, Any], service: str | None, body: bytes) -> tuple[str | None, dict[str, Any]]:
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return target.rsplit(".", 1)[-1], {}
    query = parse_qs(environ.get("QUERY_STRING", ""))
    if "Action" in query:
        return query["Action"][0], {}
    if environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded") and body:
        action = parse_qs(body.decode("utf-8", "replace")).get("Action")
        if action:
            return action[0], {}
    if not service:
        return None, {}
    try:  # REST protocols (S3, EFS, Lambda): match the path against botocore's model
        from moto.core.request import Request  # moto's router needs its Request (raw_path)
        from moto.core.routing import get_service_router

        env = dict(environ)
        env["wsgi.input"] = io.BytesIO(body)
        operation, uri_params = get_service_router(service).match(Request(env))
        return operation.name, dict(uri_params)
    except Exception:  # noqa: BLE001 - unknown shape: recorded as None (counted as a write)
        return None, {}


def _caller(environ: dict[str, Any]) -> tuple[str | None, str | None, str | None, str | None]:
    """(access key, session token, region, botocore service name) of a SigV4-signed request (header or
    presigned URL)."""
    match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    token = environ.get("HTTP_X_AMZ_SECURITY_TOKEN")
    if match:
        key, region, signing = match.groups()
    else:
        query = parse_qs(environ.get("QUERY_STRING", ""))
        credential = query.get("X-Amz-Credential", [""])[0].split("/")
        if len(credential) != 5:
            return None, None, None, None
        key, _, region, signing, _ = credential
        token = token or query.get("X-Amz-Security-Token", [None])[0]
    return key, token, region, _SIGNING_TO_SERVICE.get(signing, signing)


def _account(environ: dict[str, Any], access_key: str | None) -> str:
    if environ.get("HTTP_X_MOTO_ACCOUNT_ID"):
        return environ["HTTP_X_MOTO_ACCOUNT_ID"]
    from moto.iam.models import get_account_id_from

    return get_account_id_from(access_key or "AKIAEXAMPLE")


def identify(environ: dict[str, Any], body: bytes) -> Call:
    access_key, token, region, service = _caller(environ)
    operation, uri_params = _operation(environ, service, body)
    return Call(environ, body, service, operation, access_key, token, region, _account(environ, access_key), uri_params)


class JournalMiddleware:
    """WSGI middleware in front of moto's dispatcher."""

    def __init__(self, app: Any, journal: Journal = JOURNAL) -> None:
        self.app = app
        self.journal = journal

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith(("/moto-api", "/_lakedrop")):
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        call = identify(environ, body)
        environ[CALL] = call
        status: list[int] = []

        def recording_start_response(status_line: str, headers: Any, exc_info: Any = None) -> Any:
            status.append(int(status_line.split(" ", 1)[0]))
            return start_response(status_line, headers, exc_info)

        started = time.time()
        try:
            return self.app(environ, recording_start_response)
        finally:
            self.journal.record(
                time=started,
                account=call.account,
                region=call.region,
                service=call.service,
                operation=call.operation,
                status=status[0] if status else 500,
                write=is_write(call.operation),
                **environ.get(NOTES, {}),
            )
