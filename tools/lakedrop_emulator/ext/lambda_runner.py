"""Run the real Lambda handler offline, as Lambda would, instead of Docker.

- Warm "containers": a worker process per concurrent execution of a function (lambda_worker.py), with
  the function's environment, its execution role's credentials (assumed through STS) and the
  emulator's endpoint. Code or configuration changes retire the old workers.
- S3 -> Lambda notifications are asynchronous invocations: queued, retried (MaximumRetryAttempts,
  default 2) and finally sent to the on-failure destination or dead-letter queue. S3 -> SQS and
  S3 -> Lambda deliver to the account in the destination ARN (stock moto looks in the bucket owner's).
- SQS event source mappings are polled: batch size, batching window, a 6 MB payload cap,
  ScalingConfig.MaximumConcurrency and ReportBatchItemFailures are honoured; failed messages come back
  after the visibility timeout, and the queue's redrive policy moves them to the dead-letter queue.
- S3 validates notification destinations when the configuration is written (the function's resource
  policy, the queue's policy), as AWS does.
"""

from __future__ import annotations

import contextlib
import hashlib
import heapq
import io
import itertools
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from .. import paths
from ..journal import JOURNAL
from ..server import control
from ..server import update_settings
from . import authz
from . import cloudwatch
from . import lambda_vpc
from . import on_behalf
from .authz import Decision

CONFIG: dict[str, Any] = {
    "async_retry_delays": [1.0, 2.0],  # AWS waits ~1 and ~2 minutes; the emulator keeps the shape
    "default_concurrency": 10,  # per function, when no reserved concurrency is set
    "poll_interval": 0.05,
    "payload_limit": 6 * 1024 * 1024,  # synchronous invocation payload cap (SQS batches stop there)
}
# crash_mid_batch: kill a worker after DataSync accepted a start; throttle: refuse the next n invocations
# with TooManyRequestsException (as reserved concurrency 0 refuses every one); mount_not_ready: the next n
# cold starts of functions with FileSystemConfigs fail with EFSMountFailureException, as right after the
# function or its mount targets were created (terraform-provider-aws#15053).
FAULTS: dict[str, int] = {"crash_mid_batch": 0, "throttle": 0, "mount_not_ready": 0}
INVOCATIONS: list[dict[str, Any]] = []
_LOCK = threading.RLock()
_POOLS: dict[str, Pool] = {}
_EXECUTOR = ThreadPoolExecutor(max_workers=48, thread_name_prefix="lambda")
_ESM_INFLIGHT: dict[str, int] = {}
_ESM_FIRST_SEEN: dict[str, float] = {}
_RETRIES: list[tuple[float, int, Any]] = []
_COUNTER = itertools.count()


# --- functions and their warm workers ---------------------------------------------------------------


def _function(arn: str):
    from moto.awslambda.models import lambda_backends

    account, region = arn.split(":")[4], arn.split(":")[3]
    return lambda_backends[account][region].get_function(arn)


def _credentials(snap: dict[str, Any]) -> dict[str, str]:
    """Keys of the execution role's session, assumed by Lambda for this function now: a role whose trust
    policy no longer lets Lambda in fails the invocation (as CreateFunction refuses such a role)."""
    from moto.awslambda.exceptions import InvalidParameterValueException

    session = on_behalf.function_session(snap["role"], snap["arn"])
    if isinstance(session, Decision):
        raise InvalidParameterValueException(on_behalf.ROLE_NOT_ASSUMABLE)
    lambda_vpc.remember_keys(session.keys["AWS_ACCESS_KEY_ID"], snap["arn"])
    return session.keys


def _snapshot(fn) -> dict[str, Any]:
    region = fn.function_arn.split(":")[3]
    code = fn.code_bytes or b""
    return {
        "arn": fn.function_arn.split(":$LATEST")[0],
        "name": fn.function_name,
        "region": region,
        "handler": fn.handler,
        "timeout": int(fn.timeout or 3),
        "memory": int(fn.memory_size or 128),
        "role": fn.role,
        "environment": dict(fn.environment_vars or {}),
        "code": code,
        "code_sha": hashlib.sha256(code).hexdigest(),
        # reserved concurrency 0 throttles every invocation (Lambda guide, "Configuring reserved concurrency")
        "concurrency": int(
            CONFIG["default_concurrency"] if fn.reserved_concurrency is None else fn.reserved_concurrency
        ),
        "vpc": lambda_vpc.vpc_config(fn),
        "fs_configs": list(getattr(fn, "lakedrop_fs_configs", None) or []),
        "ephemeral_mb": int(fn.ephemeral_storage or lambda_vpc.DEFAULT_TMP_MB),
    }


