"""Pure logic of the CloudWatch Logs resource policy (no network)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import logs_policy

DOCUMENT = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:PutLogEvents"}]}
EQUIVALENT = {**DOCUMENT, "Statement": [{**DOCUMENT["Statement"][0], "Action": ["logs:PutLogEvents"]}]}


def params(**extra):
    return {"name": "lakedrop", "policy": json.dumps(DOCUMENT), "state": "present", **extra}


@pytest.mark.parametrize(
    "extra", [{}, {"state": "absent", "policy": None}, {"state": "absent", "policy": "{ignored"}, {"policy": None}]
)
def test_valid_arguments_have_no_problem(extra):
    # a policy with state=absent is ignored; no policy with state=present is required_if's to refuse
    assert logs_policy.validate(params(**extra), "eu-west-1") == []


@pytest.mark.parametrize(
    ("policy", "fragment"),
    [
        ("{not json", "policy is not valid JSON"),
        ('{"Version": "2012-10-17"}', "non-empty Statement"),
        ('{"Version": "2012-10-17", "Statement": []}', "non-empty Statement"),  # accepted before issue 8
    ],
)
def test_what_is_not_a_policy_is_refused(policy, fragment):
    problems = logs_policy.validate(params(policy=policy), "eu-west-1")
    assert len(problems) == 1 and fragment in problems[0]


def test_desired_document():
    assert logs_policy.desired(params()) == DOCUMENT
    assert logs_policy.desired(params(state="absent")) is None


def test_current_document_is_found_by_name():
    described = [
        {"policyName": "other", "policyDocument": "{}"},
        {"policyName": "lakedrop", "policyDocument": json.dumps(DOCUMENT)},
    ]
    assert logs_policy.current_document(described, "lakedrop") == DOCUMENT
    assert logs_policy.current_document(described, "missing") is None
    assert logs_policy.current_document([{"policyName": "lakedrop"}], "lakedrop") == {}


@pytest.mark.parametrize(
    ("current", "wanted", "changed", "after"),
    [
        (None, DOCUMENT, True, DOCUMENT),
        (DOCUMENT, EQUIVALENT, False, EQUIVALENT),
        (DOCUMENT, None, True, {}),
        (None, None, False, {}),
    ],
    ids=["create", "equivalent", "delete", "nothing"],
)
def test_result_reports_the_desired_document(current, wanted, changed, after):
    found = logs_policy.result(current, wanted)

    assert bool(found["changed"]) is changed and found["policy"] == after
    assert found["diff"] == {"before": current or {}, "after": after}
