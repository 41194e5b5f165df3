#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: efs_access_point_info
short_description: List Amazon EFS access points
version_added: 0.1.0
description:
  - List EFS access points of a file system, one access point by ID, or every access point of the
    account in the region, narrowed by C(Name) tag and other tags. Never changes anything.
  - Access points that are being deleted are listed too; see the C(life_cycle_state) of each entry of
    RV(access_points).
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
extends_documentation_fragment: [lakedrop.delivery.lakedrop, amazon.aws.common.modules, amazon.aws.region.modules, amazon.aws.boto3]
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
  description: The matching access points, in the shape M(lakedrop.delivery.efs_access_point) returns.
extends_documentation_fragment: [lakedrop.delivery.lakedrop.access_points_return]
"""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import access_points
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run_module

ARGUMENT_SPEC = dict(
    file_system=dict(type="str"),
    access_point_id=dict(type="str"),
    name=dict(type="str"),
    tags=dict(type="dict"),
)


def main():
    run_module(ARGUMENT_SPEC, access_points.run_info, access_points.validate_info)


if __name__ == "__main__":
    main()
