"""ECS task definition behaviour of the real API that moto 5.2.5 lacks and the ecs_efs_volume role relies on:

- DescribeTaskDefinition (and everything that names a task definition by family alone: CreateService,
  UpdateService, RunTask...) used the family's highest revision even when it was INACTIVE
  (deregistered); ECS uses the latest ACTIVE revision and answers ClientException "Unable to describe
  task definition." when the family has none. `family:revision` and ARNs still find INACTIVE revisions,
  as in ECS.
"""

from __future__ import annotations

from typing import Any

from moto.ecs.exceptions import TaskDefinitionNotFoundException


def _patch() -> None:
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
    _patch()
