"""SNS delivery as the pipeline's notifications need it: published messages reach SQS and Lambda subscriptions
(in the endpoint's account, authorized by the endpoint's resource policy for sns.amazonaws.com with
aws:SourceArn = the topic) and email / email-json subscriptions are recorded, readable through
`GET /_lakedrop/sns/messages?topic_arn=...`.

moto delivered to SQS in the topic owner's account (a queue of another account never got anything),
invoked Lambda through its Docker path, and did nothing for email.
docs/emulator-fidelity.md ("EventBridge, CloudWatch and SNS") lists each behaviour with its source.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

from ..server import control
from . import authz
from . import on_behalf

SNS = "sns.amazonaws.com"
_LOCK = threading.Lock()
# Deliveries to email and email-json endpoints (and refused SQS/Lambda deliveries), oldest first.
DELIVERIES: list[dict[str, Any]] = []
_MOTO_PUBLISH: Any = None
_ACTIONS = {"sqs": "sqs:SendMessage", "lambda": "lambda:InvokeFunction"}


def _record(entry: dict[str, Any]) -> None:
    with _LOCK:
        DELIVERIES.append(entry)


def publish(subscription: Any, message: str, message_id: str, subject: str | None = None, **kwargs: Any) -> None:
    """Replacement for moto's Subscription.publish."""
    protocol = subscription.protocol
    topic_arn = subscription.topic.arn
    if protocol in _ACTIONS:
        principal = authz.service_principal(SNS, subscription.topic.account_id, topic_arn)
        decision = on_behalf.decide(
            "sns", "SubscriptionDelivery", principal, _ACTIONS[protocol], subscription.endpoint.split(":$")[0]
        )
        if not decision.allowed:
            _record(_entry(subscription, message_id, subject, message, delivered=False, reason=decision.reason))
            return
    if protocol == "sqs":
        # moto looks the queue up in the subscription owner's account: deliver in the queue's own account.
        in_queue_account = copy.copy(subscription)
        in_queue_account.account_id = subscription.endpoint.split(":")[4]
        _MOTO_PUBLISH(in_queue_account, message, message_id, subject=subject, **kwargs)
    elif protocol == "lambda":
        from . import lambda_runner

        if kwargs.get("message_structure") == "json":
            message = subscription._parse_message_structure(message, protocol)
        notification = subscription.get_post_data(
            message, message_id, subject, message_attributes=kwargs.get("message_attributes")
        )
        record = {
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": subscription.arn,
            "Sns": notification,
        }
        lambda_runner.invoke_async(subscription.endpoint, {"Records": [record]}, source="sns")
    elif protocol in ("email", "email-json"):
        if kwargs.get("message_structure") == "json":
            message = subscription._parse_message_structure(message, protocol)
        entry = _entry(subscription, message_id, subject, message, delivered=True)
        if protocol == "email-json":
            entry["body"] = subscription.get_post_data(message, message_id, subject)
        _record(entry)
    else:
        _MOTO_PUBLISH(subscription, message, message_id, subject=subject, **kwargs)


def _entry(subscription: Any, message_id: str, subject: str | None, message: str, **more: Any) -> dict[str, Any]:
    return {
        "topic_arn": subscription.topic.arn,
        "subscription_arn": subscription.arn,
        "protocol": subscription.protocol,
        "endpoint": subscription.endpoint,
        "message_id": message_id,
        "subject": subject,
        "message": message,
        **more,
    }


def topic_messages(topic_arn: str) -> list[dict[str, Any]]:
    """Every message published to `topic_arn` (moto's sent_notifications), oldest first."""
    from moto.sns.models import sns_backends

    _, _, _, region, account, _ = topic_arn.split(":", 5)
    topic = sns_backends[account][region].topics.get(topic_arn)
    if topic is None:
        raise ValueError(f"no topic has the ARN {topic_arn}")
    return [
        {"message_id": m[0], "message": m[1], "subject": m[2], "message_attributes": m[3]}
        for m in list(topic.sent_notifications)
    ]


@control("GET", "/_lakedrop/sns/messages")
def _messages(request) -> dict:
    """`messages`: what was published to the topic; `deliveries`: what its email / email-json subscriptions
    received (and SQS/Lambda deliveries that the endpoint's policy refused, `delivered` false)."""
    topic_arn = request.args.get("topic_arn", "")
    with _LOCK:
        deliveries = [d for d in DELIVERIES if d["topic_arn"] == topic_arn]
    return {"messages": topic_messages(topic_arn), "deliveries": deliveries}


def install() -> None:
    global _MOTO_PUBLISH
    from moto.sns.models import Subscription

    if _MOTO_PUBLISH is None:
        _MOTO_PUBLISH = Subscription.publish
    Subscription.publish = publish