class Worker:
    def __init__(self, snap: dict[str, Any], credentials: dict[str, str], plan: dict[str, Any] | None = None) -> None:
        root = paths.state_dir() / "lambda" / snap["name"] / snap["code_sha"][:16]
        if not (root / ".extracted").exists():
            root.mkdir(parents=True, exist_ok=True)
            with zipfile.ZipFile(io.BytesIO(snap["code"])) as archive:
                archive.extractall(root)
            (root / ".extracted").touch()
        env = {
            "PATH": os.environ.get("PATH", ""),
            "LANG": "C.UTF-8",
            **snap["environment"],
            **credentials,
            "_HANDLER": snap["handler"],
            "LAMBDA_TASK_ROOT": str(root),
            "AWS_LAMBDA_FUNCTION_NAME": snap["name"],
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(snap["memory"]),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(snap["timeout"]),
            "AWS_REGION": snap["region"],
            "AWS_DEFAULT_REGION": snap["region"],
            "AWS_ENDPOINT_URL": os.environ.get("LAKEDROP_EMULATOR_ENDPOINT", f"http://127.0.0.1:{paths.port()}"),
            "LAKEDROP_FUNCTION_ARN": snap["arn"],
            **lambda_vpc.plan_environment(plan),
        }
        worker = Path(__file__).resolve().parents[1] / "lambda_worker.py"
        self.proc = subprocess.Popen(
            [sys.executable, "-u", str(worker)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
            start_new_session=True,
        )

    def call(self, event: Any, timeout: int, crash_mid_batch: bool = False) -> dict[str, Any]:
        request_id = str(uuid.uuid4())
        seq = JOURNAL.seq
        self.proc.stdin.write(
            json.dumps({"event": event, "timeout_ms": timeout * 1000, "request_id": request_id}) + "\n"
        )
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout + 1.0

        def started_a_task() -> bool:
            return any(e["operation"] == "StartTaskExecution" and e["status"] == 200 for e in JOURNAL.entries(seq))

        def died(error_type: str, message: str) -> dict[str, Any]:
            """Kill the worker and give Lambda's reply for a runtime that ended before answering."""
            self.kill()
            error = {"errorType": error_type, "errorMessage": message}
            return {"ok": False, "error": error, "logs": "", "cpu": 0.0, "request_id": request_id}

        while True:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.01 if crash_mid_batch else 0.5)
            # After select: a fast handler may already have replied, and the injected crash must still
            # land after DataSync accepted the start and before the reply counts.
            if crash_mid_batch and started_a_task():
                return died("Runtime.ExitError", "injected crash")
            if ready:
                line = self.proc.stdout.readline()
                if not line:
                    return died("Runtime.ExitError", "worker exited")
                reply = json.loads(line)
                reply["request_id"] = request_id
                return reply
            if time.monotonic() > deadline:
                return died("Sandbox.Timedout", f"Task timed out after {timeout}.00 seconds")

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.alive:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.wait()


