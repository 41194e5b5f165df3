"""Run modules and playbooks for real (ansible / ansible-playbook subprocesses) against the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lakedrop_emulator.client import Emulator
from lakedrop_emulator.client import state_dir
from lakedrop_emulator.paths import REPO_ROOT as REPO

BIN = Path(sys.executable).parent  # the venv's ansible, whatever PATH says
SITE_PACKAGES = sysconfig.get_paths()["purelib"]


def ansible_env(emulator: Emulator | None, account: str = "target", **extra: str) -> dict[str, str]:
    state = state_dir()
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(
        ANSIBLE_HOME=str(state / "ansible"),
        ANSIBLE_LOCAL_TEMP=str(state / "tmp" / "ansible-local"),
        ANSIBLE_REMOTE_TEMP=str(state / "tmp" / "ansible-remote"),
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_FORCE_COLOR="0",
        ANSIBLE_DEPRECATION_WARNINGS="0",
        ANSIBLE_LOCALHOST_WARNING="0",
        ANSIBLE_INVENTORY_UNPARSED_WARNING="0",
        ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
        # Only the venv's collections (it links lakedrop/delivery to this checkout): a copy that a
        # tool installed under ANSIBLE_HOME must never shadow the code under test.
        ANSIBLE_COLLECTIONS_PATH=SITE_PACKAGES,
    )
    if emulator is not None:
        env.update(emulator.env(account))
    env.update(extra)
    return env


@dataclass
class ModuleResult:
    result: dict[str, Any]
    stdout: str
    stderr: str

    def __getitem__(self, key: str) -> Any:
        return self.result[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.result.get(key, default)

    @property
    def failed(self) -> bool:
        return bool(self.result.get("failed"))

    @property
    def changed(self) -> bool:
        return bool(self.result.get("changed"))


def run_module(
    emulator: Emulator | None,
    module: str,
    args: dict[str, Any],
    account: str = "target",
    check: bool = False,
    diff: bool = False,
    env: dict[str, str] | None = None,
) -> ModuleResult:
    """Run one module on localhost (`ansible -m`) and return its result dict."""
    fqcn = module if "." in module else f"lakedrop.delivery.{module}"
    cmd = [str(BIN / "ansible"), "localhost", "-m", fqcn, "-a", json.dumps(args)]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    proc = subprocess.run(
        cmd,
        cwd=REPO,
        env=ansible_env(
            emulator,
            account,
            ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
            ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
            **(env or {}),
        ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        report = json.loads(proc.stdout[proc.stdout.index("{") :])
        result = report["plays"][0]["tasks"][0]["hosts"]["localhost"]
    except (ValueError, KeyError, IndexError) as err:
        raise AssertionError(f"no module result (rc={proc.returncode}):\n{proc.stdout}\n{proc.stderr}") from err
    return ModuleResult(result, proc.stdout, proc.stderr)


@dataclass
class PlaybookRun:
    rc: int
    stdout: str
    stderr: str

    def recap(self) -> dict[str, dict[str, int]]:
        """PLAY RECAP counters per host."""
        hosts: dict[str, dict[str, int]] = {}
        in_recap = False
        for line in self.stdout.splitlines():
            if line.startswith("PLAY RECAP"):
                in_recap = True
                continue
            if in_recap and ":" in line:
                host, _, counters = line.partition(":")
                hosts[host.strip()] = {key: int(value) for key, value in (item.split("=") for item in counters.split())}
        return hosts

    def total(self, counter: str) -> int:
        return sum(host.get(counter, 0) for host in self.recap().values())


def run_playbook(
    playbook: str | Path,
    inventory: str | Path | None = None,
    extra_vars: dict[str, Any] | None = None,
    check: bool = False,
    diff: bool = False,
    env: dict[str, str] | None = None,
    timeout: int = 1200,
) -> PlaybookRun:
    cmd = [str(BIN / "ansible-playbook"), str(playbook)]
    if inventory:
        cmd += ["-i", str(inventory)]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    proc = subprocess.run(
        cmd, cwd=REPO, env=ansible_env(None, **(env or {})), capture_output=True, text=True, timeout=timeout
    )
    return PlaybookRun(proc.returncode, proc.stdout, proc.stderr)
