"""lakedrop.delivery.efs_file_system_policy: create, equivalent re-run with zero writes, update with a
diff, check mode, delete, bad input."""

from __future__ import annotations

import json

import pytest
from support.ansible import run_module
from support.policies import CLIENT_MOUNT_WRITE
from support.policies import file_system_policy

MODULE = "efs_file_system_policy"


def policy(emulator, fs_arn, actions=CLIENT_MOUNT_WRITE):
    access_point = fs_arn.replace("file-system/fs-", "access-point/fsap-")
    return file_system_policy(fs_arn, f"arn:aws:iam::{emulator.account_id()}:root", [access_point], actions)


def stored(emulator, fs_id):
    efs = emulator.client("efs")
    try:
        return json.loads(efs.describe_file_system_policy(FileSystemId=fs_id)["Policy"])
    except efs.exceptions.PolicyNotFound:
        return None


def test_policy(emulator, new_file_system):
    fs_id, fs_arn = new_file_system["FileSystemId"], new_file_system["FileSystemArn"]
    document = policy(emulator, fs_arn)

    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"file_system": fs_id, "policy": document}, check=True, diff=True)
    assert result.changed and result["diff"] == {"before": {}, "after": document}
    assert emulator.writes(mark) == [] and stored(emulator, fs_id) is None

    result = run_module(emulator, MODULE, {"file_system": fs_id, "policy": document})
    assert result.changed and result["file_system_id"] == fs_id and stored(emulator, fs_id) == document

    # the same policy written differently (key order, one-item lists as strings, a JSON string, the ARN):
    # no write, and check mode reads the stored document back
    rewritten = json.loads(json.dumps(document))
    rewritten["Statement"][0]["Action"] = ["*"]
    access_points = rewritten["Statement"][1]["Condition"]["ArnEquals"]
    access_points["elasticfilesystem:AccessPointArn"] = access_points["elasticfilesystem:AccessPointArn"][0]
    rewritten["Statement"].reverse()
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"file_system": fs_arn, "policy": json.dumps(rewritten, sort_keys=True)})
    assert not result.changed and result["policy"] == document
    result = run_module(emulator, MODULE, {"file_system": fs_id, "policy": rewritten}, check=True)
    assert not result.changed and result["policy"] == document
    assert emulator.writes(mark) == []

    # update, with a diff
    mount_only = policy(emulator, fs_arn, actions=("elasticfilesystem:ClientMount",))
    result = run_module(emulator, MODULE, {"file_system": fs_id, "policy": mount_only}, diff=True)
    assert result.changed and result["diff"] == {"before": document, "after": mount_only}
    assert stored(emulator, fs_id) == mount_only

    # delete: check mode first, then for real, then nothing to do
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"file_system": fs_id, "state": "absent"}, check=True, diff=True)
    assert result.changed and result["diff"] == {"before": mount_only, "after": {}} and emulator.writes(mark) == []
    result = run_module(emulator, MODULE, {"file_system": fs_id, "state": "absent"})
    assert result.changed and result["policy"] == {} and stored(emulator, fs_id) is None
    mark = emulator.mark()
    assert not run_module(emulator, MODULE, {"file_system": fs_id, "state": "absent"}).changed
    assert emulator.writes(mark) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"file_system": "fs-0123456789abcdef0", "policy": "{not json"}, "policy is not valid JSON"),
        ({"file_system": "fs-0123456789abcdef0", "policy": {"Version": "2012-10-17"}}, "non-empty Statement"),
        ({"file_system": "fs-0123456789abcdef0"}, "policy is required with state=present"),
        (
            {"file_system": "fs-0123456789abcdef0", "state": "absent", "policy": {"Statement": [{}]}},
            "do not give policy",
        ),
        (
            {"file_system": "arn:aws:s3:::bucket", "policy": {"Statement": [{}]}},
            "but 'arn:aws:s3:::bucket' is an S3 bucket ARN",
        ),
        ({"policy": {"Statement": [{}]}}, "missing required arguments: file_system"),
    ],
)
def test_bad_input_fails_before_any_call(assert_fails, args, message):
    assert_fails(MODULE, args, message)


def test_missing_file_system(assert_missing_file_system):
    assert_missing_file_system(MODULE, {"state": "absent"})
