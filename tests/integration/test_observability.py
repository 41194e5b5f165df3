"""Observability on the emulator (lakedrop_observability, on by default), on one converged deployment: the
topic, rules, observer and alarms converge as the deployer and re-run with changed=0 and zero writes; a delivery
publishes LakeDrop/DeliveryLatency through the finished-rule (p50/p95 readable); then each fault the issue names
is injected, its alarm is evaluated into ALARM and CloudWatch's notification arrives at the topic (and its
email subscription): a message in the dead-letter queue, a paused trigger (queue age and delivery time), a
broken trigger (errors), a throttled trigger, and a task whose role lost its read permission (the ERROR rule's
event and delivery time). Each fault is undone by its test; teardown removes everything.

Alarms are evaluated on demand (POST /_lakedrop/cloudwatch/evaluate with alarm_names, background evaluation
off) so no evaluation races an assertion; "as if later" (`at`) is used where the fault needs time to show:
SQS gauges are sampled at `at`, the observer is invoked with the event time `at` and writes its datapoint
there."""

from __future__ import annotations

import json
import uuid
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from support.ansible import run_playbook
from support.polling import wait_for

from lakedrop_emulator.client import DEPLOYER

FAST = {"task_creating": 0.1, "launching": 0.2, "preparing": 0.1, "transferring": 0.1, "verifying": 0.1}
ADMIN = {"lakedrop_emulator_identity": "admin"}
DELIVERY_MINUTES = 30
EMAIL = "ops@example.com"

pytestmark = pytest.mark.slow


def _run(playbook, extra, **kwargs):
    return run_playbook(playbook, inventory="inventories/local", extra_vars=extra, **kwargs)


@pytest.fixture(scope="module")
def deployed(emulator):
    name = f"ob{uuid.uuid4().hex[:6]}"
    bucket = f"{name}-source-{emulator.account_id('source')}"
    extra = {
        "lakedrop_name": name,
        "lakedrop_deliveries": [
            {
                "name": "q",
                "bucket": bucket,
                "prefix": "incoming/",
                "efs_path": "/q",
                "container_path": "/data/q",
                "batching_window": 1,
            }
        ],
        "lakedrop_ecs_cluster": name,
        "lakedrop_ecs_service": f"{name}-svc",
        "lakedrop_ecs_family": f"{name}-rstudio",
        # These alarms watch the DataSync path (its queue, trigger and executions): no fast path in front of it.
        "lakedrop_fast_path_max_bytes": 0,
        "lakedrop_observability": {"delivery_minutes": DELIVERY_MINUTES, "email": EMAIL},
    }
    previous = emulator.control("POST", "datasync/timing", {})
    emulator.control("POST", "datasync/timing", FAST)
    # Alarms are evaluated when a test asks (alarm_names), never behind an assertion's back.
    interval = emulator.control("POST", "cloudwatch/config", {})["evaluate_interval"]
    emulator.control("POST", "cloudwatch/config", {"evaluate_interval": 0})
    admin = {**extra, **ADMIN}
    emulator.state_path("build").mkdir(parents=True, exist_ok=True)  # where deployer_policy.yml writes
    for playbook, more in (
        ("playbooks/deployer_policy.yml", {"lakedrop_deployer_policy_attach_to": "user/lakedrop-deployer"}),
        ("tools/standin/ecs_service.yml", {"standin_state": "present"}),
    ):
        run = _run(playbook, {**admin, **more})
        assert run.rc == 0, run.stdout[-4000:]
    run = _run("site.yml", extra)
    assert run.rc == 0, run.stdout[-6000:]
    tasks = emulator.client("datasync").list_tasks()["Tasks"]
    task_arn = next(t["TaskArn"] for t in tasks if t.get("Name") == f"{name}-q")
    reconcile_task_arn = next(t["TaskArn"] for t in tasks if t.get("Name") == f"{name}-q-reconcile")
    sqs, target = emulator.client("sqs"), emulator.account_id("target")
    trigger = f"{name}-q-trigger"
    (mapping,) = emulator.client("lambda").list_event_source_mappings(FunctionName=trigger)["EventSourceMappings"]
    yield {
        "name": name,
        "extra": extra,
        "bucket": bucket,
        "task_arn": task_arn,
        "reconcile_task_arn": reconcile_task_arn,
        "topic_arn": f"arn:aws:sns:{emulator.region}:{target}:{name}-notifications",
        "trigger": trigger,
        "mapping": mapping["UUID"],
        "queue": sqs.get_queue_url(QueueName=f"{trigger}-events")["QueueUrl"],
        "dlq": sqs.get_queue_url(QueueName=f"{trigger}-dlq")["QueueUrl"],
        "alarm": lambda suffix: f"{name}-q-{suffix}",
        "clock": Clock(),
    }
    emulator.control("POST", "cloudwatch/config", {"evaluate_interval": interval})
    run = _run("playbooks/teardown.yml", {**extra, "lakedrop_teardown_bucket_contents": True})
    emulator.control("POST", "datasync/timing", {k: previous[k] for k in FAST})
    assert run.rc == 0, run.stdout[-4000:]
    assert not _leftovers(emulator, name), _leftovers(emulator, name)


