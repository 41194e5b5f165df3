"""lakedrop.delivery.datasync_task against the emulator: every state, idempotence measured with the
request journal, check and diff mode, create-only changes, schedules DataSync disabled itself, waiting,
the EXAMPLES, and bad input refused before anything is written."""

from __future__ import annotations

import json

import yaml
from support.ansible import run_module
from support.ansible import run_playbook
from support.batch import run_modules

MODULE = "datasync_task"
EFS_FS_ARN = "arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/fs-0123abcd"


def args(name, locations, **extra):
    return {
        "name": name,
        "source_location_arn": locations["s3"],
        "destination_location_arn": locations["efs"],
        **extra,
    }


def tasks_named(emulator, name):
    ds = emulator.client("datasync")
    return [t["TaskArn"] for t in ds.list_tasks()["Tasks"] if t.get("Name") == name]


def operations(emulator, mark):
    return [e["operation"] for e in emulator.calls(mark)]


def test_lifecycle(emulator, task_locations, log_group_arn, unique):
    name = f"s3-to-efs-{unique}"
    full = args(
        name,
        task_locations,
        cloudwatch_log_group_arn=log_group_arn,
        options={"verify_mode": "ONLY_FILES_TRANSFERRED", "log_level": "BASIC", "posix_permissions": "NONE"},
        includes=["/incoming/daily*", "/incoming/extra"],
        excludes=["*.tmp"],
        schedule={"expression": "cron(5 * * * ? *)"},
        tags={"project": "lakedrop", "team": "data"},
    )

    # check mode on nothing: reports the creation, writes nothing
    mark = emulator.mark()
    result = run_module(emulator, MODULE, full, check=True, diff=True)
    assert result.changed and not result.failed, result.result
    assert result["task"]["task_arn"] is None
    assert result["diff"]["after"]["schedule"] == {"expression": "cron(5 * * * ? *)", "enabled": True}
    assert emulator.writes(mark) == []
    assert tasks_named(emulator, name) == []

    # create: waits until AVAILABLE
    mark = emulator.mark()
    result = run_module(emulator, MODULE, full, diff=True)
    assert result.changed, result.result
    task = result["task"]
    arn = task["task_arn"]
    assert arn.startswith(f"arn:aws:datasync:{emulator.region}:{emulator.account_id()}:task/task-")
    assert task["status"] == "AVAILABLE" and task["name"] == name
    assert task["includes"] == ["/incoming/daily*", "/incoming/extra"] and task["excludes"] == ["*.tmp"]
    assert task["options"]["verify_mode"] == "ONLY_FILES_TRANSFERRED" and task["options"]["log_level"] == "BASIC"
    assert task["options"]["overwrite_mode"] == "ALWAYS"  # AWS's default, reported but not managed
    assert task["schedule"] == {"expression": "cron(5 * * * ? *)", "enabled": True}
    assert task["schedule_disabled_by_service"] is False
    assert task["cloudwatch_log_group_arn"] == log_group_arn and task["tags"] == full["tags"]
    assert task["task_mode"] == "BASIC" and task["source_location_arn"] == task_locations["s3"]
    assert emulator.writes(mark) == ["datasync:CreateTask"]
    assert "ListLocations" in operations(emulator, mark)  # the locations were checked before the write
    described = emulator.client("datasync").describe_task(TaskArn=arn)
    assert described["Includes"] == [{"FilterType": "SIMPLE_PATTERN", "Value": "/incoming/daily*|/incoming/extra"}]

    # re-run: unchanged with zero writes, also with equal-meaning spellings (log group without ":*",
    # patterns in another order, extra spaces in the expression)
    for same in (
        full,
        {
            **full,
            "cloudwatch_log_group_arn": log_group_arn.removesuffix(":*"),
            "includes": ["/incoming/extra", "/incoming/daily*"],
            "schedule": {"expression": " cron( 5 *  * * ? * )", "enabled": True},
        },
    ):
        mark = emulator.mark()
        result = run_module(emulator, MODULE, same)
        assert not result.changed and not result.failed, result.result
        assert result["task"]["task_arn"] == arn
        assert emulator.writes(mark) == []

    # in-place update, check mode first
    update = {
        **full,
        "options": {"log_level": "TRANSFER"},
        "excludes": [],
        "schedule": {"expression": "rate(2 hours)"},
        "tags": {"project": "lakedrop"},
    }
    mark = emulator.mark()
    result = run_module(emulator, MODULE, update, check=True, diff=True)
    assert result.changed
    assert result["diff"]["before"]["options"] == {"log_level": "BASIC"}
    assert result["diff"]["after"]["options"] == {"log_level": "TRANSFER"}
    assert result["diff"]["before"]["excludes"] == ["*.tmp"] and result["diff"]["after"]["excludes"] == []
    assert result["task"]["schedule"]["expression"] == "rate(2 hours)"
    assert emulator.writes(mark) == []

    result = run_module(emulator, MODULE, update, diff=True)
    assert result.changed and result["task"]["task_arn"] == arn
    task = result["task"]
    assert task["options"]["log_level"] == "TRANSFER"
    assert task["options"]["verify_mode"] == "ONLY_FILES_TRANSFERRED"  # set earlier, not managed now: kept
    assert task["excludes"] == [] and task["includes"] == ["/incoming/daily*", "/incoming/extra"]
    assert task["schedule"] == {"expression": "rate(2 hours)", "enabled": True}
    assert task["tags"] == {"project": "lakedrop"}
    assert sorted(emulator.writes(mark)) == ["datasync:UntagResource", "datasync:UpdateTask"]
    mark = emulator.mark()
    assert not run_module(emulator, MODULE, update).changed
    assert emulator.writes(mark) == []

    # rename in place (identity pinned by task_arn) and remove the log group
    new_name = f"renamed-{unique}"
    result = run_module(
        emulator, MODULE, {"task_arn": arn, "name": new_name, "cloudwatch_log_group_arn": ""}, diff=True
    )
    assert result.changed and result["task"]["task_arn"] == arn
    assert result["task"]["name"] == new_name and result["task"]["cloudwatch_log_group_arn"] is None
    assert result["diff"]["before"]["name"] == name
    assert tasks_named(emulator, name) == [] and tasks_named(emulator, new_name) == [arn]

    # create-only change (destination) without permission: clear failure, nothing written
    mark = emulator.mark()
    other = args(new_name, task_locations, destination_location_arn=task_locations["s3_other"])
    result = run_module(emulator, MODULE, other)
    assert result.failed and "destination_location_arn" in result["msg"] and "allow_replacement" in result["msg"]
    assert emulator.writes(mark) == []

    # delete (check mode first), then delete again
    absent = {"state": "absent", "name": new_name}
    result = run_module(emulator, MODULE, absent, check=True, diff=True)
    assert result.changed and result["diff"]["before"]["task_arn"] == arn and tasks_named(emulator, new_name) == [arn]
    result = run_module(emulator, MODULE, absent)
    assert result.changed and tasks_named(emulator, new_name) == []
    mark = emulator.mark()
    result = run_module(emulator, MODULE, absent)
    assert not result.changed and emulator.writes(mark) == []


