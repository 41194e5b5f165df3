#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: datasync_location_efs
short_description: Manage AWS DataSync Amazon EFS locations
version_added: 0.1.0
description:
  - Create, update in place, replace (only when allowed) or delete a DataSync location for an Amazon EFS
    file system, optionally mounted through an EFS access point and with an IAM role.
  - DataSync locations have no name. An existing location is identified by O(location_arn) when given,
    otherwise by its URI (file system and subdirectory; C(sub/), C(/sub) and C(sub) are the same) together
    with its access point, because the access point decides where files land (its root directory is
    above the subdirectory) and does not appear in the URI; two deliveries into one file system through
    two access points are two locations. When several locations still match, O(tags) and then
    O(subnet) and O(security_groups) narrow the choice; if it is still ambiguous the module fails and
    lists them.
  - IDs are resolved to ARNs with read calls before anything is written; a file system, subnet,
    security group or access point that does not exist, or an access point of another file system,
    fails with a message naming it.
  - The subdirectory (with O(location_arn)), access point, role and in-transit encryption are changed
    in place with C(UpdateLocationEfs). The file system, subnet and security groups cannot be changed in
    place; see O(allow_replacement).
options:
  file_system:
    description:
      - The EFS file system, as an ID (V(fs-0123456789abcdef0)) or an ARN.
      - Required unless O(location_arn) is given.
    type: str
  subdirectory:
    description:
      - The directory DataSync reads from or writes to, relative to the file system's root, or to the
        access point's root directory when O(access_point) is given. A leading or trailing C(/) makes no
        difference; V("") and V(/) are the root. Must not contain C(//), C(/./) or C(/../).
      - With O(location_arn), changing it updates the location in place; without it, a different
        subdirectory names a different location.
    type: str
    default: ""
  subnet:
    description:
      - The subnet (ID or ARN) in which DataSync creates the network interface that mounts the file
        system. Its Availability Zone must have a mount target of the file system.
      - Required with O(state=present) unless O(location_arn) is given. Cannot be changed in place.
    type: str
  security_groups:
    description:
      - One to five security groups (IDs or ARNs) for that network interface; they must be allowed to
        reach the mount targets on NFS port 2049.
      - Required with O(state=present) unless O(location_arn) is given. Compared as a set. Cannot be
        changed in place.
    type: list
    elements: str
  access_point:
    description:
      - An access point (ID V(fsap-…) or ARN) of O(file_system) through which DataSync mounts it.
      - Part of the location's identity (see the description). Without O(location_arn), a different
        access point names a different location; with it, the access point is changed in place, and
        leaving it out removes it from the location.
    type: str
  file_system_access_role_arn:
    description:
      - An IAM role that DataSync assumes to access the file system (for file system policies that
        require IAM authorization).
      - Leaving it out means no role; removing it from the arguments removes it from the location.
    type: str
  in_transit_encryption:
    description:
      - Whether DataSync encrypts NFS traffic to the file system with TLS 1.2.
      - DataSync requires V(TLS1_2) with an access point or a role, so V(NONE) together with
        O(access_point) or O(file_system_access_role_arn) is refused.
      - When omitted, the module uses V(TLS1_2) if O(access_point) or O(file_system_access_role_arn) is
        given; otherwise an existing location keeps its setting and a new one gets V(NONE), DataSync's
        default.
    type: str
    choices: [NONE, TLS1_2]
extends_documentation_fragment: [lakedrop.delivery.lakedrop, lakedrop.delivery.lakedrop.location, lakedrop.delivery.lakedrop.idempotent,
  lakedrop.delivery.lakedrop.replacement, lakedrop.delivery.lakedrop.propagation, amazon.aws.common.modules,
  amazon.aws.region.modules, amazon.aws.tags, amazon.aws.boto3]
notes:
  - With O(allow_replacement=true) the new location is created before the old one is deleted, so a
    create that AWS refuses leaves the old location in place.
  - The caller needs C(elasticfilesystem:DescribeFileSystems), C(elasticfilesystem:DescribeAccessPoints),
    C(ec2:DescribeSubnets) and C(ec2:DescribeSecurityGroups) besides the DataSync permissions, and
    DataSync creates network interfaces in O(subnet).
"""

EXAMPLES = r"""
- name: Destination location on incoming/ under an access point's root directory
  lakedrop.delivery.datasync_location_efs:
    file_system: fs-0123456789abcdef0
    subdirectory: /incoming
    subnet: subnet-0123456789abcdef0
    security_groups:
      - sg-0123456789abcdef0
    access_point: fsap-0123456789abcdef0
    tags:
      Name: lakedrop-destination
  register: destination_location

- name: Stop using the access point (in place; TLS stays as it is)
  lakedrop.delivery.datasync_location_efs:
    location_arn: "{{ destination_location.location.location_arn }}"
    subdirectory: /incoming
    in_transit_encryption: TLS1_2

- name: Move the location to other subnets, replacing it
  lakedrop.delivery.datasync_location_efs:
    location_arn: "{{ destination_location.location.location_arn }}"
    file_system: fs-0123456789abcdef0
    subdirectory: /incoming
    subnet: subnet-0fedcba9876543210
    security_groups:
      - sg-0123456789abcdef0
    in_transit_encryption: TLS1_2
    allow_replacement: true
  register: moved_location

- name: Remove the location
  lakedrop.delivery.datasync_location_efs:
    state: absent
    file_system: fs-0123456789abcdef0
    subdirectory: /incoming
"""

RETURN = r"""
extends_documentation_fragment: [lakedrop.delivery.lakedrop.location_efs_return, lakedrop.delivery.lakedrop.replacement_return]
"""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import fragments
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import location_efs
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run_module

ARGUMENT_SPEC = dict(
    file_system=dict(type="str"),
    subdirectory=dict(type="str", default=""),
    subnet=dict(type="str"),
    security_groups=dict(type="list", elements="str"),
    access_point=dict(type="str"),
    file_system_access_role_arn=dict(type="str"),
    in_transit_encryption=dict(type="str", choices=location_efs.ENCRYPTION),
    **fragments.LOCATION,
    **fragments.REPLACEMENT,
    **fragments.PROPAGATION,
    **fragments.TAGS,
)


def main():
    run_module(ARGUMENT_SPEC, location_efs.run, location_efs.validate)


if __name__ == "__main__":
    main()
