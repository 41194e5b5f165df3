"""Manifest starts on the emulator running the real handler (queued mode, the role's default): exact keys never
widened, a burst coalesced to at most one waiting execution, and the faults issue 11 names — conditional-write
conflicts between the two concurrent invocations, a crash between the start and the cancel, a key deleted before
its execution runs, duplicate notifications, the manifest unreadable by DataSync. Each ends with every surviving
object delivered exactly (the newest version uploaded) and the dead-letter queue empty.

The queued execution launching between the trigger's check and its cancel is a race the emulator cannot pin
down; tests/unit/test_trigger_manifest.py drives it step by step."""

from __future__ import annotations

import json
import threading
import time
import uuid
from urllib.parse import quote_plus

import pytest
from test_lambda_runner import FAST
from test_lambda_runner import wait_until
from test_trigger_faults import dead_letters
from test_trigger_faults import undelivered

from lakedrop_emulator.stack import manifest_bucket
from lakedrop_emulator.stack import queue
from lakedrop_emulator.stack import s3_may_send
from lakedrop_emulator.stack import transfer_stack
from lakedrop_emulator.stack import trigger_function

TIMEOUT = 6
VISIBILITY = 8


@pytest.fixture(scope="module")
def stack(emulator):
    """A versioned source bucket notifying a queue mapped (two concurrent batches at most, as the role maps
    it) to the real handler in manifest mode, with its manifest bucket."""
    assert wait_until(lambda: emulator.control("GET", "lambda/idle")["idle"], timeout=60), "emulator never idle"
    previous = emulator.control("POST", "datasync/timing", {})
    emulator.control("POST", "datasync/timing", FAST)
    suffix = uuid.uuid4().hex[:8]
    name = f"mf-{suffix}"
    sqs, lam, s3 = emulator.client("sqs"), emulator.client("lambda"), emulator.client("s3", "source")
    transfer = transfer_stack(emulator, name, "incoming/")
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    environment = manifest_bucket(emulator, transfer, f"{name}-manifests")

    dlq_url, dlq_arn = queue(emulator, f"{name}-dlq")
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5})
    queue_url, queue_arn = queue(emulator, f"{name}-events", VisibilityTimeout=VISIBILITY, RedrivePolicy=redrive)
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": s3_may_send(queue_arn, name)})
    function = trigger_function(emulator, name, transfer, TIMEOUT, environment)
    lam.create_event_source_mapping(
        EventSourceArn=queue_arn,
        FunctionName=function,
        BatchSize=20,
        MaximumBatchingWindowInSeconds=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        ScalingConfig={"MaximumConcurrency": 2},
    )
    notification = {
        "QueueConfigurations": [
            {
                "QueueArn": queue_arn,
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "incoming/"}]}},
            }
        ]
    }
    s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration=notification)
    yield {
        "bucket": name,
        "task": transfer.task,
        "mount": transfer.mount,
        "queue_url": queue_url,
        "dlq_url": dlq_url,
        "function": function,
        "notification": notification,
        "transfer": transfer,
        "manifests": environment["LAKEDROP_MANIFEST_BUCKET"],
        "group": f"/aws/lambda/{name}",
    }
    emulator.control("POST", "datasync/timing", {k: previous[k] for k in FAST})
    s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration={})
    for mapping in lam.list_event_source_mappings(FunctionName=function)["EventSourceMappings"]:
        lam.delete_event_source_mapping(UUID=mapping["UUID"])
    lam.delete_function(FunctionName=function)


@pytest.fixture(autouse=True)
def no_faults_left(emulator):
    yield
    emulator.control("POST", "datasync/faults", {"throttle_starts": 0, "hold_launching": 0})
    emulator.control("POST", "lambda/faults", {"crash_mid_batch": 0})
    emulator.control("POST", "s3/faults", {"conditional_conflicts": 0})


