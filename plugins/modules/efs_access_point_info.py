#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: efs_access_point_info
short_description: List Amazon EFS access points
version_added: 0.1.0
description:
  - List EFS access points of a file system, one access point by ID, or every access point of the
    account in the region, narrowed by C(Name) tag and other tags. Never changes anything.
  - Access points that are being deleted are listed too; see RV(access_points[].life_cycle_state).
author:
  - Lakedrop Delivery Maintainers (@lakedrop)
options:
  file_system:
    description:
      - The file system, as an ID (V(fs-0123456789abcdef0)) or a file system ARN. Only its access points
        are listed. The module fails when it does not exist.
    type: str
  access_point_id:
    description:
      - ID (V(fsap-...)) or ARN of one access point. An access point that does not exist gives an empty
        list.
    type: str
  name:
    description: Only access points whose C(Name) tag is this value.
    type: str
  tags:
    description: Only access points carrying every one of these tags with the same value.
    type: dict
extends_documentation_fragment:
  - lakedrop.delivery.lakedrop
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode (it makes no change in any mode).
"""

EXAMPLES = r"""
- name: The access point the delivery containers use
  lakedrop.delivery.efs_access_point_info:
    file_system: fs-0123456789abcdef0
    name: lakedrop-delivery
  register: found

- name: Every access point of the file system that the data team tagged
  lakedrop.delivery.efs_access_point_info:
    file_system: fs-0123456789abcdef0
    tags:
      team: data

- name: One access point by ID
  lakedrop.delivery.efs_access_point_info:
    access_point_id: "{{ found.access_points[0].access_point_id }}"
"""

RETURN = r"""
access_points:
  description: The matching access points, in the shape efs_access_point returns.
  returned: always
  type: list
  elements: dict
  contains:
    access_point_id:
      description: ID of the access point.
      type: str
      sample: fsap-0123456789abcdef0
    access_point_arn:
      description: ARN of the access point.
      type: str
      sample: arn:aws:elasticfilesystem:eu-west-1:222222222222:access-point/fsap-0123456789abcdef0
    file_system_id:
      description: ID of the file system.
      type: str
      sample: fs-0123456789abcdef0
    name:
      description: The C(Name) tag (null when it has none).
      type: str
      sample: lakedrop-delivery
    posix_user:
      description: The enforced POSIX user; null when the access point has none.
      type: dict
      contains:
        uid:
          description: User ID.
          type: int
        gid:
          description: Primary group ID.
          type: int
        secondary_gids:
          description: Secondary group IDs.
          type: list
          elements: int
    root_directory:
      description: The directory exposed as the access point's root.
      type: dict
      contains:
        path:
          description: Path in the file system.
          type: str
          sample: /lake
        creation_info:
          description: How EFS creates the path if missing; null when the access point has none.
          type: dict
          contains:
            owner_uid:
              description: Owner user ID.
              type: int
            owner_gid:
              description: Owner group ID.
              type: int
            permissions:
              description: Mode, as octal digits.
              type: str
              sample: "0750"
    life_cycle_state:
      description: C(creating), C(available), C(updating), C(deleting), C(deleted) or C(error).
      type: str
      sample: available
    owner_id:
      description: AWS account that owns the access point.
      type: str
      sample: "222222222222"
    tags:
      description: The access point's tags.
      type: dict
      sample: {"Name": "lakedrop-delivery", "team": "data"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import access_points as ap
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import efs_api


def validate(params, region=None):
    return [p for p in ap.reference_problems(params, region) if p]


def list_access_points(module, client):
    params = module.params
    fs_id = ap.file_system_id(params["file_system"]) if params["file_system"] else None
    if fs_id and not efs_api.describe_file_system(client, fs_id):
        module.fail_json(msg=f"file_system {params['file_system']} does not exist in region {module.region}.")
    if params["access_point_id"]:
        described = efs_api.describe_access_points(
            client, access_point_id=ap.access_point_id(params["access_point_id"])
        )
    else:
        described = efs_api.describe_access_points(client, file_system_id=fs_id)
    results = [ap.to_result(d) for d in described]
    if fs_id:
        results = [r for r in results if r["file_system_id"] == fs_id]
    if params["name"] is not None:
        results = [r for r in results if r["tags"].get("Name") == params["name"]]
    return ap.select(results, params["tags"])


def main():
    argument_spec = dict(
        file_system=dict(type="str"),
        access_point_id=dict(type="str"),
        name=dict(type="str"),
        tags=dict(type="dict"),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    problems = validate(module.params, module.region)
    if problems:
        module.fail_json(msg=" ".join(problems), problems=problems)
    client = module.client("efs")
    try:
        access_points = list_access_points(module, client)
    except AnsibleAWSError as err:
        module.fail_json_aws_error(err)
    module.exit_json(changed=False, access_points=access_points)


if __name__ == "__main__":
    main()
