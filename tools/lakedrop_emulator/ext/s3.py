"""S3 bucket policies with `aws:SecureTransport`, evaluated as AWS does for a TLS client.

Production buckets deny `aws:SecureTransport = false`. moto 5.2.5 cannot evaluate the `Bool` operator,
treats the condition as met and so denies every object call; it also answers DENIED for any statement
whose conditions fail, Deny or Allow. Every SDK call reaches AWS over TLS, so the emulator decides the
`aws:SecureTransport` part itself before moto sees the policy:
- condition holds for a TLS request -> that part of the condition is dropped, the rest goes to moto;
- condition does not hold -> the statement does not apply (AWS: a statement whose conditions fail is
  simply not matched), so it is left out.
Statements without that key reach moto's evaluation unchanged; the stored policy is never rewritten.
"""

from __future__ import annotations

import copy
import json
from typing import Any

SECURE_TRANSPORT = "aws:securetransport"  # condition keys are case-insensitive
BOOL_OPERATORS = ("bool", "boolifexists")
REQUEST_CONTEXT = {SECURE_TRANSPORT: "true"}  # what AWS sees for an SDK call


def _expected(values: Any) -> list[str]:
    values = values if isinstance(values, list) else [values]
    return [str(v).lower() for v in values]


def resolve_secure_transport(statement: dict[str, Any]) -> dict[str, Any] | None:
    """The statement with its SecureTransport condition decided: None if it cannot apply."""
    conditions = statement.get("Condition")
    if not isinstance(conditions, dict):
        return statement
    remaining: dict[str, Any] = {}
    decided = False
    for operator, block in conditions.items():
        if operator.lower() not in BOOL_OPERATORS or not isinstance(block, dict):
            remaining[operator] = block
            continue
        rest = {}
        for key, values in block.items():
            if key.lower() != SECURE_TRANSPORT:
                rest[key] = values
                continue
            decided = True
            if REQUEST_CONTEXT[SECURE_TRANSPORT] not in _expected(values):
                return None  # conditions are ANDed: one that fails keeps the statement from applying
        if rest:
            remaining[operator] = rest
    if not decided:
        return statement
    resolved = copy.deepcopy(statement)
    if remaining:
        resolved["Condition"] = remaining
    else:
        resolved.pop("Condition")
    return resolved


def effective_policy(document: str) -> str:
    """The policy moto should evaluate for a TLS request (the same text if nothing was decided)."""
    policy = json.loads(document)
    statements = policy.get("Statement") or []
    statements = [statements] if isinstance(statements, dict) else statements
    kept = [s for s in map(resolve_secure_transport, statements) if s is not None]
    return document if kept == statements else json.dumps({**policy, "Statement": kept})


def install() -> None:
    from moto.iam.access_control import IAMPolicy
    from moto.iam.access_control import PermissionResult
    from moto.s3.models import FakeBucket

    def get_permission(self: Any, action: str, resource: str) -> Any:
        if self.policy is None:
            return PermissionResult.NEUTRAL
        document = effective_policy(self.policy.decode())
        if not json.loads(document).get("Statement"):
            return PermissionResult.NEUTRAL  # every statement was conditioned away
        return IAMPolicy(document).is_action_permitted(action, resource)

    FakeBucket.get_permission = get_permission
