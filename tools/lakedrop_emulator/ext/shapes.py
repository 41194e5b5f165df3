"""botocore's service models, the one shape checker of the emulator, in both directions.

- Requests: real AWS rejects values that break a shape's pattern, enum or length server-side; botocore's
  client only checks required members and types. Extensions call `validate()` so the emulator refuses
  what AWS would refuse, with the same error code a module would see.
- Answers (tests): `assert_output_matches(service, operation, response)` walks what boto3 returned
  (timestamps are datetimes, blobs bytes or streams). boto3's parser drops members the model does not
  know, so `watch(client)` also walks the raw JSON body of every successful answer before boto3 parses
  it and raises AssertionError from the call itself on unknown members, nulls and the same checks.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from typing import Any

import botocore.session

# Java/Smithy regex constructs that Python's `re` lacks. Approximations only ever widen a class, so a
# value that breaks the translated pattern breaks the original too.
_UNICODE_CLASSES = {
    "L": r"\w",  # letters
    "M": r"\w",  # marks
    "N": r"\w",  # numbers
    "Z": r"\s",  # separators
    "Zs": r"\s",  # space separators (DataSync's Subdirectory, tag values)
    "S": r"\s\S",  # symbols
    "P": r"\s\S",  # punctuation
    "C": r"\s\S",  # control/other
}


@functools.cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@functools.cache
def service_model(service: str):
    return _session().get_service_model(service)


_JAVA_TOKEN = re.compile(r"\\([pP])\{(\w+)\}|\\z|\\.|\[|\]|[^\\\[\]]+")


@functools.cache
def compile_pattern(pattern: str) -> re.Pattern[str] | None:
    """botocore's pattern as a Python regex (unanchored, as Smithy defines `pattern`); None if untranslatable."""
    out: list[str] = []
    in_class = after_class = False
    for match in _JAVA_TOKEN.finditer(pattern):
        piece = match.group(0)
        if in_class and after_class and piece.startswith("-"):
            piece = "\\" + piece  # Java: a dash right after a class is literal; Python: a bad range
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
    except re.error:
        return None


def _type_name(value: Any) -> str:
    return type(value).__name__