def upload(emulator, stack, keys, body=None):
    """Upload each key (its own name as content unless `body`); {key: version ID}."""
    s3 = emulator.client("s3", "source")
    return {key: s3.put_object(Bucket=stack["bucket"], Key=key, Body=body or key.encode())["VersionId"] for key in keys}


def settle(emulator, stack, keys, timeout=60):
    assert wait_until(lambda: not undelivered(stack, keys), timeout=timeout), (
        f"never arrived: {undelivered(stack, keys)}"
    )
    assert wait_until(lambda: emulator.control("GET", "lambda/idle")["idle"], timeout=timeout)


def content(stack, key):
    return (stack["mount"] / key.removeprefix("incoming/")).read_bytes()


def executions(emulator, stack):
    ds = emulator.client("datasync")
    listed = ds.list_task_executions(TaskArn=stack["task"], MaxResults=100)["TaskExecutions"]
    return [ds.describe_task_execution(TaskExecutionArn=e["TaskExecutionArn"]) for e in listed]


def logged(emulator, stack, outcome, since_ms):
    events = emulator.client("logs").filter_log_events(logGroupName=stack["group"], startTime=since_ms)["events"]
    lines = [json.loads(e["message"]) for e in events if e["message"].startswith("{")]
    return [line for line in lines if line.get("outcome") == outcome]


class MostQueued:
    """Samples the task's waiting (QUEUED) executions while a burst runs. A replacement and the execution it
    replaces both wait for the moment between the start and the cancel (the hand-over); `most(replaced)` counts
    the most waiting at once apart from executions that were then cancelled as replaced."""

    def __init__(self, emulator, task):
        self.emulator, self.task, self.samples, self.done = emulator, task, [], threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.done.is_set():
            active = self.emulator.control("GET", f"datasync/active?task_arn={self.task}")["executions"]
            self.samples.append({e["arn"] for e in active if e["status"] == "QUEUED"})
            time.sleep(0.05)

    def most(self, replaced=frozenset()):
        return max((len(sample - replaced) for sample in self.samples), default=0)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.done.set()
        self.thread.join()


def replaced_executions(emulator, stack):
    """The task's executions the trigger tagged lakedrop:replaced-by (and cancelled)."""
    ds = emulator.client("datasync")
    return {
        e["TaskExecutionArn"]
        for e in executions(emulator, stack)
        if any(
            t["Key"] == "lakedrop:replaced-by"
            for t in ds.list_tags_for_resource(ResourceArn=e["TaskExecutionArn"])["Tags"]
        )
    }


def test_s3_notifications_carry_the_version_and_a_growing_sequencer(emulator, stack):
    sqs, s3 = emulator.client("sqs"), emulator.client("s3", "source")
    url = sqs.create_queue(QueueName=f"{stack['bucket']}-peek")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": s3_may_send(arn, stack["bucket"])})
    peek = {
        "QueueArn": arn,
        "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "peek/"}]}},
    }
    configuration = {"QueueConfigurations": [*stack["notification"]["QueueConfigurations"], peek]}
    s3.put_bucket_notification_configuration(Bucket=stack["bucket"], NotificationConfiguration=configuration)
    try:
        versions = [
            s3.put_object(Bucket=stack["bucket"], Key="peek/a.csv", Body=body)["VersionId"] for body in (b"1", b"2")
        ]
        records = []
        assert wait_until(
            lambda: (
                records.extend(
                    body["Records"][0]["s3"]["object"]
                    for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
                    if "Records" in (body := json.loads(m["Body"]))  # not the s3:TestEvent
                )
                or len(records) >= 2
            ),
            timeout=10,
        )
    finally:
        s3.put_bucket_notification_configuration(
            Bucket=stack["bucket"], NotificationConfiguration=stack["notification"]
        )
    records.sort(key=lambda r: int(r["sequencer"], 16))
    assert [r["versionId"] for r in records] == versions


