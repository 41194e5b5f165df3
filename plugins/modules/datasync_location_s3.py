#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: datasync_location_s3
short_description: Manage AWS DataSync Amazon S3 locations
version_added: 0.1.0
description:
  - Create, update in place, replace (only when allowed) or delete a DataSync location for an S3
    bucket, including a bucket in another AWS account (the location is created with this account's
    credentials and reads the bucket through O(bucket_access_role_arn)).
  - DataSync locations have no name. An existing location is identified by O(location_arn) when given,
    otherwise by its URI (bucket and subdirectory; C(sub/) and C(sub) are the same). When several
    locations share that URI, O(tags) narrow the choice; if it is still ambiguous the module fails and
    lists them.
  - The subdirectory, storage class and bucket access role are changed in place with
    C(UpdateLocationS3). The bucket and agents cannot be changed in place; see O(allow_replacement).
author:
  - Lakedrop Delivery Maintainers (@lakedrop)
options:
  state:
    description: Whether the location should exist.
    type: str
    choices: [present, absent]
    default: present
  bucket:
    description:
      - The bucket, as a name (V(my-bucket)), a bucket ARN (V(arn:aws:s3:::my-bucket)) or an S3 access
        point ARN.
      - Required unless O(location_arn) is given.
    type: str
  subdirectory:
    description:
      - The prefix in the bucket that DataSync reads from or writes to. Must not start with C(/) nor
        contain C(//), C(/./) or C(/../). V("") is the whole bucket.
      - With O(location_arn), changing it updates the location in place; without it, a different
        subdirectory names a different location.
    type: str
    default: ""
  bucket_access_role_arn:
    description:
      - The IAM role (in this account) that DataSync assumes to access the bucket. Required to create
        a location.
    type: str
  storage_class:
    description:
      - Storage class of objects DataSync writes when the bucket is a destination. When omitted, AWS's
        default (C(STANDARD)) applies on create and an existing value is left alone.
    type: str
    choices: [STANDARD, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER, DEEP_ARCHIVE, OUTPOSTS, GLACIER_INSTANT_RETRIEVAL]
  agent_arns:
    description: DataSync agents on an Outpost (S3 on Outposts only). Cannot be changed in place.
    type: list
    elements: str
  location_arn:
    description:
      - ARN of the location to manage. Pins the identity so the subdirectory can be changed in place
        and the bucket compared. The location must exist when given with O(state=present).
    type: str
extends_documentation_fragment:
  - lakedrop.delivery.lakedrop
  - lakedrop.delivery.lakedrop.replacement
  - lakedrop.delivery.lakedrop.propagation
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
notes:
  - Supports check mode and diff mode. A second run with the same arguments makes no write call.
  - For a bucket in another account, its bucket policy must allow O(bucket_access_role_arn) to list
    the bucket and read objects, and allow this account's caller C(s3:ListBucket), because DataSync tests
    access when the location is created. IAM propagation errors are retried for O(propagation_timeout).
"""

EXAMPLES = r"""
- name: Location for the incoming/ prefix of a bucket in the source account
  lakedrop.delivery.datasync_location_s3:
    bucket: lakedrop-source-data
    subdirectory: incoming/
    bucket_access_role_arn: arn:aws:iam::222222222222:role/lakedrop-datasync-source
    tags:
      Name: lakedrop-source
  register: source_location

- name: Move the same location to another prefix, in place
  lakedrop.delivery.datasync_location_s3:
    location_arn: "{{ source_location.location.location_arn }}"
    bucket: lakedrop-source-data
    subdirectory: incoming/v2/
    bucket_access_role_arn: arn:aws:iam::222222222222:role/lakedrop-datasync-source

- name: Remove the location
  lakedrop.delivery.datasync_location_s3:
    state: absent
    bucket: lakedrop-source-data
    subdirectory: incoming/v2/
"""

RETURN = r"""
location:
  description: The location after the module ran (in check mode, what it would be). Empty when absent.
  returned: always
  type: dict
  contains:
    location_arn:
      description: ARN of the location (null when it would be created in check mode).
      type: str
      sample: arn:aws:datasync:eu-west-1:222222222222:location/loc-0123456789abcdef0
    location_uri:
      description: DataSync's URI of the location.
      type: str
      sample: s3://lakedrop-source-data/incoming/
    bucket_name:
      description: The bucket, parsed from the URI (DataSync does not return it).
      type: str
      sample: lakedrop-source-data
    bucket_arn:
      description: The bucket's ARN, derived from its name.
      type: str
      sample: arn:aws:s3:::lakedrop-source-data
    subdirectory:
      description: The prefix, without leading or trailing C(/).
      type: str
      sample: incoming
    s3_storage_class:
      description: Storage class for objects written to the bucket.
      type: str
      sample: STANDARD
    s3_config:
      description: Access configuration.
      type: dict
      contains:
        bucket_access_role_arn:
          description: The role DataSync assumes.
          type: str
    agent_arns:
      description: Outposts agents, when any.
      type: list
      elements: str
    creation_time:
      description: When the location was created.
      type: str
    tags:
      description: The location's tags.
      type: dict
      sample: {"Name": "lakedrop-source"}
replaced:
  description: Whether the location was deleted and created again (O(allow_replacement=true)).
  returned: always
  type: bool
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import arns
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import datasync_api as ds_api
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import locations
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import tags
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.changes import Changes
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.changes import creation_diff
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.changes import deletion_diff
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.locations import bucket_name
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.locations import read_s3_location

STORAGE_CLASSES = ["STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE",
                   "OUTPOSTS", "GLACIER_INSTANT_RETRIEVAL"]


# --- validation (before any call) --------------------------------------------------------------------

def validate(params):
    """Every problem with the arguments, as messages; nothing is called before this is empty."""
    problems = []
    if params["bucket"]:
        kind = arns.kind_of(params["bucket"])
        if kind not in ("s3_bucket", "s3_access_point", "s3_bucket_id"):
            problems.append(f"bucket must be a bucket name, a bucket ARN or an S3 access point ARN, but {params['bucket']!r} "
                            f"is {arns.describe(params['bucket'])}.")
    elif not params["location_arn"]:
        problems.append("bucket is required unless location_arn is given.")
    if params["state"] == "present" and not params["bucket_access_role_arn"]:
        problems.append("bucket_access_role_arn is required with state=present.")
    for option, kind in (("bucket_access_role_arn", "iam_role"), ("location_arn", "datasync_location")):
        if params[option]:
            problem = arns.check(params[option], kind, option)
            if problem:
                problems.append(problem)
    problem = locations.subdirectory_problem(params["subdirectory"], "subdirectory", s3=True)
    if problem:
        problems.append(problem)
    return problems


# --- current state --------------------------------------------------------------------------------

def find_location(client, params):
    """The existing location's ARN, or None. Fails (ValueError) when ambiguous."""
    if params["location_arn"]:
        return params["location_arn"] if ds_api.describe_location_s3(client, params["location_arn"]) else None
    host = bucket_name(params["bucket"])
    listed = ds_api.list_locations(client, [{"Name": "LocationUri", "Operator": "BeginsWith", "Values": [f"s3://{host}/"]}])
    matches = locations.candidates(listed, "s3", host, params["subdirectory"])
    if len(matches) > 1:
        matches = locations.narrow_by_tags(matches, lambda m: ds_api.list_tags(client, m["LocationArn"]), params["tags"])
    if len(matches) > 1:
        raise ValueError(locations.ambiguity_message("S3", locations.location_uri("s3", host, params["subdirectory"]),
                                              [m["LocationArn"] for m in matches]))
    return matches[0]["LocationArn"] if matches else None


def read_location(client, arn, partition="aws"):
    """Describe + parsed URI + tags, in the module's return shape (shared with datasync_location_info)."""
    return read_s3_location(client, arn, partition)


# --- desired state and comparison ----------------------------------------------------------------

def desired_location(params, partition="aws"):
    location = {
        "location_arn": None,
        "location_uri": locations.location_uri("s3", bucket_name(params["bucket"]), params["subdirectory"]),
        "bucket_name": bucket_name(params["bucket"]),
        "bucket_arn": f"arn:{partition}:s3:::{bucket_name(params['bucket'])}",
        "subdirectory": locations.normalize_subdirectory(params["subdirectory"]),
        "s3_storage_class": params["storage_class"] or "STANDARD",
        "s3_config": {"bucket_access_role_arn": params["bucket_access_role_arn"]},
        "tags": params["tags"] or {},
    }
    if params["agent_arns"]:
        location["agent_arns"] = params["agent_arns"]
    return location


CREATE_ONLY = ("bucket_name", "agent_arns")


def compare(current, params):
    """(in-place Changes, create-only Changes) between an existing location and the arguments."""
    in_place, create_only = Changes(), Changes()
    if params["bucket"]:
        create_only.add("bucket_name", current["bucket_name"], bucket_name(params["bucket"]))
    if params["agent_arns"] is not None:
        create_only.add("agent_arns", sorted(current.get("agent_arns") or []), sorted(params["agent_arns"]))
    in_place.add("subdirectory", current["subdirectory"], locations.normalize_subdirectory(params["subdirectory"]))
    if params["storage_class"]:
        in_place.add("s3_storage_class", current.get("s3_storage_class"), params["storage_class"])
    in_place.add("bucket_access_role_arn", current["s3_config"]["bucket_access_role_arn"], params["bucket_access_role_arn"])
    if params["tags"] is not None:
        _set, _remove, tag_result = tags.plan(current["tags"], params["tags"], params["purge_tags"])
        in_place.add("tags", current["tags"], tag_result)
    return in_place, create_only


def update_params(in_place):
    names = in_place.names
    after = in_place.diff()["after"]
    params = {}
    if "subdirectory" in names:
        params["Subdirectory"] = after["subdirectory"]
    if "s3_storage_class" in names:
        params["S3StorageClass"] = after["s3_storage_class"]
    if "bucket_access_role_arn" in names:
        params["S3Config"] = {"BucketAccessRoleArn": after["bucket_access_role_arn"]}
    return params


def create_params(params):
    create = {
        "S3BucketArn": params["bucket"] if arns.is_arn(params["bucket"]) else f"arn:aws:s3:::{params['bucket']}",
        "Subdirectory": locations.normalize_subdirectory(params["subdirectory"]),
        "S3Config": {"BucketAccessRoleArn": params["bucket_access_role_arn"]},
    }
    if params["storage_class"]:
        create["S3StorageClass"] = params["storage_class"]
    if params["agent_arns"]:
        create["AgentArns"] = params["agent_arns"]
    if params["tags"]:
        create["Tags"] = ansible_dict_to_boto3_tag_list(params["tags"])
    return create


# --- actions --------------------------------------------------------------------------------------

def ensure_absent(module, client, arn):
    if not arn:
        return dict(changed=False, location={}, replaced=False)
    current = read_location(client, arn, partition(module))
    if not module.check_mode:
        ds_api.delete_location(client, arn)
    return dict(changed=True, location={}, replaced=False, diff=deletion_diff(current))


def create(module, client):
    desired = desired_location(module.params, partition(module))
    if module.check_mode:
        return desired
    arn = ds_api.create_location_s3(client, create_params(module.params), module.params["propagation_timeout"])
    return read_location(client, arn, partition(module))


def ensure_present(module, client, arn):
    params = module.params
    if not arn:
        if params["location_arn"]:
            module.fail_json(msg=f"location_arn {params['location_arn']} does not exist; omit it to create a new location.")
        location = create(module, client)
        return dict(changed=True, location=location, replaced=False, diff=creation_diff(location))
    current = read_location(client, arn, partition(module))
    if params["bucket"] is None:
        params["bucket"] = current["bucket_name"]
    in_place, create_only = compare(current, params)
    if create_only.changed:
        if not params["allow_replacement"]:
            diff = create_only.diff()
            details = "; ".join(f"{n}: {diff['before'][n]!r} -> {diff['after'][n]!r}" for n in create_only.names)
            module.fail_json(msg=f"Location {arn} cannot be changed in place ({details}). Set allow_replacement=true to delete "
                                 "and recreate it; tasks using it must then be updated.")
        if not module.check_mode:
            ds_api.delete_location(client, arn)
        location = create(module, client)
        diff = {"before": current, "after": location}
        return dict(changed=True, location=location, replaced=True, diff=diff)
    if not in_place.changed:
        return dict(changed=False, location=current, replaced=False, diff=in_place.diff())
    updates = update_params(in_place)
    if not module.check_mode:
        if updates:
            ds_api.update_location_s3(client, arn, updates, params["propagation_timeout"])
        tags.ensure(ds_api, client, arn, current["tags"], params["tags"], params["purge_tags"])
        location = read_location(client, arn, partition(module))
    else:
        location = predict(current, in_place)
    return dict(changed=True, location=location, replaced=False, diff=in_place.diff())


def predict(current, in_place):
    """What an in-place update will make of `current` (check mode reports it without writing)."""
    after = in_place.diff()["after"]
    location = dict(current, subdirectory=after["subdirectory"], tags=after.get("tags", current["tags"]))
    location["location_uri"] = locations.location_uri("s3", current["bucket_name"], after["subdirectory"])
    location["s3_config"] = {"bucket_access_role_arn": after["bucket_access_role_arn"]}
    if "s3_storage_class" in after:
        location["s3_storage_class"] = after["s3_storage_class"]
    return location


def partition(module):
    region = module.region or ""
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"


def main():
    argument_spec = dict(
        state=dict(type="str", choices=["present", "absent"], default="present"),
        bucket=dict(type="str"),
        subdirectory=dict(type="str", default=""),
        bucket_access_role_arn=dict(type="str"),
        storage_class=dict(type="str", choices=STORAGE_CLASSES),
        agent_arns=dict(type="list", elements="str"),
        location_arn=dict(type="str"),
        allow_replacement=dict(type="bool", default=False),
        propagation_timeout=dict(type="int", default=120),
        tags=dict(type="dict", aliases=["resource_tags"]),
        purge_tags=dict(type="bool", default=True),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    problems = validate(module.params)
    if problems:
        module.fail_json(msg=" ".join(problems), problems=problems)
    client = module.client("datasync")
    try:
        arn = find_location(client, module.params)
        if module.params["state"] == "absent":
            result = ensure_absent(module, client, arn)
        else:
            result = ensure_present(module, client, arn)
    except ValueError as err:
        module.fail_json(msg=str(err))
    except AnsibleAWSError as err:
        module.fail_json_aws_error(err)
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
