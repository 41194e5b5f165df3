"""ECS task definitions as the ecs_efs_volume role reads them: the family's latest ACTIVE revision."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from support.ansible import run_module

from lakedrop_emulator.ext.shapes import assert_output_matches

EFS_VOLUME = {
    "name": "shared",
    "efsVolumeConfiguration": {
        "fileSystemId": "fs-0123456789abcdef0",
        "rootDirectory": "/",
        "transitEncryption": "ENABLED",
        "authorizationConfig": {"accessPointId": "fsap-0123456789abcdef0", "iam": "ENABLED"},
    },
}


@pytest.fixture
def ecs(clients):
    return clients("ecs")


def register(ecs, family: str, **extra) -> dict:
    answer = ecs.register_task_definition(
        family=family,
        containerDefinitions=[{"name": "app", "image": "busybox", "memory": 64}],
        **extra,
    )
    return assert_output_matches("ecs", "RegisterTaskDefinition", answer)["taskDefinition"]


def describe(ecs, name: str) -> dict:
    return assert_output_matches("ecs", "DescribeTaskDefinition", ecs.describe_task_definition(taskDefinition=name))


def test_family_alone_names_the_latest_active_revision(ecs, unique):
    family = f"td-{unique}"
    first = register(ecs, family)
    second = register(ecs, family, volumes=[EFS_VOLUME])
    assert describe(ecs, family)["taskDefinition"]["revision"] == second["revision"]

    ecs.deregister_task_definition(taskDefinition=second["taskDefinitionArn"])

    # moto answered the deregistered revision 2
    assert describe(ecs, family)["taskDefinition"]["revision"] == first["revision"]
    # an explicit revision or ARN still finds the INACTIVE one, as in ECS
    assert describe(ecs, f"{family}:{second['revision']}")["taskDefinition"]["status"] == "INACTIVE"
    assert describe(ecs, second["taskDefinitionArn"])["taskDefinition"]["volumes"] == [EFS_VOLUME]


def test_a_family_without_active_revisions_cannot_be_described(ecs, unique):
    family = f"td-{unique}"
    only = register(ecs, family)
    ecs.deregister_task_definition(taskDefinition=only["taskDefinitionArn"])

    with pytest.raises(ClientError) as raised:
        ecs.describe_task_definition(taskDefinition=family)

    assert raised.value.response["Error"]["Code"] == "ClientException"
    assert raised.value.response["Error"]["Message"] == "Unable to describe task definition."
    # the next registration continues the numbering
    assert register(ecs, family)["revision"] == only["revision"] + 1


def test_services_named_by_family_use_the_latest_active_revision(ecs, unique):
    family = f"td-{unique}"
    first = register(ecs, family)
    second = register(ecs, family)
    ecs.deregister_task_definition(taskDefinition=second["taskDefinitionArn"])
    cluster = ecs.create_cluster(clusterName=f"c-{unique}")["cluster"]["clusterName"]

    service = ecs.create_service(cluster=cluster, serviceName="svc", taskDefinition=family, desiredCount=0)

    assert service["service"]["taskDefinition"] == first["taskDefinitionArn"]


def test_clusters_answer_their_capacity_providers_even_when_empty(ecs, unique):
    # moto left both out for a cluster created without any; community.aws.ecs_cluster then failed with
    # KeyError 'capacityProviders' on every run after the first
    created = ecs.create_cluster(clusterName=f"c-{unique}")
    assert_output_matches("ecs", "CreateCluster", created)

    described = assert_output_matches("ecs", "DescribeClusters", ecs.describe_clusters(clusters=[f"c-{unique}"]))

    for cluster in (created["cluster"], described["clusters"][0]):
        assert cluster["capacityProviders"] == []
        assert cluster["defaultCapacityProviderStrategy"] == []


def test_community_ecs_cluster_is_idempotent(emulator, ecs, unique):
    args = {"name": f"c-{unique}", "state": "present"}
    assert run_module(emulator, "community.aws.ecs_cluster", args).changed

    mark = emulator.mark()
    again = run_module(emulator, "community.aws.ecs_cluster", args)

    assert not again.failed, again.result
    assert not again.changed
    assert emulator.writes(mark, "target") == []


def _service(ecs, cluster: str) -> dict:
    answer = ecs.describe_services(cluster=cluster, services=["svc"])
    return assert_output_matches("ecs", "DescribeServices", answer)["services"][0]


def test_update_service_to_a_new_revision_names_its_arn_and_deploys_it(ecs, unique):
    # moto stored the string as given ("family:2") and left the deployment on the old revision
    family = f"td-{unique}"
    first = register(ecs, family)
    cluster = ecs.create_cluster(clusterName=f"c-{unique}")["cluster"]["clusterName"]
    ecs.create_service(cluster=cluster, serviceName="svc", taskDefinition=f"{family}:1", desiredCount=1)
    before = _service(ecs, cluster)
    assert before["taskDefinition"] == first["taskDefinitionArn"]
    second = register(ecs, family, volumes=[EFS_VOLUME])

    ecs.update_service(cluster=cluster, service="svc", taskDefinition=f"{family}:{second['revision']}")

    after = _service(ecs, cluster)
    assert after["taskDefinition"] == second["taskDefinitionArn"]
    assert [d["taskDefinition"] for d in after["deployments"]] == [second["taskDefinitionArn"]]
    assert after["deployments"][0]["id"] != before["deployments"][0]["id"]
    assert after["deployments"][0]["status"] == "PRIMARY"


def test_update_service_with_the_same_revision_keeps_the_deployment_unless_forced(ecs, unique):
    family = f"td-{unique}"
    first = register(ecs, family)
    cluster = ecs.create_cluster(clusterName=f"c-{unique}")["cluster"]["clusterName"]
    ecs.create_service(cluster=cluster, serviceName="svc", taskDefinition=family, desiredCount=1)
    before = _service(ecs, cluster)

    ecs.update_service(cluster=cluster, service="svc", taskDefinition=first["taskDefinitionArn"])
    unchanged = _service(ecs, cluster)
    ecs.update_service(cluster=cluster, service="svc", forceNewDeployment=True)
    forced = _service(ecs, cluster)

    assert unchanged["deployments"][0]["id"] == before["deployments"][0]["id"]
    assert forced["deployments"][0]["id"] != before["deployments"][0]["id"]
    assert forced["taskDefinition"] == forced["deployments"][0]["taskDefinition"] == first["taskDefinitionArn"]


def test_update_service_to_an_unknown_revision_fails(ecs, unique):
    family = f"td-{unique}"
    register(ecs, family)
    cluster = ecs.create_cluster(clusterName=f"c-{unique}")["cluster"]["clusterName"]
    ecs.create_service(cluster=cluster, serviceName="svc", taskDefinition=family, desiredCount=0)

    with pytest.raises(ClientError) as raised:
        ecs.update_service(cluster=cluster, service="svc", taskDefinition=f"{family}:9")

    assert raised.value.response["Error"]["Code"] == "ClientException"
    assert _service(ecs, cluster)["taskDefinition"].endswith(f"{family}:1")