def test_replacement_when_allowed(emulator, task_locations, unique):
    name = f"replace-{unique}"
    first = run_module(
        emulator,
        MODULE,
        args(name, task_locations, excludes=["*.tmp"], schedule={"expression": "rate(1 day)"}, tags={"k": "v"}),
    )
    arn = first["task"]["task_arn"]
    move = args(name, task_locations, destination_location_arn=task_locations["s3_other"], allow_replacement=True)

    mark = emulator.mark()
    result = run_module(emulator, MODULE, move, check=True)
    assert result.changed and result["replaced"] and emulator.writes(mark) == []

    result = run_module(emulator, MODULE, move)
    assert result.changed and result["replaced"], result.result
    task = result["task"]
    assert task["task_arn"] != arn and task["destination_location_arn"] == task_locations["s3_other"]
    # what the arguments do not manage is carried over to the new task
    assert (
        task["excludes"] == ["*.tmp"] and task["schedule"]["expression"] == "rate(1 day)" and task["tags"] == {"k": "v"}
    )
    assert tasks_named(emulator, name) == [task["task_arn"]]
    assert sorted(emulator.writes(mark)) == ["datasync:CreateTask", "datasync:DeleteTask"]
    mark = emulator.mark()
    assert not run_module(emulator, MODULE, move).changed and emulator.writes(mark) == []


