"""Faults the fast path survives, on the emulator running the real handler (roles/fast_path/files/lakedrop_fast.py)
in the file system's VPC with the access point mounted (stack.fast_path_stack: one delivery as site.yml builds
it). Each test ends with every surviving object in the EFS directory (from the fast path or, for what it does not
copy, from DataSync through the trigger), no partial file ever visible, nothing lost."""

from __future__ import annotations

import json
import os

import pytest
from test_lambda_runner import wait_until

from lakedrop_emulator import stack as build

MAX_BYTES = 4096


def idle(emulator) -> bool:
    return emulator.control("GET", "lambda/idle")["idle"]


def lines(emulator, stack) -> list[dict]:
    """The fast handler's per-record JSON log lines (CloudWatch Logs /aws/lambda/<function>)."""
    logs = emulator.client("logs")
    group = f"/aws/lambda/{stack.fast_function.rsplit(':', 1)[-1]}"
    try:
        events = logs.filter_log_events(logGroupName=group)["events"]
    except logs.exceptions.ResourceNotFoundException:
        return []
    found = []
    for event in events:
        for line in event["message"].splitlines():
            if line.startswith("{") and '"action"' in line:
                found.append(json.loads(line))
    return found


def actions(emulator, stack, key: str) -> list[tuple[str, str | None]]:
    return [(r["action"], r.get("reason")) for r in lines(emulator, stack) if r.get("key") == key]


def arrived(stack, relative: str, data: bytes) -> bool:
    target = stack.mount / relative
    return target.is_file() and target.read_bytes() == data


def executions(emulator, stack) -> int:
    return len(emulator.client("datasync").list_task_executions(TaskArn=stack.transfer.task)["TaskExecutions"])


def dlq_keys(emulator, stack) -> list[str]:
    messages = emulator.client("sqs").receive_message(QueueUrl=stack.trigger_dlq, MaxNumberOfMessages=10)
    return [
        record["s3"]["object"]["key"]
        for message in messages.get("Messages", [])
        for record in json.loads(message["Body"]).get("Records", [])
    ]


def held(emulator, stack, count: int) -> list[dict]:
    """With the fast mappings paused, take the next `count` S3 notifications off the fast queue (so a test can
    send them again, duplicated or out of order, as S3's at-least-once delivery may)."""
    sqs = emulator.client("sqs")
    taken: list[dict] = []
    while len(taken) < count:
        reply = sqs.receive_message(QueueUrl=stack.fast_queue, MaxNumberOfMessages=10, WaitTimeSeconds=1)
        for message in reply.get("Messages", []):
            taken.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=stack.fast_queue, ReceiptHandle=message["ReceiptHandle"])
    return taken


def mappings(emulator, stack, enabled: bool) -> None:
    lam = emulator.client("lambda")
    for uuid in stack.fast_mappings:
        lam.update_event_source_mapping(UUID=uuid, Enabled=enabled)


@pytest.fixture(scope="module")
def stack(emulator):
    return build.fast_path_stack(emulator, "fastfaults", max_bytes=MAX_BYTES)


@pytest.fixture(scope="module")
def versioned(emulator):
    return build.fast_path_stack(emulator, "fastversions", max_bytes=MAX_BYTES, versioned=True)


def test_a_small_file_arrives_through_the_fast_path_as_datasync_would_write_it(emulator, stack):
    s3 = emulator.client("s3", "source")
    before = executions(emulator, stack)
    s3.put_object(Bucket=stack.bucket, Key="incoming/a/small report.csv", Body=b"1,2\n")

    assert wait_until(lambda: arrived(stack, "a/small report.csv", b"1,2\n"), timeout=20)
    assert actions(emulator, stack, "incoming/a/small report.csv")[0] == ("copied", None)
    assert executions(emulator, stack) == before  # no DataSync execution carried it
    target = stack.mount / "a/small report.csv"
    info, head = target.stat(), s3.head_object(Bucket=stack.bucket, Key="incoming/a/small report.csv")
    # As DataSync writes an object without POSIX metadata through an access point: its user, 0644, 0755, mtime.
    assert (info.st_uid, info.st_gid, oct(info.st_mode & 0o777)) == (1000, 1000, "0o644")
    assert oct(target.parent.stat().st_mode & 0o777) == "0o755"
    assert int(info.st_mtime) == int(head["LastModified"].timestamp())


