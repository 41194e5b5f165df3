"""Fixtures shared by every suite. Tests that need AWS get the emulator `make test` started; run
alone (`pytest tests/...`) they start one on the test port and stop it afterwards. pytest finds
`lakedrop_emulator` (tools/) and `support` (tests/) through pyproject.toml's pythonpath."""

from __future__ import annotations

import os
import uuid

import pytest

from lakedrop_emulator.client import Emulator
from lakedrop_emulator.client import state_dir


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
