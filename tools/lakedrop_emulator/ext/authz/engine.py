"""The decision: a principal, an action, the resources it touches, the request context -> allow or deny.

Follows the IAM user guide, "Policy evaluation logic", "How AWS enforcement code logic evaluates requests
to allow or deny access" and "Cross-account policy evaluation logic":
1. an explicit Deny in any applicable policy (identity or resource) wins;
2. same account: an Allow in the identity policies, or a resource policy Allow that names the caller
   (its ARN, its role, or everyone), suffices. A resource policy naming only the account delegates to
   the identity policies ("AWS JSON policy elements: Principal", AWS account principals);
3. KMS key policies and role trust policies must allow: naming the caller suffices, naming the account
   delegates to the identity policies;
4. cross-account: the caller's identity policies AND the resource's policy must both allow;
5. a service principal has no identity policies: only a resource policy can allow it.
Not modelled: SCPs/RCPs, permission boundaries, session policies, ACLs (see docs/emulator-fidelity.md).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from . import resources as resources_
from .policy import ACCOUNT
from .policy import EVERYONE
from .policy import NAMED
from .policy import SERVICE_NAMED
from .policy import Outcome
from .policy import Request
from .policy import evaluate
from .principals import ANONYMOUS
from .principals import SERVICE
from .principals import Principal

# Condition keys the engine models (lower case). A key outside these is "not understood": an Allow that
# depends on it does not apply, a Deny that depends on it applies, and the decision names the key.
GLOBAL_KEYS = frozenset(
    {
        "aws:securetransport",
        "aws:principalarn",
        "aws:principalaccount",
        "aws:principaltype",
        "aws:principalservicename",
        "aws:principalisawsservice",
        "aws:username",
        "aws:userid",
        "aws:sourceaccount",
        "aws:sourcearn",
        "aws:requestedregion",
        "aws:calledvia",
        "aws:calledviafirst",
        "aws:calledvialast",
        "aws:viaawsservice",
        "aws:currenttime",
        "aws:epochtime",
        "aws:tagkeys",
    }
)
SERVICE_KEYS = frozenset(
    {
        "s3:prefix",
        "s3:delimiter",
        "s3:max-keys",
        "s3:x-amz-server-side-encryption",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "kms:viaservice",
        "kms:calleraccount",
        "kms:encryptioncontextkeys",
        "elasticfilesystem:accesspointarn",
        "elasticfilesystem:accessedviamounttarget",
        "elasticfilesystem:encrypted",  # CreateFileSystem (actions.py supplies it)
        "iam:passedtoservice",
        "cloudwatch:namespace",  # PutMetricData (actions.py supplies it)
        "sts:externalid",
        "sts:rolesessionname",
    }
)
KEY_PREFIXES = ("aws:requesttag/", "kms:encryptioncontext:")
RESOURCE_TAG = "aws:resourcetag/"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str  # the engine's explanation (which policy, which statement, which keys it could not evaluate)
    message: str = ""  # AWS's wording of the denial ("User: ... is not authorized to perform: ...")
    action: str = ""
    resource: str = ""
    principal: str = ""


def _understood(tags_readable: bool):
    def understood(key: str) -> bool:
        if key in GLOBAL_KEYS or key in SERVICE_KEYS or key.startswith(KEY_PREFIXES):
            return True
        return tags_readable and key.startswith(RESOURCE_TAG)

    return understood


def request_context(principal: Principal, context: Mapping[str, Any], resource: resources_.Resource) -> dict:
    """Every condition key of one request: the principal's, the request's, the resource's tags."""
    now = time.time()
    keys: dict[str, Any] = {
        "aws:securetransport": "true",  # every SDK call reaches AWS over TLS
        "aws:viaawsservice": "false",
        "aws:epochtime": str(int(now)),
        "aws:currenttime": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
    }
    keys.update(principal.context())
    keys.update({k.lower(): v for k, v in context.items() if v is not None})
    for tag, value in (resource.tags or {}).items():
        keys[f"{RESOURCE_TAG}{tag.lower()}"] = value
    return keys


