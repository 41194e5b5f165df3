"""The evaluation logic of the emulator's authorization engine (resources stubbed: no moto needed).

Pages (IAM user guide): "Policy evaluation logic"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html), "How AWS
enforcement code logic evaluates requests to allow or deny access"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html),
"Cross-account policy evaluation logic"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html),
"AWS JSON policy elements: Principal" (account principals delegate to identity policies).
"""

from __future__ import annotations

import dataclasses

import pytest

from lakedrop_emulator.ext.authz import engine
from lakedrop_emulator.ext.authz import resources
from lakedrop_emulator.ext.authz.principals import USER
from lakedrop_emulator.ext.authz.principals import Principal
from lakedrop_emulator.ext.authz.principals import service_principal

A, B = "111111111111", "222222222222"
OBJECT = "arn:aws:s3:::bucket-in-a/data.csv"
KEY = f"arn:aws:kms:eu-west-1:{A}:key/k1"
ROLE = f"arn:aws:iam::{A}:role/reader"


def allow(action="s3:GetObject", resource="*", **extra) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource, **extra}],
    }


def deny(action="s3:GetObject", resource="*", **extra) -> dict:
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": action, "Resource": resource, **extra}]}


def user(account: str, name: str = "alice", *policies: dict) -> Principal:
    return Principal(f"arn:aws:iam::{account}:user/{name}", account, USER, name=name, policies=policies)


@pytest.fixture
def resource(monkeypatch):
    """resource(arn, owner, *policies, strict=False): what resources.lookup answers for `arn`."""
    table: dict[str, resources.Resource] = {}

    def define(arn: str, owner: str, *policies: dict, strict: bool = False) -> None:
        table[arn] = resources.Resource(arn, owner, policies, strict=strict)

    monkeypatch.setattr(resources, "lookup", lambda arn, _action: table.get(arn, resources.Resource(arn, None)))
    return define


def test_no_policy_no_access(resource):
    """Evaluation logic: "By default, all requests are implicitly denied"."""
    resource(OBJECT, A)
    decision = engine.decide(user(A), "s3:GetObject", OBJECT)
    assert not decision.allowed
    assert decision.message == (
        f"User: arn:aws:iam::{A}:user/alice is not authorized to perform: s3:GetObject on resource: {OBJECT} "
        "because no identity-based policy allows the s3:GetObject action"
    )


def test_explicit_deny_wins_everywhere(resource):
    """Deny evaluation: an explicit Deny in any policy overrides every Allow."""
    everyone = {"Principal": "*"}
    resource(OBJECT, A, allow(**everyone))
    denied = engine.decide(user(A, "alice", allow(), deny()), "s3:GetObject", OBJECT)
    assert not denied.allowed and denied.message.endswith("with an explicit deny in an identity-based policy")
    resource(OBJECT, A, allow(**everyone), deny(**everyone))
    denied = engine.decide(user(A, "alice", allow()), "s3:GetObject", OBJECT)
    assert not denied.allowed and denied.message.endswith("with an explicit deny in a resource-based policy")


def test_same_account_either_side_suffices(resource):
    """Single account: "If either the identity-based policy or the resource-based policy within the
    same account allows the request and the other doesn't, the request is still allowed"."""
    resource(OBJECT, A)
    assert engine.decide(user(A, "alice", allow()), "s3:GetObject", OBJECT).allowed
    resource(OBJECT, A, allow(Principal={"AWS": f"arn:aws:iam::{A}:user/alice"}))
    assert engine.decide(user(A), "s3:GetObject", OBJECT).allowed


def test_naming_the_account_delegates_to_identity_policies(resource):
    """Principal page, AWS account principals: a resource policy that names the account grants nothing
    by itself; the account's identity policies decide."""
    resource(OBJECT, A, allow(Principal={"AWS": f"arn:aws:iam::{A}:root"}))
    assert not engine.decide(user(A), "s3:GetObject", OBJECT).allowed
    assert engine.decide(user(A, "alice", allow()), "s3:GetObject", OBJECT).allowed


@pytest.mark.parametrize(
    ("identity", "bucket_policy", "allowed", "missing"),
    [
        (True, False, False, "resource-based"),
        (False, True, False, "identity-based"),
        (True, True, True, None),
    ],
)
def test_cross_account_needs_both_sides(resource, identity, bucket_policy, allowed, missing):
    """Cross-account: the resource policy must allow the principal AND its identity policy must allow."""
    statement = allow(Principal={"AWS": f"arn:aws:iam::{B}:user/bob"})
    resource(OBJECT, A, *([statement] if bucket_policy else []))
    caller = user(B, "bob", *([allow(resource=OBJECT)] if identity else []))
    decision = engine.decide(caller, "s3:GetObject", OBJECT)
    assert decision.allowed is allowed
    if missing:
        assert decision.message.endswith(f"because no {missing} policy allows the s3:GetObject action")


