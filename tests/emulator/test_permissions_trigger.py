"""S3 and Lambda acting on a user's behalf, one permission of the pipeline at a time: each test removes what AWS
needs and shows the failure where AWS shows it, with nothing lost: the key stays queued, or reaches the
dead-letter queue with it, or (when S3 itself may not deliver, and drops the event) the schedule's unfiltered
execution delivers it. On the trigger_faults stack: queued mode (S3 -> SQS -> Lambda) under incoming/queued/,
direct mode (S3 -> Lambda) under incoming/direct/."""

from __future__ import annotations

import json
import time

import pytest
from botocore.exceptions import ClientError
from test_lambda_runner import wait_until
from test_permissions_datasync import deleted_role_policy
from test_permissions_datasync import replaced
from test_permissions_datasync import run
from test_trigger_faults import MAX_RECEIVES
from test_trigger_faults import TIMEOUT
from test_trigger_faults import VISIBILITY
from test_trigger_faults import dead_letters
from test_trigger_faults import logged
from test_trigger_faults import parked_keys
from test_trigger_faults import settle
from test_trigger_faults import trigger_stack
from test_trigger_faults import undelivered
from test_trigger_faults import upload

from lakedrop_emulator.stack import CONSUME_QUEUES
from lakedrop_emulator.stack import s3_may_send
from lakedrop_emulator.stack import trust
from lakedrop_emulator.stack import zipped

# The trigger_faults stack, built again for this module.
pipeline_fixture = pytest.fixture(scope="module", name="pipeline")(trigger_stack)
QUIET = 3.0  # seconds in which something that must not happen would have happened (polling is 50 ms)


def quiet_since(emulator) -> float:
    """Now, once the trigger is idle (e.g. the test event S3 sent when the notification was written is
    processed), so that invocations after it are this test's."""
    assert wait_until(lambda: emulator.control("GET", "lambda/idle")["idle"], timeout=30)
    return time.time()


def invocations(emulator, function_arn: str, since: float) -> list[dict]:
    found = emulator.control("GET", f"lambda/invocations?since={since}")["invocations"]
    return [i for i in found if i["function"] == function_arn]


def queue_depth(emulator, url: str) -> int:
    """Messages in the queue, visible or not (a message being processed counts)."""
    names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    attributes = emulator.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
    return sum(int(attributes[name]) for name in names)


def delivered_by_the_schedule(emulator, pipeline, key: str) -> None:
    """The dropped key is not lost: the task's unfiltered run (its schedule, the safety net) copies it."""
    assert undelivered(pipeline, [key]) == [key]
    assert run(emulator, pipeline["transfer"], None)["Status"] == "SUCCESS"
    assert undelivered(pipeline, [key]) == []


def parked(emulator, dlq_url: str, timeout: float) -> list[str]:
    """The messages that reach `dlq_url` within `timeout` (taken out of it)."""
    bodies: list[str] = []
    wait_until(lambda: bodies.extend(dead_letters(emulator, dlq_url)) or bodies, timeout=timeout)
    return bodies


def queue_policy(emulator, pipeline):
    sqs = emulator.client("sqs")
    return replaced(
        lambda: sqs.get_queue_attributes(QueueUrl=pipeline["queue_url"], AttributeNames=["Policy"])["Attributes"][
            "Policy"
        ],
        lambda text: sqs.set_queue_attributes(QueueUrl=pipeline["queue_url"], Attributes={"Policy": text}),
        lambda _text: "",
    )


def function_role_trust(emulator, pipeline, service: str):
    iam, role = emulator.client("iam"), pipeline["transfer"].lambda_role.rsplit("/", 1)[1]
    return replaced(
        lambda: iam.get_role(RoleName=role)["Role"]["AssumeRolePolicyDocument"],
        lambda doc: iam.update_assume_role_policy(RoleName=role, PolicyDocument=json.dumps(doc)),
        lambda _doc: json.loads(trust(service)),
    )


# --- S3 -> SQS: the queue policy ------------------------------------------------------------------------