def test_a_large_object_goes_through_datasync(emulator, stack):
    data = os.urandom(MAX_BYTES + 1)
    before = executions(emulator, stack)
    emulator.client("s3", "source").put_object(Bucket=stack.bucket, Key="incoming/large.bin", Body=data)

    assert wait_until(lambda: arrived(stack, "large.bin", data), timeout=90)
    assert actions(emulator, stack, "incoming/large.bin") == [("forwarded", "too-large")]
    assert executions(emulator, stack) > before
    # DataSync's copy looks as the fast path's does (owner imposed by the access point, 0644, the object's mtime).
    info, head = (
        (stack.mount / "large.bin").stat(),
        emulator.client("s3", "source").head_object(Bucket=stack.bucket, Key="incoming/large.bin"),
    )
    assert (info.st_uid, info.st_gid, oct(info.st_mode & 0o777)) == (1000, 1000, "0o644")
    assert int(info.st_mtime) == int(head["LastModified"].timestamp())


def test_mount_not_ready_on_a_cold_start_is_not_lost(emulator, stack):
    """Right after creation a mount can fail (EFSMountFailureException): the batch comes back and, after one
    receive, the fast queue hands it to DataSync's queue."""
    emulator.client("lambda").update_function_configuration(FunctionName=stack.fast_function, MemorySize=257)
    assert wait_until(lambda: idle(emulator), timeout=30)  # new configuration: the next invocation is cold
    emulator.control("POST", "lambda/faults", {"mount_not_ready": 1})
    emulator.client("s3", "source").put_object(Bucket=stack.bucket, Key="incoming/cold.csv", Body=b"x")

    assert wait_until(lambda: arrived(stack, "cold.csv", b"x"), timeout=90)
    failed = [
        i
        for i in emulator.control("GET", "lambda/invocations")["invocations"]
        if i["function"] == stack.fast_function and not i["ok"]
    ]
    assert any("EFSMount" in json.dumps(i["error"]) for i in failed)
    assert dlq_keys(emulator, stack) == []


def test_an_object_deleted_before_its_copy_is_neither_copied_nor_lost(emulator, stack):
    s3 = emulator.client("s3", "source")
    mappings(emulator, stack, enabled=False)
    try:
        s3.put_object(Bucket=stack.bucket, Key="incoming/gone.csv", Body=b"x")
        s3.delete_object(Bucket=stack.bucket, Key="incoming/gone.csv")
    finally:
        mappings(emulator, stack, enabled=True)

    assert wait_until(lambda: len(actions(emulator, stack, "incoming/gone.csv")) >= 2, timeout=30)
    assert wait_until(lambda: idle(emulator), timeout=60)
    assert not (stack.mount / "gone.csv").exists()
    assert set(actions(emulator, stack, "incoming/gone.csv")) <= {
        ("skipped", "deleted-in-source"),
        ("deleted", "already-absent"),
        ("skipped", "already-applied"),
    }
    assert dlq_keys(emulator, stack) == []


def test_an_object_larger_than_the_functions_ephemeral_storage(emulator):
    """The function's ephemeral storage holds 512 MB (the minimum); the copy streams into EFS, never needs it."""
    size = 520 * 1024 * 1024
    stack = build.fast_path_stack(emulator, "fastwide", max_bytes=size, timeout=120, EphemeralStorage={"Size": 512})
    data = os.urandom(1024 * 1024) * 520
    emulator.client("s3", "source").put_object(Bucket=stack.bucket, Key="incoming/wide.bin", Body=data)

    target = stack.mount / "wide.bin"
    assert wait_until(lambda: target.is_file() and target.stat().st_size == size, timeout=240, interval=1)
    assert actions(emulator, stack, "incoming/wide.bin")[0][0] == "copied"
    assert target.read_bytes() == data


def test_duplicate_events_for_one_key_copy_once(emulator, stack):
    s3, sqs = emulator.client("s3", "source"), emulator.client("sqs")
    mappings(emulator, stack, enabled=False)
    try:
        s3.put_object(Bucket=stack.bucket, Key="incoming/dup.csv", Body=b"once")
        (notification,) = held(emulator, stack, 1)
        for _ in range(3):  # S3 delivers at least once
            sqs.send_message(QueueUrl=stack.fast_queue, MessageBody=json.dumps(notification))
    finally:
        mappings(emulator, stack, enabled=True)

    assert wait_until(lambda: len(actions(emulator, stack, "incoming/dup.csv")) == 3, timeout=30)
    assert arrived(stack, "dup.csv", b"once")
    seen = actions(emulator, stack, "incoming/dup.csv")
    assert seen.count(("copied", None)) == 1 and set(seen) - {("copied", None)} == {("skipped", "already-applied")}