class Clock:
    """Times to evaluate as if later: each after the last (the emulator never evaluates an alarm back in time)."""

    def __init__(self) -> None:
        self.last = datetime.now(UTC)

    def later(self, minutes: float) -> datetime:
        self.last = max(self.last, datetime.now(UTC)) + timedelta(minutes=minutes)
        return self.last


def _leftovers(emulator, name):
    topics = [t["TopicArn"] for t in emulator.client("sns").list_topics()["Topics"] if f":{name}-" in t["TopicArn"]]
    rules = [r["Name"] for r in emulator.client("events").list_rules(NamePrefix=name)["Rules"]]
    alarms = [
        a["AlarmName"] for a in emulator.client("cloudwatch").describe_alarms(AlarmNamePrefix=name)["MetricAlarms"]
    ]
    functions = [f["FunctionName"] for f in emulator.client("lambda").list_functions()["Functions"]]
    return topics + rules + alarms + [f for f in functions if f.startswith(name)]


# --- reading and evaluating ------------------------------------------------------------------------------


def _executions(emulator, task_arn, status=None):
    datasync = emulator.client("datasync")
    arns = [e["TaskExecutionArn"] for e in datasync.list_task_executions(TaskArn=task_arn)["TaskExecutions"]]
    return {
        a for a in arns if status is None or datasync.describe_task_execution(TaskExecutionArn=a)["Status"] == status
    }


def _upload(emulator, deployed, key, status):
    """Upload `key`; the one new execution of the task once it reached `status`."""
    before = _executions(emulator, deployed["task_arn"])
    emulator.client("s3", "source").put_object(Bucket=deployed["bucket"], Key=f"incoming/{key}", Body=b"x")
    (execution,) = wait_for(lambda: _executions(emulator, deployed["task_arn"], status) - before, timeout=60)
    return execution


def _alarm(emulator, name):
    return emulator.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"][0]


def _evaluate(emulator, name, at=None):
    """Evaluate one alarm (now, or as if at `at`); its description afterwards."""
    body = {"alarm_names": [name], **({"at": at.isoformat()} if at else {})}
    emulator.control("POST", "cloudwatch/evaluate", body)
    return _alarm(emulator, name)


def _notifications(emulator, topic_arn):
    """What was published to the topic, parsed, and the email subscription's deliveries."""
    seen = emulator.control("GET", f"sns/messages?topic_arn={topic_arn}")
    return [json.loads(m["message"]) for m in seen["messages"]], seen["deliveries"]


def _alarm_fired(emulator, deployed, name, at=None):
    """Evaluating `name` puts it in ALARM and CloudWatch's notification reaches the topic and the mailbox."""
    _, mailed_before = _notifications(emulator, deployed["topic_arn"])
    alarm = _evaluate(emulator, name, at)
    assert alarm["StateValue"] == "ALARM", (alarm["StateValue"], alarm["StateReason"])
    published, mailed = _notifications(emulator, deployed["topic_arn"])
    assert any(m.get("AlarmName") == name and m.get("NewStateValue") == "ALARM" for m in published), published
    new = [d for d in mailed[len(mailed_before) :] if name in (d["subject"] or "")]
    assert new and new[-1]["endpoint"] == EMAIL and new[-1]["delivered"], mailed[len(mailed_before) :]
    return json.loads(alarm["StateReasonData"])


def _calm(emulator, *names):
    """Put alarms back in OK after a fault was undone (so the next fault's transition notifies again)."""
    for name in names:
        emulator.client("cloudwatch").set_alarm_state(AlarmName=name, StateValue="OK", StateReason="test: fault undone")


def _forwarded_errors(emulator, deployed, at_least):
    """The DataSync ERROR events the observer forwarded to the topic, once EventBridge and Lambda are done."""
    assert emulator.control("POST", "events/drain", {})["pending"] == 0

    def errors():
        published, _ = _notifications(emulator, deployed["topic_arn"])
        return [m for m in published if m.get("source") == "aws.datasync"]

    wait_for(lambda: len(errors()) >= at_least and emulator.control("GET", "lambda/idle")["idle"], 30, 0.2)
    return errors()