def test_exact_keys_never_widened_to_a_prefix(emulator, stack):
    """Keys with `|`, `*`, commas, quotes and non-ASCII characters arrive; unannounced siblings a filter
    fallback (`/odd/a*`) would have copied stay behind."""
    s3 = emulator.client("s3", "source")
    s3.put_bucket_notification_configuration(Bucket=stack["bucket"], NotificationConfiguration={})
    siblings = ["incoming/odd/a-unannounced.csv", "incoming/odd/x-unannounced.csv", "incoming/odd/c"]
    try:
        upload(emulator, stack, siblings)
    finally:
        s3.put_bucket_notification_configuration(
            Bucket=stack["bucket"], NotificationConfiguration=stack["notification"]
        )
    keys = [
        "incoming/odd/a|b.csv",
        "incoming/odd/x*y.csv",
        'incoming/odd/c,d "quoted".csv',
        "incoming/odd/ünï cødé.csv",
    ]
    upload(emulator, stack, keys)
    settle(emulator, stack, keys)
    assert all(content(stack, k) == k.encode() for k in keys)
    assert undelivered(stack, siblings) == siblings
    assert dead_letters(emulator, stack["dlq_url"]) == []


def test_a_burst_keeps_at_most_one_execution_waiting(emulator, stack):
    emulator.control("POST", "datasync/timing", {"launching": 0.6})  # executions long enough for batches to pile up
    try:
        keys = [f"incoming/burst/{wave}/{i:02d}.csv" for wave in range(6) for i in range(10)]
        with MostQueued(emulator, stack["task"]) as sampled:
            for wave in range(6):
                upload(emulator, stack, keys[wave * 10 : (wave + 1) * 10])
                time.sleep(0.4)
            settle(emulator, stack, keys)
    finally:
        emulator.control("POST", "datasync/timing", {"launching": FAST["launching"]})
    replaced = replaced_executions(emulator, stack)
    assert sampled.samples and sampled.most(replaced) <= 1
    assert all(e["Status"] == "ERROR" for e in executions(emulator, stack) if e["TaskExecutionArn"] in replaced)
    ran = [e for e in executions(emulator, stack) if e["Status"] == "SUCCESS" and e.get("ManifestConfig")]
    assert ran, "no manifest execution ran"
    assert dead_letters(emulator, stack["dlq_url"]) == []


def test_conditional_write_conflicts_are_retried(emulator, stack):
    since_ms = int(time.time() * 1000)
    emulator.control("POST", "s3/faults", {"conditional_conflicts": 3})
    keys = [f"incoming/conflict/{i}.csv" for i in range(8)]
    upload(emulator, stack, keys)
    settle(emulator, stack, keys)
    assert {line["code"] for line in logged(emulator, stack, "conflict", since_ms)} == {"ConditionalRequestConflict"}
    assert dead_letters(emulator, stack["dlq_url"]) == []


def test_a_crash_after_the_start_is_redelivered_and_loses_nothing(emulator, stack):
    since = time.time()
    emulator.control("POST", "lambda/faults", {"crash_mid_batch": 1})
    keys = [f"incoming/crash/{i}.csv" for i in range(5)]
    upload(emulator, stack, keys)
    settle(emulator, stack, keys, timeout=VISIBILITY + 40)
    runs = [
        i
        for i in emulator.control("GET", f"lambda/invocations?since={since}")["invocations"]
        if i["function"] == stack["function"]
    ]
    assert runs and not runs[0]["ok"], "the crash was not injected"
    assert dead_letters(emulator, stack["dlq_url"]) == []


def test_duplicate_notifications_deliver_the_object_once_as_uploaded(emulator, stack):
    key = "incoming/dup/report (final).csv"
    version = upload(emulator, stack, [key])[key]
    settle(emulator, stack, [key])
    record = {
        "eventVersion": "2.1",
        "eventSource": "aws:s3",
        "eventName": "ObjectCreated:Put",
        "eventTime": "2026-12-01T00:00:00.000Z",
        "s3": {"bucket": {"name": stack["bucket"]}, "object": {"key": quote_plus(key), "versionId": version}},
    }
    sqs = emulator.client("sqs")
    for _ in range(3):
        sqs.send_message(QueueUrl=stack["queue_url"], MessageBody=json.dumps({"Records": [record]}))
    assert wait_until(lambda: emulator.control("GET", "lambda/idle")["idle"], timeout=30)
    assert content(stack, key) == key.encode()
    assert dead_letters(emulator, stack["dlq_url"]) == []


