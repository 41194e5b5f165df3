"""The runbooks' pure logic: variables checked before any call, keys and prefixes as include patterns (the
upload trigger's rule), progress lines, stuck executions, dead-letter message shapes, metric figures, depth."""

from __future__ import annotations

import datetime
import importlib.util
import json
from pathlib import Path
from urllib.parse import quote_plus

import pytest

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import metric_statistics
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import queue_messages
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import runbooks

TRIGGER = Path(__file__).resolve().parents[2] / "roles/lambda_trigger/files/lakedrop_trigger.py"
DEPLOYMENT = {"deliveries": [{"name": "q", "prefix": "incoming/"}, {"name": "d", "prefix": "direct/"}]}


def check(runbook, **values):
    return runbooks.check(runbook, values, DEPLOYMENT)


def test_defaults_select_every_delivery():
    problems, settled = check("status")
    assert problems == [] and [d["name"] for d in settled["deliveries"]] == ["q", "d"]
    assert settled["executions"] == 5 and settled["latency_minutes"] == 60


def test_keys_become_the_triggers_patterns():
    problems, settled = check("sync_now", delivery="q", keys="incoming/a b.csv, incoming/x|y.csv,incoming/s*t")
    assert problems == []
    assert settled["includes"] == ["/a b.csv", "/x*", "/s*"]
    assert settled["wait_timeout"] == 1800 and settled["poll_interval"] == 10.0


def test_pattern_for_agrees_with_the_upload_trigger():
    spec = importlib.util.spec_from_file_location("lakedrop_trigger", TRIGGER)
    trigger = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(trigger)
    for key in ("incoming/a.csv", "incoming/x|y/z.csv", "incoming/a*b", "incoming/deep/er/f g.csv"):
        assert runbooks.pattern_for(key, "incoming/") == trigger.pattern_for(key, "incoming/")


@pytest.mark.parametrize(
    ("prefix", "pattern"), [("incoming/2024/", "/2024"), ("incoming/2024-0", "/2024-0*"), ("incoming/", "/*")]
)
def test_prefixes_become_patterns(prefix, pattern):
    problems, settled = check("sync_now", delivery="q", prefixes=[prefix])
    assert problems == [] and settled["includes"] == [pattern]


@pytest.mark.parametrize(
    ("runbook", "values", "message"),
    [
        (
            "sync_now",
            {"delivery": "nope"},
            "delivery 'nope' is not a delivery of this inventory (its deliveries: q, d)",
        ),
        ("sync_now", {"keys": "incoming/a.csv"}, "delivery is required with keys or prefixes"),
        ("sync_now", {"delivery": "q", "keys": "a.csv", "prefixes": "incoming/"}, "keys and prefixes: give one"),
        ("sync_now", {"delivery": "q", "keys": "direct/a.csv"}, "keys[0] 'direct/a.csv' is not under"),
        ("sync_now", {"delivery": "q", "keys": "incoming/dir/"}, "ends with '/'"),
        ("sync_now", {"delivery": "q", "keys": ["incoming/" + "x" * 1100]}, "longer than S3's 1024 bytes"),
        ("sync_now", {"delivery": "q", "keys": {"a": 1}}, "keys must be a list of strings"),
        ("sync_now", {"delivery": "q", "prefixes": "incoming/a*"}, "is a literal prefix"),
        ("sync_now", {"wait_timeout": "soon"}, "wait_timeout must be a whole number"),
        ("sync_now", {"poll_interval": 0}, "poll_interval must be between"),
        ("cancel_stuck", {"confirm": "maybe"}, "confirm must be yes or no"),
        ("replay_failed", {"max_messages": 5000}, "max_messages must be between 1 and 1000"),
        ("verify_delivery", {"delivery": "q"}, "keys is required"),
        ("nothing", {}, "runbook must be one of"),
    ],
)
def test_bad_input_names_the_variable(runbook, values, message):
    problems, _settled = runbooks.check(runbook, values, DEPLOYMENT)
    assert any(message in p for p in problems), problems


