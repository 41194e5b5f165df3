"""Pure logic of the EFS throughput mode (no network)."""

from __future__ import annotations

import pytest

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import throughput
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.changes import Changes

FS = "fs-0123456789abcdef0"


def params(mode="provisioned", mibps=64, **extra):
    return {"file_system": FS, "throughput_mode": mode, "provisioned_throughput_in_mibps": mibps, **extra}


@pytest.mark.parametrize("args", [params(), params("elastic", None), params("bursting", None)])
def test_valid_arguments_have_no_problem(args):
    assert throughput.validate(args, "eu-west-1") == []


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (params(mibps=None), "must be at least 1 MiB/s with throughput_mode=provisioned (EFS's minimum); got None"),
        (params(mibps=0.5), "must be at least 1 MiB/s"),
        (params(mibps=0), "must be at least 1 MiB/s"),
        (params("elastic", 8), "is only for throughput_mode=provisioned, not elastic"),
        (params(file_system="subnet-0123456789abcdef0"), "is a bare subnet ID"),
    ],
)
def test_problems_are_named(args, fragment):
    problems = throughput.validate(args, "eu-west-1")
    assert len(problems) == 1 and fragment in problems[0]


@pytest.mark.parametrize(
    ("described", "settings"),
    [
        ({"ThroughputMode": "provisioned", "ProvisionedThroughputInMibps": 64.0}, ("provisioned", 64.0)),
        ({"ThroughputMode": "elastic", "ProvisionedThroughputInMibps": 64.0}, ("elastic", None)),  # a leftover
        ({"ThroughputMode": "bursting"}, ("bursting", None)),
    ],
)
def test_current_settings_count_the_mibps_only_in_provisioned_mode(described, settings):
    found = throughput.current_settings(described)
    assert (found["throughput_mode"], found["provisioned_throughput_in_mibps"]) == settings


def test_desired_settings_are_floats():
    assert throughput.desired_settings(params()) == {
        "throughput_mode": "provisioned",
        "provisioned_throughput_in_mibps": 64.0,
    }
    assert throughput.desired_settings(params("elastic", None))["provisioned_throughput_in_mibps"] is None


def test_compare_and_update_params():
    desired = throughput.desired_settings(params(mibps=128))
    changes = Changes.of(throughput.SETTINGS, throughput.current_settings({"ThroughputMode": "bursting"}), desired)

    assert changes.names == ["throughput_mode", "provisioned_throughput_in_mibps"]
    assert throughput.update_params(desired) == {"ThroughputMode": "provisioned", "ProvisionedThroughputInMibps": 128.0}
    assert throughput.update_params(throughput.desired_settings(params("elastic", None))) == {
        "ThroughputMode": "elastic"
    }
    assert not Changes.of(throughput.SETTINGS, desired, desired).changed


def test_result_is_the_settings_after_the_run():
    before = {"throughput_mode": "bursting", "provisioned_throughput_in_mibps": None}
    after = {"throughput_mode": "elastic", "provisioned_throughput_in_mibps": None}

    assert throughput.result(FS, Changes.of(throughput.SETTINGS, before, after)) == {
        "changed": True,
        "file_system_id": FS,
        **after,
        "diff": {"before": before, "after": after},
    }
