"""S3 announces removals as S3 does (ext/s3_events.py): DeleteObject and DeleteObjects on unversioned and
versioned buckets reach an SQS queue as ObjectRemoved:Delete / ObjectRemoved:DeleteMarkerCreated records
with the version removed or the marker created, a sequencer greater than the put's before them, and the
notification's prefix filter applied."""

from __future__ import annotations

import uuid
from urllib.parse import unquote_plus

import pytest
from support.observability import Queue
from support.observability import drain
from support.polling import wait_for

from lakedrop_emulator.stack import s3_may_send

PREFIX = "in/"


@pytest.fixture
def bucket(emulator):
    name = f"lakedrop-rm-{uuid.uuid4().hex[:8]}"
    emulator.client("s3", "source").create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": emulator.region}
    )
    return name


def watch(emulator, bucket: str, *configurations: list[str]) -> list[Queue]:
    """One queue per list of event types, each notified of `bucket`'s keys under PREFIX; test events drained."""
    sqs, queues, configs = emulator.client("sqs"), [], []
    for i, events in enumerate(configurations):
        url = sqs.create_queue(QueueName=f"{bucket}-{i}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": s3_may_send(arn, bucket)})
        queues.append(Queue(url, arn))
        rules = [{"Name": "prefix", "Value": PREFIX}]
        configs.append({"Id": f"c{i}", "QueueArn": arn, "Events": events, "Filter": {"Key": {"FilterRules": rules}}})
    emulator.client("s3", "source").put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"QueueConfigurations": configs}
    )
    for queue in queues:
        drain(sqs, queue)  # the s3:TestEvent
    return queues


def records(emulator, queue: Queue, count: int) -> list[dict]:
    """`count` records from the queue (waiting for them), then checks that no more came."""
    sqs, found = emulator.client("sqs"), []

    def collect() -> bool:
        found.extend(r for body in drain(sqs, queue) for r in body.get("Records", []))
        return len(found) >= count

    wait_for(collect)
    assert len(found) == count, found
    return found


def summary(record: dict) -> tuple:
    obj = record["s3"]["object"]
    return record["eventName"], unquote_plus(obj["key"]), obj.get("versionId")


def by_sequencer(found: list[dict]) -> list[dict]:
    # S3: left-pad the shorter sequencer with zeros, then compare
    return sorted(found, key=lambda r: r["s3"]["object"]["sequencer"].rjust(32, "0"))


def test_unversioned_deletes_are_announced_with_a_later_sequencer_and_no_version(emulator, bucket):
    (queue,) = watch(emulator, bucket, ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"])
    s3 = emulator.client("s3", "source")
    for key in ("in/a.csv", "in/b.csv", "in/c d.csv", "out/x.csv"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"1")
    s3.delete_object(Bucket=bucket, Key="in/a.csv")
    s3.delete_object(Bucket=bucket, Key="out/x.csv")  # outside the prefix: not announced
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "in/b.csv"}, {"Key": "in/c d.csv"}]})

    found = by_sequencer(records(emulator, queue, 6))
    inside = ("in/a.csv", "in/b.csv", "in/c d.csv")
    expected = [(event, key, None) for event in ("ObjectCreated:Put", "ObjectRemoved:Delete") for key in inside]
    assert [summary(r) for r in found] == expected
    removed = [r["s3"]["object"] for r in found[3:]]
    assert all(set(obj) == {"key", "sequencer"} for obj in removed), removed  # no size, no eTag
    assert removed[2]["key"] == "in%2Fc+d.csv"  # URL-encoded as S3 sends keys
    assert all(r["s3"]["configurationId"] == "c0" and r["s3"]["bucket"]["name"] == bucket for r in found)


def test_deleting_a_missing_key_of_an_unversioned_bucket_announces_nothing(emulator, bucket):
    (queue,) = watch(emulator, bucket, ["s3:ObjectRemoved:*"])
    s3 = emulator.client("s3", "source")
    s3.delete_object(Bucket=bucket, Key="in/never.csv")
    s3.put_object(Bucket=bucket, Key="in/real.csv", Body=b"1")
    s3.delete_object(Bucket=bucket, Key="in/real.csv")
    assert [summary(r) for r in records(emulator, queue, 1)] == [("ObjectRemoved:Delete", "in/real.csv", None)]