def test_the_newest_version_is_delivered_when_both_wait_in_one_manifest(emulator, stack):
    key = "incoming/versions/a.csv"
    emulator.control("POST", "datasync/faults", {"hold_launching": 1})  # a blocker holds the task
    ds = emulator.client("datasync")
    blocker = ds.start_task_execution(
        TaskArn=stack["task"], Includes=[{"FilterType": "SIMPLE_PATTERN", "Value": "/none"}]
    )
    try:
        upload(emulator, stack, [key], body=b"first")
        upload(emulator, stack, [key], body=b"second")
        assert wait_until(lambda: emulator.control("GET", "lambda/idle")["idle"], timeout=30)
    finally:
        ds.cancel_task_execution(TaskExecutionArn=blocker["TaskExecutionArn"])
    assert wait_until(lambda: not undelivered(stack, [key]) and content(stack, key) == b"second", timeout=30)
    assert dead_letters(emulator, stack["dlq_url"]) == []


def test_a_version_deleted_before_its_execution_runs_fails_alone(emulator, stack):
    """The manifest names a version that is gone by the time DataSync reads it: that object fails, the others
    of the same manifest arrive, nothing goes to the dead-letter queue (the object no longer exists)."""
    keys = ["incoming/deleted/keep.csv", "incoming/deleted/gone.csv"]
    emulator.control("POST", "datasync/faults", {"hold_launching": 1})
    ds, s3 = emulator.client("datasync"), emulator.client("s3", "source")
    blocker = ds.start_task_execution(
        TaskArn=stack["task"], Includes=[{"FilterType": "SIMPLE_PATTERN", "Value": "/none"}]
    )
    try:
        versions = upload(emulator, stack, keys)
        assert wait_until(lambda: emulator.control("GET", "lambda/idle")["idle"], timeout=30)
        s3.delete_object(Bucket=stack["bucket"], Key=keys[1], VersionId=versions[keys[1]])
    finally:
        ds.cancel_task_execution(TaskExecutionArn=blocker["TaskExecutionArn"])
    settle(emulator, stack, keys[:1])
    assert undelivered(stack, keys) == keys[1:]
    assert dead_letters(emulator, stack["dlq_url"]) == []


def test_an_unreadable_manifest_fails_before_copying_and_the_safety_net_delivers(emulator, stack):
    iam = emulator.client("iam")
    role = stack["transfer"].datasync_role.rsplit("/", 1)[1]
    grant = iam.get_role_policy(RoleName=role, PolicyName="read-manifests")["PolicyDocument"]
    iam.delete_role_policy(RoleName=role, PolicyName="read-manifests")
    keys = ["incoming/unreadable/a.csv"]
    try:
        upload(emulator, stack, keys)

        def failed():
            return [e for e in executions(emulator, stack) if e["Status"] == "ERROR" and e.get("ManifestConfig")]

        assert wait_until(failed, timeout=30)
        assert "manifest" in (failed()[0]["Result"].get("ErrorDetail") or "").lower(), failed()[0]["Result"]
        assert undelivered(stack, keys) == keys
    finally:
        iam.put_role_policy(RoleName=role, PolicyName="read-manifests", PolicyDocument=json.dumps(grant))
    # What the reconcile schedule does every hour: an unfiltered CHANGED run of the task.
    emulator.client("datasync").start_task_execution(TaskArn=stack["task"])
    settle(emulator, stack, keys)
    assert dead_letters(emulator, stack["dlq_url"]) == []
