"""Faults the upload trigger must survive, on the emulator running the real handler: task busy, DataSync
throttling, a crash mid-batch, duplicate deliveries, an SQS redelivery after the visibility timeout.
Each ends with every uploaded object in the EFS directory and the dead-letter queue empty, except for a
permanent fault, whose message is then in the dead-letter queue with its key (queued and direct modes), and
a burst beyond DataSync's queue quota, whose refused events are in the dead-letter queue with their keys.

Sizes and timeouts are small so the whole module runs in well under a minute."""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import unquote_plus

import pytest
from test_lambda_runner import FAST
from test_lambda_runner import wait_until

from lakedrop_emulator.ext.datasync_rules import MAX_QUEUED_EXECUTIONS
from lakedrop_emulator.stack import queue
from lakedrop_emulator.stack import s3_may_send
from lakedrop_emulator.stack import transfer_stack
from lakedrop_emulator.stack import trigger_function

TIMEOUT = 3  # the function's timeout (s); the handler keeps a fifth of it back
VISIBILITY = 4  # the queue's visibility timeout (s); Lambda wants it at least the function's timeout
MAX_RECEIVES = 3  # redrive to the dead-letter queue after this many receives


def trigger_stack(emulator):
    """Source bucket (account A) notifying an SQS queue (account B) with a DLQ, mapped to the real handler,
    which starts a DataSync task into an access point; plus a direct-mode function with its own DLQ."""
    # Faults are emulator-wide: wait until no other test's trigger is still working.
    assert wait_until(lambda: emulator.control("GET", "lambda/idle")["idle"], timeout=60), "emulator never idle"
    previous = emulator.control("POST", "datasync/timing", {})
    emulator.control("POST", "datasync/timing", FAST)
    suffix = uuid.uuid4().hex[:8]
    source = emulator.account_id("source")
    sqs, lam, s3 = emulator.client("sqs"), emulator.client("lambda"), emulator.client("s3", "source")
    transfer = transfer_stack(emulator, f"faults-{suffix}", "incoming/")
    bucket, task = transfer.bucket, transfer.task

    dlq_url, dlq_arn = queue(emulator, f"faults-{suffix}-dlq")
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVES})
    queue_url, queue_arn = queue(
        emulator, f"faults-{suffix}-events", VisibilityTimeout=VISIBILITY, RedrivePolicy=redrive
    )
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": s3_may_send(queue_arn, bucket)})
    direct_dlq_url, direct_dlq_arn = queue(emulator, f"faults-{suffix}-direct-dlq")

    queued_fn = trigger_function(emulator, f"faults-{suffix}-queued", transfer, TIMEOUT)
    direct_fn = trigger_function(
        emulator, f"faults-{suffix}-direct", transfer, TIMEOUT, DeadLetterConfig={"TargetArn": direct_dlq_arn}
    )
    lam.create_event_source_mapping(
        EventSourceArn=queue_arn,
        FunctionName=queued_fn,
        BatchSize=50,
        MaximumBatchingWindowInSeconds=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        ScalingConfig={"MaximumConcurrency": 2},
    )
    lam.add_permission(
        FunctionName=direct_fn,
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn=f"arn:aws:s3:::{bucket}",
        SourceAccount=source,
    )

    def rule(prefix):
        return {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}}

    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={
            "QueueConfigurations": [
                {"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"], "Filter": rule("incoming/queued/")}
            ],
            "LambdaFunctionConfigurations": [
                {"LambdaFunctionArn": direct_fn, "Events": ["s3:ObjectCreated:*"], "Filter": rule("incoming/direct/")}
            ],
        },
    )
    yield {
        "bucket": bucket,
        "task": task,
        "queue_url": queue_url,
        "queue_arn": queue_arn,
        "dlq_url": dlq_url,
        "direct_dlq_url": direct_dlq_url,
        "queued_fn": queued_fn,
        "direct_fn": direct_fn,
        "mount": transfer.mount,
        "group": f"/aws/lambda/faults-{suffix}-queued",
        "transfer": transfer,
    }
    emulator.control("POST", "datasync/timing", {k: previous[k] for k in FAST})
    # Leave nothing that could keep invoking (and consuming injected faults) in later tests.
    s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration={})
    for mapping in lam.list_event_source_mappings(FunctionName=queued_fn)["EventSourceMappings"]:
        lam.delete_event_source_mapping(UUID=mapping["UUID"])
    for fn in (queued_fn, direct_fn):
        lam.delete_function(FunctionName=fn)


