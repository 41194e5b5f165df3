"""The observer's and the trigger's pure parts of delivery latency and the delivery-time metric."""

from __future__ import annotations

import importlib.util
import json
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

ROLES = Path(__file__).resolve().parents[2] / "roles"


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


observer = _load("lakedrop_observer", ROLES / "observability/files/lakedrop_observer.py")
trigger = _load("lakedrop_trigger_for_tags", ROLES / "lambda_trigger/files/lakedrop_trigger.py")
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TASK = "arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0"


def _s3(*times):
    return {
        "Records": [{"eventName": "ObjectCreated:Put", "eventTime": t, "s3": {"object": {"key": "a"}}} for t in times]
    }


def test_the_trigger_tags_an_execution_with_its_oldest_and_newest_upload():
    event = {
        "Records": [
            {"eventSource": "aws:sqs", "messageId": "1", "body": json.dumps(_s3("2026-11-26T11:00:05.000Z"))},
            {"eventSource": "aws:sqs", "messageId": "2", "body": json.dumps(_s3("2026-11-26T11:00:01.000Z"))},
            {"eventSource": "aws:sqs", "messageId": "3", "body": "not json"},
        ]
    }
    assert trigger.execution_tags(event) == [
        {"Key": "lakedrop:oldest-upload", "Value": "2026-11-26T11:00:01.000Z"},
        {"Key": "lakedrop:newest-upload", "Value": "2026-11-26T11:00:05.000Z"},
        {"Key": "lakedrop:uploads", "Value": "2"},
    ]
    assert trigger.execution_tags({"Event": "s3:TestEvent"}) == []


def test_latencies_from_the_tags():
    tags = {"lakedrop:oldest-upload": "2026-11-26T11:59:00Z", "lakedrop:newest-upload": "2026-11-26T11:59:30Z"}
    assert observer.latencies(tags, NOW) == [30.0, 60.0]
    assert observer.latencies({}, NOW) == []


def test_the_delivery_of_an_execution():
    deliveries = [{"name": "q", "task_arn": TASK}]
    assert observer.delivery_of(TASK + "/execution/exec-0123456789abcdef0", deliveries)["name"] == "q"
    assert observer.delivery_of(TASK + "0/execution/exec-0123456789abcdef0", deliveries) is None


SCAN = TASK[:-1] + "1"


def test_an_execution_of_the_reconcile_task_belongs_to_its_delivery():
    deliveries = [
        {"name": "q", "task_arn": TASK, "reconcile_task_arn": ""},
        {"name": "d", "task_arn": "x", "reconcile_task_arn": SCAN},
    ]
    assert observer.task_arns(deliveries[0]) == [TASK]
    assert observer.delivery_of(SCAN + "/execution/exec-0123456789abcdef0", deliveries)["name"] == "d"


def test_a_scan_on_the_reconcile_task_clears_a_failed_delivery(monkeypatch):
    """The delivery-time metric reads both tasks: a failed delivery stays undelivered until a full scan
    that started later succeeded, and that scan runs on the reconcile task."""
    failed = _execution("ERROR", 40)
    history = {TASK: [failed], SCAN: [_execution("SUCCESS", 30, filtered=False, upload=False)]}
    published = []
    monkeypatch.setattr(observer, "_executions", lambda arn: history.get(arn, []))
    monkeypatch.setattr(observer, "_publish", published.append)
    observer.check([{"name": "q", "task_arn": TASK, "reconcile_task_arn": SCAN}], NOW, timedelta(minutes=10))
    observer.check([{"name": "q", "task_arn": TASK}], NOW, timedelta(minutes=10))  # without it: still undelivered
    assert [p["Values"] for p in published] == [[0.0], [41.0 * 60]]


def _execution(status, minutes_ago, filtered=True, upload=True):
    start = NOW - timedelta(minutes=minutes_ago)
    oldest = (start - timedelta(minutes=1)).isoformat() if upload else None
    return {"status": status, "start_time": start, "filtered": filtered, "oldest_upload": oldest}


def test_undelivered_age_counts_in_flight_and_failed_executions_until_a_later_full_run():
    assert observer.undelivered_age(NOW, [], []) == 0.0
    assert observer.undelivered_age(NOW, [_execution("SUCCESS", 50)], []) == 0.0
    assert observer.undelivered_age(NOW, [_execution("LAUNCHING", 40)], []) == 41 * 60
    failed = _execution("ERROR", 40)
    assert observer.undelivered_age(NOW, [failed], []) == 41 * 60
    assert observer.undelivered_age(NOW, [failed, _execution("SUCCESS", 30)], []) == 41 * 60  # filtered: other keys
    assert observer.undelivered_age(NOW, [failed, _execution("SUCCESS", 30, filtered=False, upload=False)], []) == 0.0
    assert observer.undelivered_age(NOW, [_execution("ERROR", 40, upload=False)], []) == 0.0


def test_undelivered_age_grows_a_queue_age_measured_earlier():
    assert observer.undelivered_age(NOW, [], [(120.0, NOW - timedelta(minutes=5))]) == 420.0


def test_metric_datum_is_the_status_runbooks_contract():
    datum = observer.metric_datum("DeliveryLatency", "q", [30, 60], NOW)
    assert datum["Dimensions"] == [{"Name": "Delivery", "Value": "q"}]
    assert (datum["Unit"], datum["Values"], observer.NAMESPACE) == ("Seconds", [30.0, 60.0], "LakeDrop")


def test_an_execution_the_trigger_replaced_is_no_failure():
    replaced = {**_execution("ERROR", 40), "replaced": True}
    assert observer.undelivered_age(NOW, [replaced], []) == 0.0
    assert observer.undelivered_age(NOW, [replaced, _execution("ERROR", 20)], []) == 21 * 60


class _Calls:
    """Stands in for the observer's clients: tags per execution, what was published to SNS."""

    def __init__(self, tags):
        self.tags, self.published = tags, []

    def list_tags_for_resource(self, ResourceArn):
        return {"Tags": [{"Key": k, "Value": v} for k, v in self.tags.get(ResourceArn, {}).items()]}

    def publish(self, **kwargs):
        self.published.append(kwargs)
        return {"MessageId": "m"}


def test_errors_are_forwarded_to_the_topic_except_replaced_executions(monkeypatch):
    task = "arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0"
    failed, replaced = f"{task}/execution/exec-1", f"{task}/execution/exec-2"
    calls = _Calls({replaced: {"lakedrop:replaced-by": f"{task}/execution/exec-3"}})
    monkeypatch.setattr(observer, "_CLIENTS", {"datasync": calls, "sns": calls})
    monkeypatch.setenv("LAKEDROP_DELIVERIES", json.dumps([{"name": "d", "task_arn": task, "queue": "", "dlq": "x"}]))
    monkeypatch.setenv("LAKEDROP_TOPIC_ARN", "arn:aws:sns:eu-west-1:222222222222:t")

    def event(arn):
        return {"source": "aws.datasync", "time": NOW.isoformat(), "resources": [arn], "detail": {"State": "ERROR"}}

    observer.handler(event(replaced), None)
    assert calls.published == []
    observer.handler(event(failed), None)
    assert [json.loads(p["Message"])["resources"] for p in calls.published] == [[failed]]
    assert calls.published[0]["TopicArn"] == "arn:aws:sns:eu-west-1:222222222222:t"


def test_the_trigger_and_the_observer_agree_on_the_replaced_tag():
    assert observer.REPLACED_BY == trigger.REPLACED_BY