def test_queue_policy_removed_s3_drops_the_event(emulator, pipeline):
    """S3 checks the destination at every delivery: without the queue policy the event never reaches the
    queue (S3 gives up on it), the function is not invoked; the schedule's run still copies the key."""
    key, since = "incoming/queued/no-queue-policy/a.csv", quiet_since(emulator)
    with queue_policy(emulator, pipeline):
        upload(emulator, pipeline, [key])
        time.sleep(QUIET)
        assert queue_depth(emulator, pipeline["queue_url"]) == 0
    assert invocations(emulator, pipeline["queued_fn"], since) == []
    delivered_by_the_schedule(emulator, pipeline, key)


def conditions(case: str, bucket: str, source: str, target: str) -> dict:
    """The Condition of the queue policy's statement for S3, by case."""
    this_bucket = {"ArnEquals": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}}
    return {
        "this bucket": this_bucket,
        "this bucket and its owner": {**this_bucket, "StringEquals": {"aws:SourceAccount": source}},
        "another owner": {**this_bucket, "StringEquals": {"aws:SourceAccount": target}},
        "another bucket": {"ArnEquals": {"aws:SourceArn": "arn:aws:s3:::some-other-bucket"}},
    }[case]


@pytest.mark.parametrize(
    ("case", "valid"),
    [("this bucket", True), ("this bucket and its owner", True), ("another owner", False), ("another bucket", False)],
)
def test_s3_validates_the_queue_policy_when_the_notification_is_written(emulator, unique, case, valid):
    """PutBucketNotificationConfiguration is refused unless the queue policy lets s3.amazonaws.com send for
    this bucket (aws:SourceArn) and its owner (aws:SourceAccount)."""
    sqs, s3 = emulator.client("sqs"), emulator.client("s3", "source")
    bucket = f"lakedrop-perm-notify-{unique}"
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": emulator.region})
    url = sqs.create_queue(QueueName=f"perm-validate-{unique}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.loads(s3_may_send(arn, bucket))
    policy["Statement"][0]["Condition"] = conditions(
        case, bucket, emulator.account_id("source"), emulator.account_id("target")
    )
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps(policy)})
    config = {"QueueConfigurations": [{"QueueArn": arn, "Events": ["s3:ObjectCreated:*"]}]}
    if valid:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
        return
    with pytest.raises(ClientError) as err:
        s3.put_bucket_notification_configuration(Bucket=bucket, NotificationConfiguration=config)
    assert err.value.response["Error"]["Code"] == "InvalidArgument"
    assert "Unable to validate the following destination configurations" in err.value.response["Error"]["Message"]


# --- S3 -> Lambda: the function's resource policy (direct mode) ---------------------------------------------


def test_lambda_permission_removed_s3_drops_the_event(emulator, pipeline):
    lam, key, since = emulator.client("lambda"), "incoming/direct/no-permission/a.csv", quiet_since(emulator)
    lam.remove_permission(FunctionName=pipeline["direct_fn"], StatementId="s3")
    try:
        upload(emulator, pipeline, [key])
        time.sleep(QUIET)
    finally:
        lam.add_permission(
            FunctionName=pipeline["direct_fn"],
            StatementId="s3",
            Action="lambda:InvokeFunction",
            Principal="s3.amazonaws.com",
            SourceArn=f"arn:aws:s3:::{pipeline['bucket']}",
            SourceAccount=emulator.account_id("source"),
        )
    assert invocations(emulator, pipeline["direct_fn"], since) == []
    assert dead_letters(emulator, pipeline["direct_dlq_url"]) == []  # never accepted by Lambda: nothing to park
    delivered_by_the_schedule(emulator, pipeline, key)


