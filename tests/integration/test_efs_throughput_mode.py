"""lakedrop.delivery.efs_throughput_mode: change the mode, re-run with zero writes, provisioned MiB/s with
a diff, check mode, bad input."""

from __future__ import annotations

import pytest
from support.ansible import run_module

MODULE = "efs_throughput_mode"


def stored(emulator, fs_id):
    fs = emulator.client("efs").describe_file_systems(FileSystemId=fs_id)["FileSystems"][0]
    return fs["ThroughputMode"], fs.get("ProvisionedThroughputInMibps")


def test_throughput_mode(emulator, new_file_system):
    fs_id = new_file_system["FileSystemId"]
    assert stored(emulator, fs_id) == ("bursting", None)

    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"file_system": fs_id, "throughput_mode": "elastic"}, check=True, diff=True)
    assert result.changed and result["throughput_mode"] == "elastic" and emulator.writes(mark) == []
    assert result["diff"]["before"]["throughput_mode"] == "bursting"
    assert stored(emulator, fs_id) == ("bursting", None)

    result = run_module(
        emulator, MODULE, {"file_system": new_file_system["FileSystemArn"], "throughput_mode": "elastic"}
    )
    assert result.changed and result["file_system_id"] == fs_id and stored(emulator, fs_id) == ("elastic", None)
    mark = emulator.mark()
    assert not run_module(emulator, MODULE, {"file_system": fs_id, "throughput_mode": "elastic"}).changed
    assert emulator.writes(mark) == []

    args = {"file_system": fs_id, "throughput_mode": "provisioned", "provisioned_throughput_in_mibps": 64}
    result = run_module(emulator, MODULE, args, diff=True)
    assert result.changed and stored(emulator, fs_id) == ("provisioned", 64.0)
    assert result["diff"] == {
        "before": {"throughput_mode": "elastic", "provisioned_throughput_in_mibps": None},
        "after": {"throughput_mode": "provisioned", "provisioned_throughput_in_mibps": 64.0},
    }
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {**args, "provisioned_throughput_in_mibps": 64.0})
    assert not result.changed and result["provisioned_throughput_in_mibps"] == 64.0 and emulator.writes(mark) == []

    result = run_module(emulator, MODULE, {**args, "provisioned_throughput_in_mibps": 128}, diff=True)
    assert result.changed and result["diff"]["after"]["provisioned_throughput_in_mibps"] == 128.0
    assert stored(emulator, fs_id) == ("provisioned", 128.0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"file_system": "fs-0123456789abcdef0", "throughput_mode": "provisioned"}, "must be at least 1 MiB/s"),
        (
            {
                "file_system": "fs-0123456789abcdef0",
                "throughput_mode": "provisioned",
                "provisioned_throughput_in_mibps": 0.5,
            },
            "must be at least 1 MiB/s",
        ),
        (
            {"file_system": "fs-0123456789abcdef0", "throughput_mode": "elastic", "provisioned_throughput_in_mibps": 8},
            "only for throughput_mode=provisioned",
        ),
        ({"file_system": "fs-0123456789abcdef0", "throughput_mode": "turbo"}, "throughput_mode must be one of"),
        ({"file_system": "subnet-0123456789abcdef0", "throughput_mode": "elastic"}, "is a bare subnet ID"),
        ({"throughput_mode": "elastic"}, "missing required arguments: file_system"),
    ],
)
def test_bad_input_fails_before_any_call(assert_fails, args, message):
    assert_fails(MODULE, args, message)


def test_missing_file_system(assert_missing_file_system):
    assert_missing_file_system(MODULE, {"throughput_mode": "elastic"})
