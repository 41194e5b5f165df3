"""Pure logic of the EFS file-system policy (no network)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import file_system_policy as fsp

FS = "fs-0123456789abcdef0"
DOCUMENT = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}


def params(**extra):
    return {"file_system": FS, "policy": DOCUMENT, "state": "present", **extra}


@pytest.mark.parametrize("extra", [{}, {"policy": json.dumps(DOCUMENT)}, {"state": "absent", "policy": None}])
def test_valid_arguments_have_no_problem(extra):
    assert fsp.validate(params(**extra), "eu-west-1") == []


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        ({"policy": None}, "policy is required with state=present"),
        ({"policy": "{not json"}, "policy is not valid JSON"),
        ({"policy": {"Version": "2012-10-17"}}, "non-empty Statement"),
        ({"state": "absent"}, "state=absent removes the policy; do not give policy"),
        ({"file_system": "arn:aws:s3:::bucket"}, "but 'arn:aws:s3:::bucket' is an S3 bucket ARN"),
    ],
)
def test_problems_are_named(extra, fragment):
    problems = fsp.validate(params(**extra), "eu-west-1")
    assert len(problems) == 1 and fragment in problems[0]


def test_every_problem_is_reported_at_once():
    assert len(fsp.validate(params(file_system="x", policy=None), "eu-west-1")) == 2


def test_desired_document():
    assert fsp.desired(params(policy=json.dumps(DOCUMENT))) == DOCUMENT
    assert fsp.desired(params(state="absent", policy=None)) is None


def test_an_equivalent_stored_policy_is_no_change_and_is_reported_as_stored():
    stored = {**DOCUMENT, "Statement": [{**DOCUMENT["Statement"][0], "Action": ["*"]}]}

    assert fsp.result(FS, stored, DOCUMENT) == {
        "changed": False,
        "file_system_id": FS,
        "policy": stored,
        "diff": {"before": stored, "after": stored},
    }


@pytest.mark.parametrize(
    ("current", "wanted", "after"),
    [(None, DOCUMENT, DOCUMENT), (DOCUMENT, None, {})],
    ids=["put", "delete"],
)
def test_a_change_reports_the_desired_policy(current, wanted, after):
    found = fsp.result(FS, current, wanted)

    assert found["changed"] and found["policy"] == after
    assert found["diff"] == {"before": current or {}, "after": after}


def test_no_policy_wanted_and_none_stored_is_no_change():
    assert fsp.result(FS, None, None) == {
        "changed": False,
        "file_system_id": FS,
        "policy": {},
        "diff": {"before": {}, "after": {}},
    }
