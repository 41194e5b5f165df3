"""S3 conditional writes (PutObject If-None-Match / If-Match) through the server, with real threads: the
condition and the write are one step, 412 PreconditionFailed and 409 ConditionalRequestConflict come back as
S3 answers them. See docs/emulator-fidelity.md, "S3 (bucket policies and notifications)"."""

from __future__ import annotations

import threading

import pytest
from botocore.exceptions import ClientError

WRITERS = 8
# Large enough that writing it (S3's checksums) takes a while: without one step for check and write, the
# other writers pass the check meanwhile (the race these tests must be able to catch).
PAYLOAD = b"x" * (8 * 1024 * 1024)


@pytest.fixture
def s3(emulator, unique):
    client = emulator.client("s3", retries={"total_max_attempts": 1})  # see every answer, retry none
    client.create_bucket(Bucket=f"cond-{unique}", CreateBucketConfiguration={"LocationConstraint": emulator.region})
    client.bucket = f"cond-{unique}"
    return client


def answer(call) -> tuple[int, str]:
    """(HTTP status, error code or "") of one call."""
    try:
        return call()["ResponseMetadata"]["HTTPStatusCode"], ""
    except ClientError as err:
        return err.response["ResponseMetadata"]["HTTPStatusCode"], err.response["Error"]["Code"]


def concurrently(calls) -> list[tuple[int, str]]:
    """Run the calls at once (threads released together); their answers."""
    start, answers = threading.Barrier(len(calls)), [None] * len(calls)

    def run(i, call):
        start.wait()
        answers[i] = answer(call)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_if_none_match_creates_once_then_answers_412(s3):
    put = dict(Bucket=s3.bucket, Key="pending/t.json", IfNoneMatch="*")
    assert answer(lambda: s3.put_object(Body=b"first", **put)) == (200, "")
    assert answer(lambda: s3.put_object(Body=b"second", **put)) == (412, "PreconditionFailed")
    assert s3.get_object(Bucket=s3.bucket, Key="pending/t.json")["Body"].read() == b"first"


def test_if_match_replaces_only_the_version_it_names(s3):
    etag = s3.put_object(Bucket=s3.bucket, Key="k", Body=b"v1")["ETag"]
    newer = s3.put_object(Bucket=s3.bucket, Key="k", Body=b"v2", IfMatch=etag)["ETag"]
    assert answer(lambda: s3.put_object(Bucket=s3.bucket, Key="k", Body=b"stale", IfMatch=etag)) == (
        412,
        "PreconditionFailed",
    )
    assert answer(lambda: s3.put_object(Bucket=s3.bucket, Key="k", Body=b"v3", IfMatch=newer)) == (200, "")
    # no object at all: moto answers 404 NoSuchKey (kept; see the fidelity row)
    assert answer(lambda: s3.put_object(Bucket=s3.bucket, Key="none", Body=b"x", IfMatch=etag)) == (404, "NoSuchKey")


def test_concurrent_creators_one_wins_the_others_get_412(s3):
    calls = [
        lambda i=i: s3.put_object(Bucket=s3.bucket, Key="race", Body=f"writer {i}".encode() + PAYLOAD, IfNoneMatch="*")
        for i in range(WRITERS)
    ]
    answers = concurrently(calls)
    assert sorted(answers) == [(200, "")] + [(412, "PreconditionFailed")] * (WRITERS - 1)
    body = s3.get_object(Bucket=s3.bucket, Key="race")["Body"].read().decode()
    assert body.startswith("writer ")


def test_concurrent_updaters_of_one_etag_one_wins_the_others_get_412(s3):
    etag = s3.put_object(Bucket=s3.bucket, Key="cas", Body=b"0")["ETag"]
    calls = [
        lambda i=i: s3.put_object(Bucket=s3.bucket, Key="cas", Body=f"{i}".encode() + PAYLOAD, IfMatch=etag)
        for i in range(WRITERS)
    ]
    assert sorted(concurrently(calls)) == [(200, "")] + [(412, "PreconditionFailed")] * (WRITERS - 1)


def test_conflict_fault_answers_409_to_the_next_conditional_writes_only(emulator, s3):
    assert emulator.s3_faults(conditional_conflicts=2)["conditional_conflicts"] == 2
    try:
        assert answer(lambda: s3.put_object(Bucket=s3.bucket, Key="plain", Body=b"x")) == (200, "")  # unconditional
        for _ in range(2):
            assert answer(lambda: s3.put_object(Bucket=s3.bucket, Key="c", Body=b"x", IfNoneMatch="*")) == (
                409,
                "ConditionalRequestConflict",
            )
        assert answer(lambda: s3.put_object(Bucket=s3.bucket, Key="c", Body=b"x", IfNoneMatch="*")) == (200, "")
    finally:
        emulator.s3_faults(conditional_conflicts=0)


def test_fault_control_refuses_unknown_keys(emulator):
    with pytest.raises(Exception, match="400"):
        emulator.control("POST", "s3/faults", {"conditional_conflict": 1})
