"""Polling for the eventually consistent parts of the emulator (DataSync tasks and executions)."""

from __future__ import annotations

import time


def wait_for(predicate, timeout: float = 10.0, interval: float = 0.02):
    """Poll until `predicate()` is truthy; returns its value or fails with the last one seen."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    assert value, f"condition not met within {timeout}s (last value: {value!r})"
    return value