# --- the pipeline's execution role ---------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["queued", "direct"])
def test_start_task_execution_removed_parks_the_key(emulator, pipeline, mode):
    """The handler's StartTaskExecution is authorized against the execution role: without it DataSync
    answers AccessDeniedException, the handler fails the message, and after the retries (SQS receives or
    Lambda's two async retries) the event is in the dead-letter queue with its key; replayed after the fix,
    it is delivered."""
    key, since_ms = f"incoming/{mode}/no-start/a b.csv", int(time.time() * 1000)
    dlq = pipeline["dlq_url" if mode == "queued" else "direct_dlq_url"]
    with deleted_role_policy(emulator, pipeline["transfer"].lambda_role, "start-the-task"):
        upload(emulator, pipeline, [key])
        bodies = parked(emulator, dlq, timeout=MAX_RECEIVES * (TIMEOUT + VISIBILITY) + 20)
    assert parked_keys(bodies) == [key]
    if mode == "queued":
        codes = {line.get("code") for line in logged(emulator, pipeline, "failed", since_ms)}
        assert codes == {"AccessDeniedException"}
    assert undelivered(pipeline, [key]) == [key]
    # What an operator does with a parked event once the permission is back: send it to the event queue.
    emulator.client("sqs").send_message(QueueUrl=pipeline["queue_url"], MessageBody=bodies[0])
    settle(emulator, pipeline, [key])


def test_sqs_permissions_removed_leave_the_message_queued(emulator, pipeline, unique):
    """Lambda polls the queue as the execution role: without ReceiveMessage nothing is received (so nothing
    counts towards maxReceiveCount) and the message waits; a new mapping is refused outright."""
    key, since = "incoming/queued/no-receive/a.csv", quiet_since(emulator)
    with deleted_role_policy(emulator, pipeline["transfer"].lambda_role, CONSUME_QUEUES):
        upload(emulator, pipeline, [key])
        time.sleep(QUIET)
        assert queue_depth(emulator, pipeline["queue_url"]) == 1
        assert invocations(emulator, pipeline["queued_fn"], since) == []
        sqs = emulator.client("sqs")
        url = sqs.create_queue(QueueName=f"perm-mapping-{unique}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        with pytest.raises(ClientError) as err:
            emulator.client("lambda").create_event_source_mapping(
                EventSourceArn=arn, FunctionName=pipeline["queued_fn"]
            )
        assert err.value.response["Error"]["Code"] == "InvalidParameterValueException"
        assert "does not have permissions to call ReceiveMessage on SQS" in err.value.response["Error"]["Message"]
    settle(emulator, pipeline, [key])
    assert dead_letters(emulator, pipeline["dlq_url"]) == []


def test_lambda_runs_only_as_a_role_that_trusts_it(emulator, pipeline, unique):
    """CreateFunction (and UpdateFunctionConfiguration) refuse a role Lambda cannot assume; a role that stops
    trusting Lambda fails invocations, and queued messages wait until it trusts Lambda again."""
    lam, iam = emulator.client("lambda"), emulator.client("iam")
    datasync_only = iam.create_role(
        RoleName=f"perm-not-lambda-{unique}", AssumeRolePolicyDocument=trust("datasync.amazonaws.com")
    )
    for refused in (
        lambda: lam.create_function(
            FunctionName=f"perm-{unique}",
            Runtime="python3.12",
            Role=datasync_only["Role"]["Arn"],
            Handler="x.handler",
            Code={"ZipFile": zipped()},
        ),
        lambda: lam.update_function_configuration(
            FunctionName=pipeline["queued_fn"], Role=datasync_only["Role"]["Arn"]
        ),
    ):
        with pytest.raises(ClientError) as err:
            refused()
        assert err.value.response["Error"]["Code"] == "InvalidParameterValueException"
        assert (
            err.value.response["Error"]["Message"] == "The role defined for the function cannot be assumed by Lambda."
        )

    key = "incoming/queued/untrusted/a.csv"
    with function_role_trust(emulator, pipeline, "datasync.amazonaws.com"):
        with pytest.raises(ClientError, match="cannot be assumed by Lambda"):
            lam.invoke(FunctionName=pipeline["queued_fn"], Payload=b"{}")
        upload(emulator, pipeline, [key])
        time.sleep(QUIET)
        assert queue_depth(emulator, pipeline["queue_url"]) == 1
    settle(emulator, pipeline, [key])
    assert dead_letters(emulator, pipeline["dlq_url"]) == []
