"""EventBridge as the observability of the pipeline needs it: AWS services' events on the default bus, rules
delivering to SNS topics, SQS queues and Lambda functions as events.amazonaws.com, scheduled rules.

- `emit(account, region, source, detail_type, resources, detail)`: an AWS service's event (DataSync's
  state changes, datasync.py) to the default bus of the resource's account and Region, delivered by a
  background thread (AWS: "Events are emitted on a best-effort basis").
- Each enabled rule whose pattern matches (moto's EventPattern) delivers to each target. EventBridge
  is authorized as AWS authorizes it: the target's resource policy (topic policy, queue policy,
  function policy) must allow `events.amazonaws.com` (aws:SourceArn = the rule ARN, aws:SourceAccount = its
  account). A refused delivery is dropped and journaled like other on-behalf denials.
- Scheduled rules (`rate(N unit)`) fire their targets with a "Scheduled Event"; `POST
  /_lakedrop/events/fire {"rule_arn": ...}` fires one now (tests need not wait).

docs/emulator-fidelity.md ("EventBridge, CloudWatch and SNS") lists each behaviour with its source.
"""

from __future__ import annotations

import contextlib
import json
import queue
import re
import threading
import time
import uuid
from typing import Any

from ..server import control
from . import authz
from . import on_behalf

EVENTS = "events.amazonaws.com"
_QUEUE: queue.Queue = queue.Queue()
_LOCK = threading.Lock()
# rule ARN -> when it fires next (scheduled rules)
_NEXT_FIRE: dict[str, float] = {}
# What was delivered (or refused), for tests: {"rule", "target", "event id", "delivered", "reason"}.
DELIVERIES: list[dict[str, Any]] = []
_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_UNIT = {"minute": 60, "hour": 3600, "day": 86400}


def iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def event(account: str, region: str, source: str, detail_type: str, resources: list[str], detail: dict) -> dict:
    """An event in EventBridge's envelope (EventBridge user guide, "Amazon EventBridge events")."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": iso(time.time()),
        "region": region,
        "resources": list(resources),
        "detail": detail,
    }


def emit(account: str, region: str, source: str, detail_type: str, resources: list[str], detail: dict) -> None:
    """An AWS service's event to the default bus of `account`/`region`, delivered asynchronously."""
    _QUEUE.put(event(account, region, source, detail_type, resources, detail))


def _backend(account: str, region: str):
    from moto.events.models import events_backends

    return events_backends[account][region]


def _deliver_loop() -> None:
    while True:
        item = _QUEUE.get()
        try:
            put(item)
        except Exception as err:  # noqa: BLE001 - best effort, as AWS; say so in emulator.log
            print(f"events: delivery error {err!r}", flush=True)
        finally:
            _QUEUE.task_done()


def put(item: dict, bus: str = "default") -> None:
    """Deliver `item` to every enabled matching rule of `bus` in its account and Region."""
    try:
        backend = _backend(item["account"], item["region"])
        rules = list(backend.event_buses[bus].rules.values()) if bus in backend.event_buses else []
    except KeyError:
        return
    for rule in rules:
        send_to_targets(rule, item)


def _matches(rule: Any, item: dict) -> bool:
    """A rule without an event pattern runs on its schedule only (`fire`); moto's empty pattern matched every event."""
    return bool(rule.event_pattern.get_pattern()) and rule.event_pattern.matches_event(item)


def send_to_targets(rule: Any, item: dict, transform_input: bool = True) -> None:
    """Replacement for moto's Rule.send_to_targets: disabled rules deliver nothing (moto delivered), SNS and
    Lambda targets are delivered (moto raised NotImplementedError), every delivery is authorized."""
    if rule.state != "ENABLED" or not _matches(rule, item):
        return
    item = _normalized(item)
    for target in list(rule.targets):
        _deliver(rule, target, item)


def _normalized(item: dict) -> dict:
    """moto's PutEvents keeps `time` as epoch seconds and adds `ingestion-time`; AWS's envelope has neither."""
    item = {k: v for k, v in item.items() if k != "ingestion-time"}
    if isinstance(item.get("time"), (int, float)):
        item["time"] = iso(float(item["time"]))
    return item


def _payload(target: dict, item: dict) -> Any:
    """What the target receives: the event, or the target's constant Input, or its InputTransformer's result."""
    from moto.events.utils import EventTemplateParser

    if target.get("Input"):
        return json.loads(target["Input"])
    transformer = target.get("InputTransformer")
    if transformer:
        return EventTemplateParser.parse(
            input_template=transformer.get("InputTemplate"),
            input_paths_map=transformer.get("InputPathsMap", {}),
            event=item,
        )
    return item


ACTIONS = {"sns": "sns:Publish", "sqs": "sqs:SendMessage", "lambda": "lambda:InvokeFunction"}


