# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runbooks' pure logic (playbooks/runbooks/*.yml, actions runbook and execution_progress).

Every runbook variable is checked here, before any AWS call, with messages naming the variable; object
keys and prefixes become include patterns by the upload trigger's rules (a key relative to the delivery's
prefix, `|` and `*` cut to a prefix wildcard) and then pass the modules' own filter rules (filters.py).
Also: the one line of progress per poll, the cancel hint on timeout, the keys of dead-letter messages
(S3 notifications or Lambda async failure records), and the executions cancel_stuck calls stuck.
"""

import datetime
import json
import time
from urllib.parse import unquote_plus

from . import filters

MAX_KEY_BYTES = 1024  # S3's limit for an object key
STUCK = ("QUEUED", "LAUNCHING", "PREPARING")
YES = ("yes", "true", "y", "1", "on")

# runbook -> {variable: (kind, default)}; kinds: keys (list of str, or comma-separated str), int, float, bool
COMMON = {"delivery": ("str", "")}
SPECS = {
    "sync_now": {
        "keys": ("keys", None),
        "prefixes": ("keys", None),
        "wait_timeout": ("int", 1800),
        "poll_interval": ("float", 10.0),
    },
    "status": {"executions": ("int", 5), "latency_minutes": ("int", 60)},
    "pause_trigger": {},
    "resume_trigger": {"wait_timeout": ("int", 1800), "poll_interval": ("float", 10.0)},
    "replay_failed": {"max_messages": ("int", 100), "wait_timeout": ("int", 1800), "poll_interval": ("float", 10.0)},
    "cancel_stuck": {
        "older_than": ("int", 1800),
        "confirm": ("bool", False),
        "wait_timeout": ("int", 1800),
        "poll_interval": ("float", 10.0),
    },
    "verify_delivery": {"keys": ("keys", None)},
}
LIMITS = {
    "wait_timeout": (1, 86400),
    "poll_interval": (0.1, 3600),
    "executions": (1, 100),
    "latency_minutes": (1, 1440),
    "max_messages": (1, 1000),
    "older_than": (0, 30 * 86400),
}


# --- pure: inputs ------------------------------------------------------------------------------------


def _as_list(value, name):
    """A list of strings from a list or a comma-separated string; (list, problem)."""
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None, f"{name} must be a list of strings or a comma-separated string, got {value!r}."
    return value, None


def _number(value, kind, name):
    caster = int if kind == "int" else float
    if isinstance(value, bool):
        return None, f"{name} must be a number, got {value!r}."
    try:
        number = caster(value)
    except (TypeError, ValueError):
        return None, f"{name} must be {'a whole number' if kind == 'int' else 'a number'}, got {value!r}."
    low, high = LIMITS[name]
    if not low <= number <= high:
        return None, f"{name} must be between {low} and {high}, got {value!r}."
    return number, None


def _bool(value, name):
    if isinstance(value, bool):
        return value, None
    if isinstance(value, str) and value.lower() in (*YES, "no", "false", "n", "0", "off"):
        return value.lower() in YES, None
    return None, f"{name} must be yes or no, got {value!r}."


def _settle(spec, values):
    settled, problems = {}, []
    for name, (kind, default) in spec.items():
        value = values.get(name)
        if value is None or value == "":
            settled[name] = default
            continue
        if kind == "keys":
            found, problem = _as_list(value, name)
        elif kind in ("int", "float"):
            found, problem = _number(value, kind, name)
        elif kind == "bool":
            found, problem = _bool(value, name)
        else:
            found, problem = (value, None) if isinstance(value, str) else (None, f"{name} must be a string.")
        settled[name] = found
        if problem:
            problems.append(problem)
    return settled, problems


def select_deliveries(deployment, wanted):
    """(deliveries, problem): the one named `wanted`, or all when it is empty."""
    deliveries = deployment["deliveries"]
    if not wanted:
        return deliveries, None
    chosen = [d for d in deliveries if d["name"] == wanted]
    if not chosen:
        known = ", ".join(d["name"] for d in deliveries)
        return [], f"delivery {wanted!r} is not a delivery of this inventory (its deliveries: {known})."
    return chosen, None


def pattern_for(key, prefix):
    """The include pattern naming `key` relative to the delivery's `prefix`, by the upload trigger's
    rule (roles/lambda_trigger/files/lakedrop_trigger.py; a unit test keeps the two in step): `|` and `*`
    cannot be written in a pattern, so the path up to the first of them, followed by `*`."""
    path = "/" + key[len(prefix) :]
    cuts = [i for i in (path.find("|"), path.find("*")) if i >= 0]
    return path[: min(cuts)] + "*" if cuts else path


def key_problems(keys, prefix, name):
    found = []
    for index, key in enumerate(keys):
        where = f"{name}[{index}] {key!r}"
        if not key:
            found.append(f"{name}[{index}] must be a non-empty object key.")
        elif key.endswith("/"):
            found.append(f"{where} ends with '/': that is a folder; give it in prefixes instead.")
        elif len(key.encode("utf-8")) > MAX_KEY_BYTES:
            found.append(f"{where} is longer than S3's {MAX_KEY_BYTES} bytes.")
        elif "\x00" in key:
            found.append(f"{where} contains a NUL character.")
        elif not key.startswith(prefix) or key == prefix:
            found.append(f"{where} is not under the delivery's prefix {prefix!r}.")
    return found


def prefix_problems(prefixes, prefix):
    found = []
    for index, given in enumerate(prefixes):
        where = f"prefixes[{index}] {given!r}"
        if not given:
            found.append(f"prefixes[{index}] must be a non-empty prefix.")
        elif any(c in given for c in "*|\x00"):
            found.append(f"{where} is a literal prefix: it may not contain '*', '|' or NUL.")
        elif not given.startswith(prefix):
            found.append(f"{where} is not under the delivery's prefix {prefix!r}.")
    return found


def prefix_pattern(given, prefix):
    """A folder prefix (ending in /) names the folder; any other prefix, what starts with it."""
    rel = given[len(prefix) :]
    if not rel:
        return "/*"
    return "/" + rel.rstrip("/") if rel.endswith("/") else "/" + rel + "*"


def includes_for(settled, delivery):
    """(includes or None for a full run, problems) for keys= or prefixes= of one delivery."""
    keys, prefixes = settled.get("keys"), settled.get("prefixes")
    if keys is None and prefixes is None:
        return None, []
    problems = key_problems(keys or [], delivery["prefix"], "keys") + prefix_problems(
        prefixes or [], delivery["prefix"]
    )
    if problems:
        return None, problems
    patterns = [pattern_for(k, delivery["prefix"]) for k in keys or []]
    patterns += [prefix_pattern(p, delivery["prefix"]) for p in prefixes or []]
    patterns = list(dict.fromkeys(patterns))
    return patterns, filters.problems(patterns, "keys/prefixes (as include patterns)", include=True)


def check(runbook, values, deployment):
    """(problems, settled): every problem with the runbook's variables; `settled` has the typed values,
    the chosen `deliveries` and, for keys/prefixes, `includes`."""
    if runbook not in SPECS:
        return [f"runbook must be one of {', '.join(sorted(SPECS))}, got {runbook!r}."], {}
    settled, problems = _settle(dict(COMMON, **SPECS[runbook]), values)
    deliveries, problem = select_deliveries(deployment, settled["delivery"])
    problems += [problem] if problem else []
    settled["deliveries"] = deliveries
    if runbook in ("sync_now", "verify_delivery") and not problems:
        if settled.get("keys") is not None and settled.get("prefixes") is not None:
            problems.append("keys and prefixes: give one or the other, not both.")
        if runbook == "verify_delivery" and not settled.get("keys"):
            problems.append("keys is required: the object keys to verify (keys=a/b.csv,a/c.csv).")
        wants_filter = settled.get("keys") is not None or settled.get("prefixes") is not None
        if wants_filter and len(deliveries) != 1:
            names = ", ".join(d["name"] for d in deliveries)
            problems.append(f"delivery is required with keys or prefixes (this inventory has several: {names}).")
        if not problems and wants_filter:
            settled["includes"], found = includes_for(settled, deliveries[0])
            problems += found
    return problems, settled


# --- pure: progress, results and hints ---------------------------------------------------------------


def _size(number):
    number = float(number or 0)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if number < 1000 or unit == "TB":
            return f"{number:.0f} {unit}" if unit == "B" else f"{number:.1f} {unit}"
        number /= 1000
    return None


def progress_line(label, elapsed, execution):
    """One line per poll: status, files and bytes so far of the estimate."""
    counters = execution.get("counters") or {}
    return (
        f"[{label}] {elapsed:5.0f}s {execution.get('status')}: files "
        f"{counters.get('files_transferred', 0)}/{counters.get('estimated_files_to_transfer', 0)}, bytes "
        f"{_size(counters.get('bytes_transferred'))}/{_size(counters.get('estimated_bytes_to_transfer'))}"
        f" ({execution.get('task_execution_arn')})"
    )


def summary(execution):
    """The result counters of a finished execution, for the playbook's last line."""
    counters = execution.get("counters") or {}
    result = execution.get("result") or {}
    fields = {
        "status": execution.get("status"),
        "files_transferred": counters.get("files_transferred", 0),
        "files_skipped": counters.get("files_skipped", 0),
        "files_verified": counters.get("files_verified", 0),
        "bytes_transferred": counters.get("bytes_transferred", 0),
        "duration_ms": result.get("total_duration"),
    }
    if execution.get("status") == "ERROR":
        fields["error"] = f"{result.get('error_code')}: {result.get('error_detail')}"
    return fields