stack = pytest.fixture(scope="module", name="stack")(trigger_stack)


@pytest.fixture(autouse=True)
def no_faults_left(emulator):
    """A failed test must not leave a fault armed for the next one."""
    yield
    emulator.control("POST", "datasync/faults", {"throttle_starts": 0})
    emulator.control("POST", "lambda/faults", {"crash_mid_batch": 0})


def upload(emulator, stack, keys, body=b"x"):
    s3 = emulator.client("s3", "source")
    for key in keys:
        s3.put_object(Bucket=stack["bucket"], Key=key, Body=body)


def undelivered(stack, keys):
    """Keys (under incoming/) not in the EFS directory yet; empty when all arrived."""
    return [k for k in keys if not (stack["mount"] / k.removeprefix("incoming/")).exists()]


def settle(emulator, stack, keys, timeout=45):
    """Wait until every key arrived and the trigger is idle (nothing running, queued or retried)."""
    assert wait_until(lambda: not undelivered(stack, keys), timeout=timeout), (
        f"never arrived: {undelivered(stack, keys)}"
    )
    assert wait_until(lambda: emulator.control("GET", "lambda/idle")["idle"], timeout=timeout)


def dead_letters(emulator, url) -> list[str]:
    """Bodies in a dead-letter queue (received and then deleted, so each test starts clean)."""
    sqs, bodies = emulator.client("sqs"), []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        if not got:
            return bodies
        for message in got:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


def parked_keys(bodies: list[str]) -> list[str]:
    """The object keys in dead-lettered S3 notifications (URL-encoded there, as S3 sends them)."""
    return [unquote_plus(r["s3"]["object"]["key"]) for body in bodies for r in json.loads(body)["Records"]]


def logged(emulator, stack, outcome: str | None, since_ms: int) -> list[dict]:
    events = emulator.client("logs").filter_log_events(logGroupName=stack["group"], startTime=since_ms)["events"]
    lines = [json.loads(e["message"]) for e in events if e["message"].startswith("{")]
    return [line for line in lines if outcome is None or line.get("outcome") == outcome]


def starts(emulator, mark, status=None) -> list[dict]:
    calls = [e for e in emulator.calls(mark) if e["operation"] == "StartTaskExecution"]
    return [e for e in calls if status is None or e["status"] == status]


def test_baseline_burst_arrives_with_few_starts(emulator, stack):
    mark, keys = emulator.mark(), [f"incoming/queued/base/{i:02d} file.csv" for i in range(20)]
    upload(emulator, stack, keys)
    settle(emulator, stack, keys)
    assert len(starts(emulator, mark, 200)) <= 3
    assert dead_letters(emulator, stack["dlq_url"]) == []


def test_task_busy_is_waited_out(emulator, stack):
    """TaskQueueing DISABLED and an execution running: DataSync refuses, the handler backs off and
    starts once the task is free."""
    ds = emulator.client("datasync")
    ds.update_task(TaskArn=stack["task"], Options={"TaskQueueing": "DISABLED"})
    emulator.control(
        "POST", "datasync/timing", {"transferring": 1.8}
    )  # read as executions advance; ends within the 2 s budget
    try:
        since_ms, mark = int(time.time() * 1000), emulator.mark()
        ds.start_task_execution(
            TaskArn=stack["task"], Includes=[{"FilterType": "SIMPLE_PATTERN", "Value": "/nothing-here"}]
        )
        keys = ["incoming/queued/busy/a.csv"]
        upload(emulator, stack, keys)
        settle(emulator, stack, keys)
    finally:
        emulator.control("POST", "datasync/timing", {"transferring": FAST["transferring"]})
        ds.update_task(TaskArn=stack["task"], Options={"TaskQueueing": "ENABLED"})
    assert starts(emulator, mark, 400), "the task was never busy: the test did not exercise the fault"
    assert any(line["code"] == "InvalidRequestException" for line in logged(emulator, stack, "retrying", since_ms))
    assert dead_letters(emulator, stack["dlq_url"]) == []