def _deliver(rule: Any, target: dict, item: dict) -> None:
    arn = target["Arn"]
    service = arn.split(":")[2]
    action = ACTIONS.get(service)
    if action is None:
        _moto_delivery(rule, target, item)
        return
    principal = authz.service_principal(EVENTS, rule.account_id, rule.arn)
    decision = on_behalf.decide("events", "RuleDelivery", principal, action, arn.split(":$")[0])
    record = {"rule": rule.arn, "target": arn, "event_id": item["id"], "delivered": decision.allowed}
    if not decision.allowed:
        record["reason"] = decision.reason
    with _LOCK:
        DELIVERIES.append(record)
    if not decision.allowed:
        return  # dropped, as EventBridge drops what the target refuses (no dead-letter queue configured)
    payload = _payload(target, item)
    body = payload if isinstance(payload, str) else json.dumps(payload)
    _, _, _, region, account, resource = arn.split(":", 5)
    with contextlib.suppress(Exception):  # a deleted target loses the event, as in AWS
        if service == "sns":
            from moto.sns.models import sns_backends

            sns_backends[account][region].publish(message=body, arn=arn)
        elif service == "sqs":
            from moto.sqs.models import sqs_backends

            group = (target.get("SqsParameters") or {}).get("MessageGroupId")
            sqs_backends[account][region].send_message(queue_name=resource, message_body=body, group_id=group)
        else:
            from . import lambda_runner

            lambda_runner.invoke_async(arn, payload, source="events")


def _moto_delivery(rule: Any, target: dict, item: dict) -> None:
    """Targets the project does not use (log groups, buses, archives): moto's own delivery."""
    from moto.events.models import Rule

    with contextlib.suppress(Exception):
        only = Rule.__new__(Rule)
        vars(only).update(vars(rule), targets=[target])
        _MOTO_SEND(only, item)


_MOTO_SEND: Any = None


# --- scheduled rules ---------------------------------------------------------------------------------


def interval(expression: str | None) -> float | None:
    """Seconds between firings of a `rate()` expression; None for cron() and anything else."""
    found = _RATE.match((expression or "").strip())
    if not found:
        return None
    return int(found.group(1)) * _UNIT[found.group(2).rstrip("s")]


def scheduled_event(rule: Any) -> dict:
    """The event of a scheduled rule (EventBridge user guide, "Creating a rule that runs on a schedule")."""
    return event(rule.account_id, rule.region_name, "aws.events", "Scheduled Event", [rule.arn], {})


def fire(rule: Any) -> None:
    """A scheduled rule's targets receive its Scheduled Event now (not through the pattern: it has none)."""
    if rule.state != "ENABLED":
        return
    item = scheduled_event(rule)
    for target in list(rule.targets):
        _deliver(rule, target, item)


def _all_rules():
    from moto.events.models import events_backends

    for _account, regions in list(events_backends.items()):
        for _region, backend in list(regions.items()):
            for bus in list(backend.event_buses.values()):
                yield from list(bus.rules.values())


def _schedule_loop() -> None:
    while True:
        time.sleep(1.0)
        now = time.time()
        for rule in _all_rules():
            every = interval(rule.scheduled_expression)
            if every is None:
                continue
            with _LOCK:
                due = _NEXT_FIRE.setdefault(rule.arn, now + every)
                if due > now:
                    continue
                _NEXT_FIRE[rule.arn] = now + every
            with contextlib.suppress(Exception):
                fire(rule)


def find_rule(arn: str):
    for rule in _all_rules():
        if rule.arn == arn:
            return rule
    raise ValueError(f"no rule has the ARN {arn}")


@control("POST", "/_lakedrop/events/fire")
def _fire(request) -> dict:
    """Fire a scheduled rule now (its targets get its Scheduled Event), so tests need not wait for rate()."""
    rule = find_rule((request.get_json(force=True) or {}).get("rule_arn", ""))
    fire(rule)
    return {"fired": rule.arn, "targets": [t["Arn"] for t in rule.targets]}


@control("GET", "/_lakedrop/events/deliveries")
def _deliveries(request) -> dict:
    """Rule deliveries to SNS/SQS/Lambda targets (refused ones with the engine's reason)."""
    rule = request.args.get("rule_arn")
    with _LOCK:
        return {"deliveries": [d for d in DELIVERIES if not rule or d["rule"] == rule]}


@control("POST", "/_lakedrop/events/drain")
def _drain(_request) -> dict:
    """Wait until every emitted event has been delivered (a test's barrier)."""
    deadline = time.time() + 10
    while _QUEUE.unfinished_tasks and time.time() < deadline:
        time.sleep(0.02)
    return {"pending": _QUEUE.unfinished_tasks}


def install() -> None:
    global _MOTO_SEND
    from moto.events.models import Rule

    if _MOTO_SEND is None:
        _MOTO_SEND = Rule.send_to_targets
    Rule.send_to_targets = send_to_targets
    threading.Thread(target=_deliver_loop, name="events-delivery", daemon=True).start()
    threading.Thread(target=_schedule_loop, name="events-schedule", daemon=True).start()
