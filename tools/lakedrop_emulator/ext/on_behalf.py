"""What services do on a user's behalf, decided by the authorization engine (ext/authz) as AWS decides it.

- A service assumes a role through the role's trust policy, as the service principal acting for one
  account and one resource (aws:SourceAccount / aws:SourceArn): `service_session`. The session's
  policies are read when it is used, so a policy removed later takes effect at the next use.
- S3 sends event notifications as s3.amazonaws.com for the bucket: the destination's resource policy
  (queue policy, function policy, topic policy) must allow it, when the configuration is written and
  again at each delivery (`s3_delivery`).
- Lambda runs a function as its execution role (`function_session`, `function_role_problem`) and polls
  an SQS event source with that role (`mapping_problem`, `polling_allowed`).

Every decision goes through `decide`, which journals a denial as the request layer does (GET
/_lakedrop/authz/decisions, the operation naming what the service was doing) and lets it through in audit
mode.

DataSync's own access (its S3 source, its EFS destination) is in datasync_access.py.
docs/emulator-fidelity.md ("Services acting on a user's behalf") lists each behaviour with its source.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from dataclasses import dataclass
from typing import Any

from . import authz
from .authz import Decision
from .authz import Principal

LAMBDA = "lambda.amazonaws.com"
S3 = "s3.amazonaws.com"
# The error Lambda answers when its service principal may not assume the execution role (CreateFunction,
# UpdateFunctionConfiguration): "The role defined for the function cannot be assumed by Lambda."
ROLE_NOT_ASSUMABLE = "The role defined for the function cannot be assumed by Lambda."
# What a role session of an SQS event source needs on its queue (Lambda developer guide, "Using Lambda
# with Amazon SQS", execution role permissions), in the order Lambda names them.
SQS_POLLING = ("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes")

_LOCK = threading.Lock()
# (role ARN, session name, region) -> STS keys of the session the emulator keeps for that service use:
# one session per use, not one per call (moto keeps every session it ever issued, in a list).
_KEYS: dict[tuple[str, str, str], dict[str, str]] = {}


@dataclass(frozen=True)
class Session:
    principal: Principal
    keys: dict[str, str]  # AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN


def decide(
    service: str, doing: str, principal: Principal, action: str, resources: Any, context: dict | None = None
) -> Decision:
    """authz.decide for `service` acting on a user's behalf (`doing`: what it was doing, e.g. "ReadObject")."""
    from .authz.middleware import DECISIONS
    from .authz.middleware import ENFORCE
    from .authz.middleware import STATE

    decision = authz.decide(principal, action, resources, context)
    if decision.allowed:
        return decision
    enforced = STATE["mode"] == ENFORCE
    DECISIONS.record(
        time=time.time(),
        outcome="deny" if enforced else "would-deny",
        account=principal.account,
        service=service,
        operation=f"{doing} (on behalf)",
        principal=principal.arn,
        code="AccessDenied",
        action=decision.action,
        resource=decision.resource,
        reason=decision.reason,
        message=decision.message,
        unmodelled=False,
    )
    return decision if enforced else dataclasses.replace(decision, allowed=True)


def denial_text(decision: Decision) -> str:
    """A denial as the error detail of whatever the service was doing: AWS's wording plus the engine's why."""
    return f"AccessDenied: {decision.message} (emulator: {decision.reason})"


def _issue(role_arn: str, session_name: str, region: str) -> dict[str, str]:
    from moto.sts.models import sts_backends
    from moto.utilities.utils import get_partition

    account = role_arn.split(":")[4]
    assumed = sts_backends[account][get_partition(region)].assume_role(
        region_name=region, role_session_name=session_name, role_arn=role_arn, policy="", duration=3600, external_id=""
    )
    return {
        "AWS_ACCESS_KEY_ID": assumed.access_key_id,
        "AWS_SECRET_ACCESS_KEY": assumed.secret_access_key,
        "AWS_SESSION_TOKEN": assumed.session_token,
    }