def test_confirm_words():
    assert check("cancel_stuck", confirm="yes")[1]["confirm"] is True
    assert check("cancel_stuck", confirm="no")[1]["confirm"] is False
    assert check("cancel_stuck")[1]["confirm"] is False


def test_progress_line_and_summary():
    execution = {
        "task_execution_arn": "arn:x",
        "status": "TRANSFERRING",
        "counters": {
            "files_transferred": 3,
            "estimated_files_to_transfer": 10,
            "bytes_transferred": 1500,
            "estimated_bytes_to_transfer": 2_500_000,
        },
        "result": {"total_duration": 1200},
    }
    assert (
        runbooks.progress_line("q", 12.4, execution)
        == "[q]    12s TRANSFERRING: files 3/10, bytes 1.5 kB/2.5 MB (arn:x)"
    )
    assert (
        runbooks.summary(dict(execution, status="ERROR", result={"error_code": "E", "error_detail": "d"}))["error"]
        == "E: d"
    )
    assert "--task-execution-arn arn:x" in runbooks.cancel_hint(["arn:x"], "eu-west-1")


def test_stuck_executions_are_old_and_not_yet_transferring():
    now = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.UTC)
    old, young = str(now - datetime.timedelta(hours=1)), str(now - datetime.timedelta(seconds=10))
    executions = [
        {"task_execution_arn": "a", "status": "LAUNCHING", "start_time": old, "includes": ["/x"]},
        {"task_execution_arn": "b", "status": "LAUNCHING", "start_time": young, "includes": ["/y"]},
        {"task_execution_arn": "c", "status": "TRANSFERRING", "start_time": old, "includes": ["/z"]},
        {"task_execution_arn": "d", "status": "QUEUED", "start_time": old, "includes": ["/x", "/w"]},
    ]
    found = runbooks.stuck(executions, 1800, now.timestamp())
    assert [e["task_execution_arn"] for e in found] == ["a", "d"] and found[0]["age_seconds"] == 3600
    assert runbooks.covering_includes(found) == ["/x", "/w"]
    assert runbooks.covering_includes([*found, {"includes": []}]) is None


def s3_event(*keys):
    return {"Records": [{"eventName": "ObjectCreated:Put", "s3": {"object": {"key": quote_plus(k)}}} for k in keys]}


@pytest.mark.parametrize(
    ("body", "keys", "shape"),
    [
        (json.dumps(s3_event("incoming/a b.csv")), ["incoming/a b.csv"], "s3-event"),
        (
            json.dumps({"Type": "Notification", "Message": json.dumps(s3_event("incoming/c"))}),
            ["incoming/c"],
            "s3-event",
        ),
        (
            json.dumps({"requestContext": {"condition": "RetriesExhausted"}, "requestPayload": s3_event("direct/x+y")}),
            ["direct/x+y"],
            "lambda-failure-record",
        ),
        (json.dumps({"Event": "s3:TestEvent"}), [], "s3-test-event"),
        ("not json", None, "not JSON"),
        (json.dumps({"other": 1}), None, "neither an S3 event nor a Lambda failure record"),
    ],
)
def test_dead_letter_keys_of_both_shapes(body, keys, shape):
    assert runbooks.dead_letter_keys(body) == (keys, shape)


def test_queue_depth_and_message():
    attributes = {"ApproximateNumberOfMessages": "3", "ApproximateNumberOfMessagesNotVisible": "1"}
    assert queue_messages.depth(attributes) == {"visible": 3, "in_flight": 1, "delayed": 0}
    raw = {"MessageId": "m", "ReceiptHandle": "h", "Body": "x", "Attributes": {"ApproximateReceiveCount": "4"}}
    found = queue_messages.message(raw)
    assert found["readable"] is False and found["keys"] == [] and found["receive_count"] == 4


