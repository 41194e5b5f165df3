"""EventBridge in the emulator: DataSync's state-change events on the default bus, rules with event patterns
delivering to SNS topics and SQS queues as events.amazonaws.com (authorized by the target's resource policy),
scheduled rules fired on demand. See docs/emulator-fidelity.md, "EventBridge, CloudWatch and SNS"."""

from __future__ import annotations

import json

import pytest
from support.observability import drain
from support.observability import make_queue
from support.observability import make_topic
from support.observability import service_may
from support.observability import sns_messages
from test_datasync import available_task
from test_datasync import finished
from test_datasync import s3_location
from test_datasync import start
from test_lambda_runner import wait_until

EVENTS = "events.amazonaws.com"
EXECUTION_CHANGE = "DataSync Task Execution State Change"


def rule_arn(emulator, name: str) -> str:
    return f"arn:aws:events:{emulator.region}:{emulator.account_id('target')}:rule/{name}"


def put_rule(clients, name: str, pattern: dict | None = None, **params) -> str:
    if pattern is not None:
        params["EventPattern"] = json.dumps(pattern)
    return clients("events").put_rule(Name=name, **params)["RuleArn"]


def events_queue(emulator, clients, name: str, rule: str | None) -> object:
    """A queue whose policy lets EventBridge send for `rule` (None: no policy at all)."""
    sqs = clients("sqs")
    arn = f"arn:aws:sqs:{emulator.region}:{emulator.account_id('target')}:{name}"
    return make_queue(sqs, name, service_may(EVENTS, "sqs:SendMessage", arn, rule) if rule else None)


def settle(emulator) -> None:
    """Every event emitted so far has been delivered."""
    assert emulator.control("POST", "events/drain", {})["pending"] == 0


@pytest.fixture
def failing_task(ds, world, unique):
    """A task whose every execution ends in ERROR at PREPARING (its source location was deleted)."""
    source = s3_location(ds, world, "incoming")
    destination = s3_location(ds, world, f"copy-{unique}")
    task = available_task(ds, source, destination, Name=f"events-{unique}")
    ds.delete_location(LocationArn=source)
    return task


def test_an_execution_in_error_reaches_a_topic_and_a_queue_through_a_rule(emulator, clients, ds, failing_task, unique):
    name = f"ds-error-{unique}"
    rule = rule_arn(emulator, name)
    sns, sqs = clients("sns"), clients("sqs")
    topic = make_topic(sns, f"alerts-{unique}", lambda arn: service_may(EVENTS, "sns:Publish", arn, rule))
    mail = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="ops@example.com")["SubscriptionArn"]
    queue = events_queue(emulator, clients, f"ds-error-{unique}", rule)
    pattern = {
        "source": ["aws.datasync"],
        "detail-type": [EXECUTION_CHANGE],
        "detail": {"State": ["ERROR"]},
        "resources": [{"prefix": f"{failing_task}/execution/"}],
    }
    assert put_rule(clients, name, pattern) == rule
    clients("events").put_targets(Rule=name, Targets=[{"Id": "topic", "Arn": topic}, {"Id": "queue", "Arn": queue.arn}])

    execution = start(ds, failing_task)
    assert finished(ds, execution)["Status"] == "ERROR"
    settle(emulator)

    [event] = drain(sqs, queue)
    assert event["source"] == "aws.datasync" and event["detail-type"] == EXECUTION_CHANGE
    assert event["resources"] == [execution] and event["detail"] == {"State": "ERROR"}
    assert event["account"] == emulator.account_id("target") and event["region"] == emulator.region
    assert event["time"].endswith("Z") and "ingestion-time" not in event
    published = sns_messages(emulator, topic)
    assert [json.loads(m["message"])["id"] for m in published["messages"]] == [event["id"]]
    [email] = published["deliveries"]
    assert email["subscription_arn"] == mail and email["endpoint"] == "ops@example.com"
    assert json.loads(email["message"])["resources"] == [execution]


def test_each_state_of_an_execution_is_an_event_in_order(emulator, clients, ds, world, unique):
    name = f"ds-all-{unique}"
    queue = events_queue(emulator, clients, name, rule_arn(emulator, name))
    task = available_task(ds, s3_location(ds, world, "incoming"), s3_location(ds, world, f"all-{unique}"))
    put_rule(clients, name, {"source": ["aws.datasync"], "resources": [{"prefix": task}]})
    clients("events").put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": queue.arn}])

    execution = start(ds, task)
    assert finished(ds, execution)["Status"] == "SUCCESS"
    settle(emulator)

    received = drain(clients("sqs"), queue)
    assert {e["detail-type"] for e in received} == {EXECUTION_CHANGE}
    assert [e["detail"]["State"] for e in received] == [
        "QUEUED",
        "LAUNCHING",
        "PREPARING",
        "TRANSFERRING",
        "VERIFYING",
        "SUCCESS",
    ]


