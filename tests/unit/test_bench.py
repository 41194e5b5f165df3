"""Pure parts of the burst benchmark (benchmarks/burst.py): accounting of delivered, in-flight, dead-lettered
and lost keys from manifests and filters, executions started/cancelled/run, the most waiting at once, the
latency bound and the goals' verdicts (no emulator)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from urllib.parse import unquote_plus

import pytest

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("burst", REPO / "benchmarks/burst.py")
burst = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(burst)

KEYS = ["in/a/1.csv", "in/a/2,x.csv", 'in/b/"q".csv', "in/b/4.csv", "in/c/5.csv"]


def execution(start, launch=None, end=None, error_code=None):
    return {"start": start, "launch": launch, "end": end, "error_code": error_code}


def test_manifest_paths_reads_quoted_fields_and_ignores_versions():
    text = 'a/1.csv\n"a/2,x.csv",v1\n"b/""q"".csv"\n'
    assert burst.manifest_paths(text) == {"a/1.csv", "a/2,x.csv", 'b/"q".csv'}


def test_accounting_from_a_manifest():
    pending = burst.Pending(burst.manifest_paths('"a/2,x.csv"\n"b/""q"".csv",v7\n'))
    counts = burst.account(KEYS, {"in/a/1.csv"}, pending, parked={"in/b/4.csv", "in/a/2,x.csv"})
    # in flight wins over dead-lettered (the execution will deliver it); c/5 is nowhere: lost
    assert counts == {"delivered": 1, "in_flight": 2, "dead_lettered": 1, "lost": 1}


def test_accounting_from_filters():
    pending = burst.Pending(includes=["/a/2,x.csv|/c"])  # a folder pattern covers what lies under it
    counts = burst.account(KEYS, set(), pending, parked=set())
    assert counts == {"delivered": 0, "in_flight": 2, "dead_lettered": 0, "lost": 3}


def test_nothing_pending_covers_nothing():
    assert burst.account(KEYS, set(KEYS[:2]), burst.Pending(), set())["lost"] == 3


def test_execution_counts_run_excludes_only_those_cancelled_before_launch():
    executions = [
        execution(0, 0, 80),
        execution(5, None, 9, "OpCancelled"),  # replaced while waiting
        execution(9, 80, 150),
        execution(20, 30, 40, "OpCancelled"),  # cancelled after launching: it ran
        execution(30, None, None),  # still waiting
    ]
    assert burst.execution_counts(executions) == {
        "executions_started": 5,
        "executions_cancelled": 1,
        "executions_run": 4,
    }


def test_most_waiting_ignores_the_hand_over_but_not_two_real_waiters():
    running = execution(0, 0, 100)
    handed_over = [running, execution(10, None, 31, "OpCancelled"), execution(30, 100, 150)]
    assert burst.most_waiting(handed_over) == 1
    two_waiting = [running, execution(10, 100, 150), execution(30, 150, 200)]
    assert burst.most_waiting(two_waiting) == 2


def test_latency_bound_is_the_running_end_plus_a_window_plus_the_final_execution():
    executions = [execution(0, 0, 100), execution(60, 100, 190), execution(5, None, 61, "OpCancelled")]
    # last upload at 70: the running one ends at 100 (30 s later), + 20 s window + 90 s for the final one
    assert burst.latency_bound(executions, last_upload=70, window=20) == 140.0
    # nothing running at the last upload: window + the final execution
    assert burst.latency_bound([execution(110, 110, 190)], last_upload=100, window=20) == 100.0
    # still running: unknown
    assert burst.latency_bound([execution(0, 0, None)], last_upload=10) is None


def row(size, **fields):
    base = {
        "mode": "manifest",
        "uploads": size,
        "executions_run": 3,
        "lost": 0,
        "max_waiting": 1,
        "last_upload_to_last_delivery": 100.0,
        "latency_bound": 120.0,
    }
    return {**base, **fields}


def test_goals_met():
    goals = burst.evaluate_goals(
        [row(10_000), row(100_000), {"mode": "direct", "uploads": 100_000, "not_run": "x"}], 0.3
    )
    assert goals == dict.fromkeys(goals, True)


@pytest.mark.parametrize(
    ("rows", "cpu", "missed"),
    [
        ([row(10_000, executions_run=4), row(100_000)], 0.3, "manifest_10000_executions_run<=3"),
        ([row(10_000, lost=1), row(100_000)], 0.3, "manifest_10000_lost=0"),
        ([row(10_000), row(100_000, lost=2)], 0.3, "manifest_100000_lost=0"),
        ([row(10_000), row(100_000, max_waiting=2)], 0.3, "manifest_100000_waiting<=1"),
        ([row(10_000), row(100_000, last_upload_to_last_delivery=121.0)], 0.3, "manifest_last_delivery<=bound"),
        ([row(10_000, last_upload_to_last_delivery=None)], 0.3, "manifest_last_delivery<=bound"),
        ([row(10_000), row(100_000)], 0.51, "handler_cpu_10000_records<=0.5s"),
    ],
)
def test_each_goal_can_be_missed(rows, cpu, missed):
    goals = burst.evaluate_goals(rows, cpu)
    assert [name for name, ok in goals.items() if ok is False] == [missed]


def test_goals_not_measured_without_their_runs():
    goals = burst.evaluate_goals([{"mode": "queued", "uploads": 10_000, "executions_run": 9, "lost": 0}], None)
    assert set(goals.values()) == {None}


def test_injected_notification_has_s3s_shape():
    obj = {"key": "in/2020/site 1/r (1)+é.csv", "size": 1, "etag": "9dd4e461268c8034f5c8564e155c67a6"}
    event = burst.s3_notification("src", "eu-west-1", obj, "00A1", "2026-12-01T00:00:00.000Z")
    record = event["Records"][0]
    assert record["eventName"] == "ObjectCreated:Put"
    assert record["eventTime"] == "2026-12-01T00:00:00.000Z"
    encoded = record["s3"]["object"]["key"]
    assert encoded == "in/2020/site+1/r+%281%29%2B%C3%A9.csv"  # as S3 encodes keys: spaces as "+"
    assert unquote_plus(encoded) == obj["key"]
    assert record["s3"]["object"]["sequencer"] == "00A1"
    assert "versionId" not in record["s3"]["object"]
    versioned = burst.s3_notification("src", "eu-west-1", {**obj, "version_id": "v1"}, "00A2", "t")
    assert versioned["Records"][0]["s3"]["object"]["versionId"] == "v1"
    json.dumps(event)  # what goes into the queue


def test_a_mode_window_is_parsed_and_bad_ones_are_named():
    assert burst.mode_windows(["baseline=180", "direct=90.5"]) == {"baseline": 180.0, "direct": 90.5}
    with pytest.raises(SystemExit, match="got 'nope=1'"):
        burst.mode_windows(["nope=1"])
    with pytest.raises(SystemExit, match="got 'direct=soon'"):
        burst.mode_windows(["direct=soon"])
