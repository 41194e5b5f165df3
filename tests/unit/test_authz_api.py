"""The authorization API that in-process code builds on (services acting for an account, a function
running as its role), against moto's backends in this process (no server needed)."""

from __future__ import annotations

import json
import uuid

from lakedrop_emulator.ext import authz
from lakedrop_emulator.ext.authz.principals import SESSION

ACCOUNT, REGION = "333333333333", "eu-west-1"
TASK = f"arn:aws:datasync:{REGION}:{ACCOUNT}:task/task-1"


def _document(*statements: dict) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _role(trust: dict, permissions: dict) -> str:
    from moto.iam.models import iam_backends

    iam = iam_backends[ACCOUNT]["aws"]
    name = f"api-{uuid.uuid4().hex[:8]}"
    role = iam.create_role(name, json.dumps(trust), "/", None, "", [], None)
    iam.put_role_policy(name, "inline", json.dumps(permissions))
    return role.arn


def test_a_service_assumes_a_role_only_as_its_trust_policy_allows():
    """Role trust policy for datasync.amazonaws.com scoped with aws:SourceAccount (IAM user guide, "The
    confused deputy problem"); the session then has the role's permissions."""
    datasync = {"Effect": "Allow", "Principal": {"Service": "datasync.amazonaws.com"}, "Action": "sts:AssumeRole"}
    trust = _document({**datasync, "Condition": {"StringEquals": {"aws:SourceAccount": ACCOUNT}}})
    read = _document({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})
    role = _role(trust, read)

    session = authz.assume_role(role, authz.service_principal("datasync.amazonaws.com", ACCOUNT, TASK), region=REGION)
    assert isinstance(session, authz.Principal) and session.kind == SESSION and session.role_arn == role
    assert authz.decide(session, "s3:GetObject", "arn:aws:s3:::nowhere-in-particular/k").allowed is True
    assert authz.decide(session, "s3:PutObject", "arn:aws:s3:::nowhere-in-particular/k").allowed is False

    elsewhere = authz.service_principal("datasync.amazonaws.com", "444444444444", TASK)
    refused = authz.assume_role(role, elsewhere, region=REGION)
    assert isinstance(refused, authz.Decision) and not refused.allowed
    assert refused.action == "sts:AssumeRole" and refused.resource == role


def test_role_session_and_access_key_resolve_to_the_same_principal():
    nothing = _document({"Effect": "Deny", "Action": "*", "Resource": "*"})
    role = _role(nothing, nothing)
    session = authz.role_session(role, "worker", REGION)
    assert session.arn == f"arn:aws:sts::{ACCOUNT}:assumed-role/{role.rsplit('/', 1)[1]}/worker"
    assert session.context()["aws:principalarn"] == role
    assert authz.from_access_key("ASIANOSUCHKEY0000000", None, REGION) is None
