"""Bulk loading for the benchmark's largest bursts (benchmarks/burst.py), never for the deployment's tests.

A 100,000-upload burst is more than the emulator accepts through the API in reasonable time: about 60
uploads/s with notifications, and moto's SendMessage reads `Queue.attributes`, which scans every message
in the queue, once per message sent (a queue holding a 20 s batch of a fast burst took ~50 ms a message).
These two control endpoints do, in-process, what the API calls would have done:

- POST /_lakedrop/bulk/s3-objects {"account": "<id>", "bucket": "<name>", "keys": [...], "body": "x"}
  creates the objects as PutObject does, without S3 notifications (the benchmark sends those itself), and
  answers {"objects": [{"key", "size", "etag", "version_id"}]} (version_id None when the bucket is not
  versioned) — what the notification of each upload carries.
- POST /_lakedrop/bulk/sqs-messages {"queue_arn": "<arn>", "bodies": [...]} appends each body to a standard
  queue as SendMessage does (a new message ID, sent now, the NumberOfMessagesSent datapoint), without the
  per-message scan; answers {"sent": n}.
"""

from __future__ import annotations

import uuid

from ..server import control
from . import cloudwatch


@control("POST", "/_lakedrop/bulk/s3-objects")
def _s3_objects(request) -> dict:
    from moto.s3.models import s3_backends

    body = request.get_json(force=True) or {}
    backend = s3_backends[str(body["account"])][str(body.get("partition") or "aws")]
    value = str(body.get("body", "")).encode("utf-8")
    created = []
    for key in body.get("keys") or []:
        obj = backend.put_object(str(body["bucket"]), str(key), value, disable_notification=True)
        version = obj.version_id if obj.version_id and obj.version_id != "null" else None
        created.append({"key": obj.name, "size": obj.size, "etag": obj.etag.strip('"'), "version_id": version})
    return {"objects": created}


@control("POST", "/_lakedrop/bulk/sqs-messages")
def _sqs_messages(request) -> dict:
    from moto.sqs.models import Message
    from moto.sqs.models import sqs_backends

    body = request.get_json(force=True) or {}
    _, _, _, region, account, name = str(body["queue_arn"]).split(":")
    backend = sqs_backends[account][region]
    queue = backend.get_queue(name)
    if queue.fifo_queue:
        raise ValueError("bulk messages go to standard queues only (S3 notifications cannot target FIFO queues)")
    bodies = [str(b) for b in body.get("bodies") or []]
    for text in bodies:
        message = Message(str(uuid.uuid4()), text)
        message.mark_sent()
        queue.add_message(message)
    # the datapoint ext/cloudwatch records for each SendMessage
    for _ in bodies:
        cloudwatch.put(account, region, "AWS/SQS", "NumberOfMessagesSent", 1, "Count", {"QueueName": name})
    return {"sent": len(bodies)}


def install() -> None:
    """Nothing to patch: importing the module registers its control endpoints."""