def _merge(outcomes: Iterable[Outcome]) -> Outcome:
    merged = Outcome()
    for outcome in outcomes:
        merged.allows += outcome.allows
        merged.denies += outcome.denies
        merged.not_understood += outcome.not_understood
    return merged


def _message(principal: Principal, action: str, resource: str, why: str) -> str:
    return f"User: {principal.arn} is not authorized to perform: {action} on resource: {resource} {why}"


def _describe_deny(outcome: Outcome, kind: str) -> str:
    hit = outcome.denies[0]
    named = f" (statement {hit.sid})" if hit.sid else ""
    unknown = f"; it applied because these could not be evaluated: {', '.join(hit.not_understood)}"
    return f"explicit Deny in {kind} policy{named}" + (unknown if hit.not_understood else "")


def _grants(identity: Outcome, resource: Outcome, same_account: bool, principal: Principal, strict: bool) -> bool:
    """Steps 2-5 of the module docstring, once no Deny applies."""
    named = resource.allowed_via(NAMED, EVERYONE, SERVICE_NAMED)
    if principal.kind in (SERVICE, ANONYMOUS):
        return named
    if not same_account:
        return bool(identity.allows) and bool(resource.allows)
    if strict:
        return named or (resource.allowed_via(ACCOUNT) and bool(identity.allows))
    return bool(identity.allows) or named


def _missing_side(identity: Outcome, resource: Outcome, strict: bool, principal: Principal) -> str:
    """Which policy type AWS's message says did not allow."""
    if principal.kind in (SERVICE, ANONYMOUS):
        return "resource-based"
    if strict:
        return "identity-based" if resource.allows else "resource-based"
    return "resource-based" if identity.allows else "identity-based"


def decide_one(principal: Principal, action: str, resource_arn: str, context: Mapping[str, Any]) -> Decision:
    resource = resources_.lookup(resource_arn, action)
    keys = request_context(principal, context, resource)
    request = Request(principal, action, resource_arn, keys, _understood(resource.tags is not None))
    identity = _merge(evaluate(p, request) for p in principal.policies)
    on_resource = _merge(evaluate(p, request, resource_policy=True) for p in resource.policies)
    common = {"action": action, "resource": resource_arn, "principal": principal.arn}
    for outcome, kind in ((identity, "an identity-based"), (on_resource, "a resource-based")):
        if outcome.denies:
            why = f"with an explicit deny in {kind} policy"
            reason = _describe_deny(outcome, kind)
            return Decision(False, reason, _message(principal, action, resource_arn, why), **common)
    same_account = resource.account in (None, principal.account)
    if _grants(identity, on_resource, same_account, principal, resource.strict):
        return Decision(True, _allow_reason(identity, on_resource), **common)
    kind = _missing_side(identity, on_resource, resource.strict, principal)
    why = f"because no {kind} policy allows the {action} action"
    reason = f"no {kind} policy allows {action} on {resource_arn}" + _scope(same_account, resource)
    unknown = sorted(set(identity.not_understood + on_resource.not_understood))
    if unknown:
        reason += f"; condition keys not understood (statements not applied): {', '.join(unknown)}"
    return Decision(False, reason, _message(principal, action, resource_arn, why), **common)


def _scope(same_account: bool, resource: resources_.Resource) -> str:
    if not same_account:
        return f" (cross-account: owned by {resource.account}, both sides must allow)"
    return " (the key/trust policy must allow)" if resource.strict else ""


def _allow_reason(identity: Outcome, resource: Outcome) -> str:
    sides = [name for name, outcome in (("identity", identity), ("resource", resource)) if outcome.allows]
    return "allowed by " + " and ".join(f"{side} policy" for side in sides)


def decide(
    principal: Principal, action: str, resources: str | Iterable[str] = "*", context: Mapping[str, Any] | None = None
) -> Decision:
    """Whether `principal` may perform `action` on every resource in `resources` (the first denial, else
    the last allow)."""
    arns = [resources] if isinstance(resources, str) else list(resources) or ["*"]
    decision = Decision(False, "no resource")
    for arn in arns:
        decision = decide_one(principal, action, arn, context or {})
        if not decision.allowed:
            return decision
    return decision
