#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
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
author:
  - Lakedrop Delivery Maintainers (@lakedrop)
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
extends_documentation_fragment:
  - lakedrop.delivery.lakedrop
  - lakedrop.delivery.lakedrop.replacement
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode and diff mode. A second run with the same arguments makes no write call.
  - With O(allow_replacement=true) the old access point is deleted before the new one is created, so
    anything that mounts it by ID (an ECS task definition, a DataSync EFS location) must be updated.
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
    file_system: fs-0123456789abcdef0
    name: lakedrop-delivery
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
  returned: always
  type: dict
  contains:
    access_point_id:
      description: ID of the access point (null when it would be created in check mode).
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
      description: The C(Name) tag.
      type: str
      sample: lakedrop-delivery
    posix_user:
      description: The enforced POSIX user; null when the access point has none.
      type: dict
      contains:
        uid:
          description: User ID.
          type: int
          sample: 1000
        gid:
          description: Primary group ID.
          type: int
          sample: 1000
        secondary_gids:
          description: Secondary group IDs.
          type: list
          elements: int
          sample: [2000]
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
              sample: 1000
            owner_gid:
              description: Owner group ID.
              type: int
              sample: 1000
            permissions:
              description: Mode, as octal digits (as AWS stores them).
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
      description: The access point's tags, C(Name) included.
      type: dict
      sample: {"Name": "lakedrop-delivery", "team": "data"}
replaced:
  description: Whether the access point was deleted and created again (O(allow_replacement=true)).
  returned: always
  type: bool
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import access_points as ap
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import arns
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import efs_api
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.changes import creation_diff
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.changes import deletion_diff
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.common import wait_for

WAIT_INTERVAL = 2


# --- current state --------------------------------------------------------------------------------


def resolve_file_system(module, client):
    """The file system's ID (None when not given, or missing with state=absent)."""
    value = module.params["file_system"]
    if not value:
        return None
    fs_id = ap.file_system_id(value)
    if efs_api.describe_file_system(client, fs_id):
        return fs_id
    if module.params["state"] == "absent":
        return None
    where = f"in region {module.region}"
    if arns.is_arn(value):
        where += f" (the ARN names account {arns.arn_parts(value)[3]}; the credentials must be of that account)"
    module.fail_json(msg=f"file_system {value} does not exist {where}. Create it first, or check the ID.")


def find(client, params, fs_id):
    """The existing access point (result shape) or None. Fails (ValueError) when the name is ambiguous."""
    if params["access_point_id"]:
        described = efs_api.describe_access_point(client, ap.access_point_id(params["access_point_id"]))
        return ap.to_result(described) if described and ap.is_live(described) else None
    if not fs_id:
        return None
    results = [ap.to_result(d) for d in efs_api.describe_access_points(client, file_system_id=fs_id)]
    matches = ap.named(results, params["name"])
    if len(matches) > 1:
        raise ValueError(ap.ambiguity_message(params["name"], fs_id, [m["access_point_id"] for m in matches]))
    return matches[0] if matches else None


def read(client, access_point_id):
    described = efs_api.describe_access_point(client, access_point_id)
    return ap.to_result(described) if described else None


# --- waiting --------------------------------------------------------------------------------------


def wait_available(module, client, described):
    if described.get("LifeCycleState") == "available" or not module.params["wait"]:
        return described
    ap_id = described["AccessPointId"]
    value, done = wait_for(
        lambda: efs_api.describe_access_point(client, ap_id),
        lambda d: not d or d.get("LifeCycleState") != "creating",
        module.params["wait_timeout"],
        WAIT_INTERVAL,
    )
    if not done:
        module.fail_json(
            msg=f"Access point {ap_id} is still {value.get('LifeCycleState')} after {module.params['wait_timeout']} "
            "seconds; raise wait_timeout, or set wait=false and check it later.",
            access_point=ap.to_result(value),
        )
    if not value or value.get("LifeCycleState") != "available":
        state = value.get("LifeCycleState") if value else "gone"
        module.fail_json(msg=f"Access point {ap_id} did not become available: it is {state}.")
    return value


def wait_deleted(module, client, ap_id):
    if not module.params["wait"]:
        return
    value, done = wait_for(
        lambda: efs_api.describe_access_point(client, ap_id),
        lambda d: not d or d.get("LifeCycleState") == "deleted",
        module.params["wait_timeout"],
        WAIT_INTERVAL,
    )
    if not done:
        module.fail_json(
            msg=f"Access point {ap_id} is still {value.get('LifeCycleState')} after {module.params['wait_timeout']} "
            "seconds; raise wait_timeout, or set wait=false."
        )


# --- actions --------------------------------------------------------------------------------------