def test_throttling_is_retried(emulator, stack):
    since_ms, mark = int(time.time() * 1000), emulator.mark()
    emulator.control("POST", "datasync/faults", {"throttle_starts": 3})
    keys = [f"incoming/queued/throttled/{i}.csv" for i in range(5)]
    upload(emulator, stack, keys)
    settle(emulator, stack, keys)
    assert len(starts(emulator, mark)) - len(starts(emulator, mark, 200)) == 3  # the three refusals
    retried = logged(emulator, stack, "retrying", since_ms)
    assert {line["code"] for line in retried} == {"ThrottlingException"}, logged(emulator, stack, None, since_ms)
    assert dead_letters(emulator, stack["dlq_url"]) == []


def test_crash_mid_batch_is_redelivered(emulator, stack):
    """The handler dies after DataSync accepted the start and before the batch was acknowledged: the
    whole batch comes back after the visibility timeout and is started again, harmlessly."""
    since = time.time()
    emulator.control("POST", "lambda/faults", {"crash_mid_batch": 1})
    keys = [f"incoming/queued/crash/{i}.csv" for i in range(10)]
    upload(emulator, stack, keys)
    settle(emulator, stack, keys)
    runs = [
        i
        for i in emulator.control("GET", f"lambda/invocations?since={since}")["invocations"]
        if i["function"] == stack["queued_fn"]
    ]
    assert [r["ok"] for r in runs][:1] == [False], "the crash was not injected"
    assert any(r["ok"] for r in runs[1:]), "the batch was never processed again"
    assert dead_letters(emulator, stack["dlq_url"]) == []
    assert wait_until(lambda: emulator.control("GET", "lambda/idle")["messages"] == 0)


def test_duplicate_deliveries_are_harmless(emulator, stack):
    """S3 may deliver a notification more than once: the same message body arrives three times."""
    keys = ["incoming/queued/dup/report (final).csv"]
    mark = emulator.mark()
    upload(emulator, stack, keys, body=b"first")
    settle(emulator, stack, keys)
    sqs = emulator.client("sqs")
    body = {
        "Records": [
            {
                "eventVersion": "2.1",
                "eventSource": "aws:s3",
                "eventName": "ObjectCreated:Put",
                "s3": {
                    "bucket": {"name": stack["bucket"]},
                    "object": {"key": "incoming/queued/dup/report+%28final%29.csv"},
                },
            }
        ]
    }
    for _ in range(3):
        sqs.send_message(QueueUrl=stack["queue_url"], MessageBody=json.dumps(body))
    assert wait_until(lambda: emulator.control("GET", "lambda/idle")["idle"], timeout=30)
    assert (stack["mount"] / "queued/dup/report (final).csv").read_bytes() == b"first"
    assert len(starts(emulator, mark, 200)) >= 2  # the duplicates were processed, not dropped
    assert dead_letters(emulator, stack["dlq_url"]) == []


def test_redelivery_after_visibility_timeout(emulator, stack):
    """DataSync throttles for longer than one invocation's budget: the handler reports the message as
    failed, SQS hides it for the visibility timeout, the next receive starts the task."""
    since_ms, since = int(time.time() * 1000), time.time()
    emulator.control("POST", "datasync/faults", {"throttle_starts": 1000})
    keys = ["incoming/queued/later/late.csv"]
    upload(emulator, stack, keys)
    assert wait_until(lambda: logged(emulator, stack, "failed", since_ms), timeout=20), "no invocation gave up"
    emulator.control("POST", "datasync/faults", {"throttle_starts": 0})
    settle(emulator, stack, keys)
    mine = [
        i
        for i in emulator.control("GET", f"lambda/invocations?since={since}")["invocations"]
        if i["function"] == stack["queued_fn"]
    ]
    assert len(mine) >= 2
    assert mine[-1]["time"] - mine[0]["time"] >= VISIBILITY - 0.5  # it came back after the timeout, not before
    assert dead_letters(emulator, stack["dlq_url"]) == []


