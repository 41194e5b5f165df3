"""The maximum concurrency of a Lambda SQS event source mapping: pure logic, and the flow on a fake API."""

from __future__ import annotations

import pytest

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import event_source_scaling as scaling
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import lambda_api
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import Failure

QUEUE = "arn:aws:sqs:eu-west-1:222222222222:lakedrop-trigger-events"


def params(cap=2):
    return {"function_name": "lakedrop-trigger", "event_source_arn": QUEUE, "maximum_concurrency": cap}


@pytest.mark.parametrize("cap", [None, 2, 1000])
def test_valid_caps(cap):
    assert scaling.validate(params(cap), "eu-west-1") == []


@pytest.mark.parametrize("cap", [0, 1, 1001])
def test_caps_outside_lambdas_limits_are_refused(cap):
    assert scaling.validate(params(cap)) == [
        f"maximum_concurrency must be between 2 and 1000 (Lambda's limits), not {cap}; omit it to remove the cap."
    ]


@pytest.mark.parametrize(
    ("mapping", "cap"),
    [({"ScalingConfig": {"MaximumConcurrency": 5}}, 5), ({"ScalingConfig": {}}, None), ({}, None)],
)
def test_current_cap(mapping, cap):
    assert scaling.current_cap(mapping) == cap


def test_compare_and_result():
    changes = scaling.compare(None, params(3))

    assert scaling.result("uuid-1", changes) == {
        "changed": True,
        "uuid": "uuid-1",
        "maximum_concurrency": 3,
        "diff": {"before": {"maximum_concurrency": None}, "after": {"maximum_concurrency": 3}},
    }
    assert not scaling.compare(3, params(3)).changed


@pytest.mark.parametrize("count", [0, 2])
def test_anything_but_one_mapping_fails(count):
    with pytest.raises(
        Failure, match=f"Expected one event source mapping from {QUEUE} to lakedrop-trigger, found {count}"
    ):
        scaling.single_mapping([{"UUID": str(n)} for n in range(count)], params())


class FakeModule:
    def __init__(self, cap, check_mode=False):
        self.params, self.check_mode = params(cap), check_mode

    def client(self, service):
        assert service == "lambda"
        return object()


@pytest.fixture
def fake_api(monkeypatch):
    """lambda_api on a list of mappings; records updates."""
    state = {"mappings": [{"UUID": "uuid-1", "ScalingConfig": {"MaximumConcurrency": 2}}], "updates": []}
    monkeypatch.setattr(lambda_api, "list_event_source_mappings", lambda client, name, arn: state["mappings"])

    def update(client, uuid, cap, enabled=None, scale=True):
        state["updates"].append((uuid, cap) if enabled is None else (uuid, cap if scale else "kept", enabled))

    monkeypatch.setattr(lambda_api, "update_event_source_scaling", update)
    return state


@pytest.mark.parametrize(("cap", "updates"), [(2, []), (10, [("uuid-1", 10)]), (None, [("uuid-1", None)])])
def test_the_flow_writes_only_a_change(fake_api, cap, updates):
    found = scaling.run(FakeModule(cap))

    assert found["changed"] is bool(updates) and found["uuid"] == "uuid-1" and found["maximum_concurrency"] == cap
    assert fake_api["updates"] == updates


def test_check_mode_writes_nothing(fake_api):
    assert scaling.run(FakeModule(10, check_mode=True))["changed"] and fake_api["updates"] == []


def test_check_mode_reports_the_cap_of_a_mapping_an_earlier_task_would_create(fake_api):
    fake_api["mappings"] = []

    found = scaling.run(FakeModule(4, check_mode=True))

    assert found["changed"] and found["uuid"] is None and found["maximum_concurrency"] == 4
    with pytest.raises(Failure, match=r"found 0; create it with amazon\.aws\.lambda_event first"):
        scaling.run(FakeModule(4))


@pytest.mark.parametrize(
    ("state", "enabled", "updates"),
    [
        ("Enabled", False, [("uuid-1", "kept", False)]),
        ("Disabled", False, []),
        ("Disabled", True, [("uuid-1", "kept", True)]),
        ("Enabled", True, []),
    ],
)
def test_enabled_alone_switches_the_mapping_and_keeps_the_cap(fake_api, state, enabled, updates):
    """The runbooks pause_trigger and resume_trigger: only the state changes, the cap stays."""
    fake_api["mappings"][0]["State"] = state
    module = FakeModule(None)
    module.params["enabled"] = enabled

    found = scaling.run(module)

    assert found["changed"] is bool(updates) and found["enabled"] is enabled and "maximum_concurrency" not in found
    assert fake_api["updates"] == updates