def test_schedule_disabled_by_datasync_is_reenabled(emulator, task_locations, unique):
    name = f"sched-{unique}"
    spec = args(name, task_locations, schedule={"expression": "rate(1 hour)", "enabled": True})
    arn = run_module(emulator, MODULE, spec)["task"]["task_arn"]
    reason = f"Task failed 3 times in a row: access denied ({unique})"
    emulator.control("POST", "datasync/disable-schedule", {"task_arn": arn, "reason": reason})

    # not managing the schedule: unchanged, but the user is told
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"name": name})
    assert not result.changed and result["task"]["schedule_disabled_by_service"] is True
    assert result["task"]["schedule_details"]["disabled_by"] == "SERVICE"
    assert any(reason in w for w in result.get("warnings", [])), result.result
    assert emulator.writes(mark) == []

    # wanting it enabled: re-enabled (changed), with a warning that quotes DataSync's reason
    result = run_module(emulator, MODULE, spec, diff=True)
    assert result.changed and result["task"]["schedule"]["enabled"] is True
    assert result["task"]["schedule_disabled_by_service"] is False
    assert any(reason in w and "re-enabled" in w for w in result.get("warnings", [])), result.result
    assert emulator.writes(mark) == ["datasync:UpdateTask"]
    mark = emulator.mark()
    result = run_module(emulator, MODULE, spec)
    assert not result.changed and not result.get("warnings") and emulator.writes(mark) == []

    # pause it, keeping the expression; then remove it
    result = run_module(emulator, MODULE, {"name": name, "schedule": {"enabled": False}})
    assert result.changed and result["task"]["schedule"] == {"expression": "rate(1 hour)", "enabled": False}
    result = run_module(emulator, MODULE, {"name": name, "schedule": {"expression": ""}})
    assert result.changed and result["task"]["schedule"] is None
    assert "Schedule" not in emulator.client("datasync").describe_task(TaskArn=arn)


def test_task_report_config(emulator, task_locations, source_bucket, datasync_role, unique):
    name = f"report-{unique}"
    report = {
        "destination": {
            "s3": {
                "s3_bucket_arn": f"arn:aws:s3:::{source_bucket}",
                "bucket_access_role_arn": datasync_role,
                "subdirectory": "reports/",
            }
        },
        "report_level": "ERRORS_ONLY",
    }
    result = run_module(emulator, MODULE, args(name, task_locations, task_report_config=report))
    assert result.changed
    assert result["task"]["task_report_config"]["destination"]["s3"]["subdirectory"] == "reports/"
    arn = result["task"]["task_arn"]
    sent = emulator.client("datasync").describe_task(TaskArn=arn)["TaskReportConfig"]
    assert sent["Destination"]["S3"]["BucketAccessRoleArn"] == datasync_role and sent["ReportLevel"] == "ERRORS_ONLY"

    # the same report spelled without the trailing "/": unchanged
    same = {**report, "destination": {"s3": {**report["destination"]["s3"], "subdirectory": "reports"}}}
    mark = emulator.mark()
    assert not run_module(emulator, MODULE, args(name, task_locations, task_report_config=same)).changed
    assert emulator.writes(mark) == []

    result = run_module(emulator, MODULE, {"name": name, "task_report_config": {}}, diff=True)
    assert result.changed and result["task"]["task_report_config"] is None
    assert "TaskReportConfig" not in emulator.client("datasync").describe_task(TaskArn=arn)


