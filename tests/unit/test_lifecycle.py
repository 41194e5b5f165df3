"""Pure logic of the EFS lifecycle configuration (no network)."""

from __future__ import annotations

import pytest

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import lifecycle
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.changes import Changes

FS = "fs-0123456789abcdef0"
NONE = {"transition_to_ia": None, "transition_to_archive": None, "transition_to_primary_storage_class": None}


def params(**extra):
    return {"file_system": FS, "state": "present", **NONE, "transition_to_ia": "AFTER_30_DAYS", **extra}


def test_days():
    assert [lifecycle.days(d) for d in ("AFTER_1_DAY", "AFTER_30_DAYS", "AFTER_365_DAYS")] == [1, 30, 365]


@pytest.mark.parametrize(
    "extra",
    [{}, {"transition_to_archive": "AFTER_60_DAYS"}, {"state": "absent", "transition_to_ia": None}],
)
def test_valid_arguments_have_no_problem(extra):
    assert lifecycle.validate(params(**extra), "eu-west-1") == []


def test_archive_must_come_after_ia():
    assert lifecycle.validate(params(transition_to_archive="AFTER_30_DAYS"), "eu-west-1") == [
        "transition_to_archive (AFTER_30_DAYS) must be later than transition_to_ia (AFTER_30_DAYS): files reach "
        "Archive only after IA."
    ]


def test_absent_takes_no_transition_and_every_problem_is_reported():
    problems = lifecycle.validate(params(state="absent", file_system="my-file-system"), "eu-west-1")

    assert problems[0].startswith("file_system must be an EFS file system ARN or its ID")
    assert problems[1:] == ["state=absent removes every transition; do not give transition_to_ia."]


def test_policies_round_trip_in_the_order_efs_documents():
    stored = [{"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"}, {"TransitionToIA": "AFTER_30_DAYS"}]

    found = lifecycle.from_policies(stored)

    assert found == {
        **NONE,
        "transition_to_ia": "AFTER_30_DAYS",
        "transition_to_primary_storage_class": "AFTER_1_ACCESS",
    }
    assert lifecycle.to_policies(found) == stored[::-1]
    assert lifecycle.from_policies([]) == NONE and lifecycle.to_policies(NONE) == []


def test_desired_is_every_transition_given_or_none():
    assert lifecycle.desired(params()) == {**NONE, "transition_to_ia": "AFTER_30_DAYS"}
    assert lifecycle.desired(params(state="absent")) == NONE


def test_compare_names_each_transition():
    changes = Changes.of(lifecycle.TRANSITIONS, NONE, lifecycle.desired(params()))

    assert changes.changed and changes.names == ["transition_to_ia"]
    assert not Changes.of(lifecycle.TRANSITIONS, NONE, NONE).changed


@pytest.mark.parametrize(
    ("mode", "performance", "problem"),
    [("elastic", "generalPurpose", False), ("bursting", "generalPurpose", True), ("elastic", "maxIO", True)],
)
def test_archive_needs_elastic_throughput_and_general_purpose(mode, performance, problem):
    found = lifecycle.archive_problem({"FileSystemId": FS, "ThroughputMode": mode, "PerformanceMode": performance})

    assert (found is not None) is problem
    if problem:
        assert f"{FS} is in {mode} throughput mode and {performance} performance mode" in found


def test_result_is_the_configuration_after_the_run():
    wanted = lifecycle.desired(params(transition_to_primary_storage_class="AFTER_1_ACCESS"))

    found = lifecycle.result(FS, Changes.of(lifecycle.TRANSITIONS, NONE, wanted))

    assert found == {
        "changed": True,
        "file_system_id": FS,
        "lifecycle": wanted,
        "lifecycle_policies": [
            {"TransitionToIA": "AFTER_30_DAYS"},
            {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"},
        ],
        "diff": {"before": NONE, "after": wanted},
    }