def park_under_permanent_throttling(emulator, stack, key: str, dlq_url: str, timeout: float) -> list[str]:
    """Upload `key` while DataSync refuses every start; the keys that reach `dlq_url` within `timeout`."""
    emulator.control("POST", "datasync/faults", {"throttle_starts": 100000})
    upload(emulator, stack, [key])
    bodies: list[str] = []

    def parked():
        bodies.extend(dead_letters(emulator, dlq_url))
        return bodies

    try:
        assert wait_until(parked, timeout=timeout), f"nothing reached {dlq_url}"
    finally:
        emulator.control("POST", "datasync/faults", {"throttle_starts": 0})
    return parked_keys(bodies)


def test_permanent_fault_parks_the_message_with_its_key(emulator, stack):
    """DataSync never accepts: after maxReceiveCount receives the message is in the DLQ, key and all."""
    key = "incoming/queued/never/lost file.csv"
    timeout = MAX_RECEIVES * (TIMEOUT + VISIBILITY) + 20
    assert park_under_permanent_throttling(emulator, stack, key, stack["dlq_url"], timeout) == [key]
    assert undelivered(stack, [key]) == [key]


def test_direct_mode_permanent_fault_reaches_its_dead_letter_queue(emulator, stack):
    """Direct (async) invocations: Lambda retries twice, then the event goes to the DLQ with its key."""
    key = "incoming/direct/never/also lost.csv"
    assert park_under_permanent_throttling(emulator, stack, key, stack["direct_dlq_url"], 3 * TIMEOUT + 20) == [key]


def test_direct_mode_throttling_is_retried(emulator, stack):
    emulator.control("POST", "datasync/faults", {"throttle_starts": 2})
    keys = ["incoming/direct/throttled/x.csv"]
    upload(emulator, stack, keys)
    settle(emulator, stack, keys)
    assert dead_letters(emulator, stack["direct_dlq_url"]) == []


def test_direct_mode_burst_beyond_the_queue_quota_loses_nothing(emulator, stack):
    """More distinct uploads than DataSync queues for one task (50) while the task is busy: every start
    beyond the quota is refused, the handler retries within its budget and raises, Lambda retries the
    event twice and then sends it to the DLQ. In the end each key is delivered or parked with its key."""
    ds, mark = emulator.client("datasync"), emulator.mark()
    keys = [f"incoming/direct/cap/{i:02d}.csv" for i in range(MAX_QUEUED_EXECUTIONS + 10)]
    emulator.control("POST", "datasync/timing", {"launching": 60})  # the blocker holds the task
    try:
        ds.start_task_execution(TaskArn=stack["task"], Includes=[{"FilterType": "SIMPLE_PATTERN", "Value": "/none"}])
        upload(emulator, stack, keys)
        refused = len(keys) - MAX_QUEUED_EXECUTIONS
        parked: list[str] = []
        # Each refused event: three invocations of ~2.4 s of retries, Lambda's retry delays, then the DLQ.
        assert wait_until(lambda: len(parked_so_far(emulator, stack, parked)) >= refused, timeout=40), parked
    finally:
        emulator.control("POST", "datasync/timing", {"launching": FAST["launching"]})  # the queue drains
    queued_keys = sorted(set(keys) - set(parked))
    settle(emulator, stack, queued_keys, timeout=60)
    assert sorted(parked) == sorted(set(keys) - set(queued_keys)) and len(parked) == refused
    assert undelivered(stack, keys) == sorted(parked)  # nothing lost: delivered or parked, never both
    assert dead_letters(emulator, stack["direct_dlq_url"]) == []
    # Each refused event was tried by three invocations (Lambda's two retries), each retrying itself.
    assert len(starts(emulator, mark, 400)) >= 3 * refused


def parked_so_far(emulator, stack, parked: list[str]) -> list[str]:
    parked.extend(parked_keys(dead_letters(emulator, stack["direct_dlq_url"])))
    return parked
