"""`python -m lakedrop_emulator start|stop|status` on a private state dir and port (not the shared emulator)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

TOOLS = Path(__file__).resolve().parents[2] / "tools"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _gone(pid: int) -> bool:
    """No such process (a zombie waiting for its reaper counts as gone: it runs nothing)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1].startswith("Z")
    except (FileNotFoundError, IndexError):
        return True


@pytest.fixture
def launcher(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(TOOLS),
        "LAKEDROP_STATE_DIR": str(tmp_path / "state"),
        "LAKEDROP_EMULATOR_PORT": str(_free_port()),
    }
    env.pop("MOTO_ACCOUNT_ID", None)

    def run(command: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "lakedrop_emulator", command], env=env, capture_output=True, text=True, timeout=90
        )

    run.state_file = tmp_path / "state" / "emulator.json"
    run.port = int(env["LAKEDROP_EMULATOR_PORT"])
    yield run
    if run.state_file.exists():  # a failed test must not leave a server behind
        run("stop")


def test_start_status_stop_lifecycle(launcher):
    assert launcher("status").returncode == 3  # not running yet
    # A state file left by a killed server (its pid is gone) does not count as running.
    launcher.state_file.parent.mkdir(parents=True)
    launcher.state_file.write_text(json.dumps({"pid": 999_999_999, "endpoint": "http://127.0.0.1:9", "accounts": {}}))
    assert launcher("status").returncode == 3

    started = launcher("start")
    assert started.returncode == 0, started.stderr
    state = json.loads(launcher.state_file.read_text())
    assert state["pid"] != 999_999_999
    assert state["endpoint"] == f"http://127.0.0.1:{launcher.port}"
    assert state["region"]
    assert set(state["accounts"]) == {"source", "target"}
    for account in state["accounts"].values():
        assert {"account_id", "access_key_id", "secret_access_key"} <= set(account)
        assert len(account["account_id"]) == 12 and account["access_key_id"].startswith("AKIA")
    assert state["accounts"]["source"]["account_id"] != state["accounts"]["target"]["account_id"]
    assert oct(launcher.state_file.stat().st_mode & 0o777) == "0o600"  # it holds keys
    pid = state["pid"]
    assert not _gone(pid)

    again = launcher("start")  # harmless: same server
    assert again.returncode == 0 and "already running" in again.stdout
    assert json.loads(launcher.state_file.read_text())["pid"] == pid

    status = launcher("status")
    assert status.returncode == 0
    assert json.loads(status.stdout)["pid"] == pid
    assert "accounts" not in json.loads(status.stdout)  # no keys on stdout

    stopped = launcher("stop")
    assert stopped.returncode == 0
    deadline = time.monotonic() + 10
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(pid)
    with pytest.raises(ConnectionRefusedError):  # nothing answers on its port any more
        socket.create_connection(("127.0.0.1", launcher.port), timeout=2).close()
    assert not launcher.state_file.exists()
    assert launcher("status").returncode == 3
    assert launcher("stop").returncode == 0  # stopping a stopped emulator is harmless
