"""Queues, topics and readers for tests of the emulator's EventBridge, CloudWatch and SNS (the target account)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from support.policies import document


def service_may(service: str, action: str, resource: str, source_arn: str) -> dict:
    """A resource policy letting `service` perform `action` on `resource` for `source_arn` only."""
    return document(
        {
            "Effect": "Allow",
            "Principal": {"Service": service},
            "Action": action,
            "Resource": resource,
            "Condition": {"ArnLike": {"aws:SourceArn": source_arn}},
        }
    )


@dataclass
class Queue:
    url: str
    arn: str


def make_queue(sqs, name: str, policy: dict | None = None) -> Queue:
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    if policy is not None:
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    return Queue(url, arn)


def drain(sqs, queue: Queue) -> list[dict[str, Any]]:
    """Every message now visible in `queue`, as parsed JSON bodies, deleted."""
    found = []
    while True:
        messages = sqs.receive_message(QueueUrl=queue.url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return found
        for message in messages:
            found.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue.url, ReceiptHandle=message["ReceiptHandle"])


def make_topic(sns, name: str, policy_for: Any = None) -> str:
    """A topic; `policy_for(topic_arn)` -> its policy document, when given."""
    arn = sns.create_topic(Name=name)["TopicArn"]
    if policy_for is not None:
        sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(policy_for(arn)))
    return arn


def sns_messages(emulator, topic_arn: str) -> dict[str, Any]:
    """{"messages": published to the topic, "deliveries": to its email / email-json subscriptions}."""
    return emulator.control("GET", f"sns/messages?topic_arn={topic_arn}")