class Pool:
    def __init__(self, snap: dict[str, Any]) -> None:
        self.snap = snap
        environment = json.dumps(snap["environment"], sort_keys=True)
        mounts = json.dumps([snap["vpc"], snap["fs_configs"], snap["ephemeral_mb"]], sort_keys=True)
        # Any configuration change ends the warm environments (the next invocation is a cold start).
        limits = (snap["memory"], snap["timeout"], snap["concurrency"])
        self.key = (snap["code_sha"], environment, snap["handler"], snap["role"], limits, mounts)
        self.slots = threading.BoundedSemaphore(snap["concurrency"])
        self.idle: list[Worker] = []
        self.lock = threading.Lock()

    def invoke(self, event: Any, source: str, records: int) -> dict[str, Any]:
        with _LOCK:
            throttled = self.snap["concurrency"] <= 0 or FAULTS["throttle"] > 0
            if throttled and self.snap["concurrency"] > 0:
                FAULTS["throttle"] -= 1
        if throttled:  # not an invocation: Throttles counts it (its caller retries or gives up)
            cloudwatch.lambda_throttle(self.snap["arn"])
            error = {"errorType": "TooManyRequestsException", "errorMessage": "Rate Exceeded."}
            return {"ok": False, "error": error, "logs": "", "throttled": True}
        # Decided at each invocation, so a role that stops trusting Lambda fails the next ones.
        credentials = _credentials(self.snap)
        with self.slots:
            with self.lock:
                worker = self.idle.pop() if self.idle else None
            if worker is None or not worker.alive:
                try:
                    worker = Worker(self.snap, credentials, self._mount_plan(credentials))
                except lambda_vpc.MountError as err:
                    error = {"errorType": err.error_type, "errorMessage": str(err)}
                    reply = {"ok": False, "error": error, "logs": "", "mount_failed": True}
                    _record(self.snap, source, records, reply, time.time())
                    return reply
            crash = False
            with _LOCK:
                if FAULTS["crash_mid_batch"] > 0:
                    FAULTS["crash_mid_batch"] -= 1
                    crash = True
            started = time.time()
            reply = worker.call(event, self.snap["timeout"], crash_mid_batch=crash)
            if worker.alive:
                with self.lock:
                    self.idle.append(worker)
        _record(self.snap, source, records, reply, started)
        return reply

    def _mount_plan(self, credentials: dict[str, str]) -> dict[str, Any] | None:
        """What a cold start mounts (ext/lambda_vpc.py), or MountError; the injected fault first."""
        if not self.snap["fs_configs"]:
            return None
        with _LOCK:
            not_ready = FAULTS["mount_not_ready"] > 0
            if not_ready:
                FAULTS["mount_not_ready"] -= 1
        if not_ready:
            arn = self.snap["fs_configs"][0]["Arn"]
            raise lambda_vpc.MountError(
                lambda_vpc.FAILURE, f"The function could not mount the file system with access point {arn}."
            )
        principal = authz.from_access_key(
            credentials["AWS_ACCESS_KEY_ID"], credentials["AWS_SESSION_TOKEN"], self.snap["region"]
        )
        return lambda_vpc.mount_plan(self.snap, principal)

    def close(self) -> None:
        with self.lock:
            for worker in self.idle:
                worker.kill()
            self.idle.clear()


def _pool(arn: str) -> Pool:
    snap = _snapshot(_function(arn))
    with _LOCK:
        pool = _POOLS.get(snap["arn"])
        candidate = Pool(snap)
        if pool is None or pool.key != candidate.key:
            if pool is not None:
                pool.close()
            _POOLS[snap["arn"]] = pool = candidate
        return pool


def _record(snap: dict[str, Any], source: str, records: int, reply: dict[str, Any], started: float) -> None:
    entry = {
        "time": started,
        "duration": time.time() - started,
        "function": snap["arn"],
        "source": source,
        "records": records,
        "ok": reply.get("ok", False),
        "error": reply.get("error"),
        "cpu": reply.get("cpu", 0.0),
        "request_id": reply.get("request_id"),
    }
    with _LOCK:
        INVOCATIONS.append(entry)
    cloudwatch.lambda_invocation(snap["arn"], entry["ok"], entry["duration"])
    _write_logs(snap, reply)


def _write_logs(snap: dict[str, Any], reply: dict[str, Any]) -> None:
    """The handler's output goes to /aws/lambda/<name>, as in AWS."""
    from moto.logs.models import logs_backends

    account, region = snap["arn"].split(":")[4], snap["region"]
    group = f"/aws/lambda/{snap['name']}"
    stream = time.strftime("%Y/%m/%d") + "/[$LATEST]lakedrop"
    logs = logs_backends[account][region]
    with contextlib.suppress(Exception):  # logging must never break an invocation
        logs.ensure_log_group(group)
        if stream not in logs.groups[group].streams:
            logs.create_log_stream(group, stream)
        now = int(time.time() * 1000)
        lines = [line for line in (reply.get("logs") or "").splitlines() if line] or ["(no output)"]
        logs.put_log_events(group, stream, [{"timestamp": now, "message": line} for line in lines])


# --- synchronous API invocations (Invoke) -------------------------------------------------------------


def _too_many_requests() -> Exception:
    """Lambda's throttling error: HTTP 429 TooManyRequestsException (botocore's Lambda model, Invoke)."""
    from moto.awslambda.exceptions import LambdaClientError

    error = LambdaClientError("TooManyRequestsException", "Rate Exceeded.")
    error.code = 429
    return error


def _mount_error(error: dict[str, str]) -> Exception:
    """EFSMountFailureException is HTTP 403, EFSMountConnectivity/TimeoutException 408 (botocore's Lambda model)."""
    from moto.awslambda.exceptions import LambdaClientError

    exception = LambdaClientError(error["errorType"], error["errorMessage"])
    exception.code = 403 if error["errorType"] == lambda_vpc.FAILURE else 408
    return exception


