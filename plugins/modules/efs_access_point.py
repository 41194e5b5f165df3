#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: efs_access_point
short_description: Manage Amazon EFS access points
version_added: 0.1.0
description:
  - Create, retag, replace (only when allowed) or delete an EFS access point, the application-specific
    entry into a file system that enforces a POSIX user and a root directory.
  - An access point is identified by O(access_point_id) when given, otherwise by its C(Name) tag among
    the access points of O(file_system). When several access points of the file system carry that name
    the module fails and lists their IDs; it never picks one.
  - EFS can change only the tags of an access point. A different O(posix_user), O(root_directory) path
    or O(root_directory.creation_info) makes the module fail and name each field with its current and
    desired value, unless O(allow_replacement=true).
  - Creation uses a client token derived from the file system, the name and the create-only settings,
    so a create that is retried (by the module, or by a run that timed out) never makes a second
    access point.
options:
  state:
    description: Whether the access point should exist.
    type: str
    choices: [present, absent]
    default: present
  file_system:
    description:
      - The file system, as an ID (V(fs-0123456789abcdef0)) or a file system ARN.
      - Required unless O(access_point_id) is given. With O(state=present) the file system must exist.
      - With O(access_point_id), a different file system is a create-only change.
    type: str
  name:
    description:
      - The value of the access point's C(Name) tag, which identifies it among the access points of
        O(file_system). Required unless O(access_point_id) is given.
      - With O(access_point_id), a different name renames the access point in place (its C(Name) tag).
    type: str
  access_point_id:
    description:
      - ID (V(fsap-...)) or ARN of the access point to manage. Pins the identity; the access point must
        exist when given with O(state=present).
    type: str
  posix_user:
    description:
      - The user and groups every file system request through the access point is made as, whatever
        the NFS client says.
      - When omitted, an existing access point's POSIX user is left alone (and a new one has none).
      - Create-only.
    type: dict
    suboptions:
      uid:
        description: User ID, from 0 to 4294967295.
        type: int
        required: true
      gid:
        description: Primary group ID, from 0 to 4294967295.
        type: int
        required: true
      secondary_gids:
        description:
          - Up to 16 secondary group IDs. Their order does not matter. Omitted means none.
        type: list
        elements: int
  root_directory:
    description:
      - The directory of the file system that clients of the access point see as C(/).
      - When omitted, an existing access point's root directory is left alone (and a new one uses C(/)).
      - Create-only.
    type: dict
    suboptions:
      path:
        description:
          - Absolute path, at most 100 characters and 4 levels below C(/); no component may start with
            C(.). A trailing C(/) is ignored.
        type: str
        default: /
      creation_info:
        description:
          - Owner and mode EFS gives O(root_directory.path) if it does not exist when the access point is
            first used. EFS only applies it then, but keeps and returns it, so the module compares it.
          - When omitted, the existing creation info is left alone. Without it, a path that does not
            exist cannot be mounted.
        type: dict
        suboptions:
          owner_uid:
            description: Owner user ID of the directory, from 0 to 4294967295.
            type: int
            required: true
          owner_gid:
            description: Owner group ID of the directory, from 0 to 4294967295.
            type: int
            required: true
          permissions:
            description:
              - The directory's mode as a string of 3 or 4 octal digits, for example V("0755") or V("750").
              - Quote it. YAML reads an unquoted C(0755) as the number 493, which the module refuses
                rather than guess what was meant.
            type: raw
            required: true
  wait:
    description:
      - Wait until a new access point is C(available) and a deleted one is gone.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait when O(wait=true) before failing.
    type: int
    default: 120
  tags:
    description:
      - Tags of the access point. The C(Name) tag is set from O(name); O(tags) may repeat it only with the
        same value.
      - If the O(tags) parameter is not set then tags will not be modified.
    type: dict
    aliases: ['resource_tags']
  purge_tags:
    description:
      - If O(purge_tags=true) and O(tags) is set, tags not in O(tags) are removed, except C(Name), which
        only O(name) manages.
      - If the O(tags) parameter is not set then tags will not be modified, even if O(purge_tags=true).
    type: bool
    default: true
extends_documentation_fragment: [lakedrop.delivery.lakedrop, lakedrop.delivery.lakedrop.idempotent,
  lakedrop.delivery.lakedrop.replacement, amazon.aws.common.modules, amazon.aws.region.modules, amazon.aws.boto3]
notes:
  - With O(allow_replacement=true) the new access point is created before the old one is deleted (EFS
    allows both side by side, with the same path and name), so anything that mounts the old one by ID (an
    ECS task definition, a DataSync EFS location) must be updated.
"""

EXAMPLES = r"""
- name: Access point for the delivery containers, rooted at /lake and owned by uid/gid 1000
  lakedrop.delivery.efs_access_point:
    file_system: fs-0123456789abcdef0
    name: lakedrop-delivery
    posix_user:
      uid: 1000
      gid: 1000
    root_directory:
      path: /lake
      creation_info:
        owner_uid: 1000
        owner_gid: 1000
        permissions: "0750"
    tags:
      team: data
  register: delivery_ap

- name: Give the ECS task a supplementary group (EFS cannot change it in place, so replace it)
  lakedrop.delivery.efs_access_point:
    access_point_id: "{{ delivery_ap.access_point.access_point_id }}"
    posix_user:
      uid: 1000
      gid: 1000
      secondary_gids: [2000]
    allow_replacement: true
  register: delivery_ap  # a replacement has a new ID

- name: Rename the access point known by its ID, keep its other tags
  lakedrop.delivery.efs_access_point:
    access_point_id: "{{ delivery_ap.access_point.access_point_id }}"
    name: lakedrop-delivery-v1

- name: Remove the access point
  lakedrop.delivery.efs_access_point:
    state: absent
    file_system: fs-0123456789abcdef0
    name: lakedrop-delivery-v1
"""

RETURN = r"""
access_point:
  description: The access point after the module ran (in check mode, what it would be). Empty when absent.
extends_documentation_fragment: [lakedrop.delivery.lakedrop.access_point_return, lakedrop.delivery.lakedrop.replacement_return]
"""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import access_points
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import fragments
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run_module

ARGUMENT_SPEC = dict(
    state=dict(type="str", choices=["present", "absent"], default="present"),
    file_system=dict(type="str"),
    name=dict(type="str"),
    access_point_id=dict(type="str"),
    posix_user=dict(
        type="dict",
        options=dict(
            uid=dict(type="int", required=True),
            gid=dict(type="int", required=True),
            secondary_gids=dict(type="list", elements="int"),
        ),
    ),
    root_directory=dict(
        type="dict",
        options=dict(
            path=dict(type="str", default="/"),
            creation_info=dict(
                type="dict",
                options=dict(
                    owner_uid=dict(type="int", required=True),
                    owner_gid=dict(type="int", required=True),
                    permissions=dict(type="raw", required=True),
                ),
            ),
        ),
    ),
    wait=dict(type="bool", default=True),
    wait_timeout=dict(type="int", default=120),
    tags=dict(type="dict", aliases=["resource_tags"]),
    purge_tags=dict(type="bool", default=True),
    **fragments.REPLACEMENT,
)


def main():
    run_module(ARGUMENT_SPEC, access_points.run, access_points.validate)


if __name__ == "__main__":
    main()
