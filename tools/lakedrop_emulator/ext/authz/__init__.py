"""Authorization for the emulator, evaluated the way AWS evaluates it: a deployment missing a permission
fails here as it would on AWS.

Layers: `principals` (who calls: IAM users and role sessions from moto's access keys, service principals),
`patterns`/`conditions`/`policy` (the policy language), `resources` (owners, resource-based policies and
tags from moto's backends), `engine` (the evaluation logic: explicit deny, same account, cross-account,
key and trust policies), `actions` (request -> IAM actions, resource ARNs, condition keys) and
`middleware` (the WSGI layer between the journal and moto, AWS's error shapes, the control routes).
docs/emulator-fidelity.md lists what is modelled, on which source, and what is not.

API for code that acts inside the emulator (services acting for a user, a function running as its role):

    decide(principal, action, resources, context) -> Decision(allowed, reason, message, ...)
        `resources` one ARN or a list (each must be allowed); `context` condition keys of the request
        (e.g. {"kms:ViaService": "s3.eu-west-1.amazonaws.com", "aws:CalledVia": ["s3.amazonaws.com"]}).
    service_principal(name, source_account, source_arn=None) -> Principal
        e.g. service_principal("datasync.amazonaws.com", "222222222222", task_arn): resource policies
        that name the service (with aws:SourceAccount / aws:SourceArn conditions) apply to it.
    assume_role(role_arn, by_principal, context=None, session_name=..., region=...) -> Principal | Decision
        sts:AssumeRole with the role's trust policy evaluated; the session principal, or the denial.
    role_session(role_arn, session_name, region=...) -> Principal
        a session of the role without a trust check, for code that already acts as the role.
    from_access_key(access_key_id, session_token, region) -> Principal | None

Control routes: GET /_lakedrop/authz (mode), POST /_lakedrop/authz {"mode": "enforce"|"audit"} (audit:
decide and record, but let everything through; for diagnosing, never for tests' assertions),
GET /_lakedrop/authz/decisions?since=N (denials with their reasons). Default mode: enforce.
"""

from __future__ import annotations

from typing import Any

from .engine import Decision
from .engine import decide
from .principals import Principal
from .principals import from_access_key
from .principals import role_session
from .principals import service_principal

__all__ = [
    "Decision",
    "Principal",
    "assume_role",
    "decide",
    "from_access_key",
    "install",
    "role_session",
    "service_principal",
]


def assume_role(
    role_arn: str,
    by_principal: Principal,
    context: dict[str, Any] | None = None,
    session_name: str = "lakedrop",
    region: str = "us-east-1",
) -> Principal | Decision:
    """`by_principal` assumes `role_arn`: the trust policy (and, for IAM callers, their identity policies)
    must allow sts:AssumeRole; returns the new session's principal, or the Decision that refused it."""
    decision = decide(by_principal, "sts:AssumeRole", role_arn, {"aws:RequestedRegion": region, **(context or {})})
    if not decision.allowed:
        return decision
    return role_session(role_arn, session_name, region)


def install() -> None:
    """Register the control routes (the middleware itself is placed by server.build_app)."""
    from ...server import control
    from .middleware import DECISIONS
    from .middleware import STATE
    from .middleware import set_mode

    @control("GET", "/_lakedrop/authz")
    def _mode(_request: Any) -> dict:
        return {"mode": STATE["mode"]}

    @control("POST", "/_lakedrop/authz")
    def _set(request: Any) -> dict:
        return set_mode((request.get_json(force=True, silent=True) or {}).get("mode", ""))

    @control("GET", "/_lakedrop/authz/decisions")
    def _decisions(request: Any) -> dict:
        return {"decisions": DECISIONS.entries(int(request.args.get("since", 0)))}
