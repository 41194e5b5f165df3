"""CloudWatch in the emulator: percentiles from raw values, metric alarms evaluated per TreatMissingData and
notifying SNS as cloudwatch.amazonaws.com, the Lambda and SQS metrics the pipeline's alarms read. See
docs/emulator-fidelity.md, "EventBridge, CloudWatch and SNS"."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from support.observability import make_queue
from support.observability import make_topic
from support.observability import service_may
from support.observability import sns_messages
from test_lambda_runner import wait_until

CLOUDWATCH = "cloudwatch.amazonaws.com"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def evaluate(emulator, names: list[str], at: dt.datetime | None = None) -> list[dict]:
    body = {"alarm_names": names, **({"at": at.isoformat()} if at else {})}
    return emulator.control("POST", "cloudwatch/evaluate", body)["changes"]


def recent_sums(cw, namespace: str, metric: str, dimensions: dict) -> list[float]:
    """The metric's Sum over the last five minutes (one period)."""
    points = cw.get_metric_statistics(
        Namespace=namespace,
        MetricName=metric,
        Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
        StartTime=now() - dt.timedelta(minutes=5),
        EndTime=now() + dt.timedelta(minutes=1),
        Period=600,
        Statistics=["Sum"],
    )["Datapoints"]
    return [p["Sum"] for p in points]


def state(cw, name: str) -> dict:
    return cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]


@pytest.fixture
def topic(emulator, clients, unique):
    """A topic whose policy lets CloudWatch alarms of the target account publish, with an email subscriber."""
    account = emulator.account_id("target")
    alarms = f"arn:aws:cloudwatch:{emulator.region}:{account}:alarm:*"
    arn = make_topic(clients("sns"), f"alarms-{unique}", lambda t: service_may(CLOUDWATCH, "sns:Publish", t, alarms))
    clients("sns").subscribe(TopicArn=arn, Protocol="email", Endpoint="ops@example.com")
    return arn


def test_percentiles_come_from_the_raw_values(clients, unique):
    cw = clients("cloudwatch")
    start = now() - dt.timedelta(minutes=5)
    namespace = f"Lakedrop/{unique}"
    cw.put_metric_data(
        Namespace=namespace,
        MetricData=[
            {
                "MetricName": "Latency",
                "Values": [float(v) for v in range(1, 101)],
                "Unit": "Seconds",
                "Timestamp": now(),
            }
        ],
    )
    cw.put_metric_data(
        Namespace=namespace,
        MetricData=[
            {"MetricName": "Latency", "Value": 1000.0, "Unit": "Seconds", "Dimensions": [{"Name": "d", "Value": "x"}]}
        ],
    )
    [point] = cw.get_metric_statistics(
        Namespace=namespace,
        MetricName="Latency",
        StartTime=start,
        EndTime=now() + dt.timedelta(minutes=1),
        Period=3600,
        Statistics=["SampleCount", "Maximum"],
        ExtendedStatistics=["p50", "p95", "p99.9"],
    )["Datapoints"]
    # the datapoint with a dimension is another metric (dimension sets match exactly)
    assert point["SampleCount"] == 100 and point["Maximum"] == 100
    assert point["ExtendedStatistics"] == {"p50": 50.0, "p95": 95.0, "p99.9": 100.0}
    assert point["Unit"] == "Seconds"


def put_alarm(cw, name: str, namespace: str, topic: str, treat: str) -> None:
    cw.put_metric_alarm(
        AlarmName=name,
        Namespace=namespace,
        MetricName="Failures",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=3,
        DatapointsToAlarm=2,
        ComparisonOperator="GreaterThanThreshold",
        Threshold=0,
        TreatMissingData=treat,
        AlarmActions=[topic],
        OKActions=[topic],
    )


