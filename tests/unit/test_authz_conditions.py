"""The Condition element of the emulator's authorization engine, against the IAM user guide's rules.

Pages: "IAM JSON policy elements: Condition operators"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html) and
"Creating a condition with multiple keys or values"
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html).
"""

from __future__ import annotations

import pytest

from lakedrop_emulator.ext.authz import conditions


def holds(block: dict, context: dict, variables: dict | None = None) -> bool | None:
    understood = lambda key: not key.startswith("unknown:")  # noqa: E731
    return conditions.evaluate(block, context, understood, variables).holds


@pytest.mark.parametrize(
    ("block", "context", "expected"),
    [
        # String operators: exact and case-sensitive, IgnoreCase, Like with * and ?
        ({"StringEquals": {"aws:username": "carlos"}}, {"aws:username": "carlos"}, True),
        ({"StringEquals": {"aws:username": "Carlos"}}, {"aws:username": "carlos"}, False),
        ({"StringEqualsIgnoreCase": {"aws:username": "Carlos"}}, {"aws:username": "carlos"}, True),
        ({"StringLike": {"s3:prefix": ["", "home/", "home/*"]}}, {"s3:prefix": "home/carlos/"}, True),
        ({"StringLike": {"s3:prefix": "home/?"}}, {"s3:prefix": "home/ab"}, False),
        ({"StringNotLike": {"s3:prefix": "tmp/*"}}, {"s3:prefix": "home/"}, True),
        # values of one key are ORed; keys of one operator and operators are ANDed
        ({"StringEquals": {"aws:username": ["a", "carlos"]}}, {"aws:username": "carlos"}, True),
        (
            {"StringEquals": {"aws:username": "carlos", "aws:principaltype": "User"}},
            {"aws:username": "carlos", "aws:principaltype": "AssumedRole"},
            False,
        ),
        # Numeric and Date
        ({"NumericLessThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, True),
        ({"NumericLessThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "11"}, False),
        (
            {"DateGreaterThan": {"aws:currenttime": "2020-01-01T00:00:01Z"}},
            {"aws:currenttime": "2026-01-01T00:00:00Z"},
            True,
        ),
        # Bool: "aws:SecureTransport is always present" (the Boolean section's example)
        ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:securetransport": "true"}, False),
        ({"Bool": {"aws:SecureTransport": True}}, {"aws:securetransport": "true"}, True),
        # ARN operators match each of the six parts
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:datasync:eu-west-1:222222222222:*"}},
            {"aws:sourcearn": "arn:aws:datasync:eu-west-1:222222222222:task/task-1"},
            True,
        ),
        (
            {"ArnLike": {"aws:SourceArn": "arn:aws:datasync:*:111111111111:*"}},
            {"aws:sourcearn": "arn:aws:datasync:eu-west-1:222222222222:task/task-1"},
            False,
        ),
        ({"ArnEquals": {"aws:SourceArn": "arn:aws:s3:::bucket"}}, {"aws:sourcearn": "arn:aws:s3:::bucket"}, True),
    ],
)
def test_operators(block, context, expected):
    """Condition operators page: String, Numeric, Date, Boolean and ARN condition operators."""
    assert holds(block, context) is expected


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        ({"StringEquals": {"aws:sourceaccount": "1"}}, False),  # absent key: the values do not match
        ({"StringNotEquals": {"aws:sourceaccount": "1"}}, True),  # ...but a negated operator holds
        ({"ArnNotLike": {"aws:sourcearn": "arn:*"}}, True),
        ({"StringEqualsIfExists": {"aws:sourceaccount": "1"}}, True),  # ...IfExists: absent holds
        ({"Null": {"aws:sourceaccount": "true"}}, True),  # Null: true means "absent"
        ({"Null": {"aws:sourceaccount": "false"}}, False),
    ],
)
def test_absent_keys(block, expected):
    """Condition operators page, "Important": an absent key does not match, except for negated
    operators, ...IfExists and the Null check."""
    assert holds(block, {}) is expected


def test_if_exists_still_tests_a_present_key():
    """Condition operators page, "...IfExists condition operators"."""
    assert holds({"StringEqualsIfExists": {"aws:sourceaccount": "1"}}, {"aws:sourceaccount": "2"}) is False


@pytest.mark.parametrize(
    ("operator", "values", "expected"),
    [
        ("ForAnyValue:StringEquals", ["a", "x"], True),
        ("ForAnyValue:StringEquals", ["x"], False),
        ("ForAnyValue:StringEquals", [], False),  # no value: nothing can match
        ("ForAllValues:StringEquals", ["a", "b"], True),
        ("ForAllValues:StringEquals", ["a", "x"], False),
        ("ForAllValues:StringEquals", [], True),  # vacuously true: the documented ForAllValues pitfall
        ("ForAllValues:StringNotEquals", ["x", "y"], True),
        ("ForAnyValue:StringNotEquals", ["a", "x"], True),
    ],
)
def test_set_operators(operator, values, expected):
    """ "Creating a condition with multiple keys or values": ForAnyValue / ForAllValues over aws:TagKeys."""
    assert holds({operator: {"aws:TagKeys": ["a", "b"]}}, {"aws:tagkeys": values}) is expected


def test_keys_are_case_insensitive_values_are_not():
    """ "IAM JSON policy elements: Condition": condition key names are not case-sensitive."""
    assert holds({"StringEquals": {"AWS:UserName": "carlos"}}, {"aws:username": "carlos"}) is True


def test_policy_variables_in_condition_values():
    """ "IAM policy elements: Variables and tags": ${aws:username} in a StringLike value."""
    context = {"aws:username": "carlos", "s3:prefix": "home/carlos/"}
    assert holds({"StringLike": {"s3:prefix": "home/${aws:username}/*"}}, context, variables=context) is True
    assert holds({"StringLike": {"s3:prefix": "home/${aws:username}/*"}}, context, variables=None) is False


@pytest.mark.parametrize(
    "block",
    [
        {"StringEquals": {"unknown:key": "x"}},
        {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},  # an operator the engine does not implement
        {"Bool": {"aws:securetransport": "true"}, "StringEquals": {"unknown:key": "x"}},
    ],
)
def test_what_is_not_understood_is_not_guessed(block):
    """Fail closed: the verdict is None and names what could not be evaluated (engine's own rule)."""
    verdict = conditions.evaluate(block, {"aws:securetransport": "true"}, lambda k: not k.startswith("unknown:"), None)
    assert verdict.holds is None
    assert verdict.not_understood


def test_a_false_condition_beats_one_not_understood():
    """Conditions are ANDed: one that fails makes the block false whatever the other would say."""
    block = {"Bool": {"aws:securetransport": "false"}, "StringEquals": {"unknown:key": "x"}}
    assert holds(block, {"aws:securetransport": "true"}) is False
