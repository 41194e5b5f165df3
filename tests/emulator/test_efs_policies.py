"""EFS file-system policy and lifecycle configuration: each test pins one gap moto 5.2.5 had
(ext/efs_policies.py)."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from support.policies import document

from lakedrop_emulator.ext.shapes import assert_output_matches

TLS_ONLY = document(
    {
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
)


@pytest.fixture
def efs(clients):
    return clients("efs")


@pytest.fixture
def file_system(efs, unique):
    return efs.create_file_system(CreationToken=f"efs-policies-{unique}", Encrypted=True)


def _error(call, **kwargs) -> str:
    with pytest.raises(ClientError) as err:
        call(**kwargs)
    return err.value.response["Error"]["Code"]


def test_delete_file_system_policy(efs, file_system):
    fs_id = file_system["FileSystemId"]
    put = efs.put_file_system_policy(FileSystemId=fs_id, Policy=json.dumps(TLS_ONLY))
    assert json.loads(assert_output_matches("efs", "PutFileSystemPolicy", put)["Policy"]) == TLS_ONLY
    described = efs.describe_file_system_policy(FileSystemId=fs_id)
    assert json.loads(assert_output_matches("efs", "DescribeFileSystemPolicy", described)["Policy"]) == TLS_ONLY

    # stock moto: 500 (no handler), which botocore retries before failing
    deleted = efs.delete_file_system_policy(FileSystemId=fs_id)
    assert_output_matches("efs", "DeleteFileSystemPolicy", deleted)
    assert _error(efs.describe_file_system_policy, FileSystemId=fs_id) == "PolicyNotFound"
    efs.delete_file_system_policy(FileSystemId=fs_id)  # none left: AWS answers 200 as well
    assert _error(efs.delete_file_system_policy, FileSystemId="fs-00000000") == "FileSystemNotFound"


def test_put_file_system_policy_refuses_what_is_not_a_policy(efs, file_system):
    fs_id = file_system["FileSystemId"]
    assert _error(efs.put_file_system_policy, FileSystemId=fs_id, Policy="{not json") == "InvalidPolicyException"
    assert _error(efs.put_file_system_policy, FileSystemId=fs_id, Policy='{"Version": "2012-10-17"}') == (
        "InvalidPolicyException"
    )
    assert _error(efs.describe_file_system_policy, FileSystemId=fs_id) == "PolicyNotFound"


def test_lifecycle_round_trip(efs, file_system):
    fs_id = file_system["FileSystemId"]
    policies = [{"TransitionToIA": "AFTER_30_DAYS"}, {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"}]
    put = efs.put_lifecycle_configuration(FileSystemId=fs_id, LifecyclePolicies=policies)
    assert assert_output_matches("efs", "PutLifecycleConfiguration", put)["LifecyclePolicies"] == policies
    described = efs.describe_lifecycle_configuration(FileSystemId=fs_id)
    assert assert_output_matches("efs", "DescribeLifecycleConfiguration", described)["LifecyclePolicies"] == policies
    efs.put_lifecycle_configuration(FileSystemId=fs_id, LifecyclePolicies=[])  # empty list: no lifecycle
    assert efs.describe_lifecycle_configuration(FileSystemId=fs_id)["LifecyclePolicies"] == []


@pytest.mark.parametrize(
    "policies",
    [
        [{"TransitionToIA": "AFTER_30_DAYS", "TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"}],  # two in one
        [{}],
        [{"TransitionToIA": "AFTER_31_DAYS"}],  # not in the enum (botocore does not check enums)
        [{"TransitionToIA": "AFTER_30_DAYS"}, {"TransitionToIA": "AFTER_60_DAYS"}],
        [{"TransitionToPrimaryStorageClass": "AFTER_2_ACCESSES"}],
        # Archive needs Elastic throughput (the file system is bursting) and must come after IA
        [{"TransitionToArchive": "AFTER_90_DAYS"}],
    ],
)
def test_lifecycle_refuses_what_aws_refuses(efs, file_system, policies):
    fs_id = file_system["FileSystemId"]
    assert _error(efs.put_lifecycle_configuration, FileSystemId=fs_id, LifecyclePolicies=policies) == "BadRequest"
    assert efs.describe_lifecycle_configuration(FileSystemId=fs_id)["LifecyclePolicies"] == []


def test_archive_needs_elastic_throughput_and_a_later_day_than_ia(efs, file_system):
    fs_id = file_system["FileSystemId"]
    efs.update_file_system(FileSystemId=fs_id, ThroughputMode="elastic")
    too_early = [{"TransitionToIA": "AFTER_90_DAYS"}, {"TransitionToArchive": "AFTER_30_DAYS"}]
    assert _error(efs.put_lifecycle_configuration, FileSystemId=fs_id, LifecyclePolicies=too_early) == "BadRequest"
    fine = [{"TransitionToIA": "AFTER_30_DAYS"}, {"TransitionToArchive": "AFTER_90_DAYS"}]
    assert efs.put_lifecycle_configuration(FileSystemId=fs_id, LifecyclePolicies=fine)["LifecyclePolicies"] == fine


def test_lifecycle_of_a_missing_file_system_is_not_found(efs):
    assert _error(efs.put_lifecycle_configuration, FileSystemId="fs-00000000", LifecyclePolicies=[]) == (
        "FileSystemNotFound"
    )