def test_metric_figures_without_data_are_none():
    params = {"statistics": ["Sum"], "extended_statistics": ["p50", "p95"]}
    assert metric_statistics.figures([], params) == {"Sum": None, "p50": None, "p95": None}
    points = [
        {"Timestamp": 1, "Sum": 2.0, "ExtendedStatistics": {"p50": 3.0, "p95": 9.0}},
        {"Timestamp": 2, "Sum": 1.0, "ExtendedStatistics": {"p50": 4.0, "p95": 8.0}},
    ]
    assert metric_statistics.figures(points, params) == {"Sum": 3.0, "p50": 4.0, "p95": 8.0}


def test_metric_request_is_one_period_over_the_window():
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    params = {
        "namespace": "LakeDrop",
        "metric_name": "DeliveryLatency",
        "dimensions": {"Delivery": "q"},
        "minutes": 60,
        "statistics": None,
        "extended_statistics": ["p50"],
        "unit": "Seconds",
    }
    query = metric_statistics.request(params, now)
    assert query["Period"] == 3600 and query["Dimensions"] == [{"Name": "Delivery", "Value": "q"}]
    assert "Statistics" not in query and query["ExtendedStatistics"] == ["p50"]
    assert metric_statistics.validate(dict(params, extended_statistics=["median"]))[0].startswith("extended_statistics")


@pytest.mark.parametrize(
    ("pattern", "path", "covered"),
    [
        ("/a/b.csv", "/a/b.csv", True),
        ("/a", "/a/b.csv", True),
        ("/a/", "/a/b.csv", True),
        ("/ab", "/a/b.csv", False),
        ("/a/b*", "/a/b c.csv", True),
        ("/x*", "/a/b.csv", False),
    ],
)
def test_covers(pattern, path, covered):
    assert runbooks.covers(pattern, path) is covered


def test_verification_names_the_covering_executions_newest_first():
    executions = [
        {"task_execution_arn": "new", "status": "ERROR", "includes": ["/a/b.csv"]},
        {"task_execution_arn": "running", "status": "TRANSFERRING", "includes": []},
        {"task_execution_arn": "old", "status": "SUCCESS", "includes": ["/a"], "counters": {"files_transferred": 2}},
        {"task_execution_arn": "other", "status": "SUCCESS", "includes": ["/z"]},
    ]
    found = runbooks.verification(["incoming/a/b.csv", "incoming/q.csv"], "incoming/", executions, ["incoming/a/b.csv"])
    assert [e["task_execution_arn"] for e in found[0]["executions"]] == ["new", "running", "old"]
    assert found[0]["in_source"] and not found[0]["delivered"]  # the newest finished one failed
    assert found[1] == dict(found[1], in_source=False, delivered=False)
    assert [e["filter"] for e in found[1]["executions"]] == ["full"]


def test_a_manifest_execution_is_named_by_its_manifest():
    manifest = {
        "source": {"s3": {"s3_bucket_arn": "arn:aws:s3:::m-bucket", "manifest_object_path": "manifests/t/x.csv"}}
    }
    assert runbooks.filter_text({"manifest_config": manifest}) == "manifest s3://m-bucket/manifests/t/x.csv"
    assert runbooks.filter_text({"includes": ["/a", "/b"]}) == "/a|/b"
    assert runbooks.filter_text({}) == "full"


def test_a_manifest_execution_is_not_counted_as_covering_a_key():
    manifest = {"source": {"s3": {"s3_bucket_arn": "arn:aws:s3:::m", "manifest_object_path": "manifests/t/x.csv"}}}
    executions = [{"task_execution_arn": "m", "status": "SUCCESS", "includes": [], "manifest_config": manifest}]
    (found,) = runbooks.verification(["incoming/a.csv"], "incoming/", executions, ["incoming/a.csv"])
    assert found["executions"] == [] and not found["delivered"]
