"""Fixtures shared by every suite. Tests that need AWS get the emulator `make test` started; run
alone (`pytest tests/...`) they start one on the test port and stop it afterwards. pytest finds
`lakedrop_emulator` (tools/) and `support` (tests/) through pyproject.toml's pythonpath."""

from __future__ import annotations

import os
import uuid

import pytest

from lakedrop_emulator.client import Emulator
from lakedrop_emulator.client import state_dir


def pytest_configure(config):
    """Under pytest-xdist (`make test` runs workers side by side) each worker gets an emulator of its own,
    its state dir and port apart, so every test keeps one emulator per session as it was written for:
    timings, faults and the request journal are never shared with a test running at the same time."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    base = state_dir()
    os.environ["LAKEDROP_STATE_DIR"] = str(base.parent / f"{base.name}-{worker}")
    port = int(os.environ.get("LAKEDROP_EMULATOR_PORT", "4610"))
    os.environ["LAKEDROP_EMULATOR_PORT"] = str(port + 1 + int(worker.removeprefix("gw")))


@pytest.fixture(scope="session")
def emulator() -> Emulator:
    from lakedrop_emulator import cli

    os.environ.setdefault("LAKEDROP_STATE_DIR", str(state_dir()))
    started_here = cli.running_state() is None
    if started_here:
        cli.start()
    try:
        yield Emulator.from_state_file()
    finally:
        if started_here:
            cli.stop()


@pytest.fixture
def unique() -> str:
    """A short suffix that keeps names of concurrent or repeated tests apart."""
    return uuid.uuid4().hex[:8]
