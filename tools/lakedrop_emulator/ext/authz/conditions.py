"""The Condition element, evaluated as the IAM user guide documents it (pure functions).

Sources: "IAM JSON policy elements: Condition operators" (operators, the absent-key rule, ...IfExists,
Null), "Creating a condition with multiple keys or values" (operators AND, keys AND, values OR;
ForAnyValue/ForAllValues), "IAM JSON policy elements: Condition" (keys are case-insensitive).

A key the engine does not model, or an operator it does not implement (IpAddress, Binary), is not
guessed: the block's result is None and the keys are named, so the caller can fail closed and say why.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .patterns import Unresolved
from .patterns import arn_like
from .patterns import like
from .patterns import substitute


def _number(text: str) -> float:
    return float(text)


def _date(text: str) -> float:
    try:
        return float(text)  # epoch seconds
    except ValueError:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _compare(parse: Callable[[str], float], test: Callable[[float, float], bool]) -> Callable[..., bool]:
    def compare(value: str, expected: str, _context: Any) -> bool:
        try:
            return test(parse(value), parse(expected))
        except (ValueError, TypeError):
            return False  # not a number/date: the values do not match

    return compare


def _string_equals(value: str, expected: str, context: Any) -> bool:
    return value == substitute(expected, context)


def _string_equals_ignore_case(value: str, expected: str, context: Any) -> bool:
    return value.lower() == substitute(expected, context).lower()


def _bool(value: str, expected: str, context: Any) -> bool:
    return value.lower() == substitute(expected, context).lower()


# Numeric and Date operators: the comparison of the context value with the policy value, negated or not.
_COMPARISONS: dict[str, tuple[Callable[[float, float], bool], bool]] = {
    "equals": (lambda a, b: a == b, False),
    "notequals": (lambda a, b: a == b, True),
    "lessthan": (lambda a, b: a < b, False),
    "lessthanequals": (lambda a, b: a <= b, False),
    "greaterthan": (lambda a, b: a > b, False),
    "greaterthanequals": (lambda a, b: a >= b, False),
}

# operator (lower case, without set prefix or IfExists) -> (test of one context value against one
# policy value, negated). A negated operator holds when no policy value matches.
OPERATORS: dict[str, tuple[Callable[[str, str, Any], bool], bool]] = {
    "stringequals": (_string_equals, False),
    "stringnotequals": (_string_equals, True),
    "stringequalsignorecase": (_string_equals_ignore_case, False),
    "stringnotequalsignorecase": (_string_equals_ignore_case, True),
    "stringlike": (lambda v, e, c: like(e, v, c), False),
    "stringnotlike": (lambda v, e, c: like(e, v, c), True),
    "arnequals": (lambda v, e, c: arn_like(e, v, c), False),
    "arnlike": (lambda v, e, c: arn_like(e, v, c), False),
    "arnnotequals": (lambda v, e, c: arn_like(e, v, c), True),
    "arnnotlike": (lambda v, e, c: arn_like(e, v, c), True),
    "bool": (_bool, False),
    **{
        family + name: (_compare(parse, test), negated)
        for family, parse in (("numeric", _number), ("date", _date))
        for name, (test, negated) in _COMPARISONS.items()
    },
}


@dataclass(frozen=True)
class Operator:
    name: str  # as written in the policy
    base: str  # lower case, no set prefix, no IfExists
    set_operator: str | None  # "foranyvalue" | "forallvalues"
    if_exists: bool


def parse_operator(name: str) -> Operator:
    lowered = name.lower()
    set_operator = None
    for prefix in ("foranyvalue:", "forallvalues:"):
        if lowered.startswith(prefix):
            set_operator, lowered = prefix[:-1], lowered[len(prefix) :]
    if_exists = lowered.endswith("ifexists") and lowered != "null"
    return Operator(name, lowered.removesuffix("ifexists") if if_exists else lowered, set_operator, if_exists)


def _as_list(values: Any) -> list[str]:
    values = values if isinstance(values, list) else [values]
    return [str(v).lower() if isinstance(v, bool) else str(v) for v in values]


def _one_value(op: Operator, value: str, expected: list[str], context: Any) -> bool:
    test, negated = OPERATORS[op.base]
    hit = False
    for candidate in expected:
        try:
            hit = test(value, candidate, context)
        except Unresolved:
            hit = False  # a policy variable with no value matches nothing
        if hit:
            break
    return not hit if negated else hit


def _key_holds(op: Operator, present: Any, expected: list[str], context: Any) -> bool:
    """One key of one operator. `present` is the context value (None when absent)."""
    if op.base == "null":
        absent = present is None or present == []
        return any((e.lower() == "true") == absent for e in expected)
    values = present if isinstance(present, list) else ([] if present is None else [present])
    if op.set_operator == "forallvalues":
        return all(_one_value(op, v, expected, context) for v in values)  # vacuously true when empty
    if not values:
        if op.set_operator == "foranyvalue":
            return False
        return op.if_exists or OPERATORS[op.base][1]  # absent key: only negated operators hold
    if op.set_operator == "foranyvalue" or not OPERATORS[op.base][1]:
        return any(_one_value(op, v, expected, context) for v in values)
    return all(_one_value(op, v, expected, context) for v in values)  # negated: no value may match


@dataclass(frozen=True)
class Verdict:
    holds: bool | None  # None: something in the block was not understood (and nothing made it false)
    not_understood: tuple[str, ...] = ()


def evaluate(
    block: Mapping[str, Any],
    context: Mapping[str, Any],
    understood: Callable[[str], bool],
    variables: Mapping[str, Any] | None,
) -> Verdict:
    """A Condition block against the request context (lower-case keys). `understood(key)` says whether
    the engine models a key; `variables` is the context for policy variables (None: variables off)."""
    if not isinstance(block, Mapping):
        return Verdict(None, ("Condition is not an object",))
    unknown: list[str] = []
    for name, keys in block.items():
        op = parse_operator(name)
        if op.base not in OPERATORS and op.base != "null":
            unknown.append(f"operator {name}")
            continue
        for key, expected in (keys or {}).items() if isinstance(keys, Mapping) else ():
            if not understood(key.lower()):
                unknown.append(key)
            elif not _key_holds(op, context.get(key.lower()), _as_list(expected), variables):
                return Verdict(False)
    return Verdict(None, tuple(unknown)) if unknown else Verdict(True)