def _check_undelivered(emulator, deployed, at):
    """Run the observer's scheduled check as if at `at`; the UndeliveredAge it wrote there."""
    event = {"source": "aws.events", "detail-type": "Scheduled Event", "time": at.isoformat(), "detail": {}}
    response = emulator.client("lambda").invoke(
        FunctionName=f"{deployed['name']}-observer", Payload=json.dumps(event).encode()
    )
    assert "FunctionError" not in response, response["Payload"].read()
    points = emulator.client("cloudwatch").get_metric_statistics(
        Namespace="LakeDrop",
        MetricName="UndeliveredAge",
        Dimensions=[{"Name": "Delivery", "Value": "q"}],
        StartTime=at - timedelta(seconds=1),
        EndTime=at + timedelta(seconds=1),
        Period=60,
        Statistics=["Maximum"],
    )["Datapoints"]
    assert points, "the observer wrote no UndeliveredAge"
    return max(p["Maximum"] for p in points)


def _purge(emulator, *urls):
    for url in urls:
        emulator.client("sqs").purge_queue(QueueUrl=url)


# --- tests ---------------------------------------------------------------------------------------------


def test_converged_resources_are_scoped_and_rerun_writes_nothing(emulator, deployed):
    name = deployed["name"]
    topic_arn = deployed["topic_arn"]
    topic = emulator.client("sns").get_topic_attributes(TopicArn=topic_arn)["Attributes"]
    assert topic["KmsMasterKeyId"] and "alias/aws/sns" not in topic["KmsMasterKeyId"]
    statements = {s["Sid"]: s for s in json.loads(topic["Policy"])["Statement"]}
    # Only the alarms publish as a service; failed executions come through the observer (IAM, same account).
    assert set(statements) == {"TheDeploymentsAlarmsPublish", "DenyInsecureTransport"}
    assert statements["DenyInsecureTransport"]["Effect"] == "Deny"
    events = emulator.client("events")
    rule = events.describe_rule(Name=f"{name}-datasync-errors")
    pattern = json.loads(rule["EventPattern"])
    assert pattern["detail"] == {"State": ["ERROR"]}
    tasks = [deployed["task_arn"], deployed["reconcile_task_arn"]]
    assert pattern["resources"] == [{"prefix": f"{task}/execution/"} for task in tasks]
    (target,) = events.list_targets_by_rule(Rule=f"{name}-datasync-errors")["Targets"]
    assert target["Arn"].endswith(f":function:{name}-observer")
    alarms = emulator.client("cloudwatch").describe_alarms(AlarmNamePrefix=name)["MetricAlarms"]
    assert sorted(a["AlarmName"] for a in alarms) == sorted(
        deployed["alarm"](suffix)
        for suffix in ("dlq-depth", "queue-age", "trigger-errors", "trigger-throttles", "delivery-time")
    )
    assert all(a["AlarmActions"] == [topic_arn] for a in alarms)
    delivery_time = next(a for a in alarms if a["AlarmName"].endswith("-delivery-time"))
    assert (delivery_time["Threshold"], delivery_time["TreatMissingData"]) == (DELIVERY_MINUTES * 60.0, "breaching")
    subscriptions = emulator.client("sns").list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subscriptions] == [("email", EMAIL)]

    mark = emulator.mark()
    run = _run("site.yml", deployed["extra"])
    assert run.rc == 0, run.stdout[-4000:]
    assert run.total("changed") == 0, [line for line in run.stdout.splitlines() if "changed:" in line]
    assert emulator.writes(mark, by=DEPLOYER) == []


def test_a_delivery_publishes_its_latency(emulator, deployed):
    """The finished-rule hands the SUCCESS event to the observer, which writes the upload-to-delivery time."""
    start = datetime.now(UTC)
    _upload(emulator, deployed, "latency-1.csv", "SUCCESS")
    _upload(emulator, deployed, "latency-2.csv", "SUCCESS")
    assert emulator.control("POST", "events/drain", {})["pending"] == 0

    def statistics():
        return emulator.client("cloudwatch").get_metric_statistics(
            Namespace="LakeDrop",
            MetricName="DeliveryLatency",
            Dimensions=[{"Name": "Delivery", "Value": "q"}],
            StartTime=start - timedelta(minutes=1),
            EndTime=datetime.now(UTC) + timedelta(minutes=1),
            Period=3600,
            Statistics=["SampleCount", "Maximum"],
            ExtendedStatistics=["p50", "p95"],
        )["Datapoints"]

    (point,) = wait_for(lambda: [p for p in statistics() if p["SampleCount"] >= 2], timeout=30)
    elapsed = (datetime.now(UTC) - start).total_seconds()
    p50, p95 = point["ExtendedStatistics"]["p50"], point["ExtendedStatistics"]["p95"]
    assert 0 <= p50 <= p95 <= point["Maximum"] <= elapsed, (point, elapsed)
    assert point["Unit"] == "Seconds"


