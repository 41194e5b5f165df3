"""lakedrop.delivery.with_efs_volume: the pure transformation behind the ecs_efs_volume role."""

from __future__ import annotations

import copy

import pytest
from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from ansible_collections.lakedrop.delivery.plugins.filter.with_efs_volume import FilterModule
from ansible_collections.lakedrop.delivery.plugins.filter.with_efs_volume import with_efs_volume

FS = "fs-0123456789abcdef0"
AP = "fsap-0123456789abcdef0"
EFS_VOLUME = {
    "name": "shared",
    "efsVolumeConfiguration": {
        "fileSystemId": FS,
        "rootDirectory": "/",
        "transitEncryption": "ENABLED",
        "authorizationConfig": {"accessPointId": AP, "iam": "ENABLED"},
    },
}
MOUNT = {"sourceVolume": "shared", "containerPath": "/data", "readOnly": False}

# A DescribeTaskDefinition answer as ECS gives it: two containers, a host volume, roles, Fargate.
TASK_DEFINITION = {
    "taskDefinitionArn": "arn:aws:ecs:eu-west-1:222222222222:task-definition/reports:7",
    "family": "reports",
    "revision": 7,
    "status": "ACTIVE",
    "taskRoleArn": "arn:aws:iam::222222222222:role/reports-task",
    "executionRoleArn": "arn:aws:iam::222222222222:role/reports-execution",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "compatibilities": ["EC2", "FARGATE"],
    "cpu": "512",
    "memory": "1024",
    "runtimePlatform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
    "requiresAttributes": [{"name": "ecs.capability.efsAuth"}],
    "placementConstraints": [],
    "registeredAt": "2026-11-25T21:00:00+00:00",
    "registeredBy": "arn:aws:iam::222222222222:user/ops",
    "volumes": [{"name": "scratch", "host": {}}],
    "containerDefinitions": [
        {
            "name": "app",
            "image": "public.ecr.aws/docker/library/busybox:stable",
            "cpu": 0,
            "essential": True,
            "command": ["sleep", "infinity"],
            "environment": [{"name": "MODE", "value": "batch"}],
            "secrets": [{"name": "TOKEN", "valueFrom": "arn:aws:ssm:eu-west-1:222222222222:parameter/token"}],
            "portMappings": [{"containerPort": 8787, "hostPort": 8787, "protocol": "tcp"}],
            "mountPoints": [{"sourceVolume": "scratch", "containerPath": "/scratch", "readOnly": False}],
            "volumesFrom": [],
            "healthCheck": {"command": ["CMD", "true"], "interval": 30, "startPeriod": 10},
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": "/ecs/reports",
                    "awslogs-region": "eu-west-1",
                    "awslogs-stream-prefix": "app",
                },
            },
            "dockerLabels": {"com.example.team": "data"},
        },
        {
            "name": "sidecar",
            "image": "public.ecr.aws/docker/library/busybox:stable",
            "essential": False,
            "mountPoints": [],
            "dependsOn": [{"containerName": "app", "condition": "START"}],
        },
    ],
}


def info_shape(task_definition):
    """What community.aws.ecs_taskdefinition_info registers for it."""
    return {"changed": False, "failed": False, **camel_dict_to_snake_dict(copy.deepcopy(task_definition))}


def add(task_definition, **overrides):
    args = dict(
        container_name="app", volume_name="shared", file_system_id=FS, access_point_id=AP, container_path="/data"
    )
    args.update(overrides)
    return with_efs_volume(task_definition, **args)


def app(result):
    return next(c for c in result["task_definition"]["containerDefinitions"] if c["name"] == "app")


@pytest.mark.parametrize("shape", [copy.deepcopy, info_shape], ids=["api", "ecs_taskdefinition_info"])
def test_present_adds_the_volume_and_mount_point_and_keeps_everything_else(shape):
    result = add(shape(TASK_DEFINITION))

    assert result["changed"]
    assert result["unkept"] == []
    expected = copy.deepcopy(TASK_DEFINITION)
    expected["volumes"].append(EFS_VOLUME)
    expected["containerDefinitions"][0]["mountPoints"].append(MOUNT)
    assert result["task_definition"] == expected


