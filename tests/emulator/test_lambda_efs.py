"""A Lambda function in a VPC with an EFS access point (ext/lambda_vpc.py, lambda_worker.py): the configuration
Lambda keeps and refuses, the mount at each cold start (as the access point's POSIX user, /tmp of
EphemeralStorage's size) and the EFS errors of an invocation whose mount is impossible."""

from __future__ import annotations

import errno
import json
import time
import uuid
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from lakedrop_emulator.stack import efs_access_point
from lakedrop_emulator.stack import invoke
from lakedrop_emulator.stack import vpc_function
from lakedrop_emulator.stack import vpc_network
from lakedrop_emulator.stack import vpc_role

PROBE = Path(__file__).parent / "handlers" / "efs_probe.py"
MOUNT = "/mnt/lakedrop"


@pytest.fixture(scope="module")
def setup(emulator):
    name = f"efs-{uuid.uuid4().hex[:8]}"
    network = vpc_network(emulator, name, cidr="10.61.0.0/16")
    access_point = efs_access_point(emulator, name, network, uid=1000, gid=1001, permissions="0750")
    role = vpc_role(emulator, f"{name}-role")
    return {"name": name, "network": network, "ap": access_point, "role": role}


@pytest.fixture(scope="module")
def lam(emulator):
    return emulator.client("lambda", retries={"max_attempts": 1, "mode": "standard"})


def unique(setup: dict) -> str:
    return f"{setup['name']}-{uuid.uuid4().hex[:6]}"


def test_configuration_is_kept_as_lambda_answers_it(emulator, setup, lam):
    function = vpc_function(
        emulator, unique(setup), setup["role"], setup["network"], PROBE, setup["ap"].access_point_arn
    )
    config = lam.get_function_configuration(FunctionName=function)
    assert config["FileSystemConfigs"] == [{"Arn": setup["ap"].access_point_arn, "LocalMountPath": MOUNT}]
    assert config["VpcConfig"]["VpcId"] == setup["network"].vpc_id
    assert config["EphemeralStorage"] == {"Size": 512}
    lam.update_function_configuration(FunctionName=function, EphemeralStorage={"Size": 1024})
    assert lam.get_function_configuration(FunctionName=function)["EphemeralStorage"] == {"Size": 1024}


def test_lambda_refuses_what_aws_refuses(emulator, setup, lam):
    ap, network = setup["ap"], setup["network"]
    zipped = {"ZipFile": PROBE.read_bytes()}
    base = {"Runtime": "python3.12", "Role": setup["role"], "Handler": "efs_probe.handler", "Code": zipped}
    with pytest.raises(ClientError) as outside:
        lam.create_function(
            FunctionName=unique(setup),
            FileSystemConfigs=[{"Arn": ap.access_point_arn, "LocalMountPath": MOUNT}],
            **base,
        )
    assert outside.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert "must be configured to execute in a VPC" in outside.value.response["Error"]["Message"]

    with pytest.raises(ClientError) as path:
        vpc_function(emulator, unique(setup), setup["role"], network, PROBE, ap.access_point_arn, mount_path="/data")
    assert path.value.response["Error"]["Code"] == "ValidationException"
    assert "localMountPath" in path.value.response["Error"]["Message"]

    missing = ap.access_point_arn.rsplit("/", 1)[0] + "/fsap-0123456789abcdef0"
    with pytest.raises(ClientError) as unknown:
        vpc_function(emulator, unique(setup), setup["role"], network, PROBE, missing)
    assert unknown.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert missing in unknown.value.response["Error"]["Message"]

    no_eni = vpc_role(emulator, f"{unique(setup)}-noeni", vpc_access=False)
    with pytest.raises(ClientError) as role:
        vpc_function(emulator, unique(setup), no_eni, network, PROBE, ap.access_point_arn)
    assert role.value.response["Error"]["Code"] == "InvalidParameterValueException"
    assert role.value.response["Error"]["Message"] == (
        "The provided execution role does not have permissions to call CreateNetworkInterface on EC2"
    )

    function = vpc_function(emulator, unique(setup), setup["role"], network, PROBE, ap.access_point_arn)
    with pytest.raises(ClientError) as update:
        lam.update_function_configuration(
            FunctionName=function, FileSystemConfigs=[{"Arn": ap.access_point_arn, "LocalMountPath": "/mnt/a/b"}]
        )
    assert update.value.response["Error"]["Code"] == "ValidationException"


