"""Every role's molecule scenario on the emulator, step by step, so idempotence is measured in write calls
(the emulator's journal) as well as in molecule's changed=0: syntax, prepare, converge, idempotence
(zero writes), verify (reads resources back), cleanup (the role's state=absent).

`molecule destroy` would run cleanup.yml as well (its sequence), so the test resets molecule's state by
removing the scenario's ephemeral directory instead: prepare then always runs."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from support.ansible import BIN
from support.ansible import SITE_PACKAGES
from support.ansible import ansible_env

from lakedrop_emulator.client import state_dir
from lakedrop_emulator.paths import REPO_ROOT as REPO

ROLES = sorted(p.parents[2].name for p in (REPO / "roles").glob("*/molecule/default/molecule.yml"))


def test_every_role_has_a_scenario():
    assert ROLES == sorted(p.name for p in (REPO / "roles").iterdir() if (p / "tasks").is_dir())


def ephemeral(role: str):
    return state_dir() / "molecule" / role


def molecule(role: str, step: str) -> subprocess.CompletedProcess:
    env = ansible_env(
        None,
        LAKEDROP_STATE_DIR=str(state_dir()),
        LAKEDROP_SITE_PACKAGES=SITE_PACKAGES,
        MOLECULE_EPHEMERAL_DIRECTORY=str(ephemeral(role)),
        MOLECULE_NO_LOG="false",
        NO_COLOR="1",
    )
    return subprocess.run(
        [str(BIN / "molecule"), step, "--scenario-name", "default"],
        cwd=REPO / "roles" / role,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def ok(role: str, step: str) -> None:
    proc = molecule(role, step)
    tail = (proc.stdout + proc.stderr)[-6000:]
    assert proc.returncode == 0, f"molecule {step} of {role} failed (rc={proc.returncode}):\n{tail}"


@pytest.mark.parametrize("role", ROLES)
def test_role_scenario(emulator, role):
    shutil.rmtree(ephemeral(role), ignore_errors=True)
    ok(role, "syntax")
    try:
        ok(role, "prepare")
        ok(role, "converge")
        mark = emulator.mark()
        ok(role, "idempotence")
        assert emulator.writes(mark) == [], f"{role}: the second converge made write calls"
        ok(role, "verify")
    finally:
        # cleanup runs whatever happened; its own failure is reported unless an earlier one is on its way
        cleanup = molecule(role, "cleanup")
        shutil.rmtree(ephemeral(role), ignore_errors=True)
    tail = (cleanup.stdout + cleanup.stderr)[-6000:]
    assert cleanup.returncode == 0, f"molecule cleanup of {role} failed:\n{tail}"