@pytest.mark.parametrize(
    ("treat", "with_no_data", "after_two_breaches", "after_recovery"),
    [
        ("missing", "INSUFFICIENT_DATA", "ALARM", "OK"),
        ("ignore", "INSUFFICIENT_DATA", "ALARM", "OK"),  # ignore keeps the state it was created in
        ("breaching", "ALARM", "ALARM", "OK"),  # with no data, three missing periods breach
        ("notBreaching", "OK", "ALARM", "OK"),
    ],
)
def test_alarm_states_per_treat_missing_data(
    emulator, clients, topic, unique, treat, with_no_data, after_two_breaches, after_recovery
):
    cw = clients("cloudwatch")
    name, namespace = f"failures-{treat}-{unique}", f"Lakedrop/{unique}"
    put_alarm(cw, name, namespace, topic, treat)
    assert state(cw, name)["StateValue"] == "INSUFFICIENT_DATA"
    t0 = now()
    evaluate(emulator, [name], t0)
    assert state(cw, name)["StateValue"] == with_no_data

    for minutes in (1, 2):
        at = t0 + dt.timedelta(minutes=minutes, seconds=-30)
        cw.put_metric_data(Namespace=namespace, MetricData=[{"MetricName": "Failures", "Value": 1, "Timestamp": at}])
    evaluate(emulator, [name], t0 + dt.timedelta(minutes=2))
    alarm = state(cw, name)
    assert alarm["StateValue"] == after_two_breaches
    assert "greater than the threshold (0.0)" in alarm["StateReason"]

    for minutes in (3, 4, 5):
        at = t0 + dt.timedelta(minutes=minutes, seconds=-30)
        cw.put_metric_data(Namespace=namespace, MetricData=[{"MetricName": "Failures", "Value": 0, "Timestamp": at}])
    evaluate(emulator, [name], t0 + dt.timedelta(minutes=5))
    assert state(cw, name)["StateValue"] == after_recovery

    # each change published CloudWatch's notification to the topic of the new state's actions
    notes = [json.loads(m["message"]) for m in sns_messages(emulator, topic)["messages"]]
    transitions = [(n["OldStateValue"], n["NewStateValue"]) for n in notes]
    expected = []
    current = "INSUFFICIENT_DATA"
    for new in (with_no_data, after_two_breaches, after_recovery):
        if new != current:
            if new in ("ALARM", "OK"):
                expected.append((current, new))
            current = new
    assert transitions == expected
    for note in notes:
        assert note["AlarmName"] == name and note["Trigger"]["TreatMissingData"] == treat
        assert note["AlarmArn"] == alarm["AlarmArn"] and note["Trigger"]["Namespace"] == namespace


def test_missing_data_treated_as_missing_goes_back_to_insufficient_data(emulator, clients, topic, unique):
    cw = clients("cloudwatch")
    name, namespace = f"gone-{unique}", f"Lakedrop/{unique}"
    put_alarm(cw, name, namespace, topic, "missing")
    t0 = now()
    cw.put_metric_data(Namespace=namespace, MetricData=[{"MetricName": "Failures", "Value": 3, "Timestamp": t0}])
    cw.put_metric_data(
        Namespace=namespace,
        MetricData=[{"MetricName": "Failures", "Value": 3, "Timestamp": t0 - dt.timedelta(minutes=1)}],
    )
    evaluate(emulator, [name], t0 + dt.timedelta(seconds=1))
    assert state(cw, name)["StateValue"] == "ALARM"
    evaluate(emulator, [name], t0 + dt.timedelta(minutes=30))  # 30 minutes later, nothing came
    assert state(cw, name)["StateValue"] == "INSUFFICIENT_DATA"
    # an earlier time than the last evaluation is never evaluated again
    assert evaluate(emulator, [name], t0) == [] and state(cw, name)["StateValue"] == "INSUFFICIENT_DATA"


