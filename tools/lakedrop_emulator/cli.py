"""`python -m lakedrop_emulator start|stop|status|serve` — the launcher behind `make emulator`."""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

from . import paths


def _alive(pid: int) -> bool:
    try:  # reap it first if it is our own child (a test that started it in-process)
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie runs nothing; waiting for a slow (or absent) reaper only delays `stop`
        return not open(f"/proc/{pid}/stat", encoding="ascii").read().rsplit(") ", 1)[1].startswith("Z")
    except (OSError, IndexError):
        return True


def _answers(endpoint: str, pid: int | None = None) -> bool:
    try:
        with urllib.request.urlopen(f"{endpoint}/_lakedrop/health", timeout=2) as response:
            body = json.load(response)
    except OSError:
        return False
    return pid is None or body.get("pid") == pid


def running_state() -> dict | None:
    """The recorded state if its process is alive and answering, else None."""
    try:
        state = paths.read_state()
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    if _alive(state.get("pid", -1)) and _answers(state["endpoint"], state["pid"]):
        return state
    return None


def start(timeout: float = 60.0) -> dict:
    state = running_state()
    if state:
        print(f"lakedrop emulator already running at {state['endpoint']} (pid {state['pid']})")
        return state
    paths.state_dir().mkdir(parents=True, exist_ok=True)
    try:
        paths.state_file().unlink()  # stale: its process is gone
    except FileNotFoundError:
        pass
    tools_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [tools_dir, os.environ.get("PYTHONPATH")])))
    env.pop("MOTO_ACCOUNT_ID", None)
    with open(paths.log_file(), "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "lakedrop_emulator", "serve"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # survives the make recipe's shell
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"lakedrop emulator exited with {proc.returncode}; see {paths.log_file()}")
        state = running_state()
        if state and state["pid"] == proc.pid:
            print(f"lakedrop emulator started at {state['endpoint']} (pid {proc.pid}); state in {paths.state_file()}")
            return state
        time.sleep(0.2)
    proc.terminate()
    sys.exit(f"lakedrop emulator did not answer within {timeout:.0f}s; see {paths.log_file()}")


def stop(timeout: float = 15.0) -> None:
    try:
        state = paths.read_state()
    except (FileNotFoundError, json.JSONDecodeError):
        print("lakedrop emulator is not running")
        return
    pid = state.get("pid")
    if pid and _alive(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
    try:
        paths.state_file().unlink()
    except FileNotFoundError:
        pass
    print(f"lakedrop emulator stopped (pid {pid})")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="lakedrop_emulator", description=__doc__)
    parser.add_argument("command", choices=["start", "stop", "status", "serve"])
    args = parser.parse_args(argv)
    if args.command == "start":
        start()
    elif args.command == "stop":
        stop()
    elif args.command == "status":
        state = running_state()
        print(json.dumps({k: v for k, v in (state or {}).items() if k != "accounts"}) if state else "not running")
        sys.exit(0 if state else 3)
    else:
        from .server import serve

        serve()
