# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every SQS call of the collection's modules (one small function per call)."""

from .common import RETRY
from .common import SQSErrorHandler


@SQSErrorHandler.list_error_handler("get the URL of queue {name}", default_value=None)
@RETRY
def queue_url(client, name):
    return client.get_queue_url(QueueName=name)["QueueUrl"]


@SQSErrorHandler.common_error_handler("read the attributes of queue {url}")
@RETRY
def queue_attributes(client, url, names):
    return client.get_queue_attributes(QueueUrl=url, AttributeNames=names).get("Attributes", {})


@SQSErrorHandler.common_error_handler("receive messages from queue {url}")
@RETRY
def receive(client, url, count, visibility_timeout):
    return client.receive_message(
        QueueUrl=url,
        MaxNumberOfMessages=count,
        VisibilityTimeout=visibility_timeout,
        WaitTimeSeconds=0,
        AttributeNames=["SentTimestamp", "ApproximateReceiveCount"],
    ).get("Messages", [])


@SQSErrorHandler.common_error_handler("delete messages from queue {url}")
@RETRY
def delete_batch(client, url, handles):
    entries = [{"Id": str(i), "ReceiptHandle": h} for i, h in enumerate(handles)]
    return client.delete_message_batch(QueueUrl=url, Entries=entries).get("Failed", [])


@SQSErrorHandler.common_error_handler("release messages of queue {url}")
@RETRY
def release_batch(client, url, handles):
    entries = [{"Id": str(i), "ReceiptHandle": h, "VisibilityTimeout": 0} for i, h in enumerate(handles)]
    return client.change_message_visibility_batch(QueueUrl=url, Entries=entries).get("Failed", [])
