"""The stalled-read fault: the next GetObject of a key sends part of its body, then nothing for a while, as a
slow network would, so a client's (or a function's) timeout ends the read in the middle of the body. That the
first bytes arrive before the stall shows the body is streamed through moto's server and the middlewares, not
buffered. See docs/emulator-fidelity.md, "S3 (bucket policies and notifications)"."""

from __future__ import annotations

import os

import pytest
from botocore.exceptions import ReadTimeoutError

SIZE = 256 * 1024
AFTER = 64 * 1024
READ_TIMEOUT = 3  # seconds: short, yet ample for a read that does not stall on a busy machine
STALL = 15  # well past it


@pytest.fixture
def s3(emulator, unique):
    admin = emulator.client("s3")
    client = emulator.client("s3", retries={"total_max_attempts": 1}, read_timeout=READ_TIMEOUT)
    client.bucket = f"stall-{unique}"
    admin.create_bucket(Bucket=client.bucket, CreateBucketConfiguration={"LocationConstraint": emulator.region})
    client.data = os.urandom(SIZE)
    admin.put_object(Bucket=client.bucket, Key="slow/data.bin", Body=client.data)
    yield client
    emulator.s3_faults(stall_reads=None)


def stall(emulator, key):
    armed = emulator.s3_faults(stall_reads={"key": key, "after_bytes": AFTER, "seconds": STALL})
    assert armed["stall_reads"] == {"key": key, "after_bytes": AFTER, "seconds": STALL}


def test_a_stalled_read_times_out_after_part_of_the_body(emulator, s3):
    stall(emulator, "slow/data.bin")

    response = s3.get_object(Bucket=s3.bucket, Key="slow/data.bin")  # headers come at once
    body = response["Body"]
    assert response["ContentLength"] == SIZE
    assert body.read(AFTER) == s3.data[:AFTER]  # the first bytes arrive before the stall
    with pytest.raises(ReadTimeoutError):
        body.read()

    # The fault served one read: the next one is whole.
    assert emulator.s3_faults()["stall_reads"] is None
    assert s3.get_object(Bucket=s3.bucket, Key="slow/data.bin")["Body"].read() == s3.data


def test_reads_of_other_keys_are_unaffected(emulator, s3):
    stall(emulator, "slow/other.bin")

    assert s3.get_object(Bucket=s3.bucket, Key="slow/data.bin")["Body"].read() == s3.data
    ranged = s3.get_object(Bucket=s3.bucket, Key="slow/data.bin", Range="bytes=0-9")["Body"].read()
    assert ranged == s3.data[:10]
    assert emulator.s3_faults()["stall_reads"]["key"] == "slow/other.bin"  # still armed for its key


@pytest.mark.parametrize(
    "bad",
    [
        {"key": "k", "after_bytes": -1, "seconds": 1},
        {"key": "k", "after_bytes": 1, "seconds": 3600},
        {"key": "", "after_bytes": 1, "seconds": 1},
        {"key": "k", "after_bytes": 1},
        "k",
    ],
)
def test_a_malformed_stall_is_refused(emulator, bad):
    with pytest.raises(Exception, match="400"):
        emulator.s3_faults(stall_reads=bad)
    assert emulator.s3_faults()["stall_reads"] is None
