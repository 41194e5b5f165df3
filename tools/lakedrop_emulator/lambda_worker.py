"""A warm Lambda "container": imports a function's handler once, then serves invocations.

Started by ext/lambda_runner.py with the function's environment (plus credentials of its execution
role and the emulator's endpoint). Protocol: one JSON line in ({"event", "timeout_ms", "request_id"}),
one JSON line out ({"ok", "result" | "error", "cpu", "logs"}) on the original stdout; whatever the
handler prints is captured as that invocation's log.

A function with FileSystemConfigs gets a mount plan (ext/lambda_vpc.py) in _LAKEDROP_MOUNT_PLAN, removed
from the environment before the handler is imported: in a mount namespace of its own, a private tmpfs over
/mnt, the access point's root directory bound at LocalMountPath (read-only without ClientWrite), a tmpfs
/tmp of EphemeralStorage's size, then the access point's POSIX user (EFS imposes it on every NFS
operation). Without the privilege to do so (CAP_SYS_ADMIN) every invocation fails saying so.
"""

import ctypes
import ctypes.util
import importlib
import io
import json
import os
import resource
import sys
import time
import traceback


class Context:
    def __init__(self, request_id: str, timeout_ms: int) -> None:
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = "$LATEST"
        self.invoked_function_arn = os.environ.get("LAKEDROP_FUNCTION_ARN", "")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self._deadline = time.monotonic() + timeout_ms / 1000.0

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


PLAN_VARIABLE = "_LAKEDROP_MOUNT_PLAN"
MS_RDONLY, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 32, 4096, 16384, 1 << 18
MS_NOSUID, MS_NODEV, MS_MOVE = 2, 4, 8192


def _mount(libc, source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    result = libc.mount(
        source.encode(), target.encode(), fstype.encode() if fstype else None, flags, data.encode() if data else None
    )
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"mount {source} on {target}: {os.strerror(errno)}")


def _closed_ancestor(path: str) -> str | None:
    """The outermost directory above `path` that others may not traverse (e.g. /root, mode 0700)."""
    current = "/"
    for part in os.path.realpath(path).strip("/").split("/")[:-1]:
        current = os.path.join(current, part)
        if not os.stat(current).st_mode & 0o001:
            return current
    return None


def _expose(libc, path: str) -> None:
    """Keep `path` (the interpreter, the code) reachable for the function's user when it lies under a
    directory closed to others: that directory becomes an empty tmpfs holding only `path`."""
    path = os.path.realpath(path)
    closed = _closed_ancestor(path)
    if closed is None:
        return
    stage = "/mnt/.lakedrop-stage"
    os.makedirs(stage)
    _mount(libc, path, stage, None, MS_BIND | MS_REC)
    _mount(libc, "tmpfs", closed, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m")
    os.makedirs(path, exist_ok=True)
    _mount(libc, stage, path, None, MS_MOVE)
    os.rmdir(stage)


def apply_mount_plan(plan: dict) -> None:
    """The function's file system as Lambda gives it (see the module docstring)."""
    if not hasattr(os, "unshare"):
        raise OSError("os.unshare needs Python 3.12")
    os.unshare(os.CLONE_NEWNS)
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    _mount(libc, "none", "/", None, MS_REC | MS_PRIVATE)  # nothing leaks back to the host
    _mount(libc, "tmpfs", "/mnt", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=1m")
    for path in sorted({sys.base_prefix, sys.prefix, os.environ["LAMBDA_TASK_ROOT"]}):
        _expose(libc, path)
    for mount in plan["mounts"]:
        os.makedirs(mount["target"], exist_ok=True)
        _mount(libc, mount["source"], mount["target"], None, MS_BIND)
        if mount["read_only"]:
            _mount(libc, "none", mount["target"], None, MS_BIND | MS_REMOUNT | MS_RDONLY)
    size = f"mode=1777,size={int(plan['tmp_mb'])}m"
    _mount(libc, "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, size)  # noqa: S108 - the function's own /tmp
    os.setgroups([])
    os.setgid(int(plan["gid"]))
    os.setuid(int(plan["uid"]))
    os.chdir("/")


def _fail_every_invocation(out, message: str) -> None:
    """No handler runs: each invocation answers the setup failure (the runner retires this worker)."""
    error = {"errorType": "EFSMountFailureException", "errorMessage": message}
    for _line in sys.stdin:
        out.write(json.dumps({"ok": False, "error": error, "cpu": 0.0, "logs": message + "\n"}) + "\n")
        out.flush()


def main() -> None:
    out = sys.stdout
    plan = os.environ.pop(PLAN_VARIABLE, None)  # the handler must see no emulator variable
    if plan:
        try:
            apply_mount_plan(json.loads(plan))
        except OSError as err:
            _fail_every_invocation(
                out,
                "emulator: cannot mount the function's file system: a mount namespace needs CAP_SYS_ADMIN "
                f"(run the emulator as root, or in a container with that capability): {err}",
            )
            return
    module_name, _, function_name = os.environ["_HANDLER"].rpartition(".")
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    handler = getattr(importlib.import_module(module_name), function_name)
    for line in sys.stdin:
        request = json.loads(line)
        captured = io.StringIO()
        sys.stdout = captured
        started = _cpu()
        try:
            result = handler(request["event"], Context(request["request_id"], request["timeout_ms"]))
            reply = {"ok": True, "result": result}
        except Exception as err:  # noqa: BLE001 - a function error is reported, as Lambda does
            traceback.print_exc(file=captured)
            reply = {"ok": False, "error": {"errorType": type(err).__name__, "errorMessage": str(err)}}
        finally:
            sys.stdout = out
        reply["cpu"] = _cpu() - started
        reply["logs"] = captured.getvalue()
        out.write(json.dumps(reply, default=str) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