def _session(role_arn: str, session_name: str, region: str) -> Session:
    """The kept session of `role_arn` (issued once; a new one if the role was deleted and made again)."""
    with _LOCK:
        keys = _KEYS.get((role_arn, session_name, region))
        principal = (
            authz.from_access_key(keys["AWS_ACCESS_KEY_ID"], keys["AWS_SESSION_TOKEN"], region) if keys else None
        )
        if principal is None or principal.role_arn != role_arn:
            keys = _KEYS[(role_arn, session_name, region)] = _issue(role_arn, session_name, region)
            principal = authz.from_access_key(keys["AWS_ACCESS_KEY_ID"], keys["AWS_SESSION_TOKEN"], region)
    assert principal is not None  # just issued
    return Session(principal, keys)


def request_principal(response: Any) -> Principal | None:
    """Who made the request a moto response class is answering (None: no SDK credentials)."""
    from ..journal import CALL

    call = getattr(response.normalized_request, "environ", {}).get(CALL)
    if call is None or not call.access_key:
        return None
    return authz.from_access_key(call.access_key, call.session_token, call.region or "us-east-1")


def service_session(
    role_arn: str, service: str, source_account: str, source_arn: str, region: str, session_name: str
) -> Session | Decision:
    """`service`, acting for `source_account` on `source_arn`, assumes `role_arn`: the trust policy is
    evaluated now (sts:AssumeRole with aws:SourceAccount/aws:SourceArn); the session, or the denial."""
    from moto.iam.exceptions import NotFoundException
    from moto.iam.models import iam_backends

    try:
        iam_backends[role_arn.split(":")[4]][role_arn.split(":")[1]].get_role_by_arn(role_arn)
    except (NotFoundException, IndexError):
        return Decision(False, f"role {role_arn} does not exist", f"The role {role_arn} does not exist.")
    by = authz.service_principal(service, source_account, source_arn)
    decision = decide(service, "AssumeRole", by, "sts:AssumeRole", role_arn, {"aws:RequestedRegion": region})
    return _session(role_arn, session_name, region) if decision.allowed else decision


# --- S3 event notifications -------------------------------------------------------------------------


def s3_delivery(bucket: Any, action: str, destination_arn: str) -> Decision:
    """Whether S3 may deliver `bucket`'s notifications to `destination_arn` (`action`: sqs:SendMessage,
    lambda:InvokeFunction or sns:Publish): the destination's resource policy must allow s3.amazonaws.com
    for this bucket and its owner (S3 user guide, "Granting permissions to publish event notification
    messages to a destination")."""
    principal = authz.service_principal(S3, bucket.account_id, bucket.arn)
    return decide("s3", "NotificationDelivery", principal, action, destination_arn)


# --- Lambda execution roles --------------------------------------------------------------------------


def _unqualified(function_arn: str) -> str:
    return ":".join(function_arn.split(":")[:7])


def function_session(role_arn: str, function_arn: str) -> Session | Decision:
    """Lambda assumes the function's execution role for the function (aws:SourceArn = its ARN)."""
    arn = _unqualified(function_arn)
    name, account, region = arn.split(":")[6], arn.split(":")[4], arn.split(":")[3]
    return service_session(role_arn, LAMBDA, account, arn, region, name)


def function_role_problem(role_arn: str, function_arn: str) -> str | None:
    """Why Lambda would refuse `role_arn` as `function_arn`'s execution role (None: it can assume it)."""
    return ROLE_NOT_ASSUMABLE if isinstance(function_session(role_arn, function_arn), Decision) else None


def mapping_problem(role_arn: str, function_arn: str, queue_arn: str) -> str | None:
    """Why Lambda would refuse (or stop) polling `queue_arn` for the function: the execution role must be
    assumable and allowed ReceiveMessage, DeleteMessage and GetQueueAttributes on the queue (its identity
    policies, and the queue policy when the queue is in another account)."""
    session = function_session(role_arn, function_arn)
    if isinstance(session, Decision):
        return f"Please add Lambda as a Trusted Entity for {role_arn}"
    for action in SQS_POLLING:
        if not decide("lambda", "CreateEventSourceMapping", session.principal, action, queue_arn).allowed:
            return f"The function execution role does not have permissions to call {action.split(':')[1]} on SQS"
    return None


def polling_allowed(role_arn: str, function_arn: str, queue_arn: str, action: str) -> bool:
    """Whether Lambda, polling `queue_arn` for the function as its execution role, may perform `action`."""
    session = function_session(role_arn, function_arn)
    return not isinstance(session, Decision) and decide("lambda", "Poll", session.principal, action, queue_arn).allowed
