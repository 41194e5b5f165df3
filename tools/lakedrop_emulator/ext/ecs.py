"""ECS behaviour of the real API that moto 5.2.5 lacks and the ecs_efs_volume role relies on:

- DescribeTaskDefinition (and everything that names a task definition by family alone: CreateService,
  UpdateService, RunTask...) used the family's highest revision even when it was INACTIVE
  (deregistered); ECS uses the latest ACTIVE revision and answers ClientException "Unable to describe
  task definition." when the family has none. `family:revision` and ARNs still find INACTIVE revisions,
  as in ECS;
- CreateCluster/DescribeClusters left `capacityProviders` and `defaultCapacityProviderStrategy` out for
  a cluster that has none; ECS answers empty lists, and community.aws.ecs_cluster reads both (KeyError
  on every run after the one that created the cluster);
- UpdateService stored the task definition as given (`family:2`, not its ARN), so DescribeServices
  answered that string, and left the deployment on the previous revision. ECS answers the ARN and
  starts a new PRIMARY deployment of the new revision. Tasks never run in the emulator, so the new
  deployment replaces the old one at once (as moto's forceNewDeployment renewal does).
"""

from __future__ import annotations

from typing import Any

from moto.core.utils import utcnow
from moto.ecs.exceptions import TaskDefinitionNotFoundException
from moto.moto_api._internal import mock_random


def _patch_clusters() -> None:
    from moto.ecs.models import Cluster

    init = Cluster.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        if self.capacity_providers is None:
            self.capacity_providers = []
        if self.default_capacity_provider_strategy is None:
            self.default_capacity_provider_strategy = []

    Cluster.__init__ = __init__


def _patch_services() -> None:
    from moto.ecs.models import EC2ContainerServiceBackend

    update = EC2ContainerServiceBackend.update_service

    def update_service(self: Any, service_properties: dict[str, Any]) -> Any:
        wanted = service_properties.get("task_definition")
        if wanted:
            service_properties["task_definition"] = self.describe_task_definition(wanted).arn
        current = self._get_service(
            service_properties.get("cluster", "default"), service_properties["service"].split("/")[-1]
        )
        previous = current.task_definition
        service = update(self, service_properties)
        if service.deployments and service.task_definition != previous:
            now = utcnow()
            service.deployments[0].update(
                id=f"ecs-svc/{mock_random.randint(0, 32**12)}",
                taskDefinition=service.task_definition,
                createdAt=now,
                updatedAt=now,
            )
        return service

    EC2ContainerServiceBackend.update_service = update_service


def _patch_task_definitions() -> None:
    from moto.ecs.models import EC2ContainerServiceBackend

    describe = EC2ContainerServiceBackend.describe_task_definition

    def describe_task_definition(self: Any, task_definition_str: str) -> Any:
        name = task_definition_str.split("/")[-1]
        if ":" in name:
            return describe(self, task_definition_str)
        active = [rev for rev, td in self.task_definitions.get(name, {}).items() if td.status == "ACTIVE"]
        if not active:
            raise TaskDefinitionNotFoundException()
        return self.task_definitions[name][max(active)]

    EC2ContainerServiceBackend.describe_task_definition = describe_task_definition


def install() -> None:
    _patch_task_definitions()
    _patch_clusters()
    _patch_services()