class _Walker:
    """Collects every way a value breaks a shape. `raw` walks a JSON body instead of boto3's dict;
    `request` walks a request's parameters (an absent member may be None there)."""

    def __init__(self, raw: bool, request: bool = False) -> None:
        self.raw = raw
        self.request = request
        self.found: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.found.append(f"{path}: {message}")

    def walk(self, shape: Any, value: Any, path: str) -> None:
        if value is None:
            if not self.request:  # boto3 drops JSON nulls silently; AWS omits a member instead of sending null
                self.problem(path, "is null")
            return
        handler = getattr(self, f"_{shape.type_name}", None)
        if handler is None:
            self.problem(path, f"unsupported shape type {shape.type_name}")
            return
        handler(shape, value, path)

    def _structure(self, shape: Any, value: Any, path: str, top: bool = False) -> None:
        if not isinstance(value, dict):
            self.problem(path, f"expected an object, got {_type_name(value)}")
            return
        members = {}
        for name, member in shape.members.items():
            if self.raw and top and member.serialization.get("location"):
                continue  # headers/status code are not in the body (nor required in it)
            key = member.serialization.get("name", name) if self.raw else name
            members[key] = member
        for key in value:
            if key not in members:
                self.problem(f"{path}.{key}", f"is not a member of {shape.name}")
        for name in shape.required_members:
            member = shape.members[name]
            if self.raw and top and member.serialization.get("location"):
                continue
            key = member.serialization.get("name", name) if self.raw else name
            if key not in value:
                self.problem(f"{path}.{key}", f"is required by {shape.name} but missing")
        for key, member_value in value.items():
            if key in members:
                self.walk(members[key], member_value, f"{path}.{key}")

    def _list(self, shape: Any, value: Any, path: str) -> None:
        if not isinstance(value, list):
            self.problem(path, f"expected a list, got {_type_name(value)}")
            return
        meta = shape.metadata
        if "min" in meta and len(value) < meta["min"]:
            self.problem(path, f"has {len(value)} item(s), fewer than min {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            self.problem(path, f"has {len(value)} item(s), more than max {meta['max']}")
        for index, item in enumerate(value):
            self.walk(shape.member, item, f"{path}[{index}]")

    def _map(self, shape: Any, value: Any, path: str) -> None:
        if not isinstance(value, dict):
            self.problem(path, f"expected a map, got {_type_name(value)}")
            return
        for key, item in value.items():
            self.walk(shape.key, key, f"{path}<key {key!r}>")
            self.walk(shape.value, item, f"{path}[{key!r}]")

    def _string(self, shape: Any, value: Any, path: str) -> None:
        if not isinstance(value, str):
            self.problem(path, f"expected a string, got {_type_name(value)}")
            return
        meta = shape.metadata
        if shape.enum and value not in shape.enum:
            self.problem(path, f"{value!r} is not one of {shape.enum}")
        if "min" in meta and len(value) < meta["min"]:
            self.problem(path, f"is shorter than min {meta['min']}")
        if "max" in meta and len(value) > meta["max"]:
            self.problem(path, f"is longer than max {meta['max']}")
        pattern = compile_pattern(meta["pattern"]) if "pattern" in meta else None
        if pattern is not None and not pattern.search(value):
            self.problem(path, f"{value!r} does not match {meta['pattern']}")

    def _integer(self, shape: Any, value: Any, path: str) -> None:
        if not isinstance(value, int) or isinstance(value, bool):
            self.problem(path, f"expected an integer, got {_type_name(value)}")
            return
        self._range(shape, value, path)

    _long = _integer

    def _double(self, shape: Any, value: Any, path: str) -> None:
        if not isinstance(value, int | float) or isinstance(value, bool):
            self.problem(path, f"expected a number, got {_type_name(value)}")
            return
        self._range(shape, value, path)

    _float = _double

    def _range(self, shape: Any, value: float, path: str) -> None:
        meta = shape.metadata
        if "min" in meta and value < meta["min"]:
            self.problem(path, f"{value} is below min {meta['min']}")
        if "max" in meta and value > meta["max"]:
            self.problem(path, f"{value} is above max {meta['max']}")

    def _boolean(self, shape: Any, value: Any, path: str) -> None:
        if not isinstance(value, bool):
            self.problem(path, f"expected a boolean, got {_type_name(value)}")

    def _timestamp(self, shape: Any, value: Any, path: str) -> None:
        if self.raw:
            ok = isinstance(value, int | float | str) and not isinstance(value, bool)
        else:
            ok = isinstance(value, datetime.datetime)
        if not ok:
            self.problem(path, f"expected a timestamp, got {_type_name(value)}")

    def _blob(self, shape: Any, value: Any, path: str) -> None:
        ok = isinstance(value, str) if self.raw else isinstance(value, bytes | bytearray) or hasattr(value, "read")
        if not ok:
            self.problem(path, f"expected a blob, got {_type_name(value)}")


def output_problems(service: str, operation: str, response: dict[str, Any], raw: bool = False) -> list[str]:
    """Every way `response` (boto3's dict, or with raw=True the decoded JSON body) breaks the model."""
    shape = service_model(service).operation_model(operation).output_shape
    body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
    if shape is None:
        return [f"{operation}: {key} returned, but the operation has no output" for key in body]
    walker = _Walker(raw)
    payload = shape.serialization.get("payload")
    if raw and payload:
        walker.walk(shape.members[payload], body, f"{operation}.{payload}")
    else:
        walker._structure(shape, body, operation, top=True)
    return walker.found


def assert_output_matches(service: str, operation: str, response: dict[str, Any]) -> dict[str, Any]:
    """Fail unless boto3's `response` conforms to the output shape; returns the response for chaining."""
    found = output_problems(service, operation, response)
    assert not found, f"{service}:{operation} answer breaks botocore's model:\n  " + "\n  ".join(found)
    return response


def _check_raw_body(service: str, operation_model: Any, response_dict: dict[str, Any], **_: Any) -> None:
    if response_dict.get("status_code", 500) >= 300 or operation_model.has_streaming_output:
        return
    content_type = response_dict.get("headers", {}).get("content-type", "")
    body = response_dict.get("body") or b""
    if "json" not in content_type or not body.strip():
        return
    decoded = json.loads(body)
    found = output_problems(service, operation_model.name, decoded, raw=True)
    assert not found, f"{service}:{operation_model.name} raw answer breaks botocore's model:\n  " + "\n  ".join(found)


def watch(client: Any) -> Any:
    """Make every successful JSON answer of `client` pass the raw-body check (raises from the call)."""
    service = client.meta.service_model.service_name
    client.meta.events.register("before-parse", functools.partial(_check_raw_body, service))
    return client


def validate(service: str, operation: str, params: dict[str, Any]) -> list[str]:
    """Every way the request parameters of `operation` break botocore's input shape (empty when none)."""
    shape = service_model(service).operation_model(operation).input_shape
    walker = _Walker(raw=True, request=True)
    walker.walk(shape, params, operation)
    return walker.found
