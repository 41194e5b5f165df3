"""SNS delivery in the emulator: to SQS queues in the queue's account when the queue policy lets the topic
send, to Lambda through the runner, and to email / email-json endpoints as recorded deliveries. See
docs/emulator-fidelity.md, "EventBridge, CloudWatch and SNS"."""

from __future__ import annotations

import json

from support.observability import make_queue
from support.observability import make_topic
from support.observability import service_may
from support.observability import sns_messages

SNS = "sns.amazonaws.com"


def test_a_queue_of_another_account_receives_what_its_policy_lets_the_topic_send(emulator, clients, unique):
    sns = clients("sns")
    topic = make_topic(sns, f"notes-{unique}")
    source_sqs = clients("sqs", "source")
    name = f"inbox-{unique}"
    arn = f"arn:aws:sqs:{emulator.region}:{emulator.account_id('source')}:{name}"
    allowed = make_queue(source_sqs, name, service_may(SNS, "sqs:SendMessage", arn, topic))
    refused = make_queue(source_sqs, f"refused-{unique}")
    for queue in (allowed, refused):
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue.arn)
    sns.subscribe(TopicArn=topic, Protocol="email-json", Endpoint="ops@example.com")

    message_id = sns.publish(TopicArn=topic, Message="hello", Subject="greeting")["MessageId"]

    [received] = source_sqs.receive_message(QueueUrl=allowed.url)["Messages"]
    envelope = json.loads(received["Body"])
    assert envelope["Type"] == "Notification" and envelope["MessageId"] == message_id
    assert envelope["TopicArn"] == topic and envelope["Message"] == "hello" and envelope["Subject"] == "greeting"
    assert "Messages" not in source_sqs.receive_message(QueueUrl=refused.url)
    recorded = sns_messages(emulator, topic)
    assert [m["message"] for m in recorded["messages"]] == ["hello"]
    by_protocol = {d["protocol"]: d for d in recorded["deliveries"]}
    assert by_protocol["email-json"]["body"]["Message"] == "hello"
    assert by_protocol["sqs"]["delivered"] is False and by_protocol["sqs"]["endpoint"] == refused.arn
