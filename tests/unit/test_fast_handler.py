"""The fast function's handler: streamed, verified copies into a directory standing for the EFS mount, ordered by
S3's sequencer, and opt-in deletes (against an in-memory S3 that answers GetObject/HeadObject as S3 does)."""

from __future__ import annotations

import base64
import datetime
import fcntl
import hashlib
import importlib.util
import json
import os
import stat
import zlib
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from botocore.exceptions import ClientError

SOURCE = Path(__file__).resolve().parents[2] / "roles/fast_path/files/lakedrop_fast.py"
BUCKET = "lakedrop-source"
MODIFIED = datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)
CHUNK = 1024  # the tests' CHUNK_BYTES: objects of a few KiB take several reads


def _error(code, status):
    return ClientError(
        {"Error": {"Code": code, "Message": "refused"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "op"
    )


class Body:
    """A streaming body that refuses an unbounded read (or one above the handler's chunk size), and can fail
    after `fail_after` bytes as a connection dropped by a timeout would."""

    def __init__(self, data, fail_after=None):
        self.data, self.offset, self.fail_after = data, 0, fail_after
        self.reads, self.closed = 0, False

    def read(self, amt=None):
        if amt is None or amt <= 0 or amt > CHUNK:
            raise AssertionError(f"unbounded read({amt!r}): the whole object would be in memory")
        if self.fail_after is not None and self.offset >= self.fail_after:
            raise TimeoutError("Read timeout on endpoint URL")
        self.reads += 1
        chunk = self.data[self.offset : self.offset + amt]
        self.offset += len(chunk)
        return chunk

    def close(self):
        self.closed = True


def checksums(data, kinds):
    found = {}
    if "SHA256" in kinds:
        found["ChecksumSHA256"] = base64.b64encode(hashlib.sha256(data).digest()).decode()
    if "SHA1" in kinds:
        found["ChecksumSHA1"] = base64.b64encode(hashlib.sha1(data).digest()).decode()  # noqa: S324 - S3's checksum
    if "CRC32" in kinds:
        found["ChecksumCRC32"] = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    if "CRC32C" in kinds:
        found["ChecksumCRC32C"] = "yZRlqg=="  # not computable without awscrt: never trusted blindly either
    return found


class FakeS3:
    """Objects by key, each a list of versions (the last is current; None stands for a delete marker)."""

    def __init__(self):
        self.objects = {}
        self.calls = []
        self.refuse = None  # an error code every call answers
        self.bodies = []

    def put(self, key, data, version=None, kinds=("SHA256",), etag=None, sse=None, fail_after=None, **extra):
        obj = {
            "data": data,
            "version": version,
            "etag": etag or f'"{hashlib.md5(data).hexdigest()}"',  # noqa: S324 - S3's ETag
            "checksums": checksums(data, kinds),
            "sse": sse,
            "fail_after": fail_after,
            **extra,
        }
        self.objects.setdefault(key, []).append(obj)
        return obj

    def delete(self, key):
        self.objects.setdefault(key, []).append(None)

    def _current(self, Bucket, Key):
        assert Bucket == BUCKET
        if self.refuse:
            raise _error(self.refuse, 403)
        versions = self.objects.get(Key) or [None]
        if versions[-1] is None:
            raise _error("NoSuchKey", 404)
        return versions[-1]

    def get_object(self, Bucket, Key, ChecksumMode=None):
        self.calls.append(("get_object", Key))
        assert ChecksumMode == "ENABLED"
        obj = self._current(Bucket, Key)
        body = Body(obj["data"], obj["fail_after"])
        self.bodies.append(body)
        response = {
            "Body": body,
            "ContentLength": obj.get("length", len(obj["data"])),
            "ETag": obj["etag"],
            "LastModified": MODIFIED,
            **obj["checksums"],
        }
        if obj["version"]:
            response["VersionId"] = obj["version"]
        if obj["sse"]:
            response["ServerSideEncryption"] = obj["sse"]
        if obj.get("checksum_type"):
            response["ChecksumType"] = obj["checksum_type"]
        return response

    def head_object(self, Bucket, Key):
        self.calls.append(("head_object", Key))
        obj = self._current(Bucket, Key)
        return {"ContentLength": len(obj["data"]), "ETag": obj["etag"]}


class Context:
    def __init__(self, seconds=30):
        self.seconds = seconds

    def get_remaining_time_in_millis(self):
        return int(self.seconds * 1000)


@pytest.fixture
def mount(tmp_path):
    path = tmp_path / "mnt"
    path.mkdir()
    return path


@pytest.fixture
def fast(monkeypatch, mount):
    spec = importlib.util.spec_from_file_location("lakedrop_fast", SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, value in {
        "LAKEDROP_MOUNT_PATH": str(mount),
        "LAKEDROP_SOURCE_BUCKET": BUCKET,
        "LAKEDROP_SOURCE_SUBDIRECTORY": "incoming/",
        "LAKEDROP_MAX_BYTES": "16384",
        "LAKEDROP_PROPAGATE_DELETES": "true",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(module, "CHUNK_BYTES", CHUNK)
    monkeypatch.setattr(module.time, "sleep", lambda _s: None)
    return module


@pytest.fixture
def s3(fast, monkeypatch):
    fake = FakeS3()
    monkeypatch.setitem(fast._CLIENTS, "s3", fake)
    return fake


def created(key, sequencer="0A", version=None, size=None, name="ObjectCreated:Put"):
    obj = {"key": quote_plus(key), "sequencer": sequencer}
    if version:
        obj["versionId"] = version
    if size is not None:
        obj["size"] = size
    return {"eventSource": "aws:s3", "eventName": name, "s3": {"object": obj}}


def removed(key, sequencer="0B", name="ObjectRemoved:Delete"):
    return created(key, sequencer, name=name)


def sqs(*records):
    """One SQS message per record (a string is sent as the body as it is)."""
    return {
        "Records": [
            {
                "eventSource": "aws:sqs",
                "messageId": f"m{i}",
                "body": r if isinstance(r, str) else json.dumps(r if "Event" in r else {"Records": [r]}),
            }
            for i, r in enumerate(records)
        ]
    }


def run(fast, *records, context=None):
    answer = fast.handler(sqs(*records), context or Context())
    return [failure["itemIdentifier"] for failure in answer["batchItemFailures"]]


def lines(capsys):
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]


def visible(mount):
    """Every path under the mount except the ordering state, relative to it."""
    return sorted(
        str(p.relative_to(mount))
        for p in mount.rglob("*")
        if not str(p.relative_to(mount)).startswith(".lakedrop-fast")
    )


# --- copies and their verification -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("put", "verified"),
    [
        ({"kinds": ("SHA256",)}, "SHA256"),
        ({"kinds": ("SHA1",)}, "SHA1"),
        ({"kinds": ("CRC32",)}, "CRC32"),
        ({"kinds": ("CRC32", "SHA256")}, "SHA256"),
        ({"kinds": ()}, "MD5"),
        # Without awscrt (the Lambda runtime) CRC32C cannot be computed: the single-part ETag verifies instead.
        ({"kinds": ("CRC32C",)}, "MD5"),
        # SSE-KMS: the ETag is not the MD5 of the data, so only the size is checked.
        ({"kinds": (), "sse": "aws:kms", "etag": '"0123456789abcdef0123456789abcdef"'}, "size"),
        # A multipart upload: neither its ETag nor a composite checksum covers the data as a whole.
        ({"kinds": (), "etag": '"0123456789abcdef0123456789abcdef-3"'}, "size"),
    ],
)
def test_copies_with_each_verification(fast, s3, mount, capsys, put, verified):
    data = os.urandom(3 * CHUNK + 17)
    s3.put("incoming/dir/sub/a b.csv", data, **put)

    assert run(fast, created("incoming/dir/sub/a b.csv", size=len(data))) == []

    assert (mount / "dir/sub/a b.csv").read_bytes() == data
    (line,) = lines(capsys)
    assert line["action"] == "copied" and line["bytes"] == len(data) and line["verified"] == verified
    assert line["key"] == "incoming/dir/sub/a b.csv" and line["reason"] is None
    assert visible(mount) == ["dir", "dir/sub", "dir/sub/a b.csv"]  # no temporary file left


def test_composite_checksum_falls_back_to_the_etag(fast):
    data = b"x" * 10
    response = {
        "ChecksumCRC32": "AAAAAA==-2",
        "ChecksumSHA256": base64.b64encode(hashlib.sha256(data).digest()).decode(),
        "ChecksumType": "COMPOSITE",
        "ETag": f'"{hashlib.md5(data).hexdigest()}"',  # noqa: S324 - S3's ETag
    }
    assert fast.verification(response)[:2] == ("etag", "MD5")
    assert fast.verification({"ChecksumCRC32": "AAAAAA==-2", "ETag": '"abc-2"'}) == ("size", None, None)


@pytest.mark.parametrize("put", [{"kinds": ("SHA256",)}, {"kinds": ()}], ids=["checksum", "etag"])
def test_a_mismatch_fails_and_writes_nothing(fast, s3, mount, capsys, put):
    obj = s3.put("incoming/a.csv", b"the real bytes", **put)
    obj["data"] = b"the torn bytes"  # what arrives differs from what S3 recorded

    assert run(fast, created("incoming/a.csv")) == ["m0"]

    assert visible(mount) == []
    (line,) = lines(capsys)
    assert line["action"] == "forwarded" and line["reason"].endswith("-mismatch")


def test_mtime_and_modes_are_datasyncs(fast, s3, mount):
    s3.put("incoming/new/deep/a.csv", b"abc")
    previous = os.umask(0o077)  # modes must not depend on the runtime's umask
    try:
        assert run(fast, created("incoming/new/deep/a.csv")) == []
    finally:
        os.umask(previous)

    target = mount / "new/deep/a.csv"
    assert target.stat().st_mtime == MODIFIED.timestamp()
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert stat.S_IMODE((mount / "new").stat().st_mode) == 0o755
    assert stat.S_IMODE((mount / "new/deep").stat().st_mode) == 0o755


def test_the_copy_streams_in_bounded_reads(fast, s3, mount):
    data = os.urandom(10 * CHUNK + 1)
    s3.put("incoming/big.bin", data)

    assert run(fast, created("incoming/big.bin")) == []

    (body,) = s3.bodies
    assert body.reads >= 11 and body.closed  # Body refuses any read() that is not bounded by the chunk size
    assert (mount / "big.bin").read_bytes() == data


def test_the_fake_body_does_refuse_an_unbounded_read():
    with pytest.raises(AssertionError):
        Body(b"abc").read()


def test_replaces_an_existing_file_in_place(fast, s3, mount):
    (mount / "a.csv").write_bytes(b"old")
    s3.put("incoming/a.csv", b"new")

    assert run(fast, created("incoming/a.csv")) == []

    assert (mount / "a.csv").read_bytes() == b"new"


# --- what the fast path leaves to DataSync, or passes --------------------------------------------------------


def test_too_large_by_the_event_is_forwarded_without_reading(fast, s3, mount, capsys):
    s3.put("incoming/big.bin", b"x" * 20000)

    assert run(fast, created("incoming/big.bin", size=20000)) == ["m0"]

    assert s3.calls == [] and visible(mount) == []
    assert [(line["action"], line["reason"]) for line in lines(capsys)] == [("forwarded", "too-large")]


def test_too_large_by_the_object_is_forwarded(fast, s3, mount):
    s3.put("incoming/big.bin", b"x" * 20000)  # replaced by a larger object after the event

    assert run(fast, created("incoming/big.bin", size=10)) == ["m0"]

    assert visible(mount) == [] and all(body.reads == 0 for body in s3.bodies)


def test_max_bytes_zero_forwards_everything(fast, s3, mount, monkeypatch):
    monkeypatch.setenv("LAKEDROP_MAX_BYTES", "0")
    s3.put("incoming/empty.csv", b"")

    assert run(fast, created("incoming/empty.csv", size=0)) == ["m0"]
    assert visible(mount) == []


def test_outside_the_prefix_test_events_and_folders_pass(fast, s3, mount, capsys):
    test_event = {"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": BUCKET}

    assert run(fast, created("elsewhere/a.csv"), test_event, created("incoming/folder/")) == []

    assert s3.calls == [] and visible(mount) == []
    assert [line["reason"] for line in lines(capsys)] == ["outside-prefix", "folder-placeholder"]


def test_a_malformed_body_is_a_failure_and_logged(fast, s3, capsys):
    assert run(fast, "not json", json.dumps({"Records": [{"eventName": "ObjectCreated:Put"}]})) == ["m0", "m1"]

    assert [(line["message_id"], line["reason"]) for line in lines(capsys)] == [
        ("m0", "unreadable-body"),
        ("m1", "unreadable-body"),
    ]


@pytest.mark.parametrize("key", ["incoming/../escape.csv", "incoming//etc/x.csv", "incoming/a/./b.csv"])
def test_an_unsafe_key_is_left_to_datasync(fast, s3, mount, tmp_path, key):
    s3.put(key, b"x")

    assert run(fast, created(key)) == ["m0"]

    assert s3.calls == [] and visible(mount) == [] and not (tmp_path / "escape.csv").exists()


def test_a_refused_read_is_forwarded(fast, s3, mount, capsys):
    s3.put("incoming/a.csv", b"x")
    s3.refuse = "AccessDenied"

    assert run(fast, created("incoming/a.csv")) == ["m0"]

    assert visible(mount) == [] and lines(capsys)[0]["reason"] == "s3-AccessDenied"


def test_one_bad_record_does_not_fail_the_others(fast, s3, mount):
    s3.put("incoming/good.csv", b"good")
    s3.put("incoming/bad.csv", b"real", kinds=("SHA256",))["data"] = b"torn"

    assert run(fast, created("incoming/bad.csv"), created("incoming/good.csv")) == ["m0"]
    assert visible(mount) == ["good.csv"]


def test_deleted_before_its_copy_is_success_with_nothing_written(fast, s3, mount, capsys):
    """Decision: nothing to copy, and nothing DataSync could copy either (a manifest naming a missing object
    fails that file), so the message is done; the line says why. The delete's own event removes older copies."""
    s3.put("incoming/gone.csv", b"x")
    s3.delete("incoming/gone.csv")

    assert run(fast, created("incoming/gone.csv")) == []

    assert visible(mount) == []
    assert [(line["action"], line["reason"]) for line in lines(capsys)] == [("skipped", "deleted-in-source")]


# --- ordering -------------------------------------------------------------------------------------------------


def test_an_event_of_a_version_no_longer_current_is_skipped(fast, s3, mount, capsys):
    s3.put("incoming/a.csv", b"v1", version="v1")
    s3.put("incoming/a.csv", b"v2", version="v2")

    assert run(fast, created("incoming/a.csv", "01", version="v1")) == []

    assert visible(mount) == []
    assert lines(capsys)[0]["reason"] == "not-current-version"
    assert run(fast, created("incoming/a.csv", "02", version="v2")) == []
    assert (mount / "a.csv").read_bytes() == b"v2"


def test_duplicate_events_copy_once(fast, s3, mount, capsys):
    s3.put("incoming/a.csv", b"abc")

    assert run(fast, created("incoming/a.csv", "0A"), created("incoming/a.csv", "0A")) == []
    assert run(fast, created("incoming/a.csv", "0A")) == []

    assert s3.calls == [("get_object", "incoming/a.csv")]
    assert [line["action"] for line in lines(capsys)] == ["copied", "skipped", "skipped"]


def test_an_older_event_arriving_late_does_not_overwrite(fast, s3, mount):
    s3.put("incoming/a.csv", b"newer")
    assert run(fast, created("incoming/a.csv", "0FF")) == []
    s3.put("incoming/a.csv", b"would be wrong")  # whatever S3 would answer now, the older event is not applied

    assert run(fast, created("incoming/a.csv", "0FE")) == []

    assert (mount / "a.csv").read_bytes() == b"newer" and len(s3.calls) == 1


@pytest.mark.parametrize(
    ("new", "old", "newer"),
    [
        ("0B", "0A", True),
        ("0A", "0A", False),
        ("0A", "0B", False),
        ("100", "FF", True),  # different lengths compare as numbers, as the trigger compares them
        ("00FF", "100", False),
        ("0A", None, True),
        (None, "0A", True),
        ("zz", "0A", True),
    ],
)
def test_sequencers_compare_as_hexadecimal_values(fast, new, old, newer):
    assert fast.is_newer(new, old) is newer


def test_the_state_file_holds_the_greatest_sequencer(fast, s3, mount):
    s3.put("incoming/a.csv", b"abc")
    assert run(fast, created("incoming/a.csv", "0C")) == []

    shard, name = fast.state_name("incoming/a.csv")
    state = json.loads((mount / ".lakedrop-fast" / shard / name).read_text())
    assert state == {"key": "incoming/a.csv", "sequencer": "0C", "deleted": False, "temporary": None}
    assert stat.S_IMODE((mount / ".lakedrop-fast").stat().st_mode) == 0o700


def test_a_key_locked_by_another_invocation_is_forwarded(fast, s3, mount, monkeypatch, capsys):
    s3.put("incoming/a.csv", b"abc")
    assert run(fast, created("incoming/a.csv", "01")) == []
    shard, name = fast.state_name("incoming/a.csv")
    with open(mount / ".lakedrop-fast" / shard / f"{name}.lock", "rb+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        clock = iter(range(0, 10**6, 5))
        monkeypatch.setattr(fast, "now", lambda: next(clock))  # the budget runs out while waiting

        assert run(fast, created("incoming/a.csv", "02"), context=Context(60)) == ["m0"]

    assert lines(capsys)[-1]["reason"] == "busy-key"


def test_the_lock_holds_while_the_holder_rewrites_the_state(fast, s3, mount):
    """The state file is replaced by rename on each write; the lock must survive that (a lock on the replaced
    file would let a second invocation in mid-copy)."""
    s3.put("incoming/a.csv", b"abc")
    holder = fast.State(os.open(mount, os.O_RDONLY), "incoming/a.csv", fast.now() + 30)
    try:
        holder.write(sequencer="05", temporary=".a.csv.lakedrop-0123456789ab.tmp")
        holder.write(sequencer="05", temporary=None)
        with pytest.raises(fast.Forward, match="busy-key"):
            fast.State(os.open(mount, os.O_RDONLY), "incoming/a.csv", fast.now() + 0.2)
    finally:
        holder.close()
    again = fast.State(os.open(mount, os.O_RDONLY), "incoming/a.csv", fast.now() + 1)
    assert again.sequencer == "05"
    again.close()


def test_a_key_under_the_state_directory_is_refused_by_both_paths(fast, s3, mount, capsys):
    """An upload must not forge the fast path's state: refused (not handed to DataSync either), logged."""
    s3.put("incoming/.lakedrop-fast/ab/forged", b'{"key": "incoming/victim.csv", "sequencer": "FFFF"}')

    assert run(fast, created("incoming/.lakedrop-fast/ab/forged", "01")) == []

    last = lines(capsys)[-1]
    assert (last["action"], last["reason"]) == ("refused", "reserved-path")
    assert not (mount / ".lakedrop-fast" / "ab" / "forged").exists()


def test_a_forged_temporary_name_in_the_state_is_never_removed(fast, s3, mount):
    s3.put("incoming/a.csv", b"abc")
    (mount / "keep.txt").write_bytes(b"keep")
    state = fast.State(os.open(mount, os.O_RDONLY), "incoming/a.csv", fast.now() + 30)
    state.write(sequencer="01", temporary="../keep.txt")
    state.close()

    assert run(fast, created("incoming/a.csv", "02")) == []
    assert (mount / "keep.txt").read_bytes() == b"keep" and (mount / "a.csv").read_bytes() == b"abc"


# --- deletes --------------------------------------------------------------------------------------------------


def test_a_delete_removes_the_file_and_leaves_a_tombstone(fast, s3, mount, capsys):
    s3.put("incoming/d/a.csv", b"abc")
    assert run(fast, created("incoming/d/a.csv", "01")) == []
    s3.delete("incoming/d/a.csv")

    assert run(fast, removed("incoming/d/a.csv", "02")) == []

    assert visible(mount) == ["d"]
    assert lines(capsys)[-1]["action"] == "deleted"
    # The create arriving again (a duplicate) does not bring it back.
    assert run(fast, created("incoming/d/a.csv", "01")) == [] and visible(mount) == ["d"]


def test_delete_then_reupload_ends_present(fast, s3, mount):
    s3.put("incoming/a.csv", b"one")
    assert run(fast, created("incoming/a.csv", "01")) == []
    s3.delete("incoming/a.csv")
    assert run(fast, removed("incoming/a.csv", "02")) == []
    s3.put("incoming/a.csv", b"two")

    assert run(fast, created("incoming/a.csv", "03")) == []

    assert (mount / "a.csv").read_bytes() == b"two"


def test_a_late_delete_after_the_reupload_leaves_it_present(fast, s3, mount, capsys):
    s3.put("incoming/a.csv", b"one")
    s3.delete("incoming/a.csv")
    s3.put("incoming/a.csv", b"two")
    assert run(fast, created("incoming/a.csv", "03")) == []

    assert run(fast, removed("incoming/a.csv", "02")) == []

    assert (mount / "a.csv").read_bytes() == b"two"
    assert lines(capsys)[-1]["reason"] == "already-applied"


def test_a_delete_seen_after_the_key_has_content_again_shows_that_content(fast, s3, mount, capsys):
    """A re-upload before the delete's event is handled — or a removal that made an older version current (a
    delete marker removed, the current version deleted: no ObjectCreated event) — leaves the key with content:
    EFS shows what S3 shows now."""
    s3.put("incoming/a.csv", b"one")
    assert run(fast, created("incoming/a.csv", "01")) == []
    s3.delete("incoming/a.csv")
    s3.put("incoming/a.csv", b"two")  # the key has content again before the delete's event is handled

    assert run(fast, removed("incoming/a.csv", "02")) == []

    assert (mount / "a.csv").read_bytes() == b"two"
    assert lines(capsys)[-1]["action"] == "copied"
    assert run(fast, created("incoming/a.csv", "03")) == [] and (mount / "a.csv").read_bytes() == b"two"


def test_a_delete_whose_key_is_back_too_large_goes_to_the_dead_letter_queue(fast, s3, mount, capsys):
    s3.put("incoming/a.csv", b"x" * (fast.settings(os.environ)["max_bytes"] + 1))

    assert run(fast, removed("incoming/a.csv", "02")) == ["m0"]
    assert lines(capsys)[-1]["reason"] == "exists-in-source-too-large"


@pytest.mark.parametrize("key", ["incoming/../outside.csv", "incoming//outside.csv", "incoming/x/../../outside.csv"])
def test_a_delete_outside_the_mount_is_refused(fast, s3, mount, tmp_path, capsys, key):
    (tmp_path / "outside.csv").write_bytes(b"keep")

    assert run(fast, removed(key)) == []

    assert (tmp_path / "outside.csv").read_bytes() == b"keep" and s3.calls == []
    assert [(line["action"], line["reason"]) for line in lines(capsys)] == [("refused", "unsafe-path")]


def test_a_delete_through_a_symlink_is_refused(fast, s3, mount, tmp_path, capsys):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.csv").write_bytes(b"keep")
    (mount / "link").symlink_to(outside)
    (mount / "file-link.csv").symlink_to(outside / "a.csv")

    assert run(fast, removed("incoming/link/a.csv"), removed("incoming/file-link.csv")) == []

    assert (outside / "a.csv").read_bytes() == b"keep" and (mount / "file-link.csv").is_symlink()
    assert [(line["action"], line["reason"]) for line in lines(capsys)] == [
        ("refused", "symlink-in-path"),
        ("refused", "symlink"),
    ]


def test_a_copy_through_a_symlink_is_left_to_datasync(fast, s3, mount, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (mount / "link").symlink_to(outside)
    s3.put("incoming/link/a.csv", b"x")

    assert run(fast, created("incoming/link/a.csv")) == ["m0"]
    assert list(outside.iterdir()) == []


def test_deletes_are_ignored_unless_propagated(fast, s3, mount, monkeypatch, capsys):
    monkeypatch.setenv("LAKEDROP_PROPAGATE_DELETES", "false")
    (mount / "a.csv").write_bytes(b"keep")

    assert (
        run(fast, removed("incoming/a.csv"), removed("incoming/a.csv", name="ObjectRemoved:DeleteMarkerCreated")) == []
    )

    assert (mount / "a.csv").read_bytes() == b"keep" and s3.calls == []
    assert {line["reason"] for line in lines(capsys)} == {"deletes-not-propagated"}


def test_a_delete_of_a_file_never_copied_is_recorded(fast, s3, mount):
    assert run(fast, removed("incoming/never/a.csv", "05")) == []
    s3.put("incoming/never/a.csv", b"old")

    assert run(fast, created("incoming/never/a.csv", "04")) == []  # older than the delete: not applied

    assert visible(mount) == []


# --- a copy cut short -------------------------------------------------------------------------------------------


def test_a_timeout_mid_copy_leaves_no_partial_file_and_the_message_fails(fast, s3, mount, capsys):
    (mount / "a.csv").write_bytes(b"previous")
    s3.put("incoming/a.csv", os.urandom(5 * CHUNK), fail_after=2 * CHUNK)

    assert run(fast, created("incoming/a.csv", "02")) == ["m0"]

    assert visible(mount) == ["a.csv"] and (mount / "a.csv").read_bytes() == b"previous"
    assert lines(capsys)[0]["reason"].startswith("error: TimeoutError")
    s3.objects["incoming/a.csv"][-1]["fail_after"] = None
    assert run(fast, created("incoming/a.csv", "02")) == []  # the message comes back (via DataSync or here)
    assert (mount / "a.csv").read_bytes() == s3.objects["incoming/a.csv"][-1]["data"]


def test_the_time_budget_running_out_mid_copy_fails_cleanly(fast, s3, mount, monkeypatch, capsys):
    s3.put("incoming/a.csv", os.urandom(5 * CHUNK))
    clock = iter(range(0, 10**6, 10))  # the budget (27 s of 30) runs out after the second chunk
    monkeypatch.setattr(fast, "now", lambda: next(clock))

    assert run(fast, created("incoming/a.csv"), context=Context(30)) == ["m0"]

    assert visible(mount) == [] and lines(capsys)[0]["reason"] == "time-budget"


def test_a_killed_copys_temporary_file_is_removed_by_the_next(fast, s3, mount, monkeypatch):
    s3.put("incoming/a.csv", os.urandom(3 * CHUNK), fail_after=CHUNK)
    with monkeypatch.context() as killed:
        killed.setattr(fast, "_remove", lambda name, dir_fd: None)  # killed: no cleanup ran
        assert run(fast, created("incoming/a.csv", "02")) == ["m0"]
    (stale,) = visible(mount)
    assert stale.startswith(".a.csv.lakedrop-") and stale.endswith(".tmp")

    s3.objects["incoming/a.csv"][-1]["fail_after"] = None
    assert run(fast, created("incoming/a.csv", "02")) == []

    assert visible(mount) == ["a.csv"]


# --- the in-flight registry and the cold start's sweep ------------------------------------------------------


def inflight(mount):
    directory = mount / ".lakedrop-fast" / "inflight"
    return sorted(directory.iterdir()) if directory.is_dir() else []


def entry(mount, temporary, age):
    """An in-flight entry naming `temporary`, `age` seconds old (as a copy of that age would have left it)."""
    directory = mount / ".lakedrop-fast" / "inflight"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{len(list(directory.iterdir())):016x}.json"
    path.write_text(json.dumps({"temporary": temporary}))
    then = datetime.datetime.now(datetime.UTC).timestamp() - age
    os.utime(path, (then, then))
    return path


TEMP = ".a.csv.lakedrop-0123456789ab.tmp"


def test_a_copy_registers_its_temporary_file_while_it_runs(fast, s3, mount):
    s3.put("incoming/dir/a.csv", os.urandom(3 * CHUNK))
    seen = []
    stream = fast.stream_into

    def watching(body, fd, *args):
        seen.extend(json.loads(path.read_text())["temporary"] for path in inflight(mount))
        seen.append(sorted(p.name for p in (mount / "dir").iterdir()))
        return stream(body, fd, *args)

    fast.stream_into = watching
    assert run(fast, created("incoming/dir/a.csv")) == []

    temporary, listing = seen
    assert temporary.startswith("dir/.a.csv.lakedrop-") and listing == [temporary.removeprefix("dir/")]
    assert inflight(mount) == [] and visible(mount) == ["dir", "dir/a.csv"]  # released after the rename


def test_a_failed_copy_releases_its_entry(fast, s3, mount):
    s3.put("incoming/a.csv", os.urandom(3 * CHUNK), fail_after=CHUNK)
    assert run(fast, created("incoming/a.csv")) == ["m0"]
    assert inflight(mount) == [] and visible(mount) == []


def test_a_killed_copy_is_swept_by_the_next_cold_start(fast, s3, mount, monkeypatch, capsys):
    s3.put("incoming/a.csv", os.urandom(3 * CHUNK), fail_after=CHUNK)
    with monkeypatch.context() as killed:
        killed.setattr(fast, "_remove", lambda name, dir_fd: None)  # killed: no cleanup ran
        assert run(fast, created("incoming/a.csv", "02")) == ["m0"]
    (stale,) = visible(mount)
    (registered,) = inflight(mount)
    assert json.loads(registered.read_text()) == {"temporary": stale}
    then = datetime.datetime.now(datetime.UTC).timestamp() - 120
    os.utime(registered, (then, then))  # the runtime was replaced; its timeout (30 s) has long passed

    fast._RUNTIME["swept"] = False  # a new runtime: its first invocation is a cold start
    capsys.readouterr()
    assert run(fast, created("incoming/b.csv", "01")) == []  # another key: the fast path never sees a.csv again

    assert visible(mount) == [] and inflight(mount) == []
    (swept,) = [line for line in lines(capsys) if line.get("action") == "swept"]
    assert swept["temporary"] == stale and swept["reason"] == "removed"


def test_a_live_copys_entry_is_left_alone(fast, s3, mount):
    (mount / TEMP).write_bytes(b"being written")
    young = entry(mount, TEMP, age=20)  # a concurrent invocation, 20 s into its copy

    assert run(fast, created("incoming/b.csv")) == []

    assert (mount / TEMP).read_bytes() == b"being written" and inflight(mount) == [young]


def test_the_age_limit_is_the_remaining_time_plus_a_margin(fast, s3, mount):
    (mount / TEMP).write_bytes(b"x")
    entry(mount, TEMP, age=100)

    run(fast, created("incoming/b.csv"), context=Context(60))  # 100 s is not older than 60 s + the margin
    assert (mount / TEMP).exists()

    fast._RUNTIME["swept"] = False
    run(fast, created("incoming/b.csv", "0B"), context=Context(30))
    assert not (mount / TEMP).exists() and inflight(mount) == []


def test_only_a_cold_start_sweeps(fast, s3, mount):
    run(fast, created("incoming/b.csv"))
    (mount / TEMP).write_bytes(b"x")
    entry(mount, TEMP, age=3600)

    run(fast, created("incoming/b.csv", "0B"))  # a warm invocation

    assert (mount / TEMP).exists() and len(inflight(mount)) == 1


@pytest.mark.parametrize(
    "temporary",
    [
        "../x",
        "../.a.csv.lakedrop-0123456789ab.tmp",
        "/etc/.a.csv.lakedrop-0123456789ab.tmp",
        "link/.a.csv.lakedrop-0123456789ab.tmp",  # a symbolic link on the way
        "linked.lakedrop-0123456789ab.tmp",  # not a temporary file's name
        ".linked.lakedrop-0123456789ab.tmp",  # the temporary file is itself a symbolic link
        "keep.csv",  # a delivered file
        ".lakedrop-fast/ab/.a.lakedrop-0123456789ab.tmp",  # the ordering state
        None,
    ],
)
def test_a_malicious_entry_removes_nothing(fast, s3, mount, tmp_path, temporary):
    outside = tmp_path / "outside"
    outside.mkdir()
    for name in ("x", TEMP, "target"):
        (outside / name).write_bytes(b"keep")
    (tmp_path / "x").write_bytes(b"keep")
    (tmp_path / TEMP).write_bytes(b"keep")
    (mount / "link").symlink_to(outside)
    (mount / ".linked.lakedrop-0123456789ab.tmp").symlink_to(outside / "target")
    (mount / "keep.csv").write_bytes(b"keep")
    state = mount / ".lakedrop-fast" / "ab" / ".a.lakedrop-0123456789ab.tmp"
    state.parent.mkdir(parents=True)
    state.write_bytes(b"keep")
    entry(mount, temporary, age=3600)
    before = {p for p in tmp_path.rglob("*") if ".lakedrop-fast" not in str(p)}

    assert run(fast, created("incoming/b.csv")) == []

    assert {p for p in tmp_path.rglob("*") if ".lakedrop-fast" not in str(p)} == before
    assert all((outside / name).read_bytes() == b"keep" for name in ("x", TEMP, "target"))
    assert (tmp_path / "x").read_bytes() == b"keep" and (mount / "keep.csv").read_bytes() == b"keep"
    assert state.read_bytes() == b"keep"
    assert inflight(mount) == []  # the entry itself is gone: it is never looked at again


def test_an_entry_that_is_a_symlink_or_unreadable_removes_nothing(fast, s3, mount, tmp_path):
    (tmp_path / "elsewhere.json").write_text(json.dumps({"temporary": TEMP}))
    (mount / TEMP).write_bytes(b"x")
    directory = mount / ".lakedrop-fast" / "inflight"
    directory.mkdir(parents=True)
    (directory / "link.json").symlink_to(tmp_path / "elsewhere.json")
    torn = entry(mount, None, age=3600)
    torn.write_bytes(b'{"tempor')
    then = datetime.datetime.now(datetime.UTC).timestamp() - 3600
    os.utime(torn, (then, then))
    os.utime(directory / "link.json", (then, then), follow_symlinks=False)

    assert run(fast, created("incoming/b.csv")) == []

    assert (mount / TEMP).exists() and (tmp_path / "elsewhere.json").exists() and inflight(mount) == []


# --- configuration ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LAKEDROP_MOUNT_PATH", None),
        ("LAKEDROP_MOUNT_PATH", "relative/mnt"),
        ("LAKEDROP_MOUNT_PATH", "/nonexistent/mnt"),
        ("LAKEDROP_SOURCE_BUCKET", ""),
        ("LAKEDROP_SOURCE_SUBDIRECTORY", None),
        ("LAKEDROP_MAX_BYTES", "16MiB"),
        ("LAKEDROP_MAX_BYTES", "-1"),
        ("LAKEDROP_PROPAGATE_DELETES", "yes"),
    ],
)
def test_bad_configuration_names_the_variable_before_touching_anything(fast, s3, mount, monkeypatch, name, value):
    if value is None:
        monkeypatch.delenv(name)
    else:
        monkeypatch.setenv(name, value)
    s3.put("incoming/a.csv", b"x")

    with pytest.raises(fast.ConfigurationError, match=name):
        fast.handler(sqs(created("incoming/a.csv")), Context())

    assert s3.calls == [] and list(mount.iterdir()) == []


def test_an_empty_subdirectory_is_the_bucket_root(fast, s3, mount, monkeypatch):
    monkeypatch.setenv("LAKEDROP_SOURCE_SUBDIRECTORY", "")
    s3.put("top/a.csv", b"x")

    assert run(fast, created("top/a.csv")) == []
    assert (mount / "top/a.csv").read_bytes() == b"x"


def test_parse_records_reads_what_s3_sends(fast):
    notification = {
        "Records": [
            created("incoming/a b+c.csv", "0A", version="v1", size=3),
            removed("incoming/x.csv", "0B", name="ObjectRemoved:DeleteMarkerCreated"),
        ]
    }
    assert fast.parse_records(notification) == [
        {"event": "created", "key": "incoming/a b+c.csv", "version": "v1", "sequencer": "0A", "size": 3},
        {"event": "removed", "key": "incoming/x.csv", "version": None, "sequencer": "0B", "size": None},
    ]
    with pytest.raises(ValueError, match="unexpected event"):
        fast.parse_records({"Records": [created("k", name="ObjectRestore:Post")]})


@pytest.mark.parametrize(
    ("key", "subdirectory", "relative"),
    [
        ("incoming/a/b.csv", "incoming/", "a/b.csv"),
        ("incoming/a/b.csv", "/incoming", "a/b.csv"),
        ("incoming/", "incoming/", None),
        ("incomingx/a.csv", "incoming/", None),
        ("a.csv", "", "a.csv"),
        ("", "", None),
    ],
)
def test_keys_map_to_paths_as_datasync_maps_them(fast, key, subdirectory, relative):
    assert fast.relative_path(key, subdirectory) == relative


def test_an_sns_envelope_is_unwrapped(fast, s3, mount):
    s3.put("incoming/a.csv", b"x")
    envelope = {"Type": "Notification", "Message": json.dumps({"Records": [created("incoming/a.csv")]})}

    assert run(fast, json.dumps(envelope)) == []
    assert (mount / "a.csv").read_bytes() == b"x"