def test_a_target_whose_policy_does_not_allow_the_rule_gets_nothing(emulator, clients, ds, failing_task, unique):
    name = f"ds-denied-{unique}"
    other = rule_arn(emulator, f"another-{unique}")
    refusing = events_queue(emulator, clients, f"refusing-{unique}", other)  # allows another rule only
    bare = events_queue(emulator, clients, f"bare-{unique}", None)  # no policy at all
    put_rule(clients, name, {"source": ["aws.datasync"], "detail": {"State": ["ERROR"]}})
    clients("events").put_targets(Rule=name, Targets=[{"Id": "a", "Arn": refusing.arn}, {"Id": "b", "Arn": bare.arn}])
    mark = len(emulator.authz_decisions())

    assert finished(ds, start(ds, failing_task))["Status"] == "ERROR"
    settle(emulator)

    assert drain(clients("sqs"), refusing) == [] and drain(clients("sqs"), bare) == []
    denials = [d for d in emulator.authz_decisions()[mark:] if d["operation"] == "RuleDelivery (on behalf)"]
    assert {d["resource"] for d in denials} >= {refusing.arn, bare.arn}
    assert all(d["action"] == "sqs:SendMessage" and EVENTS in d["principal"] for d in denials)
    deliveries = emulator.control("GET", f"events/deliveries?rule_arn={rule_arn(emulator, name)}")["deliveries"]
    assert deliveries and not any(d["delivered"] for d in deliveries)


def test_a_disabled_rule_delivers_nothing(emulator, clients, ds, failing_task, unique):
    name = f"ds-disabled-{unique}"
    queue = events_queue(emulator, clients, name, rule_arn(emulator, name))
    put_rule(clients, name, {"source": ["aws.datasync"]}, State="DISABLED")
    clients("events").put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": queue.arn}])
    assert finished(ds, start(ds, failing_task))["Status"] == "ERROR"
    settle(emulator)
    assert drain(clients("sqs"), queue) == []


def test_put_events_reaches_matching_rules_only(emulator, clients, unique):
    name = f"custom-{unique}"
    queue = events_queue(emulator, clients, name, rule_arn(emulator, name))
    put_rule(clients, name, {"source": [f"lakedrop.{unique}"], "detail": {"level": [{"anything-but": "debug"}]}})
    clients("events").put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": queue.arn}])
    entries = [
        {"Source": f"lakedrop.{unique}", "DetailType": "t", "Detail": json.dumps({"level": level})}
        for level in ("error", "debug")
    ] + [{"Source": "elsewhere", "DetailType": "t", "Detail": json.dumps({"level": "error"})}]
    assert clients("events").put_events(Entries=entries)["FailedEntryCount"] == 0
    assert [e["detail"] for e in drain(clients("sqs"), queue)] == [{"level": "error"}]


def test_a_scheduled_rule_fires_its_targets_on_demand(emulator, clients, unique):
    name = f"every-minute-{unique}"
    rule = rule_arn(emulator, name)
    queue = events_queue(emulator, clients, name, rule)
    put_rule(clients, name, ScheduleExpression="rate(1 minute)")
    clients("events").put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": queue.arn, "Input": '{"check": true}'}])
    plain = f"plain-{unique}"
    plain_queue = events_queue(emulator, clients, plain, rule_arn(emulator, plain))
    put_rule(clients, plain, ScheduleExpression="rate(5 minutes)")
    clients("events").put_targets(Rule=plain, Targets=[{"Id": "queue", "Arn": plain_queue.arn}])

    assert emulator.control("POST", "events/fire", {"rule_arn": rule})["targets"] == [queue.arn]
    emulator.control("POST", "events/fire", {"rule_arn": rule_arn(emulator, plain)})

    assert drain(clients("sqs"), queue) == [{"check": True}]  # a target's constant Input replaces the event
    [scheduled] = drain(clients("sqs"), plain_queue)
    assert scheduled["source"] == "aws.events" and scheduled["detail-type"] == "Scheduled Event"
    assert scheduled["resources"] == [rule_arn(emulator, plain)] and scheduled["detail"] == {}


def test_a_scheduled_rule_receives_no_events(emulator, clients, unique):
    """A rule with a schedule and no event pattern runs on its schedule only (moto's empty pattern matched all)."""
    name = f"scheduled-only-{unique}"
    queue = events_queue(emulator, clients, name, rule_arn(emulator, name))
    put_rule(clients, name, ScheduleExpression="rate(1 hour)")
    clients("events").put_targets(Rule=name, Targets=[{"Id": "queue", "Arn": queue.arn}])
    entry = {"Source": f"lakedrop.{unique}", "DetailType": "t", "Detail": json.dumps({"level": "error"})}
    assert clients("events").put_events(Entries=[entry])["FailedEntryCount"] == 0
    assert emulator.control("POST", "events/drain", {})["pending"] == 0
    assert drain(clients("sqs"), queue) == []


def test_a_rule_invokes_a_lambda_function_its_policy_lets_in(emulator, clients, unique):
    from lakedrop_emulator.stack import trust
    from lakedrop_emulator.stack import zipped

    name = f"to-fn-{unique}"
    rule = rule_arn(emulator, name)
    role = clients("iam").create_role(RoleName=f"fn-{unique}", AssumeRolePolicyDocument=trust("lambda.amazonaws.com"))
    lam = clients("lambda")
    fn = lam.create_function(
        FunctionName=f"events-{unique}",
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="lakedrop_trigger.handler",
        Code={"ZipFile": zipped()},
    )["FunctionArn"]
    lam.add_permission(
        FunctionName=fn, StatementId="events", Action="lambda:InvokeFunction", Principal=EVENTS, SourceArn=rule
    )
    put_rule(clients, name, {"source": [f"lakedrop.{unique}"]})
    clients("events").put_targets(Rule=name, Targets=[{"Id": "fn", "Arn": fn}])
    clients("events").put_events(Entries=[{"Source": f"lakedrop.{unique}", "DetailType": "t", "Detail": "{}"}])

    def invoked():
        return [i for i in emulator.control("GET", "lambda/invocations")["invocations"] if i["function"] == fn]

    [invocation] = wait_until(invoked)
    assert invocation["source"] == "events"
