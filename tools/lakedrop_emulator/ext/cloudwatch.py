"""CloudWatch as the pipeline's alarms need it: the metrics AWS services publish, statistics and percentiles
from raw values, and metric alarms that are evaluated and notify SNS.

- Service metrics, into moto's CloudWatch backend of the resource's account and Region:
  AWS/Lambda Invocations, Errors, Throttles (Count) and Duration (Milliseconds) per invocation of the Lambda
  runner, dimension FunctionName; AWS/SQS NumberOfMessagesSent (Count) per message sent, and the gauges
  ApproximateNumberOfMessagesVisible (Count) and ApproximateAgeOfOldestMessage (Seconds), sampled every
  `sample_interval` seconds and at each evaluation, dimension QueueName.
- GetMetricStatistics: periods from StartTime, the dimension set matched exactly, Statistics and
  ExtendedStatistics (pNN percentiles) from the raw values (moto ignored ExtendedStatistics).
- Metric alarms start in INSUFFICIENT_DATA and keep their state across PutMetricAlarm updates; they are
  evaluated every `evaluate_interval` seconds, and on `POST /_lakedrop/cloudwatch/evaluate {"at": ISO time}`
  as if at that time (a test control: a 30-minute breach without waiting). A state change sets StateValue,
  StateReason, StateReasonData, StateUpdatedTimestamp and publishes CloudWatch's notification JSON to each
  AlarmActions / OKActions / InsufficientDataActions SNS topic as cloudwatch.amazonaws.com (aws:SourceArn =
  the alarm, aws:SourceAccount = its account), which the topic policy must allow.

docs/emulator-fidelity.md ("EventBridge, CloudWatch and SNS") lists each behaviour with its source.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import threading
import time
from typing import Any

from ..server import control
from ..server import update_settings
from . import authz
from . import on_behalf

CLOUDWATCH = "cloudwatch.amazonaws.com"
CONFIG: dict[str, float] = {"evaluate_interval": 5.0, "sample_interval": 30.0}
_LOCK = threading.RLock()
STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
# The Region names CloudWatch writes in notifications ("Region": "EU (Ireland)").
REGION_NAMES = {
    "us-east-1": "US East (N. Virginia)",
    "us-east-2": "US East (Ohio)",
    "us-west-1": "US West (N. California)",
    "us-west-2": "US West (Oregon)",
    "eu-west-1": "EU (Ireland)",
    "eu-west-2": "EU (London)",
    "eu-west-3": "EU (Paris)",
    "eu-central-1": "EU (Frankfurt)",
    "eu-north-1": "EU (Stockholm)",
}
COMPARISONS = {
    "GreaterThanOrEqualToThreshold": (lambda v, t: v >= t, "greater than or equal to"),
    "GreaterThanThreshold": (lambda v, t: v > t, "greater than"),
    "LessThanThreshold": (lambda v, t: v < t, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, t: v <= t, "less than or equal to"),
}


def utc(value: dt.datetime | float | None = None) -> dt.datetime:
    """A naive UTC datetime, as moto keeps metric timestamps."""
    if value is None:
        value = time.time()
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value, dt.UTC).replace(tzinfo=None)
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value


def _backend(account: str, region: str):
    from moto.cloudwatch.models import cloudwatch_backends

    return cloudwatch_backends[account][region]


def put(account: str, region: str, namespace: str, name: str, value: float, unit: str, dimensions: dict, at=None):
    """One datapoint of an AWS service's metric."""
    from moto.cloudwatch.models import MetricDatum

    dims = [{"Name": k, "Value": v} for k, v in dimensions.items()]
    with _LOCK:
        _backend(account, region).metric_data.append(MetricDatum(namespace, name, float(value), dims, utc(at), unit))


# --- service metrics ------------------------------------------------------------------------------


def lambda_invocation(function_arn: str, ok: bool, seconds: float) -> None:
    """Lambda's metrics for one invocation (Lambda developer guide, "Types of metrics for Lambda functions")."""
    _, _, _, region, account, _, name = function_arn.split(":")[:7]
    dims = {"FunctionName": name}
    put(account, region, "AWS/Lambda", "Invocations", 1, "Count", dims)
    put(account, region, "AWS/Lambda", "Errors", 0 if ok else 1, "Count", dims)
    put(account, region, "AWS/Lambda", "Duration", seconds * 1000.0, "Milliseconds", dims)