def test_waits_for_available_and_times_out(emulator, task_locations, unique):
    before = emulator.control("POST", "datasync/timing", {})["task_creating"]
    emulator.control("POST", "datasync/timing", {"task_creating": 4})
    try:
        result = run_module(emulator, MODULE, {**args(f"slow-{unique}", task_locations), "wait_timeout": 1})
        assert result.failed and result.changed and "still CREATING" in result["msg"], result.result
        assert result["task"]["status"] == "CREATING"
        result = run_module(emulator, MODULE, {**args(f"nowait-{unique}", task_locations), "wait": False})
        assert result.changed and result["task"]["status"] == "CREATING"
        # a re-run finds the task by name and waits for it
        result = run_module(emulator, MODULE, args(f"slow-{unique}", task_locations))
        assert not result.changed and result["task"]["status"] == "AVAILABLE", result.result
    finally:
        emulator.control("POST", "datasync/timing", {"task_creating": before})


def test_duplicate_names_are_refused(emulator, task_locations, unique):
    ds = emulator.client("datasync")
    name = f"dup-{unique}"
    arns = [
        ds.create_task(SourceLocationArn=task_locations["s3"], DestinationLocationArn=task_locations["efs"], Name=name)[
            "TaskArn"
        ]
        for _ in range(2)
    ]
    mark = emulator.mark()
    result = run_module(emulator, MODULE, args(name, task_locations))
    assert result.failed and all(arn in result["msg"] for arn in arns) and "task_arn" in result["msg"]
    result = run_module(emulator, MODULE, {"state": "absent", "name": name})
    assert result.failed and all(arn in result["msg"] for arn in arns)
    # renaming another task onto a used name is refused too
    result = run_module(emulator, MODULE, {"task_arn": arns[0], "name": f"solo-{unique}"})
    assert result.changed
    result = run_module(emulator, MODULE, {"task_arn": arns[0], "name": name})
    assert result.failed and arns[1] in result["msg"]
    assert emulator.writes(mark) == ["datasync:UpdateTask"]


LONG = [f"/dir-{i:05d}/" + "x" * 90 for i in range(1100)]  # ~ 110,000 characters joined

# (arguments that differ from a valid create, words the failure message must contain)
PURE_BAD_INPUT = [
    ({"schedule": {"expression": "rate(5 minutes)"}}, "every 5 minute(s)"),
    ({"schedule": {"expression": "cron(0/15 * * * ? *)"}}, "4 times an hour"),
    ({"schedule": {"expression": "cron(0,30 2 * * ? *)"}}, "2 times an hour"),
    ({"schedule": {"expression": "cron(0 2 * * *)"}}, "six fields"),
    ({"options": {"atime": "BEST_EFFORT", "mtime": "NONE"}}, "atime BEST_EFFORT requires mtime PRESERVE"),
    ({"options": {"preserve_deleted_files": "REMOVE", "transfer_mode": "ALL"}}, "cannot be combined"),
    (
        {"task_mode": "ENHANCED", "options": {"verify_mode": "POINT_IN_TIME_CONSISTENT"}},
        "ENHANCED does not support verify_mode POINT_IN_TIME_CONSISTENT",
    ),
    ({"includes": ["/a|/b"]}, "contains '|'"),
    ({"includes": ["/data/*.csv"]}, "'*' is a wildcard only at the end"),
    ({"excludes": LONG}, "DataSync allows at most 102400"),
    ({"destination_location_arn": EFS_FS_ARN}, "is an EFS file system ARN: create a DataSync EFS location"),
    ({"source_location_arn": "arn:aws:s3:::lakedrop-source"}, "is an S3 bucket ARN: create a DataSync S3 location"),
    ({"name": "nightly*copy!"}, "found '!', '*'"),
    ({"name": None}, "name is required unless task_arn"),
    ({"cloudwatch_log_group_arn": "/lakedrop/datasync"}, "cloudwatch_log_group_arn must be a CloudWatch Logs"),
    (
        {"source_location_arn": "arn:aws:datasync:us-east-1:222222222222:location/loc-0123456789abcdef0"},
        "is in region us-east-1",
    ),
    ({"task_report_config": {"report_level": "ERRORS_ONLY"}}, "needs s3_bucket_arn and bucket_access_role_arn"),
    ({"task_arn": "arn:aws:datasync:eu-west-1:222222222222:location/loc-0123456789abcdef0"}, "a DataSync task ARN"),
    ({"options": {"verify_mode": "SOMETIMES"}}, "verify_mode"),
]

