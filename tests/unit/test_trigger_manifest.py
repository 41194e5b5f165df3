"""Manifest starts: the CSV DataSync reads, merging by S3's sequencer, and coalescing to one waiting execution
(against an in-memory S3 and DataSync that answer as the real ones do for the calls the trigger makes)."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from botocore.exceptions import ClientError

SOURCE = Path(__file__).resolve().parents[2] / "roles/lambda_trigger/files/lakedrop_trigger.py"
TASK = "arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0"
ROLE = "arn:aws:iam::222222222222:role/lakedrop-datasync"
BUCKET = "lakedrop-manifests"


def _error(code, status=400, message="refused"):
    return ClientError(
        {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}, "op"
    )


class Body:
    def __init__(self, data):
        self.data = data

    def read(self):
        return self.data


class FakeS3:
    """Conditional writes as S3 answers them: If-None-Match '*' on an existing key and If-Match on another ETag
    give 412 PreconditionFailed; `conflicts` makes the next conditional writes answer 409."""

    def __init__(self):
        self.objects = {}
        self.version = 0
        self.conflicts = 0
        self.before_conditional_write = None  # a hook: another invocation wins the race here

    def get_object(self, Bucket, Key):
        if (Bucket, Key) not in self.objects:
            raise _error("NoSuchKey", 404)
        data, etag = self.objects[(Bucket, Key)]
        return {"Body": Body(data), "ETag": etag}

    def put_object(self, Bucket, Key, Body, IfMatch=None, IfNoneMatch=None):
        if IfMatch or IfNoneMatch:
            if self.before_conditional_write:
                hook, self.before_conditional_write = self.before_conditional_write, None
                hook()
            if self.conflicts:
                self.conflicts -= 1
                raise _error("ConditionalRequestConflict", 409)
            current = self.objects.get((Bucket, Key))
            if IfNoneMatch == "*" and current is not None:
                raise _error("PreconditionFailed", 412)
            if IfMatch and (current is None or current[1] != IfMatch):
                raise _error("PreconditionFailed", 412)
        self.version += 1
        self.objects[(Bucket, Key)] = (Body, f'"etag-{self.version}"')
        return {"ETag": f'"etag-{self.version}"'}

    def manifest(self, key):
        return list(csv.reader(io.StringIO(self.objects[(BUCKET, key)][0].decode("utf-8"))))


class FakeDataSync:
    """One execution runs at a time; the others wait QUEUED (first in, first out) until `launch()`."""

    def __init__(self):
        self.executions = {}  # arn -> {"status", "manifest", "tags"}
        self.order = []
        self.refuse_starts = 0

    def start_task_execution(self, TaskArn, ManifestConfig, Tags=()):
        if self.refuse_starts:
            self.refuse_starts -= 1
            raise _error("InvalidRequestException", message="busy")
        arn = f"{TaskArn}/execution/exec-{len(self.order):017x}"
        running = any(e["status"] == "TRANSFERRING" for e in self.executions.values())
        self.executions[arn] = {
            "status": "QUEUED" if running else "TRANSFERRING",
            "manifest": ManifestConfig["Source"]["S3"]["ManifestObjectPath"],
            "config": ManifestConfig,
            "tags": list(Tags),
        }
        self.order.append(arn)
        return {"TaskExecutionArn": arn}

    def describe_task_execution(self, TaskExecutionArn):
        if TaskExecutionArn not in self.executions:
            raise _error("InvalidRequestException", message="Task execution not found")
        return {"Status": self.executions[TaskExecutionArn]["status"]}

    def tag_resource(self, ResourceArn, Tags):
        self.executions[ResourceArn].setdefault("tags", []).extend(Tags)
        return {}

    def cancel_task_execution(self, TaskExecutionArn):
        execution = self.executions[TaskExecutionArn]
        if execution["status"] in ("SUCCESS", "ERROR"):
            raise _error("InvalidRequestException", message="cannot be cancelled in its current status")
        execution["status"] = "ERROR"
        execution["cancelled"] = True
        return {}

    def launch_next(self):
        """The running execution ends; the oldest waiting one launches."""
        for execution in self.executions.values():
            if execution["status"] == "TRANSFERRING":
                execution["status"] = "SUCCESS"
        waiting = [a for a in self.order if self.executions[a]["status"] == "QUEUED"]
        if waiting:
            self.executions[waiting[0]]["status"] = "TRANSFERRING"

    def by_status(self, status):
        return [a for a in self.order if self.executions[a]["status"] == status]


@pytest.fixture
def trigger(monkeypatch):
    spec = importlib.util.spec_from_file_location("lakedrop_trigger", SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, value in {
        "LAKEDROP_TASK_ARN": TASK,
        "LAKEDROP_SOURCE_SUBDIRECTORY": "incoming/",
        "LAKEDROP_STARTS": "manifest",
        "LAKEDROP_MANIFEST_BUCKET": BUCKET,
        "LAKEDROP_MANIFEST_ROLE_ARN": ROLE,
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(module.time, "sleep", lambda _s: None)
    return module


@pytest.fixture
def aws(trigger, monkeypatch):
    s3, datasync = FakeS3(), FakeDataSync()
    monkeypatch.setitem(trigger._CLIENTS, "s3", s3)
    monkeypatch.setitem(trigger._CLIENTS, "datasync", datasync)
    return s3, datasync


class Context:
    def __init__(self, seconds=30):
        self.seconds = seconds

    def get_remaining_time_in_millis(self):
        return int(self.seconds * 1000)


def record(key, version=None, sequencer=None, time="2026-12-01T00:00:00.000Z"):
    obj = {"key": quote_plus(key)}
    if version:
        obj["versionId"] = version
    if sequencer:
        obj["sequencer"] = sequencer
    return {"eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "eventTime": time, "s3": {"object": obj}}


def sqs(*notifications):
    return {
        "Records": [
            {"eventSource": "aws:sqs", "messageId": f"m{i}", "body": n if isinstance(n, str) else json.dumps(n)}
            for i, n in enumerate(notifications)
        ]
    }


def uploads(*keys, time="2026-12-01T00:00:00.000Z"):
    return sqs(*({"Records": [record(k, time=time)]} for k in keys))


def covered(s3, datasync, arn):
    return {row[0] for row in s3.manifest(datasync.executions[arn]["manifest"])}


# --- the manifest ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "a|b.csv",
        "dir/x*y.csv",
        "comma,name.csv",
        'say "hi".csv',
        "naïve/ü ø.csv",
        "new\nline.csv",
        "cr\rx.csv",
        " lead.csv",
    ],
)
def test_every_key_reads_back_exactly_as_one_object(trigger, path):
    rows = list(csv.reader(io.StringIO(trigger.manifest_csv({path: [None, None]}).decode("utf-8"))))
    assert rows == [[path]]


def test_version_ids_are_the_second_field_and_paths_are_relative(trigger):
    entries = trigger.merge_entries({}, [("incoming/a,b.csv", "v1", "01"), ("incoming/c.csv", None, "02")], "incoming/")
    assert trigger.manifest_csv(entries).decode() == '"a,b.csv",v1\nc.csv\n'


def test_keys_outside_the_subdirectory_and_the_subdirectory_itself_are_left_out(trigger):
    entries = trigger.merge_entries({}, [("other/a.csv", None, None), ("incoming", None, None)], "incoming/")
    assert entries == {}


def test_the_newest_version_of_a_key_wins_by_sequencer_not_by_arrival(trigger):
    records = [("incoming/a.csv", "v2", "0062E99A88DC407461"), ("incoming/a.csv", "v1", "0062E99A88DC407460")]
    assert trigger.merge_entries({}, records, "incoming/") == {"a.csv": ["v2", "0062E99A88DC407461"]}
    # a longer sequencer is a greater hexadecimal value, not a lexicographically smaller string
    records = [("incoming/b.csv", "v9", "FF"), ("incoming/b.csv", "v10", "0100")]
    assert trigger.merge_entries({}, records, "incoming/")["b.csv"][0] == "v10"


def test_unversioned_events_carry_no_version(trigger):
    event = sqs({"Records": [record("incoming/a.csv", version="null")]})
    assert trigger.records_from_event(event) == [("m0", [("incoming/a.csv", None, None)])]


def test_merged_tags_span_both_batches(trigger):
    first = trigger._upload_tags("2026-12-01T00:00:01Z", "2026-12-01T00:00:05Z", 3)
    second = trigger._upload_tags("2026-12-01T00:00:03Z", "2026-12-01T00:00:09Z", 2)
    tags = {t["Key"]: t["Value"] for t in trigger.merge_tags(first, second)}
    assert tags == {
        "lakedrop:oldest-upload": "2026-12-01T00:00:01Z",
        "lakedrop:newest-upload": "2026-12-01T00:00:09Z",
        "lakedrop:uploads": "5",
    }


# --- coalescing ---------------------------------------------------------------------------------------


def test_first_batch_starts_with_a_manifest_of_exactly_its_keys(trigger, aws):
    s3, datasync = aws
    event = sqs({"Records": [record("incoming/a|b.csv", "v1"), record("incoming/c*.csv", "v7")]}, "not json")
    assert trigger.handler(event, Context()) == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    (arn,) = datasync.order
    assert s3.manifest(datasync.executions[arn]["manifest"]) == [["a|b.csv", "v1"], ["c*.csv", "v7"]]
    source = datasync.executions[arn]["config"]["Source"]["S3"]
    assert source["BucketAccessRoleArn"] == ROLE and source["S3BucketArn"] == f"arn:aws:s3:::{BUCKET}"
    assert source["ManifestObjectPath"].startswith("manifests/task-0123456789abcdef0/")


def test_at_most_one_execution_waits_behind_the_running_one(trigger, aws):
    s3, datasync = aws
    for n in range(6):
        trigger.handler(uploads(f"incoming/{n}.csv", time=f"2026-12-01T00:00:0{n}Z"), Context())
        assert len(datasync.by_status("QUEUED")) <= 1
    running, waiting = datasync.by_status("TRANSFERRING"), datasync.by_status("QUEUED")
    assert covered(s3, datasync, running[0]) == {"0.csv"}
    assert covered(s3, datasync, waiting[0]) == {f"{n}.csv" for n in range(1, 6)}
    tags = {t["Key"]: t["Value"] for t in datasync.executions[waiting[0]]["tags"]}
    assert tags["lakedrop:uploads"] == "5" and tags["lakedrop:oldest-upload"] == "2026-12-01T00:00:01Z"
    cancelled = [a for a in datasync.order if datasync.executions[a].get("cancelled")]
    assert len(cancelled) == 4  # each replaced waiting execution, after its replacement was recorded
    for arn, replacement in zip(cancelled, cancelled[1:] + waiting, strict=True):
        assert {"Key": "lakedrop:replaced-by", "Value": replacement} in datasync.executions[arn]["tags"]


def test_a_launched_execution_is_not_replaced_a_new_one_waits(trigger, aws):
    s3, datasync = aws
    trigger.handler(uploads("incoming/1.csv"), Context())
    trigger.handler(uploads("incoming/2.csv"), Context())
    datasync.launch_next()  # 2.csv's execution launches
    trigger.handler(uploads("incoming/3.csv"), Context())
    (waiting,) = datasync.by_status("QUEUED")
    assert covered(s3, datasync, waiting) == {"3.csv"}
    assert not any(e.get("cancelled") for e in datasync.executions.values())


def test_the_waiting_execution_launching_before_its_cancel_keeps_running(trigger, aws, monkeypatch):
    s3, datasync = aws
    trigger.handler(uploads("incoming/1.csv"), Context())
    trigger.handler(uploads("incoming/2.csv"), Context())
    (old,) = datasync.by_status("QUEUED")
    real_write = s3.put_object

    def launch_then_write(**kwargs):  # between our start and our cancel, the old one launches
        if kwargs["Key"].startswith("pending/"):
            datasync.launch_next()
        return real_write(**kwargs)

    monkeypatch.setattr(s3, "put_object", launch_then_write)
    trigger.handler(uploads("incoming/3.csv"), Context())
    assert datasync.executions[old]["status"] == "TRANSFERRING" and not datasync.executions[old].get("cancelled")
    (new,) = datasync.by_status("QUEUED")
    assert covered(s3, datasync, new) == {"2.csv", "3.csv"}  # 2.csv twice: harmless with TransferMode CHANGED


def test_a_concurrent_invocation_wins_the_record_ours_retries_and_covers_both(trigger, aws):
    s3, datasync = aws
    trigger.handler(uploads("incoming/1.csv"), Context())
    trigger.handler(uploads("incoming/2.csv"), Context())
    # the other invocation (same code) runs to completion between our start and our conditional write
    s3.before_conditional_write = lambda: trigger.handler(uploads("incoming/other.csv"), Context())
    assert trigger.handler(uploads("incoming/ours.csv"), Context()) == {"batchItemFailures": []}
    (waiting,) = datasync.by_status("QUEUED")
    assert covered(s3, datasync, waiting) == {"2.csv", "other.csv", "ours.csv"}
    pending = json.loads(s3.objects[(BUCKET, "pending/task-0123456789abcdef0.json")][0])
    assert pending["execution_arn"] == waiting


def test_409_conflicts_are_retried_until_one_waiting_execution_is_recorded(trigger, aws):
    s3, datasync = aws
    trigger.handler(uploads("incoming/1.csv"), Context())
    s3.conflicts = 2
    assert trigger.handler(uploads("incoming/2.csv"), Context()) == {"batchItemFailures": []}
    (waiting,) = datasync.by_status("QUEUED")
    pending = json.loads(s3.objects[(BUCKET, "pending/task-0123456789abcdef0.json")][0])
    assert pending["execution_arn"] == waiting and covered(s3, datasync, waiting) == {"2.csv"}
    assert sum(1 for e in datasync.executions.values() if e.get("cancelled")) == 2  # the unrecorded attempts


def test_a_conflict_on_an_idle_task_needs_no_retry_the_execution_already_runs(trigger, aws):
    s3, datasync = aws
    s3.conflicts = 1
    assert trigger.handler(uploads("incoming/1.csv"), Context()) == {"batchItemFailures": []}
    (arn,) = datasync.order
    assert datasync.executions[arn]["status"] == "TRANSFERRING" and covered(s3, datasync, arn) == {"1.csv"}


def test_conflicts_past_the_budget_leave_our_execution_waiting_and_the_batch_succeeds(trigger, aws):
    s3, datasync = aws
    trigger.handler(uploads("incoming/1.csv"), Context())
    s3.conflicts = 100
    assert trigger.handler(uploads("incoming/2.csv"), Context(seconds=0)) == {"batchItemFailures": []}
    (arn,) = datasync.by_status("QUEUED")
    assert not datasync.executions[arn].get("cancelled") and covered(s3, datasync, arn) == {"2.csv"}


def test_a_crash_between_start_and_cancel_leaves_both_executions(trigger, aws, monkeypatch):
    s3, datasync = aws
    trigger.handler(uploads("incoming/1.csv"), Context())
    trigger.handler(uploads("incoming/2.csv"), Context())

    def crash(**_kwargs):
        raise RuntimeError("the container died")

    monkeypatch.setattr(datasync, "cancel_task_execution", crash)
    with pytest.raises(RuntimeError):
        trigger.handler(uploads("incoming/3.csv"), Context())
    monkeypatch.undo()
    waiting = datasync.by_status("QUEUED")
    assert {k for a in waiting for k in covered(s3, datasync, a)} == {"2.csv", "3.csv"}


def test_start_refused_past_the_budget_fails_every_message_with_keys(trigger, aws):
    _s3, datasync = aws
    datasync.refuse_starts = 1
    event = sqs(
        {"Records": [record("incoming/1.csv")]}, {"Event": "s3:TestEvent"}, {"Records": [record("incoming/2.csv")]}
    )
    result = trigger.handler(event, Context(seconds=0))
    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}, {"itemIdentifier": "m2"}]}


def test_direct_invocation_raises_so_lambda_retries(trigger, aws):
    _s3, datasync = aws
    datasync.refuse_starts = 1
    with pytest.raises(RuntimeError, match="InvalidRequestException"):
        trigger.handler({"Records": [record("incoming/1.csv")]}, Context(seconds=0))


def test_a_missing_setting_is_named(trigger, aws, monkeypatch):
    monkeypatch.delenv("LAKEDROP_MANIFEST_BUCKET")
    with pytest.raises(RuntimeError, match="LAKEDROP_MANIFEST_BUCKET"):
        trigger.handler(uploads("incoming/1.csv"), Context())
    monkeypatch.setenv("LAKEDROP_STARTS", "manifests")
    with pytest.raises(RuntimeError, match="manifest or filters, not 'manifests'"):
        trigger.handler(uploads("incoming/1.csv"), Context())


def test_nothing_new_writes_nothing(trigger, aws):
    s3, datasync = aws
    assert trigger.handler(sqs({"Event": "s3:TestEvent"}, {"Records": [record("other/x.csv")]}), Context()) == {
        "batchItemFailures": []
    }
    assert not s3.objects and not datasync.order


def test_an_unreadable_waiting_execution_is_neither_carried_nor_cancelled_and_costs_no_retries(trigger, aws):
    """DescribeTaskExecution refuses (an execution DataSync no longer keeps): no retry loop eats the budget,
    the old execution is left alone, the new keys start at once."""
    s3, datasync = aws
    trigger.handler(uploads("incoming/1.csv"), Context())
    trigger.handler(uploads("incoming/2.csv"), Context())
    (old,) = datasync.by_status("QUEUED")
    del datasync.executions[old]  # forgotten by DataSync
    datasync.order.remove(old)
    calls = []
    real = datasync.describe_task_execution

    def counted(**kwargs):
        calls.append(kwargs["TaskExecutionArn"])
        return real(**kwargs)

    datasync.describe_task_execution = counted
    assert trigger.handler(uploads("incoming/3.csv"), Context()) == {"batchItemFailures": []}
    assert calls.count(old) == 1
    (waiting,) = datasync.by_status("QUEUED")
    assert covered(s3, datasync, waiting) == {"3.csv"}


def test_a_refused_cancel_after_the_record_does_not_fail_the_batch(trigger, aws, monkeypatch):
    _s3, datasync = aws
    trigger.handler(uploads("incoming/1.csv"), Context())
    trigger.handler(uploads("incoming/2.csv"), Context())

    def refuse(**_kwargs):
        raise _error("ThrottlingException", message="Rate exceeded")

    monkeypatch.setattr(datasync, "cancel_task_execution", refuse)
    assert trigger.handler(uploads("incoming/3.csv"), Context(seconds=0)) == {"batchItemFailures": []}


def test_with_a_fast_path_manifests_name_the_current_version(trigger, aws, monkeypatch):
    """LAKEDROP_MANIFEST_VERSIONS=current (a delivery with a fast path): rows carry no version ID, so DataSync
    never copies an older version over a newer one the fast path already wrote; the fast path's own state
    directory is never named."""
    s3, datasync = aws
    monkeypatch.setenv("LAKEDROP_MANIFEST_VERSIONS", "current")
    event = sqs({"Records": [record("incoming/a.csv", "v1"), record("incoming/.lakedrop-fast/ab/forged", "v2")]})
    assert trigger.handler(event, Context()) == {"batchItemFailures": []}
    (arn,) = datasync.order
    assert s3.manifest(datasync.executions[arn]["manifest"]) == [["a.csv"]]
