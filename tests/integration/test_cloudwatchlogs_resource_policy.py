"""lakedrop.delivery.cloudwatchlogs_resource_policy: create, equivalent re-run with zero writes,
update with a diff, check mode, delete, bad input."""

from __future__ import annotations

import json

import pytest
from support.ansible import run_module
from support.policies import document

MODULE = "cloudwatchlogs_resource_policy"


def policy(emulator, group, actions=("logs:CreateLogStream", "logs:PutLogEvents")):
    account, region = emulator.account_id(), emulator.region
    return document(
        {
            "Sid": "DataSyncLogs",
            "Effect": "Allow",
            "Principal": {"Service": "datasync.amazonaws.com"},
            "Action": list(actions),
            "Resource": f"arn:aws:logs:{region}:{account}:log-group:{group}:*",
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account},
                "ArnLike": {"aws:SourceArn": f"arn:aws:datasync:{region}:{account}:task/*"},
            },
        }
    )


def stored(emulator, name):
    for item in emulator.client("logs").describe_resource_policies()["resourcePolicies"]:
        if item["policyName"] == name:
            return json.loads(item["policyDocument"])
    return None


def test_lifecycle(emulator, unique):
    name = f"lakedrop-it-{unique}"
    document = policy(emulator, f"/aws/datasync/{unique}")
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"name": name, "policy": document}, check=True, diff=True)
    assert result.changed and result["diff"]["before"] == {} and emulator.writes(mark) == []
    result = run_module(emulator, MODULE, {"name": name, "policy": document})
    assert result.changed and stored(emulator, name) == document

    # the same policy, written differently (key order, one-item list as a string): no write
    rewritten = json.loads(json.dumps(document))
    rewritten["Statement"][0]["Principal"] = {"Service": ["datasync.amazonaws.com"]}
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"name": name, "policy": json.dumps(rewritten, sort_keys=True)})
    assert not result.changed and emulator.writes(mark) == []

    narrower = policy(emulator, f"/aws/datasync/{unique}", actions=("logs:PutLogEvents",))
    result = run_module(emulator, MODULE, {"name": name, "policy": narrower}, diff=True)
    assert result.changed and result["diff"]["after"] == narrower and stored(emulator, name) == narrower

    result = run_module(emulator, MODULE, {"name": name, "state": "absent"})
    assert result.changed and stored(emulator, name) is None
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"name": name, "state": "absent"})
    assert not result.changed and emulator.writes(mark) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"policy": "{not json"}, "policy is not valid JSON"),
        ({"policy": {"Version": "2012-10-17"}}, "Statement"),
        ({}, "policy"),
    ],
)
def test_bad_input(assert_fails, unique, args, message):
    assert_fails(MODULE, {"name": f"x-{unique}", **args}, message)
