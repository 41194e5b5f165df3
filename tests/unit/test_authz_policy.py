"""Policy elements (Action, Resource, Principal and their Not* forms, variables) of the emulator's
authorization engine, each against the IAM user guide page it follows."""

from __future__ import annotations

import pytest

from lakedrop_emulator.ext.authz import policy
from lakedrop_emulator.ext.authz.principals import SESSION
from lakedrop_emulator.ext.authz.principals import USER
from lakedrop_emulator.ext.authz.principals import Principal
from lakedrop_emulator.ext.authz.principals import service_principal

ALICE = Principal("arn:aws:iam::111111111111:user/alice", "111111111111", USER, name="alice")
SESSION_B = Principal(
    "arn:aws:sts::222222222222:assumed-role/reader/s1",
    "222222222222",
    SESSION,
    name="s1",
    role_arn="arn:aws:iam::222222222222:role/reader",
)
DATASYNC = service_principal("datasync.amazonaws.com", "222222222222", "arn:aws:datasync:eu-west-1:222222222222:task/t")


def request(principal=ALICE, action="s3:GetObject", resource="arn:aws:s3:::b/k", **context) -> policy.Request:
    return policy.Request(principal, action, resource, {**principal.context(), **context})


def applies(statement: dict, req: policy.Request, resource_policy: bool = False, version: str = "2012-10-17") -> bool:
    outcome = policy.evaluate({"Version": version, "Statement": [statement]}, req, resource_policy)
    return bool(outcome.allows or outcome.denies)


ALLOW = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}


@pytest.mark.parametrize(
    ("action", "expected"),
    [("s3:GetObject", True), ("S3:getobject", True), ("s3:Get*", True), ("s3:Get?bject", True), ("s3:Put*", False)],
)
def test_action_wildcards_and_case(action, expected):
    """ "IAM JSON policy elements: Action": case-insensitive, * and ? wildcards."""
    assert applies({**ALLOW, "Action": action}, request()) is expected


def test_not_action():
    """ "IAM JSON policy elements: NotAction": matches everything except the listed actions."""
    assert applies({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, request()) is True
    assert applies({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}, request()) is False


@pytest.mark.parametrize(
    ("resource", "expected"),
    [
        ("arn:aws:s3:::b/*", True),
        ("arn:aws:s3:::b/?", True),
        ("arn:aws:s3:::B/*", False),  # resources are case-sensitive
        ("arn:aws:s3:::*", True),  # * crosses "/"
        ("arn:aws:s3:::b", False),
    ],
)
def test_resource_wildcards_and_case(resource, expected):
    """ "IAM JSON policy elements: Resource": wildcards, case-sensitive matching."""
    assert applies({**ALLOW, "Resource": resource}, request()) is expected


def test_not_resource():
    """ "IAM JSON policy elements: NotResource"."""
    assert applies({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::other/*"}, request()) is True
    assert applies({"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::b/*"}, request()) is False


def test_variables_in_resource_only_with_version_2012():
    """ "IAM policy elements: Variables and tags": ${aws:username} in Resource; policies without Version
    2012-10-17 treat the text literally; an absent key matches nothing; ${key, 'default'}."""
    statement = {**ALLOW, "Resource": "arn:aws:s3:::b/home/${aws:username}/*"}
    own = request(resource="arn:aws:s3:::b/home/alice/x")
    assert applies(statement, own) is True
    assert applies(statement, request(resource="arn:aws:s3:::b/home/bob/x")) is False
    assert applies(statement, own, version="2008-10-17") is False
    session = request(SESSION_B, resource="arn:aws:s3:::b/home/x")  # sessions have no aws:username
    assert applies(statement, session) is False
    fallback = {**ALLOW, "Resource": "arn:aws:s3:::b/home/${aws:username, 'x'}"}
    assert applies(fallback, session) is True


@pytest.mark.parametrize(
    ("principal_element", "caller", "way"),
    [
        ("*", ALICE, policy.EVERYONE),
        ({"AWS": "*"}, SESSION_B, policy.EVERYONE),
        ({"AWS": "111111111111"}, ALICE, policy.ACCOUNT),
        ({"AWS": "arn:aws:iam::111111111111:root"}, ALICE, policy.ACCOUNT),
        ({"AWS": "arn:aws:iam::222222222222:root"}, ALICE, None),
        ({"AWS": "arn:aws:iam::111111111111:user/alice"}, ALICE, policy.NAMED),
        ({"AWS": ["arn:aws:iam::222222222222:root", "arn:aws:iam::222222222222:role/reader"]}, SESSION_B, policy.NAMED),
        ({"AWS": "arn:aws:sts::222222222222:assumed-role/reader/s1"}, SESSION_B, policy.NAMED),
        ({"AWS": "arn:aws:sts::222222222222:assumed-role/reader/other"}, SESSION_B, None),
        ({"Service": "datasync.amazonaws.com"}, DATASYNC, policy.SERVICE_NAMED),
        ({"Service": "datasync.amazonaws.com"}, ALICE, None),
        ({"AWS": "arn:aws:iam::222222222222:root"}, DATASYNC, None),
    ],
)
def test_principal_element(principal_element, caller, way):
    """ "AWS JSON policy elements: Principal": everyone, account principals (ID or root ARN), IAM users,
    role ARNs (which cover the role's sessions), assumed-role session ARNs, service principals."""
    assert policy.principal_match(principal_element, caller) == way


@pytest.mark.parametrize(
    ("not_principal", "denied"),
    [
        ({"AWS": "arn:aws:iam::111111111111:user/alice"}, True),  # the account not listed: still denied
        ({"AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::111111111111:user/alice"]}, False),
        ({"AWS": "arn:aws:iam::111111111111:root"}, True),
        ({"AWS": ["arn:aws:iam::111111111111:root", "arn:aws:iam::111111111111:user/bob"]}, True),
    ],
)
def test_not_principal_with_deny(not_principal, denied):
    """ "AWS JSON policy elements: NotPrincipal": with Deny, a caller escapes only when the statement
    also lists its account ("AWS checks the account, then the user")."""
    statement = {"Effect": "Deny", "NotPrincipal": not_principal, "Action": "s3:*", "Resource": "*"}
    assert applies(statement, request(), resource_policy=True) is denied


def test_resource_policy_statement_without_principal_applies_to_nobody():
    assert applies(ALLOW, request(), resource_policy=True) is False


def test_identity_policy_statement_needs_no_principal():
    outcome = policy.evaluate({"Statement": ALLOW}, request())  # a single statement object, no Version
    assert [hit.via for hit in outcome.allows] == [policy.IDENTITY]


def test_allow_with_unknown_condition_key_grants_nothing_and_says_why():
    """The engine's fail-closed rule: an Allow whose condition cannot be evaluated does not apply, a
    Deny whose condition cannot be evaluated does, and both name the key."""
    condition = {"StringEquals": {"s3:ExistingObjectTag/class": "public"}}
    req = policy.Request(ALICE, "s3:GetObject", "arn:aws:s3:::b/k", ALICE.context(), lambda k: k.startswith("aws:"))
    allow = policy.evaluate({"Statement": [{**ALLOW, "Condition": condition}]}, req)
    assert allow.allows == [] and allow.not_understood == ["s3:ExistingObjectTag/class"]
    deny = policy.evaluate({"Statement": [{**ALLOW, "Effect": "Deny", "Condition": condition}]}, req)
    assert [hit.not_understood for hit in deny.denies] == [("s3:ExistingObjectTag/class",)]