def test_handler_writes_as_the_access_points_user_in_the_tree_datasync_writes(emulator, setup, lam):
    ap = setup["ap"]
    function = vpc_function(emulator, unique(setup), setup["role"], setup["network"], PROBE, ap.access_point_arn)
    written = invoke(lam, function, {"op": "write", "mount": MOUNT, "name": "hello.txt", "text": "hi"})
    assert written == {"uid": 1000, "gid": 1001, "mode": 0o644, "euid": 1000}
    on_efs = ap.directory / "hello.txt"
    assert on_efs.read_text() == "hi"
    assert (on_efs.stat().st_uid, on_efs.stat().st_gid) == (1000, 1001)
    # the root directory was made on first mount with the access point's CreationInfo
    assert (ap.directory.stat().st_uid, ap.directory.stat().st_gid, ap.directory.stat().st_mode & 0o777) == (
        1000,
        1001,
        0o750,
    )
    (ap.directory / "from-datasync.txt").write_text("copied")
    assert invoke(lam, function, {"op": "read", "mount": MOUNT, "name": "from-datasync.txt"}) == {"text": "copied"}
    names = invoke(lam, function, {"op": "environment"})["names"]
    assert not [n for n in names if "LAKEDROP" in n and n.startswith("_")]


def test_tmp_is_limited_to_ephemeral_storage(emulator, setup, lam):
    function = vpc_function(
        emulator, unique(setup), setup["role"], setup["network"], PROBE, setup["ap"].access_point_arn
    )
    assert invoke(lam, function, {"op": "tmp_size"}) == {"mb": 512}
    full = invoke(lam, function, {"op": "fill_tmp", "mb": 520})
    assert full["errno"] == errno.ENOSPC, full
    lam.update_function_configuration(FunctionName=function, EphemeralStorage={"Size": 1024})
    assert invoke(lam, function, {"op": "tmp_size"}) == {"mb": 1024}


def _file_system_policy(emulator, setup, actions: list[str]) -> None:
    ap = setup["ap"]
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": setup["role"]},
        "Action": actions,
        "Resource": ap.file_system_arn,
        "Condition": {
            "Bool": {"aws:SecureTransport": "true"},
            "StringEquals": {"elasticfilesystem:AccessPointArn": ap.access_point_arn},
        },
    }
    policy = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    emulator.client("efs").put_file_system_policy(FileSystemId=ap.file_system_id, Policy=policy)


