"""Fixtures shared by every suite. Tests that need AWS get the emulator `make test` started; run
alone (`pytest tests/...`) they start one on the test port and stop it afterwards."""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tools"))
sys.path.insert(0, str(REPO / "tests"))

from support.emulator import Emulator  # noqa: E402
from support.emulator import state_dir  # noqa: E402


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