def create(module, client, params, fs_id):
    """Create the access point described by `params`; in check mode, predict it."""
    if module.check_mode:
        return ap.desired_result(params, fs_id)
    token = ap.client_token(fs_id, params["name"], params)
    created = efs_api.create_access_point(client, ap.create_params(params, fs_id, token))
    if created.get("AlreadyExists"):
        earlier = efs_api.describe_access_point(client, created["AccessPointId"])
        if earlier and ap.is_live(earlier) and ap.to_result(earlier)["name"] == params["name"]:
            # The same create, made moments ago by a retried or concurrent run: adopt it.
            created = earlier
            current = ap.to_result(earlier)
            to_set, to_remove, _tags = ap.tag_plan(
                current["tags"], params["tags"], params["purge_tags"], params["name"]
            )
            apply_tags(client, current["access_point_id"], to_set, to_remove)
        else:
            # The token names an access point that is gone or was renamed: a token of its own frees it.
            token = ap.client_token(fs_id, params["name"], params, salt=created["AccessPointId"])
            created = efs_api.create_access_point(client, ap.create_params(params, fs_id, token))
            if created.get("AlreadyExists"):
                module.fail_json(
                    msg=f"EFS refused the client token {token}: access point {created['AccessPointId']} "
                    "already used it. Delete that access point or pick another name."
                )
    return ap.to_result(wait_available(module, client, created))


def apply_tags(client, ap_id, to_set, to_remove):
    if to_remove:
        efs_api.untag_resource(client, ap_id, to_remove)
    if to_set:
        efs_api.tag_resource(client, ap_id, to_set)


def delete(module, client, ap_id):
    if module.check_mode:
        return
    efs_api.delete_access_point(client, ap_id)
    wait_deleted(module, client, ap_id)


def check_pinned(module, current, fs_id):
    """With access_point_id and state=absent, refuse to delete an access point other arguments contradict."""
    params = module.params
    if params["name"] is not None and current["name"] != params["name"]:
        module.fail_json(
            msg=f"Access point {current['access_point_id']} is named {current['name']!r}, not {params['name']!r}; "
            "refusing to delete it. Fix name or access_point_id."
        )
    if params["file_system"] and fs_id != current["file_system_id"]:
        module.fail_json(
            msg=f"Access point {current['access_point_id']} belongs to {current['file_system_id']}, not "
            f"{params['file_system']}; refusing to delete it."
        )


def check_rename(module, client, current):
    """A rename must not give the access point a name another access point of the file system has."""
    name = module.params["name"]
    if name is None or current["name"] == name:
        return
    others = [
        r
        for r in (
            ap.to_result(d) for d in efs_api.describe_access_points(client, file_system_id=current["file_system_id"])
        )
        if r["access_point_id"] != current["access_point_id"]
    ]
    taken = [r["access_point_id"] for r in ap.named(others, name)]
    if taken:
        module.fail_json(
            msg=f"Cannot rename {current['access_point_id']} to {name!r}: {', '.join(taken)} of "
            f"{current['file_system_id']} already has that name, and names must identify one access point."
        )


def ensure_absent(module, client, current, fs_id):
    if not current:
        return dict(changed=False, access_point={}, replaced=False)
    if module.params["access_point_id"]:
        check_pinned(module, current, fs_id)
    delete(module, client, current["access_point_id"])
    return dict(changed=True, access_point={}, replaced=False, diff=deletion_diff(current))


def ensure_present(module, client, current, fs_id):
    params = module.params
    if not current:
        if params["access_point_id"]:
            module.fail_json(
                msg=f"access_point_id {params['access_point_id']} does not exist; omit it (and give file_system "
                "and name) to create a new access point."
            )
        access_point = create(module, client, params, fs_id)
        return dict(changed=True, access_point=access_point, replaced=False, diff=creation_diff(access_point))
    in_place, create_only = ap.compare(current, params, fs_id)
    diff = merged_diff(create_only, in_place)
    if create_only.changed:
        if not params["allow_replacement"]:
            module.fail_json(msg=ap.replacement_message(current["access_point_id"], create_only))
        delete(module, client, current["access_point_id"])
        access_point = create(module, client, ap.with_current(params, current), fs_id or current["file_system_id"])
        return dict(
            changed=True, access_point=access_point, replaced=True, diff={"before": current, "after": access_point}
        )
    if not in_place.changed:
        return dict(changed=False, access_point=current, replaced=False, diff=diff)
    check_rename(module, client, current)
    to_set, to_remove, tags = ap.tag_plan(current["tags"], params["tags"], params["purge_tags"], params["name"])
    if module.check_mode:
        access_point = dict(current, tags=tags, name=tags.get("Name", current["name"]))
    else:
        apply_tags(client, current["access_point_id"], to_set, to_remove)
        access_point = read(client, current["access_point_id"])
    return dict(changed=True, access_point=access_point, replaced=False, diff=diff)


def merged_diff(*changes):
    diff = {"before": {}, "after": {}}
    for change in changes:
        part = change.diff()
        diff["before"].update(part["before"])
        diff["after"].update(part["after"])
    return diff


def main():
    argument_spec = dict(
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
        allow_replacement=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=120),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    problems = ap.validate(module.params, module.region)
    if problems:
        module.fail_json(msg=" ".join(problems), problems=problems)
    client = module.client("efs")
    try:
        fs_id = resolve_file_system(module, client)
        current = find(client, module.params, fs_id)
        if module.params["state"] == "absent":
            result = ensure_absent(module, client, current, fs_id)
        else:
            result = ensure_present(module, client, current, fs_id)
    except ValueError as err:
        module.fail_json(msg=str(err))
    except AnsibleAWSError as err:
        module.fail_json_aws_error(err)
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