def test_file_system_policy_decides_mount_and_write(emulator, setup, lam):
    ap = setup["ap"]
    try:
        _file_system_policy(emulator, setup, ["elasticfilesystem:ClientMount"])
        read_only = vpc_function(emulator, unique(setup), setup["role"], setup["network"], PROBE, ap.access_point_arn)
        refused = invoke(lam, read_only, {"op": "write", "mount": MOUNT, "name": "ro.txt"})
        assert refused["errno"] in (errno.EROFS, errno.EACCES), refused

        _file_system_policy(emulator, setup, ["elasticfilesystem:ClientWrite"])  # no ClientMount
        unmountable = vpc_function(emulator, unique(setup), setup["role"], setup["network"], PROBE, ap.access_point_arn)
        with pytest.raises(ClientError) as failure:
            lam.invoke(FunctionName=unmountable, Payload=b'{"op": "environment"}')
        assert failure.value.response["Error"]["Code"] == "EFSMountFailureException"

        _file_system_policy(emulator, setup, ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"])
        writer = vpc_function(emulator, unique(setup), setup["role"], setup["network"], PROBE, ap.access_point_arn)
        assert invoke(lam, writer, {"op": "write", "mount": MOUNT, "name": "rw.txt"})["uid"] == 1000
    finally:
        emulator.client("efs").delete_file_system_policy(FileSystemId=ap.file_system_id)


def test_no_network_path_to_a_mount_target(emulator, setup, lam):
    network, ec2 = setup["network"], emulator.client("ec2")
    closed = ec2.create_security_group(GroupName=unique(setup), Description="no nfs", VpcId=network.vpc_id)["GroupId"]
    function = vpc_function(emulator, unique(setup), setup["role"], network, PROBE, setup["ap"].access_point_arn)
    lam.update_function_configuration(
        FunctionName=function, VpcConfig={"SubnetIds": network.subnet_ids, "SecurityGroupIds": [closed]}
    )
    with pytest.raises(ClientError) as blocked:
        lam.invoke(FunctionName=function, Payload=b'{"op": "environment"}')
    assert blocked.value.response["Error"]["Code"] == "EFSMountConnectivityException"

    lonely = efs_access_point(emulator, unique(setup), network, mount_targets=False)
    function = vpc_function(emulator, unique(setup), setup["role"], network, PROBE, lonely.access_point_arn)
    with pytest.raises(ClientError) as no_target:
        lam.invoke(FunctionName=function, Payload=b'{"op": "environment"}')
    assert no_target.value.response["Error"]["Code"] == "EFSMountConnectivityException"
    assert "mount target" in no_target.value.response["Error"]["Message"]

    # A mount target in one of the function's two zones only: Lambda may run it in the other.
    half = efs_access_point(emulator, unique(setup), network, mount_targets=False)
    emulator.client("efs").create_mount_target(
        FileSystemId=half.file_system_id, SubnetId=network.subnet_ids[0], SecurityGroups=[network.efs_group]
    )
    function = vpc_function(emulator, unique(setup), setup["role"], network, PROBE, half.access_point_arn)
    with pytest.raises(ClientError) as one_zone:
        lam.invoke(FunctionName=function, Payload=b'{"op": "environment"}')
    assert one_zone.value.response["Error"]["Code"] == "EFSMountConnectivityException"
    assert "Availability Zone" in one_zone.value.response["Error"]["Message"]


def test_mount_not_ready_fault_fails_the_next_cold_start_only(emulator, setup, lam):
    function = vpc_function(
        emulator, unique(setup), setup["role"], setup["network"], PROBE, setup["ap"].access_point_arn
    )
    assert emulator.control("POST", "lambda/faults", {"mount_not_ready": 1})["mount_not_ready"] == 1
    with pytest.raises(ClientError) as not_ready:
        lam.invoke(FunctionName=function, Payload=b'{"op": "environment"}')
    assert not_ready.value.response["Error"]["Code"] == "EFSMountFailureException"
    assert emulator.control("POST", "lambda/faults", {})["mount_not_ready"] == 0
    assert "names" in invoke(lam, function, {"op": "environment"})


def test_a_mapped_batch_whose_mount_fails_comes_back_to_the_queue(emulator, setup, lam):
    name = unique(setup)
    sqs = emulator.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes={"VisibilityTimeout": "1"})["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    consume = {"Effect": "Allow", "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"]}
    role = vpc_role(emulator, f"{name}-role", statements=[{**consume, "Resource": queue_arn}])
    ap = setup["ap"]
    function = vpc_function(emulator, name, role, setup["network"], PROBE, ap.access_point_arn)
    emulator.control("POST", "lambda/faults", {"mount_not_ready": 1})
    since = time.time()
    message = sqs.send_message(QueueUrl=url, MessageBody="queued")["MessageId"]
    lam.create_event_source_mapping(FunctionName=function, EventSourceArn=queue_arn, BatchSize=1)
    deadline = time.monotonic() + 30
    while not (ap.directory / message).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert (ap.directory / message).read_text() == "queued"
    runs = emulator.control("GET", f"lambda/invocations?since={since}")["invocations"]
    outcomes = [(r["ok"], (r["error"] or {}).get("errorType")) for r in runs if r["function"] == function]
    assert outcomes[:2] == [(False, "EFSMountFailureException"), (True, None)], outcomes


def test_functions_without_file_systems_run_as_before(emulator, setup, lam):
    function = vpc_function(emulator, unique(setup), setup["role"], setup["network"], PROBE)
    assert "names" in invoke(lam, function, {"op": "environment"})
