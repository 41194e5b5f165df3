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


@functools.cache
def _pattern(pattern: str) -> re.Pattern[str]:
    # botocore patterns use \p{Zs} (unicode space separators), which Python's re lacks.
    return re.compile(pattern.replace(r"\p{Zs}", r"\s"))


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
        if "pattern" in meta and not _pattern(meta["pattern"]).search(value):
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
