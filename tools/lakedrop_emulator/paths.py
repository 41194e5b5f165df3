"""Where the emulator keeps its state: everything under the checkout's ignored `.lakedrop/`."""

from __future__ import annotations

import json
import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PORT = 4599
DEFAULT_REGION = "eu-west-1"


def state_dir() -> Path:
    return Path(os.environ.get("LAKEDROP_STATE_DIR", REPO_ROOT / ".lakedrop")).resolve()


def state_file() -> Path:
    return state_dir() / "emulator.json"


def log_file() -> Path:
    return state_dir() / "emulator.log"


def efs_root() -> Path:
    """The local directory tree that stands for EFS file systems (one sub-directory each)."""
    return state_dir() / "efs"


def port() -> int:
    return int(os.environ.get("LAKEDROP_EMULATOR_PORT", DEFAULT_PORT))


def region() -> str:
    return os.environ.get("LAKEDROP_EMULATOR_REGION", DEFAULT_REGION)


def read_state(path: Path | None = None) -> dict:
    with open(path or state_file(), encoding="utf-8") as handle:
        return json.load(handle)


def write_state(data: dict, path: Path | None = None) -> None:
    """Write atomically: readers never see a half-written file."""
    target = path or state_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.chmod(tmp, 0o600)  # holds (dummy) secret keys
    os.replace(tmp, target)
