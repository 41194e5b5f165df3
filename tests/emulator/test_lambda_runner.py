"""The emulator runs the real trigger handler: S3 -> Lambda (async), S3 -> SQS -> Lambda (event source
mapping with batching), cross-account delivery, and S3's validation of notification destinations."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError

from lakedrop_emulator.stack import s3_may_send
from lakedrop_emulator.stack import transfer_stack
from lakedrop_emulator.stack import zipped

FAST = {"task_creating": 0.05, "launching": 0.1, "preparing": 0.05, "transferring": 0.05, "verifying": 0.05}


def wait_until(predicate, timeout=30.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


@pytest.fixture(scope="module")
def timing(emulator):
    previous = emulator.control("POST", "datasync/timing", {})
    emulator.control("POST", "datasync/timing", FAST)
    yield
    emulator.control("POST", "datasync/timing", {k: previous[k] for k in FAST})


@pytest.fixture(scope="module")
def pipeline(emulator, timing):
    """Source bucket (account A); DataSync S3 -> EFS task and the trigger function (account B)."""
    import uuid

    suffix = uuid.uuid4().hex[:8]
    stack = transfer_stack(emulator, f"runner-{suffix}", "incoming/")
    bucket, task, fn_role = stack.bucket, stack.task, stack.lambda_role
    lam = emulator.client("lambda")
    function = lam.create_function(
        FunctionName=f"trigger-{suffix}",
        Runtime="python3.12",
        Role=fn_role,
        Handler="lakedrop_trigger.handler",
        Code={"ZipFile": zipped()},
        Timeout=20,
        Environment={"Variables": {"LAKEDROP_TASK_ARN": task, "LAKEDROP_SOURCE_SUBDIRECTORY": "incoming/"}},
    )["FunctionArn"]
    source = emulator.account_id("source")
    return {
        "bucket": bucket,
        "source": source,
        "function": function,
        "task": task,
        "mount": stack.mount,
        "suffix": suffix,
    }


def test_direct_notification_requires_the_function_to_allow_s3(emulator, pipeline):
    s3 = emulator.client("s3", "source")
    config = {
        "LambdaFunctionConfigurations": [
            {
                "LambdaFunctionArn": pipeline["function"],
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "incoming/"}]}},
            }
        ]
    }
    with pytest.raises(ClientError, match="Unable to validate the following destination configurations"):
        s3.put_bucket_notification_configuration(Bucket=pipeline["bucket"], NotificationConfiguration=config)
    emulator.client("lambda").add_permission(
        FunctionName=pipeline["function"],
        StatementId="s3",
        Action="lambda:InvokeFunction",
        Principal="s3.amazonaws.com",
        SourceArn=f"arn:aws:s3:::{pipeline['bucket']}",
        SourceAccount=pipeline["source"],
    )
    s3.put_bucket_notification_configuration(Bucket=pipeline["bucket"], NotificationConfiguration=config)


def test_direct_upload_reaches_the_mount(emulator, pipeline):
    since = time.time()
    key = "incoming/nested dir/naïve file (1).csv"
    emulator.client("s3", "source").put_object(Bucket=pipeline["bucket"], Key=key, Body=b"hello")
    target = pipeline["mount"] / "nested dir" / "naïve file (1).csv"
    assert wait_until(target.exists, timeout=30), "the upload never reached the EFS directory"
    assert target.read_bytes() == b"hello"
    invocations = emulator.control("GET", f"lambda/invocations?since={since}")["invocations"]
    mine = [i for i in invocations if i["function"] == pipeline["function"]]
    assert mine and all(i["ok"] for i in mine) and mine[0]["source"] == "s3-async"
    logs = emulator.client("logs").filter_log_events(logGroupName=f"/aws/lambda/trigger-{pipeline['suffix']}")
    assert any('"outcome": "started"' in e["message"] for e in logs["events"])


def test_queued_burst_is_batched(emulator, pipeline):
    """S3 -> SQS (cross-account) -> event source mapping with a batching window: few invocations."""
    sqs, lam, s3 = emulator.client("sqs"), emulator.client("lambda"), emulator.client("s3", "source")
    queue_url = sqs.create_queue(QueueName=f"q-{pipeline['suffix']}", Attributes={"VisibilityTimeout": "30"})[
        "QueueUrl"
    ]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    config = {
        "QueueConfigurations": [
            {
                "QueueArn": queue_arn,
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "incoming/"}]}},
            }
        ]
    }
    with pytest.raises(ClientError, match="Unable to validate"):
        s3.put_bucket_notification_configuration(Bucket=pipeline["bucket"], NotificationConfiguration=config)
    sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"Policy": s3_may_send(queue_arn, pipeline["bucket"])})
    s3.put_bucket_notification_configuration(Bucket=pipeline["bucket"], NotificationConfiguration=config)
    lam.create_event_source_mapping(
        EventSourceArn=queue_arn,
        FunctionName=pipeline["function"],
        BatchSize=100,
        MaximumBatchingWindowInSeconds=2,
        FunctionResponseTypes=["ReportBatchItemFailures"],
        ScalingConfig={"MaximumConcurrency": 2},
    )
    since = time.time()
    mark = emulator.mark()
    for i in range(40):
        s3.put_object(Bucket=pipeline["bucket"], Key=f"incoming/burst/{i:03d}.csv", Body=b"x")
    assert wait_until(lambda: len(list((pipeline["mount"] / "burst").glob("*.csv"))) == 40, timeout=60)
    invocations = [
        i
        for i in emulator.control("GET", f"lambda/invocations?since={since}")["invocations"]
        if i["source"] == "sqs" and i["function"] == pipeline["function"]
    ]
    starts = [e for e in emulator.calls(mark) if e["operation"] == "StartTaskExecution" and e["status"] == 200]
    assert 1 <= len(invocations) <= 3, invocations
    assert sum(i["records"] for i in invocations) >= 40
    assert len(starts) <= 3
    assert wait_until(lambda: emulator.control("GET", "lambda/idle")["messages"] == 0, timeout=30)


def test_mappings_are_listed_by_function_name_or_arn(emulator, pipeline):
    lam, sqs = emulator.client("lambda"), emulator.client("sqs")
    url = sqs.create_queue(QueueName=f"map-{pipeline['suffix']}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    lam.create_event_source_mapping(EventSourceArn=arn, FunctionName=pipeline["function"], BatchSize=10, Enabled=False)
    name = pipeline["function"].split(":")[-1]
    for function in (name, pipeline["function"]):
        found = lam.list_event_source_mappings(FunctionName=function, EventSourceArn=arn)["EventSourceMappings"]
        assert [m["EventSourceArn"] for m in found] == [arn]


def test_filter_rules_in_any_case_and_empty_values_round_trip(emulator, pipeline):
    """S3 takes `Prefix`/`Suffix` and an empty value (community.aws sends both); moto asserted."""
    s3 = emulator.client("s3", "source")
    before = s3.get_bucket_notification_configuration(Bucket=pipeline["bucket"])
    rules = [{"Name": "Prefix", "Value": "incoming/"}, {"Name": "Suffix", "Value": ""}]
    config = {
        "LambdaFunctionConfigurations": [
            {
                "Id": "case",
                "LambdaFunctionArn": pipeline["function"],
                "Events": ["s3:ObjectCreated:*"],
                "Filter": {"Key": {"FilterRules": rules}},
            }
        ]
    }
    s3.put_bucket_notification_configuration(Bucket=pipeline["bucket"], NotificationConfiguration=config)
    stored = s3.get_bucket_notification_configuration(Bucket=pipeline["bucket"])["LambdaFunctionConfigurations"]
    assert stored[0]["Filter"]["Key"]["FilterRules"] == rules
    before.pop("ResponseMetadata", None)
    s3.put_bucket_notification_configuration(Bucket=pipeline["bucket"], NotificationConfiguration=before)


def test_parallel_sends_are_polled_never_invoked_inline(emulator, pipeline):
    """moto invokes mapped functions inside SendMessage; the emulator leaves that to its poller, also when
    many senders race. (The race an earlier version had showed only in 10,000-upload bursts; this checks
    the behaviour, it does not reproduce that race reliably.)"""
    from concurrent.futures import ThreadPoolExecutor

    sqs, lam = emulator.client("sqs", max_pool_connections=16), emulator.client("lambda")
    url = sqs.create_queue(QueueName=f"race-{pipeline['suffix']}", Attributes={"VisibilityTimeout": "30"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    # A function of its own: invocations of the shared one may still come from other tests' queues.
    config = lam.get_function_configuration(FunctionName=pipeline["function"])
    function = lam.create_function(
        FunctionName=f"race-{pipeline['suffix']}",
        Runtime="python3.12",
        Role=config["Role"],
        Handler="lakedrop_trigger.handler",
        Code={"ZipFile": zipped()},
        Timeout=20,
        Environment=config["Environment"],
    )["FunctionArn"]
    lam.create_event_source_mapping(
        EventSourceArn=arn, FunctionName=function, BatchSize=500, MaximumBatchingWindowInSeconds=2
    )
    since = time.time()
    body = json.dumps({"Records": [{"eventSource": "aws:s3", "s3": {"object": {"key": "outside/x.csv"}}}]})
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda _: sqs.send_message(QueueUrl=url, MessageBody=body), range(200)))
    assert wait_until(lambda: emulator.control("GET", "lambda/idle")["idle"], timeout=30)
    mine = [
        i
        for i in emulator.control("GET", f"lambda/invocations?since={since}")["invocations"]
        if i["function"] == function
    ]
    assert {i["source"] for i in mine} == {"sqs"}
    assert sum(i["records"] for i in mine) == 200
    assert len(mine) <= 3  # batched by the window, not one invocation per send
