"""lakedrop.delivery.lambda_file_system_config: mount an access point into a function in the VPC, re-run with
zero writes, ephemeral storage, check mode and diff, a function without VPC, bad input."""

from __future__ import annotations

import io
import json
import uuid
import zipfile

import pytest
from support.ansible import run_module

from lakedrop_emulator.stack import trust

MODULE = "lambda_file_system_config"
HANDLER = "def handler(event, context):\n    return {}\n"


@pytest.fixture(scope="module")
def function_role(emulator, efs_env) -> str:
    """A Lambda execution role with what a function in a VPC mounting the access point needs."""
    iam = emulator.client("iam")
    name = f"lakedrop-it-fs-{uuid.uuid4().hex[:8]}"
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust("lambda.amazonaws.com"))["Role"]["Arn"]
    statements = [
        {
            "Effect": "Allow",
            "Action": [
                "ec2:CreateNetworkInterface",
                "ec2:DeleteNetworkInterface",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeSubnets",
                "ec2:AssignPrivateIpAddresses",
                "ec2:UnassignPrivateIpAddresses",
            ],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            "Resource": efs_env["file_system_arn"],
        },
    ]
    document = json.dumps({"Version": "2012-10-17", "Statement": statements})
    iam.put_role_policy(RoleName=name, PolicyName="vpc-and-efs", PolicyDocument=document)
    return arn


def function(emulator, role, efs_env=None) -> str:
    name = f"lakedrop-it-fs-{uuid.uuid4().hex[:8]}"
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("handler.py", HANDLER)
    vpc = (
        {"VpcConfig": {"SubnetIds": efs_env["subnet_ids"], "SecurityGroupIds": [efs_env["security_group_id"]]}}
        if efs_env
        else {}
    )
    emulator.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role,
        Handler="handler.handler",
        Code={"ZipFile": package.getvalue()},
        **vpc,
    )
    return name


def configuration(emulator, name):
    return emulator.client("lambda").get_function_configuration(FunctionName=name)


def test_mount_the_access_point(emulator, efs_env, function_role):
    name = function(emulator, function_role, efs_env)
    mount = [{"arn": efs_env["access_point_arn"], "local_mount_path": "/mnt/lakedrop"}]

    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"function_name": name, "file_system_configs": mount}, check=True, diff=True)
    assert result.changed and emulator.writes(mark) == []
    assert result["diff"] == {
        "before": {"file_system_configs": [], "ephemeral_storage_size": 512},
        "after": {"file_system_configs": mount, "ephemeral_storage_size": 512},
    }
    assert configuration(emulator, name).get("FileSystemConfigs", []) == []

    result = run_module(emulator, MODULE, {"function_name": name, "file_system_configs": mount})
    assert result.changed and result["file_system_configs"] == mount
    found = configuration(emulator, name)
    assert found["FileSystemConfigs"] == [{"Arn": efs_env["access_point_arn"], "LocalMountPath": "/mnt/lakedrop"}]
    assert found.get("LastUpdateStatus", "Successful") == "Successful"

    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"function_name": name, "file_system_configs": mount})
    assert not result.changed and emulator.writes(mark) == []

    result = run_module(
        emulator, MODULE, {"function_name": name, "file_system_configs": mount, "ephemeral_storage_size": 1024}
    )
    assert result.changed and configuration(emulator, name)["EphemeralStorage"]["Size"] == 1024
    assert configuration(emulator, name)["FileSystemConfigs"][0]["LocalMountPath"] == "/mnt/lakedrop"

    result = run_module(emulator, MODULE, {"function_name": name, "file_system_configs": []})
    assert result.changed and configuration(emulator, name).get("FileSystemConfigs", []) == []


def test_a_function_outside_a_vpc_is_refused_before_any_write(emulator, efs_env, function_role):
    name = function(emulator, function_role)
    mount = [{"arn": efs_env["access_point_arn"], "local_mount_path": "/mnt/lakedrop"}]
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"function_name": name, "file_system_configs": mount})
    assert result.failed and "is not connected to a VPC" in result["msg"] and emulator.writes(mark) == []


def test_a_missing_function(emulator, efs_env):
    args = {"function_name": "lakedrop-it-none", "file_system_configs": []}
    mark = emulator.mark()
    result = run_module(emulator, MODULE, args)
    assert result.failed and "Function lakedrop-it-none does not exist" in result["msg"]
    assert emulator.writes(mark) == []
    assert run_module(emulator, MODULE, args, check=True).failed is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            {
                "function_name": "f",
                "file_system_configs": [{"arn": "fsap-0123456789abcdef0", "local_mount_path": "/mnt/x"}],
            },
            "file_system_configs[0].arn must be an EFS access point ARN",
        ),
        ({"function_name": "f", "file_system_configs": [], "ephemeral_storage_size": 100}, "ephemeral_storage_size"),
        ({"file_system_configs": []}, "missing required arguments: function_name"),
    ],
)
def test_bad_input_fails_before_any_call(assert_fails, args, message):
    assert_fails(MODULE, args, message)