def lambda_throttle(function_arn: str) -> None:
    """A throttled invocation request: Throttles, not Invocations."""
    _, _, _, region, account, _, name = function_arn.split(":")[:7]
    put(account, region, "AWS/Lambda", "Throttles", 1, "Count", {"FunctionName": name})


def _sqs_sent(backend: Any, queue_name: str) -> None:
    put(
        backend.account_id,
        backend.region_name,
        "AWS/SQS",
        "NumberOfMessagesSent",
        1,
        "Count",
        {"QueueName": queue_name},
    )


def sample_queues(at: dt.datetime | None = None, only: set[tuple[str, str, str]] | None = None) -> None:
    """The SQS gauges of every queue (or those `only` names by account, Region and name), as of `at`: the
    queue as it is now, the age of its oldest message measured at `at`."""
    from moto.sqs.models import sqs_backends

    when = at or utc()
    epoch = when.replace(tzinfo=dt.UTC).timestamp()
    for _account, regions in list(sqs_backends.items()):
        for _region, backend in list(regions.items()):
            for name, queue in list(backend.queues.items()):
                if only is not None and (backend.account_id, backend.region_name, name) not in only:
                    continue
                visible = [m for m in list(queue._messages) if m.visible and not m.delayed]
                oldest = min((int(m.sent_timestamp) for m in list(queue._messages)), default=None)
                age = max(0.0, epoch - oldest / 1000.0) if oldest is not None else 0.0
                dims = {"QueueName": name}
                account, region = backend.account_id, backend.region_name
                put(account, region, "AWS/SQS", "ApproximateNumberOfMessagesVisible", len(visible), "Count", dims, when)
                put(account, region, "AWS/SQS", "ApproximateAgeOfOldestMessage", int(age), "Seconds", dims, when)


# --- statistics ---------------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """The nearest-rank percentile of raw values."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100.0 * len(ordered)) - 1)]


def statistic(values: list[float], name: str) -> float:
    if name == "SampleCount":
        return float(len(values))
    if name == "Sum":
        return float(sum(values))
    if name == "Average":
        return sum(values) / len(values)
    if name == "Minimum":
        return min(values)
    if name == "Maximum":
        return max(values)
    if name.startswith("p"):
        return percentile(values, float(name[1:]))
    raise ValueError(f"statistic {name} is not modelled")


def _same_dimensions(datum: Any, dimensions: list[dict]) -> bool:
    return sorted((d.name, d.value) for d in datum.dimensions) == sorted((d["Name"], d["Value"]) for d in dimensions)


def raw_values(backend: Any, namespace: str, name: str, dimensions: list[dict], start, end, unit=None) -> list:
    """(timestamp, value) of the metric's raw datapoints with start < timestamp <= end."""
    from moto.cloudwatch.models import MetricDatum

    with _LOCK:
        data = list(backend.metric_data)
    return sorted(
        (d.timestamp, d.value)
        for d in data
        if isinstance(d, MetricDatum)
        and d.namespace == namespace
        and d.name == name
        and _same_dimensions(d, dimensions)
        and (unit is None or d.unit == unit)
        and start < utc(d.timestamp) <= end
    )


def get_metric_statistics(self) -> Any:
    """Replacement for moto's CloudWatchResponse.get_metric_statistics."""
    from moto.cloudwatch.exceptions import InvalidParameterCombination
    from moto.core.responses import ActionResult

    statistics = self._get_param("Statistics", []) or []
    extended = self._get_param("ExtendedStatistics", []) or []
    if not statistics and not extended:
        raise InvalidParameterCombination("Must specify either Statistics or ExtendedStatistics")
    start, end = utc(self._get_param("StartTime")), utc(self._get_param("EndTime"))
    period = dt.timedelta(seconds=self._get_int_param("Period"))
    unit = self._get_param("Unit")
    raw = raw_values(
        self.cloudwatch_backend,
        self._get_param("Namespace"),
        self._get_param("MetricName"),
        self._get_param("Dimensions", []) or [],
        start - dt.timedelta(microseconds=1),
        end - dt.timedelta(microseconds=1),
        unit,
    )
    points = []
    bucket_start = start
    while bucket_start < end:
        values = [v for t, v in raw if bucket_start <= t < bucket_start + period]
        if values:
            point: dict[str, Any] = {"Timestamp": bucket_start, "Unit": unit or _unit_of(self, raw) or "None"}
            point.update({s: statistic(values, s) for s in statistics})
            if extended:
                point["ExtendedStatistics"] = {p: statistic(values, p) for p in extended}
            points.append(point)
        bucket_start += period
    return ActionResult({"Label": self._get_param("MetricName"), "Datapoints": points})


