"""Who is calling: IAM users and role sessions resolved with moto's own machinery, and service principals.

A principal carries what policy evaluation needs: its ARN (user ARN, `sts` assumed-role ARN, or the
service name), its account, the role ARN of a session, and its identity policies (inline + managed, and
the groups' for users, as moto's `collect_policies()` gathers them). Session policies passed to
AssumeRole are not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

USER, SESSION, SERVICE, ANONYMOUS = "User", "AssumedRole", "Service", "Anonymous"


@dataclass(frozen=True)
class Principal:
    arn: str  # user or assumed-role ARN; the service name for a service principal
    account: str  # its account; for a service principal the account it acts for
    kind: str  # USER | SESSION | SERVICE | ANONYMOUS (aws:PrincipalType)
    name: str = ""  # user name or session name
    role_arn: str | None = None  # for sessions: the role (aws:PrincipalArn)
    user_id: str | None = None  # aws:userid
    source_arn: str | None = None  # service principals: the resource it acts for (aws:SourceArn)
    policies: tuple[dict[str, Any], ...] = field(default=(), repr=False)  # identity policies, parsed

    @property
    def partition(self) -> str:
        return self.arn.split(":")[1] if self.arn.startswith("arn:") else "aws"

    @property
    def principal_arn(self) -> str | None:
        """aws:PrincipalArn: the role (not the session) for role sessions."""
        if self.kind == SERVICE or self.kind == ANONYMOUS:
            return None
        return self.role_arn or self.arn

    def context(self) -> dict[str, Any]:
        """The global condition keys this principal contributes to every request (lower-case keys)."""
        keys: dict[str, Any] = {"aws:principaltype": self.kind}
        if self.kind == SERVICE:
            keys.update({"aws:principalservicename": self.arn, "aws:principalisawsservice": "true"})
            keys["aws:sourceaccount"] = self.account
            if self.source_arn:
                keys["aws:sourcearn"] = self.source_arn
            return keys
        if self.kind == ANONYMOUS:
            return keys
        keys.update(
            {"aws:principalarn": self.principal_arn, "aws:principalaccount": self.account, "aws:userid": self.user_id}
        )
        keys["aws:principalisawsservice"] = "false"
        if self.kind == USER:
            keys["aws:username"] = self.name
        return {k: v for k, v in keys.items() if v is not None}


def service_principal(name: str, source_account: str, source_arn: str | None = None) -> Principal:
    """A service (e.g. datasync.amazonaws.com) acting for `source_account`, on behalf of `source_arn`."""
    return Principal(arn=name, account=source_account, kind=SERVICE, name=name, source_arn=source_arn)


ANONYMOUS_PRINCIPAL = Principal(arn="anonymous", account="", kind=ANONYMOUS)


def _parsed(policy: Any) -> dict[str, Any] | None:
    from moto.iam.access_control import IAMPolicy

    try:  # moto's own normalisation of inline (dict/str) and managed (Policy) documents
        return IAMPolicy(policy)._policy_json
    except (ValueError, KeyError, TypeError, StopIteration):
        return None


def _policies(access_key: Any) -> tuple[dict[str, Any], ...]:
    from moto.iam.exceptions import NotFoundException

    try:
        found = access_key.collect_policies()
    except NotFoundException:  # a session of a role deleted since: no policies any more
        found = []
    return tuple(p for p in map(_parsed, found) if p is not None)


def from_access_key(access_key_id: str, session_token: str | None, region: str) -> Principal | None:
    """The IAM user or role session owning `access_key_id` (None: no such key, or a wrong token)."""
    from moto.iam.access_control import AssumedRoleAccessKey
    from moto.iam.access_control import CreateAccessKeyFailure
    from moto.iam.access_control import create_access_key
    from moto.iam.models import get_account_id_from
    from moto.utilities.utils import get_partition

    account = get_account_id_from(access_key_id)
    partition = get_partition(region)
    headers = {"X-Amz-Security-Token": session_token} if session_token else {}
    try:
        key = create_access_key(account, partition, access_key_id, headers)
    except CreateAccessKeyFailure:
        return None
    if isinstance(key, AssumedRoleAccessKey):
        return _session(account, partition, access_key_id, _policies(key))
    user = key.backend.get_user_from_access_key_id(access_key_id)
    return Principal(arn=key.arn, account=account, kind=USER, name=user.name, user_id=user.id, policies=_policies(key))


def _session(account: str, partition: str, access_key_id: str, policies: tuple) -> Principal | None:
    from moto.sts.models import sts_backends

    assumed = sts_backends[account][partition].get_assumed_role_from_access_key(access_key_id)
    if assumed is None:
        return None
    return Principal(
        arn=assumed.arn,
        account=account,
        kind=SESSION,
        name=assumed.session_name,
        role_arn=assumed.role_arn,
        user_id=assumed.user_id,
        policies=policies,
    )


def role_session(role_arn: str, session_name: str, region: str = "us-east-1") -> Principal:
    """A session of `role_arn` (created through moto's STS, as AssumeRole would), for code acting as the
    role. No trust policy is checked here: see engine.assume_role for that."""
    from moto.sts.models import sts_backends
    from moto.utilities.utils import get_partition

    account = role_arn.split(":")[4]
    assumed = sts_backends[account][get_partition(region)].assume_role(
        region_name=region, role_session_name=session_name, role_arn=role_arn, policy="", duration=3600, external_id=""
    )
    principal = from_access_key(assumed.access_key_id, assumed.session_token, region)
    assert principal is not None  # just created
    return principal
