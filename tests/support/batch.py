"""Run one module many times in a single ansible-playbook process (one start-up instead of one per call):
for tables of bad-input cases, where each call is independent and ~1.3 s of start-up dominates."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from lakedrop_emulator.client import Emulator
from lakedrop_emulator.paths import REPO_ROOT as REPO

from .ansible import BIN
from .ansible import ModuleResult
from .ansible import ansible_env


def run_modules(
    emulator: Emulator,
    module: str,
    calls: list[dict[str, Any]],
    account: str = "target",
    check: bool = False,
) -> list[ModuleResult]:
    """Run `module` once per argument dict (failures do not stop the others); results in order."""
    fqcn = module if "." in module else f"lakedrop.delivery.{module}"
    tasks = [{"name": f"call {i}", fqcn: args, "ignore_errors": True} for i, args in enumerate(calls)]
    play = [{"hosts": "localhost", "gather_facts": False, "tasks": tasks}]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "calls.yml"
        path.write_text(json.dumps(play), encoding="utf-8")
        cmd = [str(BIN / "ansible-playbook"), str(path)] + (["--check"] if check else [])
        env = ansible_env(
            emulator, account, ANSIBLE_STDOUT_CALLBACK="ansible.posix.json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1"
        )
        proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    try:
        report = json.loads(proc.stdout[proc.stdout.index("{") :])
        results = [task["hosts"]["localhost"] for task in report["plays"][0]["tasks"]]
    except (ValueError, KeyError, IndexError) as err:
        raise AssertionError(f"no module results (rc={proc.returncode}):\n{proc.stdout}\n{proc.stderr}") from err
    if len(results) != len(calls):
        raise AssertionError(f"{len(calls)} calls but {len(results)} results:\n{proc.stdout}")
    return [ModuleResult(result, "", "") for result in results]