def _invoke_lambda(self, event: Any = None) -> tuple[str, bool, str]:
    """Replacement for moto's Docker-based LambdaFunction._invoke_lambda."""
    reply = _pool(self.function_arn).invoke(event if event is not None else {}, "invoke", 1)
    if reply.get("throttled"):  # Invoke answers 429 TooManyRequestsException (botocore's Lambda model)
        raise _too_many_requests()
    if reply.get("mount_failed"):  # Invoke answers the EFS error itself (botocore's Lambda model)
        raise _mount_error(reply["error"])
    body = reply.get("result") if reply.get("ok") else reply.get("error")
    return json.dumps(body), not reply.get("ok"), reply.get("logs", "")


# --- asynchronous invocations (S3 -> Lambda) ----------------------------------------------------------


def invoke_async(function_arn: str, event: Any, attempt: int = 0, source: str = "s3-async") -> None:
    """An asynchronous invocation (S3 notifications, EventBridge rules, SNS), retried as Lambda retries it."""
    _EXECUTOR.submit(_run_async, function_arn, event, attempt, source)


def _run_async(function_arn: str, event: Any, attempt: int, source: str = "s3-async") -> None:
    try:
        records = len(event.get("Records", [])) if isinstance(event, dict) else 1
        reply = _pool(function_arn).invoke(event, source, records)
    except Exception as err:  # noqa: BLE001 - e.g. the function was deleted meanwhile
        reply = {"ok": False, "error": {"errorType": type(err).__name__, "errorMessage": str(err)}}
    if reply.get("ok"):
        return
    retries = _async_config(function_arn).get("MaximumRetryAttempts", 2)
    if attempt < retries:
        delays = CONFIG["async_retry_delays"]
        due = time.time() + delays[min(attempt, len(delays) - 1)]
        with _LOCK:
            heapq.heappush(_RETRIES, (due, next(_COUNTER), (function_arn, event, attempt + 1, source)))
        return
    _send_to_failure_destination(function_arn, event, reply, attempt + 1)


def _async_config(function_arn: str) -> dict[str, Any]:
    try:
        fn = _function(function_arn)
    except Exception:  # noqa: BLE001
        return {}
    return fn.event_invoke_config[0].config if fn.event_invoke_config else {}