def test_cross_account_to_an_account_principal(resource):
    """Cross-account page: the trusting account may name the whole trusted account."""
    resource(OBJECT, A, allow(Principal={"AWS": B}))
    assert engine.decide(user(B, "bob", allow()), "s3:GetObject", OBJECT).allowed


def test_key_policy_must_allow(resource):
    """KMS key policies are an exception: an identity Allow counts only when the key policy delegates to
    the account (principal root); naming the caller suffices (denyallow page, resource-based policies)."""
    resource(KEY, A, allow("kms:DescribeKey", Principal={"AWS": f"arn:aws:iam::{A}:user/other"}), strict=True)
    decision = engine.decide(user(A, "alice", allow("kms:*")), "kms:Decrypt", KEY)
    assert not decision.allowed
    assert decision.message.endswith("because no resource-based policy allows the kms:Decrypt action")
    resource(KEY, A, allow("kms:*", Principal={"AWS": f"arn:aws:iam::{A}:root"}), strict=True)
    assert engine.decide(user(A, "alice", allow("kms:*")), "kms:Decrypt", KEY).allowed
    assert not engine.decide(user(A), "kms:Decrypt", KEY).allowed
    resource(KEY, A, allow("kms:Decrypt", Principal={"AWS": f"arn:aws:iam::{A}:user/alice"}), strict=True)
    assert engine.decide(user(A), "kms:Decrypt", KEY).allowed


def test_trust_policy_with_service_principal_and_source_conditions(resource):
    """Role trust policy for a service, scoped with aws:SourceAccount / aws:SourceArn (IAM user guide,
    "The confused deputy problem")."""
    trust = allow(
        "sts:AssumeRole",
        Principal={"Service": "datasync.amazonaws.com"},
        Condition={
            "StringEquals": {"aws:SourceAccount": A},
            "ArnLike": {"aws:SourceArn": f"arn:aws:datasync:eu-west-1:{A}:*"},
        },
    )
    trust["Statement"][0].pop("Resource")
    resource(ROLE, A, trust, strict=True)
    ours = service_principal("datasync.amazonaws.com", A, f"arn:aws:datasync:eu-west-1:{A}:task/task-1")
    theirs = service_principal("datasync.amazonaws.com", B, f"arn:aws:datasync:eu-west-1:{B}:task/task-1")
    assert engine.decide(ours, "sts:AssumeRole", ROLE).allowed
    assert not engine.decide(theirs, "sts:AssumeRole", ROLE).allowed
    assert not engine.decide(dataclasses.replace(ours, arn="lambda.amazonaws.com"), "sts:AssumeRole", ROLE).allowed


def test_every_resource_must_be_allowed(resource):
    """An action on several resources (e.g. CreateTask's two locations) needs each of them."""
    resource(OBJECT, A)
    caller = user(A, "alice", allow(resource=OBJECT))
    assert engine.decide(caller, "s3:GetObject", [OBJECT]).allowed
    decision = engine.decide(caller, "s3:GetObject", [OBJECT, "arn:aws:s3:::other/x"])
    assert not decision.allowed and decision.resource == "arn:aws:s3:::other/x"


def test_reason_names_condition_keys_it_did_not_understand(resource):
    resource(OBJECT, A)
    caller = user(A, "alice", allow(Condition={"StringEquals": {"aws:PrincipalOrgID": "o-1"}}))
    decision = engine.decide(caller, "s3:GetObject", OBJECT)
    assert not decision.allowed and "aws:PrincipalOrgID" in decision.reason


def test_request_context_carries_the_principal_and_tls(resource):
    """Global condition keys (IAM user guide, "AWS global condition context keys"): aws:SecureTransport
    is true for an SDK call over TLS; aws:PrincipalArn, aws:PrincipalAccount, aws:username."""
    keys = engine.request_context(user(A), {"aws:RequestedRegion": "eu-west-1"}, resources.Resource(OBJECT, A))
    assert keys["aws:securetransport"] == "true"
    assert keys["aws:principalarn"] == f"arn:aws:iam::{A}:user/alice"
    assert keys["aws:principalaccount"] == A and keys["aws:username"] == "alice"
    assert keys["aws:requestedregion"] == "eu-west-1"


def test_metric_data_can_be_scoped_to_a_namespace(resource):
    """cloudwatch:namespace (Service Authorization Reference, Amazon CloudWatch: PutMetricData "Filters actions
    based on the presence of optional namespace values"): the observer may write its own namespace only."""
    scoped = allow("cloudwatch:PutMetricData", Condition={"StringEquals": {"cloudwatch:namespace": "LakeDrop"}})
    caller = user(A, "observer", scoped)
    assert engine.decide(caller, "cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "LakeDrop"}).allowed
    assert not engine.decide(caller, "cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "AWS/SQS"}).allowed
