"""lakedrop.delivery.efs_lifecycle_configuration: create, re-run with zero writes, update with a diff,
check mode, Archive (and its preconditions), removal, bad input."""

from __future__ import annotations

import pytest
from support.ansible import run_module

MODULE = "efs_lifecycle_configuration"


def stored(emulator, fs_id):
    return emulator.client("efs").describe_lifecycle_configuration(FileSystemId=fs_id)["LifecyclePolicies"]


def test_lifecycle(emulator, new_file_system):
    fs_id = new_file_system["FileSystemId"]
    args = {
        "file_system": fs_id,
        "transition_to_ia": "AFTER_30_DAYS",
        "transition_to_primary_storage_class": "AFTER_1_ACCESS",
    }

    mark = emulator.mark()
    result = run_module(emulator, MODULE, args, check=True, diff=True)
    assert result.changed and emulator.writes(mark) == []
    assert (
        result["diff"]["before"]["transition_to_ia"] is None
        and result["diff"]["after"]["transition_to_ia"] == "AFTER_30_DAYS"
    )
    assert stored(emulator, fs_id) == []

    result = run_module(emulator, MODULE, args)
    assert result.changed and result["file_system_id"] == fs_id
    assert stored(emulator, fs_id) == [
        {"TransitionToIA": "AFTER_30_DAYS"},
        {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
    ]
    assert result["lifecycle"] == {
        "transition_to_ia": "AFTER_30_DAYS",
        "transition_to_archive": None,
        "transition_to_primary_storage_class": "AFTER_1_ACCESS",
    }

    # the same, by ARN, and read back in check mode: no write
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {**args, "file_system": new_file_system["FileSystemArn"]})
    assert not result.changed and emulator.writes(mark) == []
    result = run_module(emulator, MODULE, args, check=True)
    assert (
        not result.changed and result["lifecycle_policies"] == stored(emulator, fs_id) and emulator.writes(mark) == []
    )

    # stored in another order (another tool wrote it): same meaning, no write
    emulator.client("efs").put_lifecycle_configuration(
        FileSystemId=fs_id,
        LifecyclePolicies=[{"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"}, {"TransitionToIA": "AFTER_30_DAYS"}],
    )
    mark = emulator.mark()
    assert not run_module(emulator, MODULE, args).changed and emulator.writes(mark) == []

    # update: a transition left out is removed; the diff names only what the module manages
    result = run_module(emulator, MODULE, {"file_system": fs_id, "transition_to_ia": "AFTER_90_DAYS"}, diff=True)
    assert result.changed
    assert result["diff"]["before"] == {
        "transition_to_ia": "AFTER_30_DAYS",
        "transition_to_archive": None,
        "transition_to_primary_storage_class": "AFTER_1_ACCESS",
    }
    assert result["diff"]["after"] == {
        "transition_to_ia": "AFTER_90_DAYS",
        "transition_to_archive": None,
        "transition_to_primary_storage_class": None,
    }
    assert stored(emulator, fs_id) == [{"TransitionToIA": "AFTER_90_DAYS"}]

    # absent: check mode writes nothing, then the configuration goes, then nothing to do
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"file_system": fs_id, "state": "absent"}, check=True)
    assert (
        result.changed
        and emulator.writes(mark) == []
        and stored(emulator, fs_id) == [{"TransitionToIA": "AFTER_90_DAYS"}]
    )
    result = run_module(emulator, MODULE, {"file_system": fs_id, "state": "absent"})
    assert result.changed and stored(emulator, fs_id) == [] and result["lifecycle_policies"] == []
    mark = emulator.mark()
    assert not run_module(emulator, MODULE, {"file_system": fs_id, "state": "absent"}).changed
    assert emulator.writes(mark) == []


def test_archive_needs_elastic_throughput(emulator, new_file_system):
    fs_id = new_file_system["FileSystemId"]
    args = {"file_system": fs_id, "transition_to_ia": "AFTER_30_DAYS", "transition_to_archive": "AFTER_180_DAYS"}
    mark = emulator.mark()
    result = run_module(emulator, MODULE, args)
    assert result.failed and "Elastic throughput" in result["msg"] and "bursting" in result["msg"]
    assert emulator.writes(mark) == []

    result = run_module(emulator, MODULE, args, check=True)  # an earlier task may switch the mode: only a warning
    assert (
        result.changed and "Elastic throughput" in " ".join(result.get("warnings", [])) and emulator.writes(mark) == []
    )

    emulator.client("efs").update_file_system(FileSystemId=fs_id, ThroughputMode="elastic")
    result = run_module(emulator, MODULE, args)
    assert result.changed and stored(emulator, fs_id) == [
        {"TransitionToIA": "AFTER_30_DAYS"},
        {"TransitionToArchive": "AFTER_180_DAYS"},
    ]
    mark = emulator.mark()
    assert not run_module(emulator, MODULE, args).changed and emulator.writes(mark) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            {
                "file_system": "fs-0123456789abcdef0",
                "transition_to_ia": "AFTER_90_DAYS",
                "transition_to_archive": "AFTER_30_DAYS",
            },
            "must be later than transition_to_ia",
        ),
        (
            {"file_system": "fs-0123456789abcdef0", "transition_to_ia": "AFTER_31_DAYS"},
            "transition_to_ia must be one of",
        ),
        ({"file_system": "fs-0123456789abcdef0", "transition_to_primary_storage_class": "ALWAYS"}, "must be one of"),
        (
            {"file_system": "arn:aws:elasticfilesystem:eu-west-1:222222222222:access-point/fsap-0123456789abcdef0"},
            "file_system must be an EFS file system ARN or its ID, but",
        ),
        ({"file_system": "my-file-system"}, "file_system must be"),
        (
            {"file_system": "fs-0123456789abcdef0", "state": "absent", "transition_to_ia": "AFTER_30_DAYS"},
            "state=absent removes every transition",
        ),
        ({"transition_to_ia": "AFTER_30_DAYS"}, "missing required arguments: file_system"),
    ],
)
def test_bad_input_fails_before_any_call(assert_fails, args, message):
    assert_fails(MODULE, args, message)


def test_missing_file_system(assert_missing_file_system):
    assert_missing_file_system(MODULE, {"transition_to_ia": "AFTER_30_DAYS"})
