"""Bulk loading for the benchmark (ext/bulk.py): objects as PutObject makes them but without notifications,
messages as SendMessage queues them."""

from __future__ import annotations

import json

from lakedrop_emulator.stack import s3_may_send


def test_bulk_objects_are_readable_and_notify_nobody(emulator, clients, unique):
    s3, sqs = clients("s3", "source"), clients("sqs")
    bucket = f"lakedrop-bulk-{unique}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": emulator.region})
    url = sqs.create_queue(QueueName=f"bulk-{unique}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": s3_may_send(arn, bucket)})
    s3.put_bucket_notification_configuration(
        Bucket=bucket,
        NotificationConfiguration={"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]},
    )
    sqs.purge_queue(QueueUrl=url)  # the s3:TestEvent
    body = {"account": emulator.account_id("source"), "bucket": bucket, "keys": ["in/a b.csv", "in/é"], "body": "x"}
    created = emulator.control("POST", "bulk/s3-objects", body)["objects"]

    assert [(o["key"], o["size"], o["version_id"]) for o in created] == [("in/a b.csv", 1, None), ("in/é", 1, None)]
    assert created[0]["etag"] == s3.head_object(Bucket=bucket, Key="in/a b.csv")["ETag"].strip('"')
    assert s3.get_object(Bucket=bucket, Key="in/é")["Body"].read() == b"x"
    assert sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0).get("Messages", []) == []


def test_bulk_messages_arrive_as_sent(emulator, clients, unique):
    sqs = clients("sqs")
    url = sqs.create_queue(QueueName=f"bulk-msg-{unique}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    bodies = [json.dumps({"n": n}) for n in range(3)]

    assert emulator.control("POST", "bulk/sqs-messages", {"queue_arn": arn, "bodies": bodies}) == {"sent": 3}
    received = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert sorted(m["Body"] for m in received) == bodies
    assert len({m["MessageId"] for m in received}) == 3
