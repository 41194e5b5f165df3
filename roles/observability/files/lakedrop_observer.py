"""lakedrop.delivery observer: delivery latency and the age of the oldest undelivered upload, as metrics, and
the notification of failed executions.

Runs on AWS Lambda (Python 3.12, boto3 only), invoked by three EventBridge rules:
  - DataSync "Task Execution State Change" to SUCCESS for the deployment's tasks: publishes
    LakeDrop/DeliveryLatency (Seconds, dimension Delivery) = the event's time minus the upload times the
    trigger tagged the execution with (lakedrop:oldest-upload / lakedrop:newest-upload);
  - the same to ERROR: forwards the event to the notification topic, unless the trigger cancelled the
    execution because another one covers its keys (tag lakedrop:replaced-by: manifest starts replace a
    waiting execution; its end is no failure). EventBridge cannot filter on tags, hence this hop;
  - a schedule: publishes LakeDrop/UndeliveredAge (Seconds, dimension Delivery) = the age of the oldest
    upload not yet delivered, from what AWS itself reports (the queues' CloudWatch metrics, the task's
    executions and their tags), so a broken trigger, a failing task, a backed-up queue or a stuck
    execution all raise it; the delivery-time alarm treats a missing datapoint as breaching, so a dead
    observer alarms too.
Configured by environment: LAKEDROP_DELIVERIES, a JSON list of {name, task_arn, reconcile_task_arn, queue,
dlq} (queue names; queue '' in direct mode; reconcile_task_arn, the task of the safety-net scan, may be '');
LAKEDROP_TOPIC_ARN, the topic failures are forwarded to.
"""

import json
import os
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import boto3

NAMESPACE = "LakeDrop"
IN_FLIGHT = {"QUEUED", "LAUNCHING", "PREPARING", "TRANSFERRING", "VERIFYING"}
REPLACED_BY = "lakedrop:replaced-by"  # the trigger's tag on an execution it replaced (see the trigger)
_CLIENTS = {}


def _client(name):
    if name not in _CLIENTS:
        _CLIENTS[name] = boto3.client(name)
    return _CLIENTS[name]


def log(**fields):
    print(json.dumps(fields, default=str, ensure_ascii=False), flush=True)


# --- pure functions: what tests call -----------------------------------------------------------------


def parse_time(value):
    """An aware datetime from an ISO 8601 string (S3's eventTime, EventBridge's time) or a datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def task_arns(delivery):
    """The delivery's tasks: the delivery task and, when it has one, the reconcile task of its scans."""
    return [arn for arn in (delivery["task_arn"], delivery.get("reconcile_task_arn")) if arn]


def delivery_of(execution_arn, deliveries):
    """The delivery whose task (delivery or reconcile) ran `execution_arn` (task ARN + /execution/...), or None."""
    for delivery in deliveries:
        if any(execution_arn.startswith(arn + "/execution/") for arn in task_arns(delivery)):
            return delivery
    return None


def latencies(tags, delivered_at):
    """Seconds from upload to delivery for the oldest and newest upload of an execution (tags as a dict)."""
    found = []
    for key in ("lakedrop:oldest-upload", "lakedrop:newest-upload"):
        if tags.get(key):
            found.append(max(0.0, (delivered_at - parse_time(tags[key])).total_seconds()))
    return sorted(set(found))


def undelivered_age(now, executions, queue_ages):
    """Age in seconds of the oldest upload not delivered yet (0 when none).

    `executions`: [{status, start_time, filtered, oldest_upload, replaced}] of the delivery's tasks; an upload
    counts as undelivered while its execution is in flight, and after its execution failed until an unfiltered
    execution (the reconcile task's scan, a full sync) that started later succeeded. An execution the
    trigger replaced (its keys covered by another) did not fail. A manifest execution is filtered.
    `queue_ages`: [(age in seconds, measured at)] of the event queue and the dead-letter queue; an age
    measured earlier has grown since, if the message is still there."""
    ages = [0.0]
    full_runs = [e["start_time"] for e in executions if e["status"] == "SUCCESS" and not e["filtered"]]
    for e in executions:
        if not e.get("oldest_upload"):
            continue
        failed = (
            e["status"] == "ERROR" and not e.get("replaced") and not any(start > e["start_time"] for start in full_runs)
        )
        if e["status"] in IN_FLIGHT or failed:
            ages.append((now - parse_time(e["oldest_upload"])).total_seconds())
    for age, measured_at in queue_ages:
        ages.append(age + max(0.0, (now - measured_at).total_seconds()))
    return max(ages)


