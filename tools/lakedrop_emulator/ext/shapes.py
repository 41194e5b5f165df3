"""Request validation against botocore's service model.

Real AWS rejects values that break a shape's pattern, enum or length server-side; botocore's client
only checks required members and types. Extensions call `validate()` so the emulator refuses what AWS
would refuse, with the same error code a module would see.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import botocore.session


@functools.cache
def service_model(service: str):
    return botocore.session.get_session().get_service_model(service)


# botocore patterns are Java regexes: unicode classes (\p{Zs}, \p{L}, ...) and \z, which Python's re lacks.
# The stand-ins only widen, so the emulator never refuses a value AWS accepts.
_UNICODE_CLASSES = {"L": r"\w", "M": r"\w", "N": r"\w", "Z": r"\s", "Zs": r"\s"}
_JAVA_TOKEN = re.compile(r"\\([pP])\{(\w+)\}|\\z|\\.|\[|\]|[^\\\[\]]+")


@functools.cache
def _pattern(pattern: str) -> re.Pattern[str] | None:
    out, in_class, after_class = [], False, False
    for match in _JAVA_TOKEN.finditer(pattern):
        piece = match.group(0)
        if in_class and after_class and piece.startswith("-"):
            piece = "\\" + piece  # Java reads `[\p{L}-x]` as a literal dash, Python as a bad range
        after_class = bool(match.group(2))
        if match.group(2):
            body = _UNICODE_CLASSES.get(match.group(2), r"\s\S") if match.group(1) == "p" else r"\s\S"
            piece = body if in_class else f"[{body}]"
        elif piece == r"\z":
            piece = r"\Z"
        elif piece in "[]":
            in_class = piece == "[" or (in_class and piece != "]")
        out.append(piece)
    try:
        return re.compile("".join(out))
    except re.error:  # a construct we do not translate: skip the check rather than answer 500
        return None


def problems(shape: Any, value: Any, path: str) -> list[str]:
    """Every way `value` breaks `shape` (empty list when it conforms)."""
    found: list[str] = []
    if value is None:
        return found
    type_name = shape.type_name
    meta = shape.metadata
    if type_name == "structure":
        if not isinstance(value, dict):
            return [f"{path} must be an object"]
        for name in shape.required_members:
            if name not in value:
                found.append(f"{path}.{name} is required")
        for name, member_value in value.items():
            if name not in shape.members:
                found.append(f"{path}.{name} is not a known member")
                continue
            found += problems(shape.members[name], member_value, f"{path}.{name}")
    elif type_name == "list":
        if not isinstance(value, list):
            return [f"{path} must be a list"]
        if "min" in meta and len(value) < meta["min"]:
            found.append(f"{path} needs at least {meta['min']} item(s)")
        if "max" in meta and len(value) > meta["max"]:
            found.append(f"{path} allows at most {meta['max']} item(s)")
        for index, item in enumerate(value):
            found += problems(shape.member, item, f"{path}[{index}]")
    elif type_name == "string":
        if not isinstance(value, str):
            return [f"{path} must be a string"]
        if shape.enum and value not in shape.enum:
            found.append(f"{path} must be one of {', '.join(shape.enum)}")
        if "max" in meta and len(value) > meta["max"]:
            found.append(f"{path} is longer than {meta['max']} characters")
        if "min" in meta and len(value) < meta["min"]:
            found.append(f"{path} is shorter than {meta['min']} characters")
        pattern = _pattern(meta["pattern"]) if "pattern" in meta else None
        if pattern is not None and not pattern.search(value):
            found.append(f"{path} does not match {meta['pattern']}")
    elif type_name in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            return [f"{path} must be an integer"]
        if "min" in meta and value < meta["min"]:
            found.append(f"{path} must be >= {meta['min']}")
        if "max" in meta and value > meta["max"]:
            found.append(f"{path} must be <= {meta['max']}")
    return found


def validate(service: str, operation: str, params: dict[str, Any]) -> list[str]:
    shape = service_model(service).operation_model(operation).input_shape
    return problems(shape, params, operation)
