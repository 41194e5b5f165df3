"""lakedrop.delivery.datasync_task_info against the emulator: every selector, the schedule state
DataSync set itself, tags, bad input, the EXAMPLES; and it never writes."""

from __future__ import annotations

import json

import pytest
import yaml
from support.ansible import run_module
from support.ansible import run_playbook
from support.batch import run_modules

MODULE = "datasync_task_info"


@pytest.fixture(scope="module")
def tasks(emulator, task_locations):
    """Three tasks made directly with boto3: two from the S3 location to EFS (one scheduled, then
    disabled by DataSync), one S3 to S3."""
    import uuid

    ds = emulator.client("datasync")
    suffix = uuid.uuid4().hex[:8]
    made = {}
    for key, destination, extra in (
        ("scheduled", task_locations["efs"], {"Schedule": {"ScheduleExpression": "rate(1 hour)"}}),
        ("plain", task_locations["efs"], {"Excludes": [{"FilterType": "SIMPLE_PATTERN", "Value": "*.tmp|*/_temp"}]}),
        ("archive", task_locations["s3_other"], {"Tags": [{"Key": "team", "Value": "data"}]}),
    ):
        made[key] = ds.create_task(
            SourceLocationArn=task_locations["s3"],
            DestinationLocationArn=destination,
            Name=f"info-{key}-{suffix}",
            **extra,
        )["TaskArn"]
    emulator.control(
        "POST", "datasync/disable-schedule", {"task_arn": made["scheduled"], "reason": "Repeated failures: no access"}
    )
    made["suffix"] = suffix
    return made


def test_selectors(emulator, task_locations, tasks):
    mark = emulator.mark()
    suffix = tasks["suffix"]
    by_arn, by_name, by_destination, by_source, everything, missing = run_modules(
        emulator,
        MODULE,
        [
            {"task_arns": [tasks["plain"], tasks["archive"]]},
            {"name": f"info-scheduled-{suffix}"},
            {"destination_location_arn": task_locations["efs"]},
            {"source_location_arn": task_locations["s3"], "name": f"info-archive-{suffix}"},
            {},
            {"task_arn": "arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0"},
        ],
    )
    assert [t["name"] for t in by_arn["tasks"]] == [f"info-archive-{suffix}", f"info-plain-{suffix}"]
    assert by_arn["tasks"][1]["excludes"] == ["*.tmp", "*/_temp"]
    assert by_arn["tasks"][0]["tags"] == {"team": "data"}

    (scheduled,) = by_name["tasks"]
    assert scheduled["task_arn"] == tasks["scheduled"]
    assert scheduled["schedule"] == {"expression": "rate(1 hour)", "enabled": False}
    assert scheduled["schedule_disabled_by_service"] is True
    assert scheduled["schedule_details"]["disabled_by"] == "SERVICE"
    assert scheduled["schedule_details"]["disabled_reason"] == "Repeated failures: no access"
    assert scheduled["status"] == "AVAILABLE" and scheduled["options"]["verify_mode"] == "POINT_IN_TIME_CONSISTENT"

    ours = {tasks["scheduled"], tasks["plain"], tasks["archive"]}
    assert {t["task_arn"] for t in by_destination["tasks"]} & ours == {tasks["scheduled"], tasks["plain"]}
    assert all(t["destination_location_arn"] == task_locations["efs"] for t in by_destination["tasks"])
    assert [t["task_arn"] for t in by_source["tasks"]] == [tasks["archive"]]
    assert ours <= {t["task_arn"] for t in everything["tasks"]}
    assert missing["tasks"] == [] and not missing.failed
    assert not any(r.changed for r in (by_arn, by_name, by_destination, by_source, everything, missing))
    assert emulator.writes(mark) == []


def test_check_mode_and_plain_task(emulator, tasks):
    result = run_module(emulator, MODULE, {"task_arn": tasks["plain"]}, check=True)
    assert not result.changed and len(result["tasks"]) == 1
    task = result["tasks"][0]
    assert (
        task["schedule"] is None and task["schedule_details"] is None and task["schedule_disabled_by_service"] is False
    )
    assert task["includes"] == [] and task["tags"] == {} and task["task_mode"] == "BASIC"


def test_bad_input_fails_before_any_call(emulator):
    cases = [
        (
            {"task_arns": ["arn:aws:datasync:eu-west-1:222222222222:location/loc-0123456789abcdef0"]},
            "a DataSync task ARN",
        ),
        (
            {"destination_location_arn": "arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/fs-0123abcd"},
            "EFS file system ARN",
        ),
        ({"name": "no|pipes"}, "found '|'"),
    ]
    mark = emulator.mark()
    results = run_modules(emulator, MODULE, [bad for bad, _message in cases])
    for (bad, message), result in zip(cases, results, strict=True):
        assert result.failed and message in result["msg"], (bad, result.result)
    assert emulator.calls(mark) == []


def test_examples(emulator, task_locations, tasks, tmp_path):
    from ansible_collections.lakedrop.delivery.plugins.modules import datasync_task_info

    text = datasync_task_info.EXAMPLES.replace("lakedrop-s3-to-efs", f"info-plain-{tasks['suffix']}")
    play = {
        "hosts": "localhost",
        "gather_facts": False,
        "vars": {"efs_location": {"location": {"location_arn": task_locations["efs"]}}},
        "tasks": yaml.safe_load(text),
    }
    path = tmp_path / "examples.yml"
    path.write_text(json.dumps([play]))
    mark = emulator.mark()
    run = run_playbook(path, env=emulator.env())
    assert run.rc == 0, run.stdout + run.stderr
    assert run.total("ok") == 4 and run.total("changed") == 0
    # the assert example fails for the task whose schedule DataSync disabled, and quotes the reason
    path.write_text(json.dumps([{**play, "tasks": yaml.safe_load(text.replace("info-plain-", "info-scheduled-"))[:2]}]))
    run = run_playbook(path, env=emulator.env())
    assert run.rc != 0 and "Repeated failures: no access" in run.stdout
    assert emulator.writes(mark) == []
