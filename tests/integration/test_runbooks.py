"""The runbooks (playbooks/runbooks, addressed as an installed collection's lakedrop.delivery.runbooks.<name>)
on one converged deployment with a queued and a direct delivery: each runs green, replay_failed after an
injected permanent failure, cancel_stuck on an execution held in LAUNCHING, and bad input fails before any
AWS call, naming the variable."""

from __future__ import annotations

import time
import uuid

import pytest
from support.ansible import run_playbook
from test_site import FAST
from test_site import as_admin
from test_site import standin
from test_site import wait_for

from lakedrop_emulator.client import DEPLOYER

pytestmark = pytest.mark.slow


def runbook(name, extra, **more):
    return run_playbook(
        f"lakedrop.delivery.runbooks.{name}", inventory="inventories/local", extra_vars={**extra, **more}
    )


def one_delivery(name, bucket, prefix, mode, **more):
    return {
        "name": name,
        "bucket": bucket,
        "prefix": prefix,
        "efs_path": f"/{name}",
        "container_path": f"/data/{name}",
        "trigger_mode": mode,
        **more,
    }


@pytest.fixture(scope="module")
def deployment(emulator):
    name = f"rb{uuid.uuid4().hex[:6]}"
    bucket = f"{name}-source-{emulator.account_id('source')}"
    extra = {
        "lakedrop_name": name,
        "lakedrop_deliveries": [
            one_delivery("q", bucket, "incoming/", "queued", batching_window=1),
            one_delivery("d", bucket, "direct/", "direct"),
        ],
        "lakedrop_ecs_cluster": name,
        "lakedrop_ecs_service": f"{name}-svc",
        "lakedrop_ecs_family": f"{name}-rstudio",
        # The runbooks operate DataSync: every upload here goes through it (no fast path).
        "lakedrop_fast_path_max_bytes": 0,
        "poll_interval": 0.5,
        "wait_timeout": 120,
    }
    previous = emulator.control("POST", "datasync/timing", {})
    emulator.control("POST", "datasync/timing", FAST)
    as_admin("playbooks/deployer_policy.yml", extra, lakedrop_deployer_policy_attach_to="user/lakedrop-deployer")
    standin(extra)
    run = run_playbook("site.yml", inventory="inventories/local", extra_vars=extra)
    assert run.rc == 0, run.stdout[-4000:]
    efs = emulator.client("efs")
    (fs_id,) = [
        f["FileSystemId"] for f in efs.describe_file_systems()["FileSystems"] if f.get("Name", "").startswith(name)
    ]
    yield {
        "name": name,
        "extra": extra,
        "bucket": bucket,
        "mount": emulator.state_path("efs", emulator.account_id("target"), fs_id),
    }
    emulator.control("POST", "datasync/timing", {k: previous[k] for k in FAST})
    emulator.control("POST", "datasync/faults", {"throttle_starts": 0, "hold_launching": 0})
    run_playbook(
        "playbooks/teardown.yml",
        inventory="inventories/local",
        extra_vars={**extra, "lakedrop_teardown_bucket_contents": True},
    )
    standin(extra, "absent")


def upload(emulator, deployment, keys):
    """Objects uploaded to the source bucket."""
    s3 = emulator.client("s3", "source")
    for key in keys:
        s3.put_object(Bucket=deployment["bucket"], Key=key, Body=b"x")


def test_sync_now_delivers_given_keys_with_progress_lines(emulator, deployment):
    extra = {**deployment["extra"], "delivery": "q"}
    run = runbook("pause_trigger", extra)
    assert run.rc == 0, run.stdout[-4000:]
    try:
        upload(emulator, deployment, ["incoming/now/a b.csv", "incoming/now/other.csv"])
        run = runbook("sync_now", extra, keys="incoming/now/a b.csv")
        assert run.rc == 0, run.stdout[-4000:]
        assert "[q] " in run.stdout and "SUCCESS: files 1/1" in run.stdout, run.stdout[-4000:]
        assert (deployment["mount"] / "q" / "now" / "a b.csv").exists()
        assert not (deployment["mount"] / "q" / "now" / "other.csv").exists()
        run = runbook("sync_now", extra, prefixes="incoming/now/")
        assert run.rc == 0, run.stdout[-4000:]
        assert (deployment["mount"] / "q" / "now" / "other.csv").exists()
    finally:
        assert runbook("resume_trigger", extra).rc == 0


def test_verify_delivery_says_which_execution_delivered_each_key(deployment):
    """After test_sync_now_...: the key it delivered, and one that was never uploaded."""
    extra = {**deployment["extra"], "delivery": "q", "keys": ["incoming/now/a b.csv", "incoming/never/uploaded.csv"]}
    run = runbook("verify_delivery", extra)
    assert run.rc != 0, run.stdout[-4000:]
    text = " ".join(run.stdout.split())  # the YAML callback folds long lines
    assert "incoming/now/a b.csv: in source bucket yes; delivered; executions covering it" in text, text[-4000:]
    assert "in the mount directory: yes" in text
    assert "incoming/never/uploaded.csv: in source bucket NO; NOT delivered" in text
    assert "Not delivered: ['incoming/never/uploaded.csv']" in text


def test_status_shows_one_screen_per_delivery(deployment):
    run = runbook("status", deployment["extra"])
    assert run.rc == 0, run.stdout[-4000:]
    for expected in (
        "Delivery q (queued trigger",
        "Delivery d (direct trigger",
        "Task: AVAILABLE",
        "Reconcile task: AVAILABLE",
        "Schedule: rate(1 hour) ENABLED",
        "Last scans (newest first):",
        "-dlq: visible 0",
        "Trigger errors, last hour: ",
        "Delivery latency, last 60 min: no data",
    ):
        assert expected in run.stdout, run.stdout[-4000:]