def test_out_of_order_versions_end_with_the_newest(emulator, versioned):
    s3, sqs = emulator.client("s3", "source"), emulator.client("sqs")
    mappings(emulator, versioned, enabled=False)
    try:
        for body in (b"v1", b"v2", b"v3"):
            s3.put_object(Bucket=versioned.bucket, Key="incoming/ver.csv", Body=body)
        notifications = held(emulator, versioned, 3)
        notifications.sort(key=lambda n: int(n["Records"][0]["s3"]["object"]["sequencer"], 16), reverse=True)
        for notification in notifications:  # newest first, then the older ones arrive late
            sqs.send_message(QueueUrl=versioned.fast_queue, MessageBody=json.dumps(notification))
    finally:
        mappings(emulator, versioned, enabled=True)

    assert wait_until(lambda: len(actions(emulator, versioned, "incoming/ver.csv")) == 3, timeout=30)
    assert arrived(versioned, "ver.csv", b"v3")
    assert sorted(actions(emulator, versioned, "incoming/ver.csv"))[0] == ("copied", None)
    assert actions(emulator, versioned, "incoming/ver.csv").count(("copied", None)) == 1


def test_a_delete_then_a_reupload_ends_with_the_file_present(emulator, stack):
    s3 = emulator.client("s3", "source")
    s3.put_object(Bucket=stack.bucket, Key="incoming/again.csv", Body=b"first")
    assert wait_until(lambda: arrived(stack, "again.csv", b"first"), timeout=20)
    s3.delete_object(Bucket=stack.bucket, Key="incoming/again.csv")
    assert wait_until(lambda: not (stack.mount / "again.csv").exists(), timeout=20)
    s3.put_object(Bucket=stack.bucket, Key="incoming/again.csv", Body=b"second")

    assert wait_until(lambda: arrived(stack, "again.csv", b"second"), timeout=20)
    assert ("deleted", None) in actions(emulator, stack, "incoming/again.csv")


def test_a_permission_removed_sends_the_object_to_datasync(emulator, stack):
    iam = emulator.client("iam")
    role = stack.fast_role.rsplit("/", 1)[-1]
    document = iam.get_role_policy(RoleName=role, PolicyName="function")["PolicyDocument"]
    reads = [s for s in document["Statement"] if "s3:GetObject" not in json.dumps(s)]
    iam.put_role_policy(
        RoleName=role, PolicyName="function", PolicyDocument=json.dumps({**document, "Statement": reads})
    )
    try:
        before = executions(emulator, stack)
        emulator.client("s3", "source").put_object(Bucket=stack.bucket, Key="incoming/denied.csv", Body=b"d")

        assert wait_until(lambda: arrived(stack, "denied.csv", b"d"), timeout=90)
        assert actions(emulator, stack, "incoming/denied.csv")[0][0] == "forwarded"
        assert executions(emulator, stack) > before
        assert dlq_keys(emulator, stack) == []
    finally:
        iam.put_role_policy(RoleName=role, PolicyName="function", PolicyDocument=json.dumps(document))


def test_a_timeout_mid_copy_shows_no_partial_file_and_datasync_delivers(emulator):
    """S3 stalls after 1 KiB of the body: the handler's read times out inside its time budget (its read timeout
    is shorter than the reserve it keeps before Lambda's), so the copy is abandoned — its temporary file removed,
    nothing partial ever visible under the file's name — and the message comes back: after one receive the fast
    queue hands it to DataSync, which delivers it. (A copy killed by Lambda's timeout itself leaves its temporary
    file to the next cold start's sweep: tests/unit/test_fast_handler.py.)"""
    stack = build.fast_path_stack(emulator, "fastslow", max_bytes=MAX_BYTES, timeout=10)
    s3, data = emulator.client("s3", "source"), os.urandom(MAX_BYTES)
    emulator.s3_faults(stall_reads={"key": "incoming/slow.bin", "after_bytes": 1024, "seconds": 60})
    partial: list[int] = []

    def whole() -> bool:
        target = stack.mount / "slow.bin"
        if target.exists() and target.read_bytes() != data:
            partial.append(target.stat().st_size)
        return arrived(stack, "slow.bin", data)

    s3.put_object(Bucket=stack.bucket, Key="incoming/slow.bin", Body=data)
    assert wait_until(whole, timeout=150, interval=0.05)
    assert partial == []
    (action, reason), *_ = actions(emulator, stack, "incoming/slow.bin")
    assert action == "forwarded" and "Timeout" in reason
    assert not [p for p in stack.mount.iterdir() if p.name.startswith(".slow.bin.lakedrop-")]