def test_a_message_in_the_dead_letter_queue_raises_dlq_depth(emulator, deployed):
    name = deployed["alarm"]("dlq-depth")
    assert _evaluate(emulator, name)["StateValue"] == "OK"  # empty dead-letter queue: not breaching
    emulator.client("sqs").send_message(QueueUrl=deployed["dlq"], MessageBody=json.dumps({"Records": []}))
    try:
        data = _alarm_fired(emulator, deployed, name)
        assert data["recentDatapoints"] == [1.0]
    finally:
        _purge(emulator, deployed["dlq"])
        _calm(emulator, name)


def test_a_paused_trigger_raises_queue_age_and_delivery_time(emulator, deployed):
    """The event source mapping is disabled: the upload's event waits in the queue; seen 31 minutes later,
    the queue is older than its limit and the upload undelivered for longer than the delivery time."""
    queue_age, delivery_time = deployed["alarm"]("queue-age"), deployed["alarm"]("delivery-time")
    lam = emulator.client("lambda")
    now = datetime.now(UTC)
    assert _check_undelivered(emulator, deployed, now) < DELIVERY_MINUTES * 60  # nothing late so far
    assert _evaluate(emulator, delivery_time, now)["StateValue"] == "OK"
    assert _evaluate(emulator, queue_age, now)["StateValue"] == "OK"
    lam.update_event_source_mapping(UUID=deployed["mapping"], Enabled=False)
    before = _executions(emulator, deployed["task_arn"])
    try:
        emulator.client("s3", "source").put_object(Bucket=deployed["bucket"], Key="incoming/paused.csv", Body=b"x")
        wait_for(lambda: int(_queue_attribute(emulator, deployed["queue"])) == 1, timeout=30)
        later = deployed["clock"].later(DELIVERY_MINUTES + 1)
        data = _alarm_fired(emulator, deployed, queue_age, later)
        assert data["recentDatapoints"][0] > DELIVERY_MINUTES * 60
        # The observer reads the queue's age up to its own time, exclusive (GetMetricStatistics' EndTime).
        checked = deployed["clock"].later(0.5)
        age = _check_undelivered(emulator, deployed, checked)
        assert DELIVERY_MINUTES * 60 < age < (DELIVERY_MINUTES + 5) * 60
        data = _alarm_fired(emulator, deployed, delivery_time, checked)
        assert data["recentDatapoints"] == [age]  # the observer's datapoint, not missing data
    finally:
        lam.update_event_source_mapping(UUID=deployed["mapping"], Enabled=True)
    wait_for(lambda: _executions(emulator, deployed["task_arn"], "SUCCESS") - before, timeout=60)
    _calm(emulator, queue_age, delivery_time)


def _queue_attribute(emulator, url, attribute="ApproximateNumberOfMessages"):
    return emulator.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=[attribute])["Attributes"][
        attribute
    ]


def test_a_broken_trigger_raises_trigger_errors(emulator, deployed):
    """The trigger loses its configuration (no task ARN): each invocation fails."""
    name = deployed["alarm"]("trigger-errors")
    lam = emulator.client("lambda")
    assert _evaluate(emulator, name)["StateValue"] == "OK"
    environment = lam.get_function_configuration(FunctionName=deployed["trigger"])["Environment"]
    lam.update_function_configuration(FunctionName=deployed["trigger"], Environment={"Variables": {}})
    try:
        emulator.client("s3", "source").put_object(Bucket=deployed["bucket"], Key="incoming/broken.csv", Body=b"x")
        wait_for(lambda: _lambda_sum(emulator, deployed["trigger"], "Errors"), timeout=60)
        data = _alarm_fired(emulator, deployed, name)
        assert data["recentDatapoints"][0] >= 1
    finally:
        lam.update_function_configuration(FunctionName=deployed["trigger"], Environment=environment)
        _purge(emulator, deployed["queue"])
        _calm(emulator, name)


def _lambda_sum(emulator, function, metric):
    now = datetime.now(UTC)
    points = emulator.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/Lambda",
        MetricName=metric,
        Dimensions=[{"Name": "FunctionName", "Value": function}],
        StartTime=now - timedelta(minutes=1),
        EndTime=now + timedelta(seconds=1),
        Period=120,
        Statistics=["Sum"],
    )["Datapoints"]
    return sum(p["Sum"] for p in points)