def test_versioned_deletes_announce_the_marker_created_and_each_version_removed(emulator, bucket):
    s3 = emulator.client("s3", "source")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    (queue,) = watch(emulator, bucket, ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"])
    v1 = s3.put_object(Bucket=bucket, Key="in/a.csv", Body=b"1")["VersionId"]
    v2 = s3.put_object(Bucket=bucket, Key="in/a.csv", Body=b"22")["VersionId"]
    b1 = s3.put_object(Bucket=bucket, Key="in/b.csv", Body=b"1")["VersionId"]
    answer = s3.delete_object(Bucket=bucket, Key="in/a.csv")
    assert answer["DeleteMarker"] is True
    marker = answer["VersionId"]
    s3.delete_object(Bucket=bucket, Key="in/a.csv", VersionId=v1)  # a version, permanently
    s3.delete_object(Bucket=bucket, Key="in/a.csv", VersionId=marker)  # the marker itself: v2 is current again
    deleted = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "in/b.csv"}]})["Deleted"]
    b_marker = deleted[0]["DeleteMarkerVersionId"]
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "in/b.csv", "VersionId": b1}]})

    found = by_sequencer(records(emulator, queue, 8))
    puts = [("in/a.csv", v1), ("in/a.csv", v2), ("in/b.csv", b1)]
    assert [summary(r) for r in found[:3]] == [("ObjectCreated:Put", *put) for put in puts]
    marked, removed = "ObjectRemoved:DeleteMarkerCreated", "ObjectRemoved:Delete"
    assert [summary(r) for r in found[3:]] == [
        (marked, "in/a.csv", marker),
        (removed, "in/a.csv", v1),
        (removed, "in/a.csv", marker),
        (marked, "in/b.csv", b_marker),
        (removed, "in/b.csv", b1),
    ]
    assert all(set(r["s3"]["object"]) == {"key", "versionId", "sequencer"} for r in found[3:])
    assert s3.get_object(Bucket=bucket, Key="in/a.csv")["VersionId"] == v2


def test_each_destination_gets_only_the_removal_types_it_asked_for(emulator, bucket):
    s3 = emulator.client("s3", "source")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    markers, permanent, created = watch(
        emulator,
        bucket,
        ["s3:ObjectRemoved:DeleteMarkerCreated"],
        ["s3:ObjectRemoved:Delete"],
        ["s3:ObjectCreated:*"],
    )
    version = s3.put_object(Bucket=bucket, Key="in/a.csv", Body=b"1")["VersionId"]
    marker = s3.delete_object(Bucket=bucket, Key="in/a.csv")["VersionId"]
    s3.delete_object(Bucket=bucket, Key="in/a.csv", VersionId=version)
    assert [summary(r) for r in records(emulator, markers, 1)] == [
        ("ObjectRemoved:DeleteMarkerCreated", "in/a.csv", marker)
    ]
    assert [summary(r) for r in records(emulator, permanent, 1)] == [("ObjectRemoved:Delete", "in/a.csv", version)]
    assert [summary(r) for r in records(emulator, created, 1)] == [("ObjectCreated:Put", "in/a.csv", version)]


def test_a_delete_after_a_reupload_orders_by_sequencer_per_key(emulator, bucket):
    """put, delete, put again of one key: the sequencers order the three events as they happened, which is
    what lets the fast function end with the file present."""
    (queue,) = watch(emulator, bucket, ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"])
    s3 = emulator.client("s3", "source")
    s3.put_object(Bucket=bucket, Key="in/k.csv", Body=b"1")
    s3.delete_object(Bucket=bucket, Key="in/k.csv")
    s3.put_object(Bucket=bucket, Key="in/k.csv", Body=b"2")
    found = records(emulator, queue, 3)
    sequencers = [int(r["s3"]["object"]["sequencer"], 16) for r in found]
    names = [r["eventName"] for r in sorted(found, key=lambda r: int(r["s3"]["object"]["sequencer"], 16))]
    assert len(set(sequencers)) == 3
    assert names == ["ObjectCreated:Put", "ObjectRemoved:Delete", "ObjectCreated:Put"]