def test_pause_and_resume_catch_up_in_both_modes(emulator, deployment):
    extra = deployment["extra"]
    assert runbook("pause_trigger", extra).rc == 0
    s3 = emulator.client("s3", "source")
    s3.put_object(Bucket=deployment["bucket"], Key="incoming/paused/q.csv", Body=b"q")
    s3.put_object(Bucket=deployment["bucket"], Key="direct/paused/d.csv", Body=b"d")
    time.sleep(3)  # long enough for a running trigger to have delivered them
    assert not (deployment["mount"] / "q" / "paused" / "q.csv").exists()
    assert not (deployment["mount"] / "d" / "paused" / "d.csv").exists()
    run = runbook("resume_trigger", extra)
    assert run.rc == 0, run.stdout[-4000:]
    assert (deployment["mount"] / "d" / "paused" / "d.csv").exists()  # the catch-up execution was waited for
    assert wait_for(deployment["mount"] / "q" / "paused" / "q.csv"), "the queue's message was never worked off"


def test_replay_failed_after_a_permanent_failure(emulator, deployment):
    """DataSync refuses every start: the direct trigger's event ends in its dead-letter queue; replay_failed
    keeps it while the fault lasts, then delivers the key and deletes the message."""
    extra = {**deployment["extra"], "delivery": "d"}
    key = "direct/lost/file 1.csv"
    # A short function timeout, so that Lambda's three attempts end within seconds (the handler retries a
    # refusal until its timeout nears).
    emulator.client("lambda").update_function_configuration(FunctionName=f"{deployment['name']}-d-trigger", Timeout=3)
    emulator.control("POST", "datasync/faults", {"throttle_starts": 100000})
    try:
        emulator.client("s3", "source").put_object(Bucket=deployment["bucket"], Key=key, Body=b"l")
        sqs = emulator.client("sqs")
        url = sqs.get_queue_url(QueueName=f"{deployment['name']}-d-trigger-dlq")["QueueUrl"]

        def parked():
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
            return int(attributes["Attributes"]["ApproximateNumberOfMessages"]) > 0

        deadline = time.monotonic() + 120
        while not parked() and time.monotonic() < deadline:
            time.sleep(1)
        assert parked(), "the event never reached the dead-letter queue"
        run = runbook("replay_failed", extra, wait_timeout=5)
        assert run.rc != 0 and "stay in" in run.stdout, run.stdout[-4000:]
        assert parked(), "a failed replay lost the message"
    finally:
        emulator.control("POST", "datasync/faults", {"throttle_starts": 0})
    run = runbook("replay_failed", extra)
    assert run.rc == 0, run.stdout[-4000:]
    assert (deployment["mount"] / "d" / "lost" / "file 1.csv").exists()
    assert not parked()


def test_cancel_stuck_cancels_a_held_launch_and_covers_its_keys(emulator, deployment):
    """An upload whose execution (started by the queued trigger) never gets past LAUNCHING."""
    extra = {**deployment["extra"], "delivery": "q", "older_than": 0}
    emulator.control("POST", "datasync/faults", {"hold_launching": 1})
    upload(emulator, deployment, ["incoming/stuck/s.csv"])  # the queued trigger is on: it starts one
    ds = emulator.client("datasync")
    task = next(t["TaskArn"] for t in ds.list_tasks()["Tasks"] if t.get("Name") == f"{deployment['name']}-q")

    def held():
        for entry in ds.list_task_executions(TaskArn=task)["TaskExecutions"]:
            if entry["Status"] == "LAUNCHING":
                return entry["TaskExecutionArn"]
        return None

    deadline = time.monotonic() + 60
    while not held() and time.monotonic() < deadline:
        time.sleep(0.5)
    arn = held()
    assert arn, "the trigger's execution never launched"
    mark = emulator.mark()
    run = runbook("cancel_stuck", extra)
    assert run.rc == 0 and arn in run.stdout and "confirm=yes" in run.stdout, run.stdout[-4000:]
    assert emulator.writes(mark, by=DEPLOYER) == []
    run = runbook("cancel_stuck", extra, confirm="yes")
    assert run.rc == 0, run.stdout[-4000:]
    assert ds.describe_task_execution(TaskExecutionArn=arn)["Status"] == "ERROR"
    assert (deployment["mount"] / "q" / "stuck" / "s.csv").exists()


@pytest.mark.parametrize(
    ("name", "more", "message"),
    [
        ("sync_now", {"delivery": "nope"}, "delivery 'nope' is not a delivery of this inventory"),
        ("sync_now", {"delivery": "q", "keys": "elsewhere/a.csv"}, "keys[0] 'elsewhere/a.csv' is not under"),
        ("sync_now", {"delivery": "q", "keys": "incoming/a.csv", "prefixes": "incoming/"}, "keys and prefixes"),
        ("sync_now", {"keys": "incoming/a.csv"}, "delivery is required with keys or prefixes"),
        ("sync_now", {"delivery": "q", "wait_timeout": "soon"}, "wait_timeout must be a whole number"),
        ("cancel_stuck", {"confirm": "maybe"}, "confirm must be yes or no"),
        ("replay_failed", {"max_messages": 0}, "max_messages must be between"),
        ("pause_trigger", {"delivery": "x"}, "delivery 'x' is not a delivery"),
        ("verify_delivery", {"delivery": "q"}, "keys is required"),
    ],
)
def test_bad_input_fails_before_any_aws_call(emulator, deployment, name, more, message):
    mark = emulator.mark()
    run = runbook(name, {**deployment["extra"], **more})
    assert run.rc != 0 and message in run.stdout, run.stdout[-4000:]
    assert "nothing was called or changed" in run.stdout
    assert emulator.calls(mark, by=DEPLOYER) == []