def cancel_hint(arns, region):
    """The exact commands that cancel `arns` (what sync_now prints when it stops waiting)."""
    lines = [f"aws datasync cancel-task-execution --region {region} --task-execution-arn {arn}" for arn in arns]
    return "\n".join(lines)


def _epoch(text):
    """Epoch seconds of a start_time as the execution modules return it (str of a datetime), or None."""
    try:
        return datetime.datetime.fromisoformat(str(text)).timestamp()
    except ValueError:
        return None


def stuck(executions, older_than, now=None):
    """The executions (as datasync_task_execution_info returns them) still QUEUED, LAUNCHING or PREPARING
    that started at least `older_than` seconds before `now` (epoch seconds; default: now)."""
    now = time.time() if now is None else now
    found = []
    for execution in executions or []:
        started = _epoch(execution.get("start_time"))
        if execution.get("status") in STUCK and started is not None and now - started >= int(older_than):
            found.append(dict(execution, age_seconds=int(now - started)))
    return found


def covering_includes(executions):
    """One include list covering every execution's includes; None when one of them had none (a full run)."""
    patterns = []
    for execution in executions:
        if not execution.get("includes"):
            return None
        patterns += execution["includes"]
    return list(dict.fromkeys(patterns))


def covers(pattern, path):
    """Whether one include pattern selects `path` (a path relative to the location, starting with /): the
    path itself, a folder above it, or, with a trailing `*`, anything starting with what precedes it."""
    if pattern.endswith("*"):
        return path.startswith(pattern[:-1])
    return path == pattern or path.startswith(pattern.rstrip("/") + "/")