def test_a_topic_that_does_not_allow_cloudwatch_gets_nothing(emulator, clients, unique):
    cw = clients("cloudwatch")
    closed = make_topic(clients("sns"), f"closed-{unique}")  # the default topic policy names no service
    name, namespace = f"closed-{unique}", f"Lakedrop/{unique}"
    put_alarm(cw, name, namespace, closed, "breaching")
    mark = len(emulator.authz_decisions())
    evaluate(emulator, [name])
    assert state(cw, name)["StateValue"] == "ALARM"
    assert sns_messages(emulator, closed)["messages"] == []
    [denial] = [d for d in emulator.authz_decisions()[mark:] if d["operation"] == "AlarmAction (on behalf)"]
    assert denial["action"] == "sns:Publish" and denial["resource"] == closed and CLOUDWATCH in denial["principal"]


def test_an_old_message_in_a_dead_letter_queue_raises_its_alarms(emulator, clients, topic, unique):
    cw, sqs = clients("cloudwatch"), clients("sqs")
    queue = make_queue(sqs, f"dlq-{unique}")
    name = queue.arn.rsplit(":", 1)[1]

    def alarm(alarm_name: str, metric: str, threshold: float) -> None:
        cw.put_metric_alarm(
            AlarmName=alarm_name,
            Namespace="AWS/SQS",
            MetricName=metric,
            Dimensions=[{"Name": "QueueName", "Value": name}],
            Statistic="Maximum",
            Period=60,
            EvaluationPeriods=1,
            ComparisonOperator="GreaterThanThreshold",
            Threshold=threshold,
            TreatMissingData="notBreaching",
            AlarmActions=[topic],
        )

    alarm(f"depth-{unique}", "ApproximateNumberOfMessagesVisible", 0)
    alarm(f"age-{unique}", "ApproximateAgeOfOldestMessage", 30 * 60)
    names = [f"depth-{unique}", f"age-{unique}"]
    evaluate(emulator, names)
    assert {state(cw, n)["StateValue"] for n in names} == {"OK"}

    sqs.send_message(QueueUrl=queue.url, MessageBody="parked")
    evaluate(emulator, names)
    assert state(cw, names[0])["StateValue"] == "ALARM" and state(cw, names[1])["StateValue"] == "OK"
    evaluate(emulator, names, now() + dt.timedelta(minutes=31))
    assert state(cw, names[1])["StateValue"] == "ALARM"
    assert recent_sums(cw, "AWS/SQS", "NumberOfMessagesSent", {"QueueName": name}) == [1.0]
    assert {json.loads(m["message"])["AlarmName"] for m in sns_messages(emulator, topic)["messages"]} == set(names)
    assert [m["Body"] for m in sqs.receive_message(QueueUrl=queue.url)["Messages"]] == ["parked"]


def test_lambda_errors_and_throttles_are_metrics(emulator, clients, unique):
    from lakedrop_emulator.stack import trust

    cw, lam = clients("cloudwatch"), clients("lambda")
    role = clients("iam").create_role(RoleName=f"m-{unique}", AssumeRolePolicyDocument=trust("lambda.amazonaws.com"))
    import io
    import zipfile

    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("fails.py", "def handler(event, context):\n    raise RuntimeError('broken')\n")
    fn = lam.create_function(
        FunctionName=f"fails-{unique}",
        Runtime="python3.12",
        Role=role["Role"]["Arn"],
        Handler="fails.handler",
        Code={"ZipFile": code.getvalue()},
    )["FunctionName"]
    assert lam.invoke(FunctionName=fn, Payload=b"{}").get("FunctionError")
    lam.put_function_concurrency(FunctionName=fn, ReservedConcurrentExecutions=0)
    once = emulator.client("lambda", retries={"total_max_attempts": 1, "mode": "standard"})  # SDKs retry 429s
    with pytest.raises(once.exceptions.TooManyRequestsException):  # Invoke's 429 (botocore's Lambda model)
        once.invoke(FunctionName=fn, Payload=b"{}")

    def total(metric: str) -> float:
        return sum(recent_sums(cw, "AWS/Lambda", metric, {"FunctionName": fn}))

    assert wait_until(lambda: total("Throttles") == 1)
    assert total("Invocations") == 1 and total("Errors") == 1