# Refused after read calls (the locations, the task list) and before any write.
READ_BAD_INPUT = [
    (
        {"options": {"preserve_devices": "PRESERVE"}},
        "preserve_devices PRESERVE is not supported when the destination is an EFS",
    ),
    (
        {"destination_location_arn": "arn:aws:datasync:eu-west-1:222222222222:location/loc-0123456789abcdef0"},
        "does not exist in this account and region",
    ),
    ({"options": {"mtime": "NONE"}}, "atime BEST_EFFORT (the task's current or default value"),
    ({"schedule": {"enabled": False}}, "schedule.expression is required"),
    ({"source_location_arn": None}, "source_location_arn is required to create task"),
]


def check_failures(results, cases):
    wrong = [
        (bad, message, result.get("msg"))
        for (bad, message), result in zip(cases, results, strict=True)
        if not result.failed or message not in result.get("msg", "")
    ]
    assert wrong == [], wrong


def test_bad_input_fails_before_any_call(emulator, task_locations, unique):
    mark = emulator.mark()
    calls = [{**args(f"bad-{unique}", task_locations), **bad} for bad, _message in PURE_BAD_INPUT]
    check_failures(run_modules(emulator, MODULE, calls), PURE_BAD_INPUT)
    assert emulator.calls(mark) == []


def test_every_problem_is_reported_at_once(emulator, task_locations, unique):
    bad = {**args("bad name!", task_locations), **PURE_BAD_INPUT[0][0], **PURE_BAD_INPUT[7][0], **PURE_BAD_INPUT[4][0]}
    result = run_module(emulator, MODULE, bad)
    assert result.failed and len(result["problems"]) == 4, result.result


def test_bad_input_needing_reads_writes_nothing(emulator, task_locations, unique):
    mark = emulator.mark()
    calls = [{**args(f"bad-{unique}", task_locations), **bad} for bad, _message in READ_BAD_INPUT]
    check_failures(run_modules(emulator, MODULE, calls), READ_BAD_INPUT)
    assert emulator.writes(mark) == []
    assert set(operations(emulator, mark)) <= {"ListTasks", "ListLocations"}


def test_examples(emulator, task_locations, unique, tmp_path):
    """Every EXAMPLES task, in order, with the fixture's locations and unique names."""
    from ansible_collections.lakedrop.delivery.plugins.modules import datasync_task

    logs = emulator.client("logs")
    if not logs.describe_log_groups(logGroupNamePrefix="/lakedrop/datasync")["logGroups"]:
        logs.create_log_group(logGroupName="/lakedrop/datasync")
    text = datasync_task.EXAMPLES.replace("lakedrop-s3-to-efs", f"ex-{unique}")
    text = text.replace("lakedrop-incoming-to-efs", f"ex-renamed-{unique}")
    playbook = [
        {
            "hosts": "localhost",
            "gather_facts": False,
            "vars": {
                "source_location": {"location": {"location_arn": task_locations["s3"]}},
                "efs_location": {"location": {"location_arn": task_locations["efs"]}},
            },
            "tasks": yaml.safe_load(text),
        }
    ]
    path = tmp_path / "examples.yml"
    path.write_text(json.dumps(playbook))
    run = run_playbook(path, env=emulator.env())
    assert run.rc == 0, run.stdout + run.stderr
    assert run.total("changed") == 4 and run.total("failed") == 0, run.stdout
    assert tasks_named(emulator, f"ex-{unique}") == [] and tasks_named(emulator, f"ex-renamed-{unique}") == []
