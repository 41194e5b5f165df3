"""Policy documents given as module arguments (efs_file_system_policy, cloudwatchlogs_resource_policy)."""

from __future__ import annotations

import pytest

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import policies
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import Failure

DOCUMENT = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "x:Y", "Resource": "*"}]}


@pytest.mark.parametrize("value", [DOCUMENT, '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]}'])
def test_a_dict_or_a_json_string_is_a_document(value):
    assert policies.parse(value)["Statement"]
    assert policies.problem(value) is None


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("{not json", "policy is not valid JSON"),
        ('["Statement"]', "policy must be a policy document"),
        ({"Version": "2012-10-17"}, "must be a policy document (an object with a non-empty Statement)"),
        ({"Version": "2012-10-17", "Statement": []}, "non-empty Statement"),  # refused by both modules
    ],
)
def test_what_is_not_a_document_is_named(value, message):
    assert message in policies.problem(value)
    with pytest.raises(Failure, match=message.replace("(", r"\(").replace(")", r"\)")):
        policies.parse(value)


def test_problem_names_the_option():
    assert policies.problem("{", option="document").startswith("document is not valid JSON")


@pytest.mark.parametrize(
    ("current", "desired", "differs"),
    [
        (None, None, False),
        (None, DOCUMENT, True),
        (DOCUMENT, None, True),
        (DOCUMENT, {**DOCUMENT, "Statement": [{**DOCUMENT["Statement"][0], "Action": ["x:Y"]}]}, False),
        (DOCUMENT, {**DOCUMENT, "Statement": [{**DOCUMENT["Statement"][0], "Action": "x:Z"}]}, True),
    ],
)
def test_documents_are_compared_by_meaning(current, desired, differs):
    assert bool(policies.differs(current, desired)) is differs