def test_register_arguments_reproduce_the_task_definition():
    register = add(info_shape(TASK_DEFINITION))["register"]

    assert register == {
        "family": "reports",
        "containers": add(TASK_DEFINITION)["task_definition"]["containerDefinitions"],
        "volumes": [{"name": "scratch", "host": {}}, EFS_VOLUME],
        "network_mode": "awsvpc",
        "task_role_arn": "arn:aws:iam::222222222222:role/reports-task",
        "execution_role_arn": "arn:aws:iam::222222222222:role/reports-execution",
        "launch_type": "FARGATE",
        "cpu": "512",
        "memory": "1024",
        "runtime_platform": {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
    }


def test_a_bare_task_definition_registers_with_module_defaults():
    bare = {"family": "plain", "containerDefinitions": [{"name": "app", "image": "x", "memory": 64}]}

    register = add(bare)["register"]

    assert register["network_mode"] == "default"  # not sent: ECS keeps its own default
    assert register["task_role_arn"] == "" and register["execution_role_arn"] == ""
    assert not {"launch_type", "cpu", "memory", "runtime_platform", "placement_constraints"} & set(register)


@pytest.mark.parametrize("shape", [copy.deepcopy, info_shape], ids=["api", "ecs_taskdefinition_info"])
def test_applying_twice_changes_nothing_the_second_time(shape):
    once = add(shape(TASK_DEFINITION))["task_definition"]

    again = add(shape(once))

    assert not again["changed"]
    assert again["task_definition"] == once


def test_an_existing_volume_of_that_name_is_replaced_in_place():
    td = copy.deepcopy(TASK_DEFINITION)
    td["volumes"] = [
        {"name": "shared", "efsVolumeConfiguration": {"fileSystemId": "fs-00000000", "transitEncryption": "DISABLED"}},
        {"name": "scratch", "host": {}},
    ]
    td["containerDefinitions"][0]["mountPoints"].append(
        {"sourceVolume": "shared", "containerPath": "/old", "readOnly": True}
    )

    result = add(td)

    assert result["changed"]
    assert result["task_definition"]["volumes"] == [EFS_VOLUME, {"name": "scratch", "host": {}}]
    assert app(result)["mountPoints"] == [
        {"sourceVolume": "scratch", "containerPath": "/scratch", "readOnly": False},
        MOUNT,
    ]


def test_a_mount_point_at_the_same_path_is_replaced_at_its_position():
    td = copy.deepcopy(TASK_DEFINITION)
    td["containerDefinitions"][0]["mountPoints"] = [
        {"sourceVolume": "scratch", "containerPath": "/data", "readOnly": False},
        {"sourceVolume": "other", "containerPath": "/other", "readOnly": False},
    ]

    result = add(td)

    assert app(result)["mountPoints"] == [
        MOUNT,
        {"sourceVolume": "other", "containerPath": "/other", "readOnly": False},
    ]


@pytest.mark.parametrize("read_only", [True, "yes"])
def test_read_only_is_a_change_of_the_mount_point(read_only):
    once = add(TASK_DEFINITION)["task_definition"]

    result = add(once, read_only=read_only)

    assert result["changed"]
    assert app(result)["mountPoints"][-1] == {**MOUNT, "readOnly": True}
    assert result["task_definition"]["volumes"] == once["volumes"]


def test_a_new_access_point_is_a_change_of_the_volume_only():
    once = add(TASK_DEFINITION)["task_definition"]

    result = add(once, access_point_id="fsap-00000000000000001")

    assert result["changed"]
    assert result["task_definition"]["volumes"][-1]["efsVolumeConfiguration"]["authorizationConfig"][
        "accessPointId"
    ] == ("fsap-00000000000000001")
    assert result["task_definition"]["containerDefinitions"] == once["containerDefinitions"]


def test_other_containers_are_left_alone():
    result = add(TASK_DEFINITION)

    assert result["task_definition"]["containerDefinitions"][1] == TASK_DEFINITION["containerDefinitions"][1]


def test_absent_removes_the_volume_and_every_mount_point_of_it():
    td = add(TASK_DEFINITION)["task_definition"]
    td["containerDefinitions"][1]["mountPoints"] = [
        {"sourceVolume": "shared", "containerPath": "/in", "readOnly": True}
    ]

    result = with_efs_volume(info_shape(td), container_name="app", volume_name="shared", state="absent")

    assert result["changed"]
    assert result["task_definition"] == {
        **TASK_DEFINITION,
        "containerDefinitions": [
            TASK_DEFINITION["containerDefinitions"][0],
            {**TASK_DEFINITION["containerDefinitions"][1], "mountPoints": []},
        ],
    }


def test_absent_needs_no_container():
    td = add(TASK_DEFINITION)["task_definition"]

    result = with_efs_volume(td, volume_name="shared", state="absent")

    assert result["changed"]
    assert result["task_definition"] == TASK_DEFINITION


def test_absent_without_the_volume_changes_nothing():
    result = with_efs_volume(info_shape(TASK_DEFINITION), container_name="app", volume_name="shared", state="absent")

    assert not result["changed"]
    assert result["task_definition"] == TASK_DEFINITION


def test_module_noise_is_dropped():
    result = add(info_shape(TASK_DEFINITION))

    assert not {"changed", "failed"} & set(result["task_definition"])


def test_user_map_keys_renamed_by_the_info_module_are_reported_not_guessed():
    td = copy.deepcopy(TASK_DEFINITION)
    td["containerDefinitions"][0]["dockerLabels"] = {
        "LOG_LEVEL": "debug",
        "com.example.team": "data",
        "traefik.myApp": "x",
    }
    td["volumes"].append(
        {"name": "dv", "dockerVolumeConfiguration": {"driverOpts": {"type": "nfs"}, "labels": {"Team": "x"}}}
    )

    from_info = add(info_shape(td))
    from_api = add(td)

    assert from_info["unkept"] == [
        "containerDefinitions[app].dockerLabels key 'log_level' (community.aws.ecs_taskdefinition_info may have renamed it)",
        "containerDefinitions[app].dockerLabels key 'traefik.my_app' (community.aws.ecs_taskdefinition_info may have renamed it)",
    ]
    # the keys stay as read (never camelised), so nothing is renamed a second time
    assert app(from_info)["dockerLabels"] == {"log_level": "debug", "com.example.team": "data", "traefik.my_app": "x"}
    assert from_info["task_definition"]["volumes"][1]["dockerVolumeConfiguration"]["driverOpts"] == {"type": "nfs"}
    # the API's shape keeps them exactly
    assert from_api["unkept"] == []
    assert app(from_api)["dockerLabels"] == td["containerDefinitions"][0]["dockerLabels"]


@pytest.mark.parametrize(
    ("field", "value", "reported"),
    [
        (
            "ephemeralStorage",
            {"sizeInGiB": 40},
            "ephemeralStorage (community.aws.ecs_taskdefinition cannot register it)",
        ),
        ("pidMode", "task", "pidMode (community.aws.ecs_taskdefinition cannot register it)"),
        ("requiresCompatibilities", ["EC2", "FARGATE"], "requiresCompatibilities ['EC2', 'FARGATE']"),
        ("requiresCompatibilities", ["EXTERNAL"], "requiresCompatibilities ['EXTERNAL']"),
        ("runtimePlatform", {"operatingSystemFamily": "WINDOWS_SERVER_2016_FULL"}, "runtimePlatform"),
    ],
)
def test_what_the_register_module_cannot_carry_is_reported(field, value, reported):
    td = {**TASK_DEFINITION, field: value}

    result = add(info_shape(td))

    assert len(result["unkept"]) == 1
    assert result["unkept"][0].startswith(reported)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"container_name": "web"}, "no container named 'web' in task definition reports:7 (containers: app, sidecar)"),
        ({"container_name": None}, "no container named None"),
        ({"file_system_id": "fs-XYZ"}, "file_system_id must look like"),
        ({"file_system_id": None}, "file_system_id must look like"),
        ({"access_point_id": FS}, "access_point_id must look like"),
        ({"container_path": "data"}, "container_path must be an absolute path"),
        ({"volume_name": "a b"}, "volume_name must be"),
        ({"read_only": "maybe"}, "read_only must be a boolean"),
        ({"state": "gone"}, "state must be present or absent"),
    ],
)
def test_bad_arguments_fail_with_the_argument_named(overrides, message):
    with pytest.raises(AnsibleFilterError, match=message.replace("(", r"\(").replace(")", r"\)")):
        add(TASK_DEFINITION, **overrides)


@pytest.mark.parametrize("value", [{"changed": False, "failed": False}, {}, "reports", None])
def test_something_that_is_not_a_task_definition_fails(value):
    with pytest.raises(AnsibleFilterError, match="with_efs_volume expects a task definition"):
        add(value)


def test_the_input_is_not_modified():
    td = info_shape(TASK_DEFINITION)
    before = copy.deepcopy(td)

    add(td)

    assert td == before


def test_the_plugin_exports_the_filter():
    assert FilterModule().filters() == {"with_efs_volume": with_efs_volume}
