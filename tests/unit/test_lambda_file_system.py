"""A Lambda function's file system configuration and ephemeral storage: pure logic, and the flow on a fake API."""

from __future__ import annotations

import pytest

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import lambda_api
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import lambda_file_system as fs
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import Failure

AP = "arn:aws:elasticfilesystem:eu-west-1:222222222222:access-point/fsap-0123456789abcdef0"
OTHER = "arn:aws:elasticfilesystem:eu-west-1:222222222222:access-point/fsap-0fedcba987654321f"
VPC = {"SubnetIds": ["subnet-0123abcd"], "SecurityGroupIds": ["sg-0123abcd"], "VpcId": "vpc-0123abcd"}


def params(configs=None, size=None):
    configs = [{"arn": AP, "local_mount_path": "/mnt/lakedrop"}] if configs is None else configs
    return {"function_name": "lakedrop-fast", "file_system_configs": configs, "ephemeral_storage_size": size}


def test_valid_arguments():
    assert fs.validate(params(size=1024), "eu-west-1") == []
    assert fs.validate(params([]), "eu-west-1") == []


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (params([{"arn": AP, "local_mount_path": "/data"}]), "file_system_configs[0].local_mount_path must be /mnt/"),
        (
            params([{"arn": AP, "local_mount_path": "/mnt/a/b"}]),
            "file_system_configs[0].local_mount_path must be /mnt/",
        ),
        (
            params([{"arn": AP.replace("access-point/fsap", "file-system/fs"), "local_mount_path": "/mnt/x"}]),
            "file_system_configs[0].arn must be an EFS access point ARN",
        ),
        (params([{"arn": AP, "local_mount_path": "/mnt/a"}] * 2), "file_system_configs may hold one file system"),
        (params(size=256), "ephemeral_storage_size must be 512-10240 MB"),
    ],
)
def test_refused_arguments(arguments, message):
    assert any(message in p for p in fs.validate(arguments, "eu-west-1")), fs.validate(arguments, "eu-west-1")


def test_another_regions_access_point_is_refused():
    assert "is in region eu-west-1, but the module runs in us-east-1" in fs.validate(params(), "us-east-1")[0]


def test_compare_and_update_fields():
    now = fs.current({"FileSystemConfigs": [], "EphemeralStorage": {"Size": 512}})
    wanted = fs.desired(params(), now)
    changes = fs.compare(now, wanted)
    assert changes.names == ["file_system_configs"]
    assert fs.update_fields(changes, wanted) == {"FileSystemConfigs": [{"Arn": AP, "LocalMountPath": "/mnt/lakedrop"}]}
    same = fs.current({"FileSystemConfigs": [{"Arn": AP, "LocalMountPath": "/mnt/lakedrop"}]})
    assert not fs.compare(same, fs.desired(params(), same)).changed
    bigger = fs.desired(params(size=2048), same)
    assert fs.update_fields(fs.compare(same, bigger), bigger) == {"EphemeralStorage": {"Size": 2048}}


class FakeModule:
    def __init__(self, arguments, check_mode=False):
        self.params, self.check_mode = arguments, check_mode

    def client(self, service):
        assert service == "lambda"
        return object()


@pytest.fixture
def fake_api(monkeypatch):
    """lambda_api on one function; an update is in progress for one read, then Successful."""
    state = {"function": {"FunctionArn": "arn:fn", "VpcConfig": VPC, "LastUpdateStatus": "Successful"}, "updates": []}

    def get(client, name):
        function = state["function"]
        if function and function.get("LastUpdateStatus") == "InProgress":
            state["function"] = dict(function, LastUpdateStatus=state.get("outcome", "Successful"))
        return function

    def update(client, name, **fields):
        state["updates"].append(fields)
        applied = {"FileSystemConfigs": fields.get("FileSystemConfigs", state["function"].get("FileSystemConfigs"))}
        state["function"] = dict(state["function"], **applied, LastUpdateStatus="InProgress")

    monkeypatch.setattr(lambda_api, "get_function_configuration", get)
    monkeypatch.setattr(lambda_api, "update_function_configuration", update)
    return state


def run(arguments, check_mode=False):
    return fs.run(FakeModule(arguments, check_mode), sleep=lambda s: None)


def test_mounts_then_a_second_run_writes_nothing(fake_api):
    first = run(params())
    assert first["changed"] and first["file_system_configs"] == [{"arn": AP, "local_mount_path": "/mnt/lakedrop"}]
    assert fake_api["updates"] == [{"FileSystemConfigs": [{"Arn": AP, "LocalMountPath": "/mnt/lakedrop"}]}]
    assert fake_api["function"]["LastUpdateStatus"] == "Successful"
    second = run(params())
    assert not second["changed"] and len(fake_api["updates"]) == 1


def test_check_mode_reports_and_writes_nothing(fake_api):
    result = run(params([{"arn": OTHER, "local_mount_path": "/mnt/lakedrop"}]), check_mode=True)
    assert result["changed"] and result["diff"]["after"]["file_system_configs"][0]["arn"] == OTHER
    assert fake_api["updates"] == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_a_function_without_vpc_is_refused_before_the_write(fake_api, check_mode):
    """Refused in a dry run too: --check must not report a change the real run would refuse."""
    fake_api["function"] = {"FunctionArn": "arn:fn", "LastUpdateStatus": "Successful"}
    with pytest.raises(Failure, match="is not connected to a VPC"):
        run(params(), check_mode=check_mode)
    assert fake_api["updates"] == []


def test_a_failed_update_is_reported(fake_api):
    fake_api["outcome"] = "Failed"
    with pytest.raises(Failure, match="Lambda could not update function lakedrop-fast"):
        run(params())


def test_a_missing_function(fake_api):
    fake_api["function"] = None
    assert run(params(), check_mode=True)["changed"]
    with pytest.raises(Failure, match="Function lakedrop-fast does not exist"):
        run(params())
