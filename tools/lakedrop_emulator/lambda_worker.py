"""A warm Lambda "container": imports a function's handler once, then serves invocations.

Started by ext/lambda_runner.py with the function's environment (plus credentials of its execution
role and the emulator's endpoint). Protocol: one JSON line in ({"event", "timeout_ms", "request_id"}),
one JSON line out ({"ok", "result" | "error", "cpu", "logs"}) on the original stdout; whatever the
handler prints is captured as that invocation's log.
"""

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


def main() -> None:
    out = sys.stdout
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