def _manifest_source(execution):
    return ((execution.get("manifest_config") or {}).get("source") or {}).get("s3") or {}


def may_cover(execution, path):
    """Whether an execution is known to cover `path`: a full run does, a filtered one when a pattern selects it.
    A manifest execution is not counted: its manifest is readable by DataSync's role only, so which keys it
    named is unknown here (the trigger's log names them; the reconcile task's scans cover every key)."""
    if _manifest_source(execution):
        return False
    return not execution.get("includes") or any(covers(p, path) for p in execution["includes"])


def filter_text(execution):
    """How an execution chose its objects: its include patterns, its manifest, or a full run."""
    manifest = _manifest_source(execution)
    if manifest:
        return f"manifest s3://{manifest.get('s3_bucket_arn', '').rsplit(':', 1)[-1]}/{manifest.get('manifest_object_path', '')}"
    return "full" if not execution.get("includes") else "|".join(execution["includes"])


def verification(keys, prefix, executions, present):
    """What verify_delivery says of each key: whether it is in the source bucket (`present`: the keys found
    there), the executions (newest first, as datasync_task_execution_info lists them) whose include filter
    covers it, and whether the newest of those that finished succeeded."""
    found = []
    for key in keys:
        path = "/" + key[len(prefix) :]
        mine = [e for e in executions if may_cover(e, path)]
        finished = [e for e in mine if e.get("status") in ("SUCCESS", "ERROR")]
        found.append(
            {
                "key": key,
                "path": path,
                "in_source": key in present,
                "executions": [
                    {
                        "task_execution_arn": e.get("task_execution_arn"),
                        "status": e.get("status"),
                        "start_time": e.get("start_time"),
                        "files_transferred": (e.get("counters") or {}).get("files_transferred", 0),
                        "filter": filter_text(e),
                    }
                    for e in mine
                ],
                "delivered": bool(finished) and finished[0].get("status") == "SUCCESS",
            }
        )
    return found


# --- pure: dead-letter messages ----------------------------------------------------------------------


def _s3_keys(notification):
    keys = []
    for record in (notification or {}).get("Records") or []:
        if not str(record.get("eventName", "ObjectCreated")).startswith("ObjectCreated"):
            continue
        raw = ((record.get("s3") or {}).get("object") or {}).get("key")
        if raw is not None and not unquote_plus(raw).endswith("/"):
            keys.append(unquote_plus(raw))
    return keys


def dead_letter_keys(body):
    """(keys, shape) of one dead-letter message body: an S3 notification (queued mode, redriven from the
    queue; also one wrapped by SNS), a Lambda async failure record whose requestPayload is the S3 event
    (on-failure destination), or the bare S3 event (a function's DeadLetterConfig). (None, reason) when
    no key can be read from it."""
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        return None, "not JSON"
    if not isinstance(data, dict):
        return None, "not a JSON object"
    if data.get("Type") == "Notification" and "Message" in data:
        return dead_letter_keys(data["Message"])
    if "requestPayload" in data:
        keys, _shape = dead_letter_keys(json.dumps(data["requestPayload"]))
        return keys, "lambda-failure-record"
    if data.get("Event") == "s3:TestEvent":
        return [], "s3-test-event"
    if "Records" in data:
        return _s3_keys(data), "s3-event"
    return None, "neither an S3 event nor a Lambda failure record"
