"""Wildcards and policy variables of the IAM policy language (pure functions).

- `*` matches any run of characters (also across `:` and `/`), `?` exactly one: IAM user guide, "IAM JSON
  policy elements: Resource" and "Condition operators" (StringLike);
- `${key}` is replaced by the request context's value of `key`, `${key, 'default'}` falls back to the
  default, `${*}` `${?}` `${$}` stand for the literal characters; a variable whose key is absent (and has
  no default) makes the value match nothing. Variables exist only in policies of Version 2012-10-17
  (IAM user guide, "IAM policy elements: Variables and tags");
- ARN condition operators match each of the six colon-separated parts separately ("Condition
  operators", ARN condition operators).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

VARIABLES_VERSION = "2012-10-17"
_TOKEN = re.compile(r"\$\{([^}]*)\}|\*|\?|[^$*?]+|\$")
_DEFAULT = re.compile(r"^\s*([^,]+?)\s*,\s*'([^']*)'\s*$")
_LITERALS = {"*": "*", "?": "?", "$": "$"}


class Unresolved(Exception):
    """A policy variable whose key is not in the request context (and has no default)."""


def _variable(body: str, context: Mapping[str, Any]) -> str:
    if body in _LITERALS:
        return _LITERALS[body]
    default = None
    match = _DEFAULT.match(body)
    if match:
        body, default = match.group(1), match.group(2)
    value = context.get(body.strip().lower())
    if isinstance(value, list):  # a multivalued key cannot stand in a single place
        value = None
    if value is None:
        if default is None:
            raise Unresolved(body)
        return default
    return str(value)


def substitute(text: str, context: Mapping[str, Any] | None) -> str:
    """`text` with its variables replaced (raises Unresolved); unchanged when variables are off (None)."""
    if context is None or "${" not in text:
        return text
    return "".join(
        _variable(m.group(1), context) if m.group(1) is not None else m.group(0) for m in _TOKEN.finditer(text)
    )


def _regex(pattern: str, context: Mapping[str, Any] | None) -> str:
    out = []
    for m in _TOKEN.finditer(pattern):
        piece = m.group(0)
        if m.group(1) is not None:
            out.append(re.escape(_variable(m.group(1), context)) if context is not None else re.escape(piece))
        elif piece == "*":
            out.append(".*")
        elif piece == "?":
            out.append(".")
        else:
            out.append(re.escape(piece))
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def _compiled(regex: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(f"^{regex}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def like(pattern: str, value: str, context: Mapping[str, Any] | None = None, ignore_case: bool = False) -> bool:
    """Whether `value` matches the wildcard `pattern` (variables resolved from `context` when given)."""
    try:
        regex = _regex(pattern, context)
    except Unresolved:
        return False
    return _compiled(regex, ignore_case).match(value) is not None


def arn_like(pattern: str, value: str, context: Mapping[str, Any] | None = None) -> bool:
    """ArnLike/ArnEquals: the six parts of the ARN matched one by one."""
    parts, values = pattern.split(":", 5), value.split(":", 5)
    if len(parts) != 6 or len(values) != 6:
        return False
    return all(like(p, v, context) for p, v in zip(parts, values, strict=True))