def test_a_throttled_trigger_raises_trigger_throttles(emulator, deployed):
    """Lambda refuses the next invocation (the emulator's throttle fault, as when the account's concurrency is
    exhausted); invoked as its event source would, the caller gets TooManyRequests and Throttles counts it.
    (Invoked directly: a throttled SQS batch would stay invisible in the queue for its visibility timeout.)"""
    name = deployed["alarm"]("trigger-throttles")
    assert _evaluate(emulator, name)["StateValue"] == "OK"
    once = emulator.client("lambda", retries={"total_max_attempts": 1, "mode": "standard"})  # SDKs retry 429s
    emulator.control("POST", "lambda/faults", {"throttle": 1})
    try:
        with pytest.raises(once.exceptions.TooManyRequestsException):
            once.invoke(FunctionName=deployed["trigger"], Payload=b'{"Records": []}')
        data = _alarm_fired(emulator, deployed, name)
        assert data["recentDatapoints"] == [1.0]
    finally:
        emulator.control("POST", "lambda/faults", {"throttle": 0})
        _calm(emulator, name)


def test_a_failing_task_notifies_its_error_and_raises_delivery_time(emulator, deployed):
    """DataSync's role loses its read permission: the execution ends in ERROR, the ERROR rule has the observer
    forward the event to the topic, and 31 minutes later the upload is still undelivered."""
    name, delivery_time = deployed["name"], deployed["alarm"]("delivery-time")
    iam = emulator.client("iam")
    role = f"{name}-q-datasync"
    document = iam.get_role_policy(RoleName=role, PolicyName="read-source-bucket")["PolicyDocument"]
    iam.delete_role_policy(RoleName=role, PolicyName="read-source-bucket")
    try:
        execution = _upload(emulator, deployed, "unreadable.csv", "ERROR")
    finally:
        iam.put_role_policy(RoleName=role, PolicyName="read-source-bucket", PolicyDocument=json.dumps(document))
    errors = _forwarded_errors(emulator, deployed, 1)
    _published, mailed = _notifications(emulator, deployed["topic_arn"])
    assert any(execution in d["message"] for d in mailed if d["endpoint"] == EMAIL and d["delivered"]), mailed
    assert [(m["resources"], m["detail"]["State"]) for m in errors] == [([execution], "ERROR")], errors
    assert errors[0]["detail-type"] == "DataSync Task Execution State Change"
    uploaded = datetime.fromisoformat(
        {
            t["Key"]: t["Value"]
            for t in emulator.client("datasync").list_tags_for_resource(ResourceArn=execution)["Tags"]
        }["lakedrop:oldest-upload"].replace("Z", "+00:00")
    )
    later = deployed["clock"].later(DELIVERY_MINUTES + 1)
    age = _check_undelivered(emulator, deployed, later)
    assert abs(age - (later - uploaded).total_seconds()) < 2  # the failed upload's age, as of `later`
    data = _alarm_fired(emulator, deployed, delivery_time, later)
    assert data["recentDatapoints"] == [age]


def test_an_execution_the_trigger_replaced_is_not_a_failure(emulator, deployed):
    """Manifest starts cancel a waiting execution once another covers its keys, tagged lakedrop:replaced-by: its
    end (ERROR, cancelled) is not forwarded; an untagged cancelled execution is."""
    ds, task = emulator.client("datasync"), deployed["task_arn"]
    before = len(_forwarded_errors(emulator, deployed, 0))
    emulator.control("POST", "datasync/faults", {"hold_launching": 1})
    try:
        blocker = ds.start_task_execution(TaskArn=task, Includes=[{"FilterType": "SIMPLE_PATTERN", "Value": "/a"}])
        replaced = ds.start_task_execution(TaskArn=task, Includes=[{"FilterType": "SIMPLE_PATTERN", "Value": "/b"}])
        ds.tag_resource(
            ResourceArn=replaced["TaskExecutionArn"],
            Tags=[{"Key": "lakedrop:replaced-by", "Value": blocker["TaskExecutionArn"]}],
        )
        ds.cancel_task_execution(TaskExecutionArn=replaced["TaskExecutionArn"])
    finally:
        emulator.control("POST", "datasync/faults", {"hold_launching": 0})
    ds.cancel_task_execution(TaskExecutionArn=blocker["TaskExecutionArn"])
    forwarded = _forwarded_errors(emulator, deployed, before + 1)[before:]
    assert [m["resources"] for m in forwarded] == [[blocker["TaskExecutionArn"]]]