def _send_to_failure_destination(function_arn: str, event: Any, reply: dict[str, Any], attempts: int) -> None:
    config = _async_config(function_arn)
    destination = ((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
    if destination and ":sqs:" in destination:
        body = {
            "version": "1.0",
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()),
            "requestContext": {
                "requestId": reply.get("request_id"),
                "functionArn": function_arn,
                "condition": "RetriesExhausted",
                "approximateInvokeCount": attempts,
            },
            "requestPayload": event,
            "responseContext": {"statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled"},
            "responsePayload": reply.get("error"),
        }
        _sqs_send(destination, json.dumps(body))
        return
    try:
        dead_letter = (getattr(_function(function_arn), "dead_letter_config", None) or {}).get("TargetArn")
    except Exception:  # noqa: BLE001
        dead_letter = None
    if dead_letter and ":sqs:" in dead_letter:
        _sqs_send(dead_letter, json.dumps(event))


def _sqs_send(queue_arn: str, body: str) -> None:
    from moto.sqs.models import sqs_backends

    _, _, _, region, account, name = queue_arn.split(":")
    sqs_backends[account][region].send_message(queue_name=name, message_body=body)


def _retry_loop() -> None:
    while True:
        time.sleep(0.05)
        now = time.time()
        due = []
        with _LOCK:
            while _RETRIES and _RETRIES[0][0] <= now:
                due.append(heapq.heappop(_RETRIES)[2])
        for function_arn, event, attempt, source in due:
            invoke_async(function_arn, event, attempt, source)


# --- SQS event source mappings ---------------------------------------------------------------------


def _esm_loop() -> None:
    while True:
        time.sleep(CONFIG["poll_interval"])
        try:
            _poll_all()
        except Exception as err:  # noqa: BLE001 - keep polling; log for whoever reads emulator.log
            print(f"lambda_runner: poll error {err!r}", flush=True)


def _poll_all() -> None:
    from moto.awslambda.models import lambda_backends

    for _account, regions in list(lambda_backends.items()):
        for _region, backend in list(regions.items()):
            for esm in list(getattr(backend, "_event_source_mappings", {}).values()):
                if esm.enabled and ":sqs:" in (esm.event_source_arn or ""):
                    _poll(esm)


def _poll(esm) -> None:
    from moto.sqs.models import sqs_backends

    _, _, _, region, account, name = esm.event_source_arn.split(":")
    backend = sqs_backends[account][region]
    try:
        queue = backend.get_queue(name)
    except Exception:  # noqa: BLE001 - queue deleted
        return
    limit = int((esm.scaling_config or {}).get("MaximumConcurrency") or CONFIG["default_concurrency"])
    with _LOCK:
        if _ESM_INFLIGHT.get(esm.uuid, 0) >= limit:
            return
    # Counting visible messages scans the queue; while the window is open and even the total is below
    # the batch size there is nothing to decide, so skip the scan (it slowed 10,000-upload bursts).
    total = len(queue._messages)
    window = float(esm.max_batch_window or 0)
    first = _ESM_FIRST_SEEN.get(esm.uuid)
    if total and first is not None and total < esm.batch_size and time.time() - first < window:
        return
    visible = sum(1 for m in queue._messages if m.visible and not m.delayed) if total else 0
    if not visible:
        _ESM_FIRST_SEEN.pop(esm.uuid, None)
        return
    first = _ESM_FIRST_SEEN.setdefault(esm.uuid, time.time())
    if visible < esm.batch_size and time.time() - first < window:
        return
    _ESM_FIRST_SEEN.pop(esm.uuid, None)
    if not _polling_allowed(esm, "sqs:ReceiveMessage"):
        return  # Lambda polls as the execution role: without ReceiveMessage the messages stay queued
    visibility = int(queue.visibility_timeout or 30)
    messages = backend.receive_message(name, esm.batch_size, 0, visibility)
    # A synchronous invocation carries at most 6 MB: what does not fit goes back to the queue.
    batch, size = [], 0
    for message in messages:
        size += len(message.body) + 512
        if batch and size > CONFIG["payload_limit"]:
            backend.change_message_visibility(name, message.receipt_handle, visibility_timeout=0)
            continue
        batch.append(message)
    if not batch:
        return
    with _LOCK:
        _ESM_INFLIGHT[esm.uuid] = _ESM_INFLIGHT.get(esm.uuid, 0) + 1
    _EXECUTOR.submit(_process_batch, esm, batch, backend, name, region)


def _process_batch(esm, messages, backend, queue_name: str, region: str) -> None:
    try:
        event = {"Records": [_sqs_record(m, esm.event_source_arn, region) for m in messages]}
        try:
            reply = _pool(esm.function_arn).invoke(event, "sqs", len(messages))
        except Exception as err:  # noqa: BLE001
            reply = {"ok": False, "error": {"errorType": type(err).__name__, "errorMessage": str(err)}}
        if not reply.get("ok"):
            return  # the whole batch becomes visible again after the visibility timeout
        failed = _failed_ids(esm, reply.get("result"), messages)
        if _polling_allowed(esm, "sqs:DeleteMessage"):  # else the batch comes back after the visibility timeout
            _acknowledge(backend, queue_name, {m.receipt_handle for m in messages if m.id not in failed})
    finally:
        with _LOCK:
            _ESM_INFLIGHT[esm.uuid] -= 1


def _polling_allowed(esm, action: str) -> bool:
    try:
        fn = _function(esm.function_arn)
    except Exception:  # noqa: BLE001 - the function was deleted meanwhile
        return False
    return on_behalf.polling_allowed(fn.role, fn.function_arn, esm.event_source_arn, action)


def _acknowledge(backend, queue_name: str, handles: set[str]) -> None:
    """Delete a processed batch in one pass over the queue, as Lambda's DeleteMessageBatch does. moto's
    delete_message scans the whole queue once per message: a 10,000-message batch took minutes."""
    if not handles:
        return
    try:
        queue = backend.get_queue(queue_name)
    except Exception:  # noqa: BLE001 - queue deleted meanwhile
        return
    with queue._messages_lock:  # SendMessage appends under it: no notification may slip between
        keep = []
        for message in queue._messages:
            if handles.isdisjoint(message.all_receipt_handles):
                keep.append(message)
            else:  # what moto's delete_message does for one message
                queue.pending_messages.discard(message)
                queue.deleted_messages.update(message.all_receipt_handles)
        queue._messages = keep


def _failed_ids(esm, result: Any, messages) -> set[str]:
    if "ReportBatchItemFailures" not in (esm.function_response_types or []):
        return set()
    if not isinstance(result, dict) or "batchItemFailures" not in result:
        return set()
    ids = {m.id for m in messages}
    failed = set()
    for item in result.get("batchItemFailures") or []:
        identifier = (item or {}).get("itemIdentifier")
        if identifier not in ids:
            return ids  # an invalid response fails the whole batch, as Lambda does
        failed.add(identifier)
    return failed


def _sqs_record(message, queue_arn: str, region: str) -> dict[str, Any]:
    return {
        "messageId": message.id,
        "receiptHandle": message.receipt_handle,
        "body": message.body,
        "attributes": {
            "ApproximateReceiveCount": str(message.approximate_receive_count),
            "SentTimestamp": str(message.sent_timestamp),
            "ApproximateFirstReceiveTimestamp": str(getattr(message, "approximate_first_receive_timestamp", "")),
        },
        "messageAttributes": {},
        "md5OfBody": message.body_md5,
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }


# --- S3 notifications: cross-account routing and destination validation ----------------------------------


def _send_event(account_id: str, event_name: Any, bucket: Any, key: Any) -> None:
    from moto.s3 import notifications

    config = bucket.notification_configuration
    if config is None:
        return
    for notification, action in _destinations(config):
        if not notification.matches(event_name, key.name):
            continue
        # S3 is authorized at each delivery too: a policy removed after configuring loses the event.
        if not on_behalf.s3_delivery(bucket, action, notification.arn).allowed:
            continue
        event = notifications._get_s3_event(event_name, bucket, key, notification.id)
        if action == "lambda:InvokeFunction":
            invoke_async(notification.arn, event)
        elif action == "sqs:SendMessage":
            with contextlib.suppress(Exception):  # asynchronous in AWS: a missing queue loses the event
                _sqs_send(notification.arn, json.dumps(event))
        else:
            notifications._send_sns_message(account_id, event, notification.arn, notification.arn.split(":")[3])
    if config.event_bridge is not None:
        notifications._send_event_bridge_message(account_id, bucket, event_name, key)


def _send_test_event(account_id: str, bucket: Any) -> None:
    from moto.s3 import notifications

    for arn in {n.arn for n in bucket.notification_configuration.queue}:
        if not on_behalf.s3_delivery(bucket, "sqs:SendMessage", arn).allowed:
            continue
        with contextlib.suppress(Exception):
            _sqs_send(arn, json.dumps(notifications._get_test_event(bucket.name)))


def _destinations(config: Any) -> list[tuple[Any, str]]:
    """Each notification of a configuration with the action S3 performs to deliver it."""
    return [
        *((n, "lambda:InvokeFunction") for n in config.cloud_function),
        *((n, "sqs:SendMessage") for n in config.queue),
        *((n, "sns:Publish") for n in config.topic),
    ]


def _validate_destinations(bucket: Any) -> list[str]:
    """The destinations S3 may not deliver to (their resource policy does not allow it, or they are gone)."""
    config = bucket.notification_configuration
    if config is None:
        return []
    return [n.arn for n, action in _destinations(config) if not on_behalf.s3_delivery(bucket, action, n.arn).allowed]


EMPTY_VALUE = "__lakedrop_empty_filter_value__"


def _filter_rules(config: dict) -> list[dict]:
    rules = []
    for kind in ("QueueConfiguration", "CloudFunctionConfiguration", "TopicConfiguration"):
        entries = config.get(kind) or []
        for entry in entries if isinstance(entries, list) else [entries]:
            key = ((entry or {}).get("Filter") or {}).get("S3Key") or {}
            found = key.get("FilterRule") or []
            rules.extend(found if isinstance(found, list) else [found])
    return rules


def normalize_filter_rules(body: str) -> str:
    """S3 accepts filter rule names in any case and empty values (community.aws sends `Prefix` and an
    empty `Suffix`); moto asserts lower-case names with values. Let its parser through; the parsed
    rules are restored to S3's spelling afterwards (see _restore_filter_rules)."""
    import xmltodict

    try:
        document = xmltodict.parse(body)
    except Exception:  # noqa: BLE001 - not XML: let moto answer as it would
        return body
    for rule in _filter_rules(document.get("NotificationConfiguration") or {}):
        rule["Name"] = str(rule.get("Name", "")).lower()
        rule["Value"] = rule.get("Value") or EMPTY_VALUE
    return xmltodict.unparse(document)


def _restore_filter_rules(parsed: Any) -> Any:
    """Rules as S3 stores and returns them: `Prefix`/`Suffix`, empty values kept."""
    if isinstance(parsed, dict):
        for rule in _filter_rules(parsed):
            rule["Name"] = str(rule["Name"]).capitalize()
            if rule.get("Value") == EMPTY_VALUE:
                rule["Value"] = ""
    return parsed


def _key_matches(self, key_name: str) -> bool:
    """moto's matcher, with rule names compared case-insensitively (S3 does)."""
    if "S3Key" not in self.filters:
        return True
    rules = self.filters["S3Key"]["FilterRule"]
    rules = {str(r["Name"]).lower(): r.get("Value") or "" for r in (rules if isinstance(rules, list) else [rules])}
    return key_name.startswith(rules.get("prefix", "")) and key_name.endswith(rules.get("suffix", ""))


def _patch_notification_validation() -> None:
    from moto.s3.exceptions import InvalidArgumentError
    from moto.s3.models import S3Backend

    original = S3Backend.put_bucket_notification_configuration

    def put_bucket_notification_configuration(self, bucket_name, notification_config):
        bucket = self.get_bucket(bucket_name)
        previous = bucket.notification_configuration
        original(self, bucket_name, notification_config)
        problems = _validate_destinations(bucket)
        if problems:
            bucket.notification_configuration = previous
            raise InvalidArgumentError(
                "Unable to validate the following destination configurations", "Destination", ", ".join(problems)
            )

    S3Backend.put_bucket_notification_configuration = put_bucket_notification_configuration

    from moto.s3.responses import S3Response

    original_parse = S3Response._notification_config_from_body

    def _notification_config_from_body(self):
        if isinstance(self.body, (str, bytes)) and self.body:
            body = self.body.decode() if isinstance(self.body, bytes) else self.body
            self.body = normalize_filter_rules(body)
        return _restore_filter_rules(original_parse(self))

    S3Response._notification_config_from_body = _notification_config_from_body
    from moto.s3.models import Notification

    Notification._key_matches = _key_matches


# --- control API ------------------------------------------------------------------------------------


@control("GET", "/_lakedrop/lambda/invocations")
def _invocations(request) -> dict:
    since = float(request.args.get("since", 0))
    with _LOCK:
        return {"invocations": [i for i in INVOCATIONS if i["time"] >= since]}


@control("POST", "/_lakedrop/lambda/config")
def _set_config(request) -> dict:
    return update_settings(request, CONFIG, _LOCK, "lambda config keys")


@control("POST", "/_lakedrop/lambda/faults")
def _set_faults(request) -> dict:
    return update_settings(request, FAULTS, _LOCK, convert=int)


@control("GET", "/_lakedrop/lambda/idle")
def _idle(_request) -> dict:
    """Whether nothing is running, queued for retry, or waiting in a mapped queue (tests wait on it)."""
    from moto.awslambda.models import lambda_backends
    from moto.sqs.models import sqs_backends

    with _LOCK:
        busy = sum(_ESM_INFLIGHT.values()) + len(_RETRIES) + _EXECUTOR._work_queue.qsize()
    waiting = 0
    for _account, regions in list(lambda_backends.items()):
        for _region, backend in list(regions.items()):
            for esm in list(getattr(backend, "_event_source_mappings", {}).values()):
                if esm.enabled and ":sqs:" in (esm.event_source_arn or ""):
                    _, _, _, region, account, name = esm.event_source_arn.split(":")
                    with contextlib.suppress(Exception):
                        waiting += len(sqs_backends[account][region].get_queue(name)._messages)
    return {"idle": busy == 0 and waiting == 0, "busy": busy, "messages": waiting}


def _keep_dead_letter_config(LambdaFunction) -> None:
    """moto drops DeadLetterConfig; amazon.aws.lambda would then 'fix' it on every run."""
    original_init = LambdaFunction.__init__
    original_update = LambdaFunction.update_configuration
    original_get = LambdaFunction.get_configuration

    def __init__(self, account_id, spec, *args, **kwargs):
        original_init(self, account_id, spec, *args, **kwargs)
        self.dead_letter_config = spec.get("DeadLetterConfig") or None

    def update_configuration(self, config_updates):
        if "DeadLetterConfig" in config_updates:
            target = (config_updates["DeadLetterConfig"] or {}).get("TargetArn")
            self.dead_letter_config = {"TargetArn": target} if target else None
        return original_update(self, config_updates)

    def get_configuration(self, *args, **kwargs):
        config = original_get(self, *args, **kwargs)
        if getattr(self, "dead_letter_config", None):
            config["DeadLetterConfig"] = self.dead_letter_config
        return config

    LambdaFunction.__init__ = __init__
    LambdaFunction.update_configuration = update_configuration
    LambdaFunction.get_configuration = get_configuration


def _match_mappings_by_name_or_arn() -> None:
    """AWS filters ListEventSourceMappings by a function name, ARN or partial ARN; moto compares the
    string given at creation, so a mapping made with the ARN is not found by name."""
    from moto.awslambda.models import LambdaBackend

    def list_event_source_mappings(self, event_source_arn, function_name):
        esms = list(self._event_source_mappings.values())
        if event_source_arn:
            esms = [e for e in esms if e.event_source_arn == event_source_arn]
        if function_name:
            wanted = function_name.split(":function:")[-1].split(":")[0]
            esms = [e for e in esms if e.function_arn.split(":function:")[-1].split(":")[0] == wanted]
        return esms

    LambdaBackend.list_event_source_mappings = list_event_source_mappings


def _check_execution_roles() -> None:
    """Lambda refuses an execution role it cannot assume (CreateFunction, UpdateFunctionConfiguration) and
    an SQS event source the role may not poll (CreateEventSourceMapping), as InvalidParameterValue."""
    from moto.awslambda.exceptions import InvalidParameterValueException
    from moto.awslambda.models import LambdaBackend
    from moto.awslambda.models import LambdaFunction
    from moto.awslambda.models import LambdaStorage

    def refuse(problem: str | None) -> None:
        if problem:
            raise InvalidParameterValueException(problem)

    original_put = LambdaStorage.put_function
    original_update = LambdaFunction.update_configuration
    original_mapping = LambdaBackend.create_event_source_mapping

    def put_function(self, fn):
        if fn.role.split(":")[4:5] == [self.account_id]:  # moto answers other accounts' roles itself
            refuse(on_behalf.function_role_problem(fn.role, fn.function_arn))
        return original_put(self, fn)

    def update_configuration(self, config_updates):
        if config_updates.get("Role") and config_updates["Role"] != self.role:
            refuse(on_behalf.function_role_problem(config_updates["Role"], self.function_arn))
        return original_update(self, config_updates)

    def create_event_source_mapping(self, spec):
        if ":sqs:" in str(spec.get("EventSourceArn")):
            fn = self._lambdas.get_function_by_name_or_arn_with_qualifier(spec.get("FunctionName", ""))
            refuse(on_behalf.mapping_problem(fn.role, fn.function_arn, spec["EventSourceArn"]))
        return original_mapping(self, spec)

    LambdaStorage.put_function = put_function
    LambdaFunction.update_configuration = update_configuration
    LambdaBackend.create_event_source_mapping = create_event_source_mapping


class _NoMappings(dict):
    """A mapping registry that stays empty: moto's CreateEventSourceMapping writes to it, nothing reads."""

    def __setitem__(self, key, value) -> None:
        pass


_NO_INLINE_MAPPINGS = _NoMappings()


def _within_retention(self, queue_name: str, message) -> bool:
    """moto asks GetQueueAttributes (which counts every message) once per received message, which made
    a 10,000-message receive quadratic; the retention period alone is what it needs."""
    queue = self.get_queue(queue_name)
    return int(queue.message_retention_period) + message.sent_timestamp / 1000 > time.time()


def install() -> None:
    from moto.awslambda.models import LambdaFunction
    from moto.s3 import notifications
    from moto.sqs.models import Queue
    from moto.sqs.models import SQSBackend

    LambdaFunction._invoke_lambda = _invoke_lambda
    _keep_dead_letter_config(LambdaFunction)
    _match_mappings_by_name_or_arn()
    _check_execution_roles()
    lambda_vpc.install()
    notifications.send_event = _send_event
    notifications.send_test_event = _send_test_event
    _patch_notification_validation()

    # moto invokes mapped functions inline on every send (in the sender's request); Lambda polls, and
    # so does our poller. The queue's own mapping registry therefore always reads empty. (Swapping it
    # out around each send raced under parallel uploads and let moto's inline path run.)
    Queue.lambda_event_source_mappings = property(lambda _self: _NO_INLINE_MAPPINGS, lambda _self, _value: None)
    SQSBackend.is_message_valid_based_on_retention_period = _within_retention
    threading.Thread(target=_esm_loop, name="lambda-esm", daemon=True).start()
    threading.Thread(target=_retry_loop, name="lambda-retry", daemon=True).start()