def _unit_of(self: Any, raw: list) -> str | None:
    from moto.cloudwatch.models import MetricDatum

    name = self._get_param("MetricName")
    for datum in list(self.cloudwatch_backend.metric_data):
        if isinstance(datum, MetricDatum) and datum.name == name and datum.unit:
            return datum.unit
    return None


# --- alarms ---------------------------------------------------------------------------------------------


def _iso(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _datapoints(alarm: Any, backend: Any, at: dt.datetime) -> list[tuple[dt.datetime, float | None]]:
    """The alarm's last EvaluationPeriods periods, oldest first: (period end, statistic or None if missing).
    The periods end at the evaluation time."""
    period = dt.timedelta(seconds=int(alarm.period))
    dims = [{"Name": d.name, "Value": d.value} for d in alarm.dimensions]
    count = int(alarm.evaluation_periods)
    raw = raw_values(backend, alarm.namespace, alarm.metric_name, dims, at - period * count, at, alarm.unit)
    stat = alarm.extended_statistic or alarm.statistic
    found = []
    for i in reversed(range(count)):
        end = at - period * i
        values = [v for t, v in raw if end - period < t <= end]
        found.append((end, statistic(values, stat) if values else None))
    return found


def decide(alarm: Any, points: list[tuple[dt.datetime, float | None]]) -> tuple[str, str] | None:
    """The alarm's state for these datapoints and why; None to keep the current state (TreatMissingData
    ignore with nothing to evaluate). CloudWatch user guide, "Evaluating an alarm" and "Configuring how
    CloudWatch alarms treat missing data"."""
    compare, phrase = COMPARISONS[alarm.comparison_operator]
    threshold = float(alarm.threshold)
    needed = int(alarm.datapoints_to_alarm or alarm.evaluation_periods)
    treat = alarm.treat_missing_data or "missing"
    real = [(t, v) for t, v in points if v is not None]
    missing = len(points) - len(real)
    breaching = [(t, v) for t, v in real if compare(v, threshold)]
    shown = ", ".join(f"{v} ({t.strftime('%d/%m/%y %H:%M:%S')})" for t, v in reversed(real))
    if not real and treat == "missing":
        return "INSUFFICIENT_DATA", f"Insufficient Data: {len(points)} datapoints were unknown."
    if not real and treat == "ignore":
        return None
    count = len(breaching) + (missing if treat == "breaching" else 0)
    if count >= needed:
        return "ALARM", (
            f"Threshold Crossed: {count} out of the last {len(points)} datapoints [{shown}] "
            f"{'was' if count == 1 else 'were'} {phrase} the threshold ({threshold})"
            + (f" ({missing} missing treated as breaching)" if treat == "breaching" and missing else "")
            + "."
        )
    return "OK", (
        f"Threshold Crossed: {len(points) - count} out of the last {len(points)} datapoints [{shown}] "
        f"{'was' if len(points) - count == 1 else 'were'} not {phrase} the threshold ({threshold})."
    )


GAUGES = ("ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage")


def evaluate_all(at: dt.datetime | None = None, names: list[str] | None = None) -> list[dict[str, Any]]:
    """Evaluate the metric alarms (those named, or all) as of `at` (default now); the state changes made.
    An alarm is never evaluated at a time before its last evaluation (after a test evaluated it at a later
    time, the background evaluator leaves it alone until the wall clock gets there)."""
    from moto.cloudwatch.models import cloudwatch_backends

    when = at or utc()
    changes = []
    for _account, regions in list(cloudwatch_backends.items()):
        for _region, backend in list(regions.items()):
            for alarm in list(backend.alarms.values()):
                if alarm.rule or alarm.metric_data_queries or not alarm.metric_name:
                    continue  # composite and metric-math alarms are not evaluated
                if (names is not None and alarm.name not in names) or getattr(alarm, "evaluated_at", when) > when:
                    continue
                alarm.evaluated_at = when
                with contextlib.suppress(ValueError, KeyError):
                    _sample_for(alarm, backend, when)
                    change = _evaluate(alarm, backend, when)
                    if change:
                        changes.append(change)
    return changes


def _sample_for(alarm: Any, backend: Any, at: dt.datetime) -> None:
    """An SQS gauge alarm's queue sampled at the end of each of its periods (the queue as it is now, the
    age of its oldest message as of each period end): evaluating as if later needs no waiting."""
    if alarm.namespace != "AWS/SQS" or alarm.metric_name not in GAUGES:
        return
    names = [d.value for d in alarm.dimensions if d.name == "QueueName"]
    period = dt.timedelta(seconds=int(alarm.period))
    for i in range(int(alarm.evaluation_periods)):
        sample_queues(at - period * i, {(backend.account_id, backend.region_name, n) for n in names})


def _evaluate(alarm: Any, backend: Any, at: dt.datetime) -> dict[str, Any] | None:
    points = _datapoints(alarm, backend, at)
    decided = decide(alarm, points)
    if decided is None or decided[0] == alarm.state_value:
        return None
    state, reason = decided
    old = alarm.state_value
    data = {
        "version": "1.0",
        "queryDate": _iso(at),
        "statistic": alarm.extended_statistic or alarm.statistic,
        "period": int(alarm.period),
        "recentDatapoints": [v for _, v in points if v is not None],
        "threshold": float(alarm.threshold),
        "evaluatedDatapoints": [{"timestamp": _iso(t), "value": v} for t, v in reversed(points) if v is not None],
    }
    with _LOCK:
        alarm.update_state(reason, json.dumps(data), state)
        alarm.state_updated_timestamp = at
    _notify(alarm, old, at)
    return {"alarm": alarm.alarm_arn, "from": old, "to": state, "reason": reason}


def notification(alarm: Any, old: str, at: dt.datetime) -> dict[str, Any]:
    """CloudWatch's alarm notification (CloudWatch user guide, "Using Amazon CloudWatch alarms", the
    notification's JSON as SNS delivers it)."""
    _, _, _, region, account, _ = alarm.alarm_arn.split(":", 5)
    stat_type = "ExtendedStatistic" if alarm.extended_statistic else "Statistic"
    return {
        "AlarmName": alarm.name,
        "AlarmDescription": alarm.description or None,
        "AWSAccountId": account,
        "AlarmConfigurationUpdatedTimestamp": _iso(alarm.configuration_updated_timestamp),
        "NewStateValue": alarm.state_value,
        "NewStateReason": alarm.state_reason,
        "StateChangeTime": _iso(at),
        "Region": REGION_NAMES.get(region, region),
        "AlarmArn": alarm.alarm_arn,
        "OldStateValue": old,
        "OKActions": list(alarm.ok_actions),
        "AlarmActions": list(alarm.alarm_actions),
        "InsufficientDataActions": list(alarm.insufficient_data_actions),
        "Trigger": {
            "MetricName": alarm.metric_name,
            "Namespace": alarm.namespace,
            "StatisticType": stat_type,
            stat_type: alarm.extended_statistic or (alarm.statistic or "").upper(),
            "Unit": alarm.unit,
            "Dimensions": [{"value": d.value, "name": d.name} for d in alarm.dimensions],
            "Period": int(alarm.period),
            "EvaluationPeriods": int(alarm.evaluation_periods),
            "DatapointsToAlarm": int(alarm.datapoints_to_alarm or alarm.evaluation_periods),
            "ComparisonOperator": alarm.comparison_operator,
            "Threshold": float(alarm.threshold),
            "TreatMissingData": alarm.treat_missing_data or "missing",
            "EvaluateLowSampleCountPercentile": alarm.evaluate_low_sample_count_percentile or "",
        },
    }


def _notify(alarm: Any, old: str, at: dt.datetime) -> None:
    """Publish to the actions of the new state, as cloudwatch.amazonaws.com for this alarm."""
    from moto.sns.models import sns_backends

    if not alarm.actions_enabled:
        return
    actions = {
        "ALARM": alarm.alarm_actions,
        "OK": alarm.ok_actions,
        "INSUFFICIENT_DATA": alarm.insufficient_data_actions,
    }
    _, _, _, region, account, _ = alarm.alarm_arn.split(":", 5)
    message = json.dumps(notification(alarm, old, at))
    subject = f'{alarm.state_value}: "{alarm.name}" in {REGION_NAMES.get(region, region)}'[:100]
    for arn in actions[alarm.state_value] or []:
        if ":sns:" not in arn:
            continue  # EC2, Auto Scaling, Systems Manager actions are not modelled
        principal = authz.service_principal(CLOUDWATCH, account, alarm.alarm_arn)
        if not on_behalf.decide("cloudwatch", "AlarmAction", principal, "sns:Publish", arn).allowed:
            continue
        _, _, _, topic_region, topic_account, _ = arn.split(":", 5)
        with contextlib.suppress(Exception):  # a deleted topic loses the notification
            sns_backends[topic_account][topic_region].publish(message=message, arn=arn, subject=subject)


def _put_metric_alarm(original):
    def put_metric_alarm(self, name: str, *args: Any, **kwargs: Any):
        before = self.alarms.get(name)
        alarm = original(self, name, *args, **kwargs)
        if before is None:  # "When this operation creates an alarm, the alarm state is immediately set to
            # INSUFFICIENT_DATA" (PutMetricAlarm); an update keeps the state
            alarm.state_value = "INSUFFICIENT_DATA"
        else:
            for field in ("state_value", "state_reason", "state_reason_data", "state_updated_timestamp", "history"):
                setattr(alarm, field, getattr(before, field))
        return alarm

    return put_metric_alarm


def _send_message(original):
    def send_message(self, queue_name: str, *args: Any, **kwargs: Any):
        message = original(self, queue_name, *args, **kwargs)
        with contextlib.suppress(Exception):
            _sqs_sent(self, queue_name)
        return message

    return send_message


def _loop() -> None:
    last_sample = 0.0
    while True:
        time.sleep(CONFIG["evaluate_interval"] if CONFIG["evaluate_interval"] > 0 else 1.0)
        if CONFIG["evaluate_interval"] <= 0:
            continue  # background evaluation switched off (POST /_lakedrop/cloudwatch/config)
        try:
            if time.time() - last_sample >= CONFIG["sample_interval"]:
                last_sample = time.time()
                sample_queues()
            evaluate_all()
        except Exception as err:  # noqa: BLE001 - keep evaluating; say so in emulator.log
            print(f"cloudwatch: evaluation error {err!r}", flush=True)


@control("POST", "/_lakedrop/cloudwatch/evaluate")
def _evaluate_now(request) -> dict:
    """Evaluate the alarms (`alarm_names`, or all) now, or as if at `at` (ISO 8601): the state changes made."""
    body = request.get_json(force=True, silent=True) or {}
    at = utc(dt.datetime.fromisoformat(body["at"].replace("Z", "+00:00"))) if body.get("at") else None
    return {"changes": evaluate_all(at, body.get("alarm_names"))}


@control("POST", "/_lakedrop/cloudwatch/config")
def _set_config(request) -> dict:
    return update_settings(request, CONFIG, _LOCK, "cloudwatch config keys", float)


def install() -> None:
    from moto.cloudwatch.models import CloudWatchBackend
    from moto.cloudwatch.responses import CloudWatchResponse
    from moto.sqs.models import SQSBackend

    CloudWatchResponse.get_metric_statistics = get_metric_statistics
    CloudWatchBackend.put_metric_alarm = _put_metric_alarm(CloudWatchBackend.put_metric_alarm)
    SQSBackend.send_message = _send_message(SQSBackend.send_message)
    threading.Thread(target=_loop, name="cloudwatch-alarms", daemon=True).start()
