"""The upload trigger's pure functions and its retry/report behaviour, with a stubbed DataSync client."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from urllib.parse import quote_plus

import pytest
from botocore.stub import Stubber

SOURCE = Path(__file__).resolve().parents[2] / "roles/lambda_trigger/files/lakedrop_trigger.py"
TASK = "arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0"


@pytest.fixture
def trigger(monkeypatch):
    spec = importlib.util.spec_from_file_location("lakedrop_trigger", SOURCE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setenv("LAKEDROP_TASK_ARN", TASK)
    monkeypatch.setenv("LAKEDROP_SOURCE_SUBDIRECTORY", "incoming/")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    return module


def s3_event(*keys, name="ObjectCreated:Put"):
    """An S3 notification as S3 sends it: keys URL-encoded with '+' for spaces."""
    return {
        "Records": [
            {
                "eventSource": "aws:s3",
                "eventName": name,
                "s3": {"bucket": {"name": "b"}, "object": {"key": quote_plus(k)}},
            }
            for k in keys
        ]
    }


def sqs_event(*bodies):
    return {
        "Records": [
            {
                "eventSource": "aws:sqs",
                "messageId": f"m{i}",
                "body": body if isinstance(body, str) else json.dumps(body),
            }
            for i, body in enumerate(bodies)
        ]
    }


class Context:
    def __init__(self, seconds=30):
        self.seconds = seconds

    def get_remaining_time_in_millis(self):
        return int(self.seconds * 1000)


# --- keys_from_event ---------------------------------------------------------------------------------


def test_every_record_is_decoded(trigger):
    keys = ["incoming/a/b c.csv", "incoming/ü/naïve (1).csv", "incoming/x+y.csv", "incoming/100%.txt"]
    assert trigger.keys_from_event(s3_event(*keys)) == keys


def test_plus_in_event_means_space_but_encoded_plus_stays_plus(trigger):
    event = {
        "Records": [{"eventSource": "aws:s3", "eventName": "ObjectCreated:Put", "s3": {"object": {"key": "a+b%2Bc"}}}]
    }
    assert trigger.keys_from_event(event) == ["a b+c"]


def test_folder_placeholders_test_events_and_duplicates_are_skipped(trigger):
    event = s3_event("incoming/new/", "incoming/a.csv", "incoming/a.csv")
    assert trigger.keys_from_event(event) == ["incoming/a.csv"]
    assert trigger.keys_from_event({"Service": "Amazon S3", "Event": "s3:TestEvent", "Bucket": "b"}) == []


def test_non_creation_records_are_ignored(trigger):
    assert trigger.keys_from_event(s3_event("incoming/a.csv", name="ObjectRemoved:Delete")) == []


def test_sqs_bodies_are_s3_notifications(trigger):
    event = sqs_event(
        s3_event("incoming/1.csv", "incoming/2.csv"),
        {"Service": "Amazon S3", "Event": "s3:TestEvent"},
        s3_event("incoming/2.csv", "incoming/3 three.csv"),
    )
    assert trigger.keys_from_event(event) == ["incoming/1.csv", "incoming/2.csv", "incoming/3 three.csv"]
    messages = trigger.messages_from_event(event)
    assert [m for m, _ in messages] == ["m0", "m1", "m2"]
    assert messages[1][1] == []


def test_sns_wrapped_notification_in_sqs(trigger):
    body = {"Type": "Notification", "Message": json.dumps(s3_event("incoming/z.csv"))}
    assert trigger.keys_from_event(sqs_event(body)) == ["incoming/z.csv"]


# --- filter_values -------------------------------------------------------------------------------------


def test_patterns_are_relative_to_the_subdirectory(trigger):
    keys = ["incoming/a/b c.csv", "incoming/top.csv", "elsewhere/x.csv", "incoming"]
    assert trigger.filter_values(keys, "incoming/") == ["/a/b c.csv|/top.csv"]
    assert trigger.filter_values(keys, "/incoming") == ["/a/b c.csv|/top.csv"]
    assert trigger.filter_values(["a.csv", "d/e.csv"], "") == ["/a.csv|/d/e.csv"]


def test_nested_key_never_becomes_its_basename(trigger):
    # the sample built the pattern from os.path.basename(key): a same-named file elsewhere was copied instead
    assert trigger.filter_values(["incoming/2024/01/data.csv"], "incoming/") == ["/2024/01/data.csv"]


@pytest.mark.parametrize(
    ("key", "pattern"),
    [
        ("incoming/a|b.csv", "/a*"),
        ("incoming/dir/x*y.csv", "/dir/x*"),
        ("incoming/d|ir/*.csv", "/d*"),
        ("incoming/|lead.csv", "/*"),
    ],
)
def test_separator_and_wildcard_keys_are_covered_narrowly(trigger, key, pattern):
    assert trigger.filter_values([key], "incoming/") == [pattern]


def test_covering_patterns_select_the_key(trigger):
    """Each pattern, read as DataSync reads it (`*` = any characters), matches its key."""
    import re

    for key in ["incoming/a|b.csv", "incoming/dir/x*y.csv", "incoming/plain name.csv", "incoming/ü+ø.csv"]:
        (value,) = trigger.filter_values([key], "incoming/")
        regex = "^" + ".*".join(re.escape(p) for p in value.split("*")) + "$"
        assert re.match(regex, "/" + key[len("incoming/") :]), (key, value)


def test_values_are_split_at_the_datasync_limit(trigger):
    keys = [f"incoming/{i:05d}/" + "x" * 200 + ".csv" for i in range(1500)]
    values = trigger.filter_values(keys, "incoming/")
    assert len(values) > 1
    assert all(len(v) <= trigger.MAX_FILTER_VALUE for v in values)
    rejoined = "|".join(values).split("|")
    assert rejoined == ["/" + k[len("incoming/") :] for k in keys]


def test_no_keys_no_values(trigger):
    assert trigger.filter_values([], "incoming/") == []
    assert trigger.filter_values(["other/x.csv"], "incoming/") == []


# --- handler ---------------------------------------------------------------------------------------------


@pytest.fixture
def stub(trigger, monkeypatch):
    import boto3

    client = boto3.client("datasync", region_name="eu-west-1")
    monkeypatch.setitem(trigger._CLIENTS, "datasync", client)
    monkeypatch.setattr(trigger.time, "sleep", lambda _s: None)
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def expect_start(stub, value, arn="exec-1"):
    stub.add_response(
        "start_task_execution",
        {"TaskExecutionArn": f"{TASK}/execution/{arn}"},
        {"TaskArn": TASK, "Includes": [{"FilterType": "SIMPLE_PATTERN", "Value": value}]},
    )


def test_one_execution_for_a_whole_sqs_batch(trigger, stub):
    expect_start(stub, "/a.csv|/b b.csv|/c.csv")
    event = sqs_event(s3_event("incoming/a.csv", "incoming/b b.csv"), s3_event("incoming/c.csv", "incoming/a.csv"))
    assert trigger.handler(event, Context()) == {"batchItemFailures": []}


def test_busy_task_is_retried_then_started(trigger, stub):
    stub.add_client_error("start_task_execution", "InvalidRequestException", "already has an execution running")
    stub.add_client_error("start_task_execution", "ThrottlingException", "Rate exceeded")
    expect_start(stub, "/a.csv")
    assert trigger.handler(s3_event("incoming/a.csv"), Context()) == {"started": 1, "keys": 1}


def test_refusal_past_the_budget_fails_only_the_owning_messages(trigger, stub):
    stub.add_client_error("start_task_execution", "InvalidRequestException", "busy")
    event = sqs_event(s3_event("incoming/a.csv"), {"Event": "s3:TestEvent"}, "not json")
    result = trigger.handler(event, Context(seconds=0))
    assert result == {"batchItemFailures": [{"itemIdentifier": "m0"}, {"itemIdentifier": "m2"}]}


def test_direct_invocation_raises_so_lambda_retries(trigger, stub):
    stub.add_client_error("start_task_execution", "AccessDeniedException", "not authorized")
    with pytest.raises(RuntimeError, match="AccessDeniedException"):
        trigger.handler(s3_event("incoming/a.csv"), Context())


def test_events_outside_the_subdirectory_start_nothing(trigger, stub):
    assert trigger.handler(s3_event("other/a.csv"), Context()) == {"started": 0, "keys": 1}


def test_time_kept_back_for_logging_scales_with_short_timeouts(trigger, monkeypatch):
    monkeypatch.setattr(trigger.time, "monotonic", lambda: 100.0)
    assert trigger._deadline(Context(seconds=60)) == pytest.approx(155.0)  # 5 s kept back
    assert trigger._deadline(Context(seconds=3)) == pytest.approx(102.4)  # a fifth of a short budget
