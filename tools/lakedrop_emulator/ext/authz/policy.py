"""One policy document against one request, as the IAM user guide defines the elements (pure).

Sources (IAM user guide): "IAM JSON policy elements: Effect / Action / NotAction / Resource / NotResource /
Principal / NotPrincipal / Condition"; actions match case-insensitively, resources case-sensitively, both
with `*` and `?`; a statement applies when every element matches.

Principal matching (resource policies only) reports how the caller was named, because the evaluation
logic treats the ways differently ("Policy evaluation logic"; "AWS JSON policy elements: Principal"):
- NAMED: the caller itself: its user ARN, its session ARN, or its role's ARN (a role ARN names every
  session of the role);
- ACCOUNT: its account (the 12-digit ID or `arn:aws:iam::ID:root`), which delegates to the account's
  identity policies;
- EVERYONE: `"*"` or `{"AWS": "*"}`;
- SERVICE: `{"Service": name}` for a service principal.
NotPrincipal (Deny only) excludes a caller when both its account and the caller itself are listed (the
NotPrincipal page: AWS checks the account, then the role or user, then the session).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from . import conditions
from .patterns import VARIABLES_VERSION
from .patterns import like
from .principals import SERVICE
from .principals import SESSION
from .principals import USER
from .principals import Principal

NAMED, ACCOUNT, EVERYONE, SERVICE_NAMED, IDENTITY = "named", "account", "everyone", "service", "identity"


@dataclass(frozen=True)
class Request:
    """What is decided: `principal` performing `action` on `resource`, with the request context."""

    principal: Principal
    action: str
    resource: str
    context: Mapping[str, Any]  # lower-case condition keys -> str or list of str
    understood: Callable[[str], bool] = lambda _key: True  # whether the engine models a condition key


@dataclass(frozen=True)
class Hit:
    """A statement that applies to the request."""

    effect: str  # "Allow" | "Deny"
    sid: str | None
    via: str  # IDENTITY for identity policies, else how the principal was named (NAMED, ACCOUNT...)
    not_understood: tuple[str, ...] = ()  # a Deny applied because these could not be evaluated


@dataclass
class Outcome:
    allows: list[Hit] = field(default_factory=list)
    denies: list[Hit] = field(default_factory=list)
    not_understood: list[str] = field(default_factory=list)  # Allow statements that could not apply

    def allowed_via(self, *ways: str) -> bool:
        return any(hit.via in ways for hit in self.allows)


def document(policy: Any) -> dict[str, Any]:
    """A policy document from its JSON text (or as is)."""
    if isinstance(policy, bytes):
        policy = policy.decode("utf-8")
    if isinstance(policy, str):
        policy = json.loads(policy) if policy.strip() else {}
    return policy or {}


def statements(policy: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = policy.get("Statement") or []
    return [found] if isinstance(found, Mapping) else [s for s in found if isinstance(s, Mapping)]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _account_of(entry: str) -> str | None:
    if len(entry) == 12 and entry.isdigit():
        return entry
    parts = entry.split(":")
    if len(parts) == 6 and parts[2] == "iam" and parts[5] == "root":
        return parts[4]
    return None


def _principal_entry(entry: str, principal: Principal) -> str | None:
    """How one {"AWS": entry} names the caller (None: it does not)."""
    if entry == "*":
        return EVERYONE
    if principal.kind not in (USER, SESSION):
        return None
    account = _account_of(entry)
    if account is not None:
        return ACCOUNT if account == principal.account else None
    if entry == principal.arn or (principal.kind == SESSION and entry == principal.role_arn):
        return NAMED
    return None


def principal_match(element: Any, principal: Principal) -> str | None:
    """How a Principal element names the caller: NAMED, ACCOUNT, EVERYONE, SERVICE_NAMED or None."""
    if element == "*":
        return EVERYONE
    if not isinstance(element, Mapping):
        return None
    found = None
    for kind, entries in element.items():
        for entry in _list(entries):
            if kind == "AWS":
                way = _principal_entry(str(entry), principal)
            elif kind == "Service" and principal.kind == SERVICE:
                way = SERVICE_NAMED if str(entry).lower() == principal.arn.lower() else None
            else:
                way = None  # Federated, CanonicalUser: no such callers in the emulator
            if way in (NAMED, SERVICE_NAMED, EVERYONE):
                return way
            found = found or way
    return found


def excluded_by_not_principal(element: Any, principal: Principal) -> bool:
    """NotPrincipal: the caller escapes the statement only if it and its account are both listed."""
    if element == "*":
        return True
    if not isinstance(element, Mapping):
        return False
    ways = set()
    for kind, entries in element.items():
        for entry in _list(entries):
            ways.add(principal_match({kind: entry}, principal))
    if EVERYONE in ways or SERVICE_NAMED in ways:
        return True
    return NAMED in ways and ACCOUNT in ways


def _element(statement: Mapping[str, Any], positive: str, negative: str, test: Callable[[str], bool]) -> bool:
    if positive in statement:
        return any(test(str(p)) for p in _list(statement[positive]))
    if negative in statement:
        return not any(test(str(p)) for p in _list(statement[negative]))
    return True  # neither: trust policies and some resource policies name no resource


def _principal_way(statement: Mapping[str, Any], principal: Principal, resource_policy: bool) -> str | None:
    if not resource_policy:
        return IDENTITY
    if "Principal" in statement:
        return principal_match(statement["Principal"], principal)
    if "NotPrincipal" in statement:
        return None if excluded_by_not_principal(statement["NotPrincipal"], principal) else EVERYONE
    return None  # a resource policy statement without a principal applies to nobody


def statement_hit(
    statement: Mapping[str, Any], request: Request, variables: Mapping[str, Any] | None, resource_policy: bool
) -> Hit | conditions.Verdict | None:
    """The Hit if the statement applies; a Verdict naming what was not understood if an Allow could not
    be evaluated; None if it does not apply."""
    effect = statement.get("Effect")
    if effect not in ("Allow", "Deny"):
        return None
    way = _principal_way(statement, request.principal, resource_policy)
    if way is None:
        return None
    if not _element(statement, "Action", "NotAction", lambda p: like(p, request.action, ignore_case=True)):
        return None
    if not _element(statement, "Resource", "NotResource", lambda p: like(p, request.resource, variables)):
        return None
    verdict = conditions.evaluate(statement.get("Condition") or {}, request.context, request.understood, variables)
    if verdict.holds is False:
        return None
    if verdict.holds is None and effect == "Allow":
        return verdict  # fail closed: an Allow whose condition was never evaluated grants nothing
    return Hit(effect, statement.get("Sid"), way, verdict.not_understood)


def evaluate(policy: Any, request: Request, resource_policy: bool = False) -> Outcome:
    """Every statement of `policy` that applies to `request`."""
    parsed = document(policy)
    variables = request.context if parsed.get("Version") == VARIABLES_VERSION else None
    outcome = Outcome()
    for statement in statements(parsed):
        hit = statement_hit(statement, request, variables, resource_policy)
        if isinstance(hit, Hit):
            (outcome.allows if hit.effect == "Allow" else outcome.denies).append(hit)
        elif hit is not None:
            outcome.not_understood.extend(hit.not_understood)
    return outcome