def metric_datum(metric, delivery, values, at):
    return {
        "MetricName": metric,
        "Dimensions": [{"Name": "Delivery", "Value": delivery}],
        "Timestamp": at,
        "Values": [float(v) for v in values],
        "Counts": [1.0] * len(values),
        "Unit": "Seconds",
    }


# --- boto3 calls -----------------------------------------------------------------------------------


def _tags(arn):
    response = _client("datasync").list_tags_for_resource(ResourceArn=arn)
    return {t["Key"]: t.get("Value", "") for t in response.get("Tags", [])}


def _executions(task_arn):
    found = []
    for page in _client("datasync").get_paginator("list_task_executions").paginate(TaskArn=task_arn):
        for entry in page.get("TaskExecutions", []):
            described = _client("datasync").describe_task_execution(TaskExecutionArn=entry["TaskExecutionArn"])
            status = described.get("Status", entry.get("Status"))
            tags = _tags(entry["TaskExecutionArn"]) if status != "SUCCESS" else {}
            found.append(
                {
                    "status": status,
                    "start_time": parse_time(described.get("StartTime") or datetime.now(UTC)),
                    "filtered": bool(described.get("Includes") or described.get("ManifestConfig")),
                    "oldest_upload": tags.get("lakedrop:oldest-upload"),
                    "replaced": bool(tags.get(REPLACED_BY)),
                }
            )
    return found


def _queue_age(queue, now, lookback):
    """(age, measured at) of the newest datapoint of AWS/SQS ApproximateAgeOfOldestMessage, or None."""
    response = _client("cloudwatch").get_metric_statistics(
        Namespace="AWS/SQS",
        MetricName="ApproximateAgeOfOldestMessage",
        Dimensions=[{"Name": "QueueName", "Value": queue}],
        StartTime=now - lookback,
        EndTime=now,
        Period=60,
        Statistics=["Maximum"],
    )
    points = sorted(response.get("Datapoints", []), key=lambda p: p["Timestamp"])
    return (points[-1]["Maximum"], parse_time(points[-1]["Timestamp"])) if points else None


def _notify(event):
    """Forward an EventBridge event to the topic, as the error rule did when it targeted the topic itself."""
    _client("sns").publish(TopicArn=os.environ["LAKEDROP_TOPIC_ARN"], Message=json.dumps(event, default=str))


def _publish(datum):
    _client("cloudwatch").put_metric_data(Namespace=NAMESPACE, MetricData=[datum])


def check(deliveries, now, lookback):
    for delivery in deliveries:
        ages = [_queue_age(q, now, lookback) for q in (delivery.get("queue"), delivery.get("dlq")) if q]
        executions = [e for arn in task_arns(delivery) for e in _executions(arn)]
        age = undelivered_age(now, executions, [a for a in ages if a])
        _publish(metric_datum("UndeliveredAge", delivery["name"], [age], now))
        log(outcome="checked", delivery=delivery["name"], undelivered_age=age)


def handler(event, context):
    deliveries = json.loads(os.environ["LAKEDROP_DELIVERIES"])
    now = parse_time(event.get("time") or datetime.now(UTC))
    if event.get("source") == "aws.datasync":
        state = (event.get("detail") or {}).get("State")
        for arn in event.get("resources") or []:
            delivery = delivery_of(arn, deliveries)
            if delivery is None:
                continue
            if state == "ERROR":
                if _tags(arn).get(REPLACED_BY):
                    log(outcome="replaced", delivery=delivery["name"], execution=arn)
                else:
                    _notify(event)
                    log(outcome="notified", delivery=delivery["name"], execution=arn)
                continue
            if state != "SUCCESS":
                continue
            values = latencies(_tags(arn), now)
            if values:
                _publish(metric_datum("DeliveryLatency", delivery["name"], values, now))
            log(outcome="latency", delivery=delivery["name"], execution=arn, seconds=values)
        return {"state": state}
    check(deliveries, now, timedelta(minutes=int(os.environ.get("LAKEDROP_LOOKBACK_MINUTES", "10"))))
    return {"checked": len(deliveries)}
