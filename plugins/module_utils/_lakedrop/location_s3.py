# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DataSync S3 locations (module datasync_location_s3).

Pure functions first (validate, desired state, compare, API parameters; unit-tested without AWS), then
the flow: the only part that calls the API layer (datasync_api), through `run(module)`.
"""

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from . import arns
from . import datasync_api as ds_api
from . import locations
from . import naming
from .changes import Changes

STORAGE_CLASSES = [
    "STANDARD",
    "STANDARD_IA",
    "ONEZONE_IA",
    "INTELLIGENT_TIERING",
    "GLACIER",
    "DEEP_ARCHIVE",
    "OUTPOSTS",
    "GLACIER_INSTANT_RETRIEVAL",
]

# --- pure: validation (before any call) --------------------------------------------------------------


def validate(params, region=None):
    """Every problem with the arguments, as messages; nothing is called before this is empty."""
    problems = []
    if params["bucket"]:
        problems.append(
            locations.bucket_problem(params["bucket"]) or arns.region_problem(params["bucket"], region, "bucket")
        )
    elif not params["location_arn"]:
        problems.append("bucket is required unless location_arn is given.")
    if params["state"] == "present" and not params["bucket_access_role_arn"]:
        problems.append("bucket_access_role_arn is required with state=present.")
    for option, kind in (("bucket_access_role_arn", "iam_role"), ("location_arn", "datasync_location")):
        if params[option]:
            problems.append(arns.check(params[option], kind, option))
    if params["location_arn"]:
        problems.append(arns.region_problem(params["location_arn"], region, "location_arn"))
    problems.append(locations.subdirectory_problem(params["subdirectory"], "subdirectory"))
    return [p for p in problems if p]


# --- pure: desired state and comparison --------------------------------------------------------------


def host(params):
    """The bucket (or access point) name as it appears in the location URI."""
    return locations.bucket_name(params["bucket"])


def uri_filter(params):
    return [{"Name": "LocationUri", "Operator": "BeginsWith", "Values": [f"s3://{host(params)}/"]}]


def desired_location(params, region):
    """What a new location will look like (check mode reports it before it exists)."""
    location = {
        "location_arn": None,
        "location_uri": locations.location_uri("s3", host(params), params["subdirectory"]),
        "bucket_name": host(params),
        "bucket_arn": arns.bucket_arn(host(params), region),
        "subdirectory": locations.normalize_subdirectory(params["subdirectory"]),
        "s3_storage_class": params["storage_class"] or "STANDARD",
        "s3_config": {"bucket_access_role_arn": params["bucket_access_role_arn"]},
        "tags": params["tags"] or {},
    }
    if params["agent_arns"]:
        location["agent_arns"] = params["agent_arns"]
    return location


def compare(current, params):
    """(in-place Changes, create-only Changes) between an existing location and the arguments."""
    in_place, create_only = Changes(), Changes()
    if params["bucket"]:
        create_only.add("bucket_name", current["bucket_name"], host(params))
    if params["agent_arns"] is not None:
        create_only.add("agent_arns", sorted(current.get("agent_arns") or []), sorted(params["agent_arns"]))
    in_place.add("subdirectory", current["subdirectory"], locations.normalize_subdirectory(params["subdirectory"]))
    if params["storage_class"]:
        in_place.add("s3_storage_class", current.get("s3_storage_class"), params["storage_class"])
    in_place.add(
        "bucket_access_role_arn", current["s3_config"]["bucket_access_role_arn"], params["bucket_access_role_arn"]
    )
    locations.compare_tags(in_place, current, params)
    return in_place, create_only


def update_params(in_place):
    """UpdateLocationS3 arguments for the changed fields ({} when only tags change)."""
    names, after = in_place.names, in_place.diff()["after"]
    update = {}
    if "subdirectory" in names:
        update["Subdirectory"] = after["subdirectory"]
    if "s3_storage_class" in names:
        update["S3StorageClass"] = after["s3_storage_class"]
    if "bucket_access_role_arn" in names:
        update["S3Config"] = {"BucketAccessRoleArn": after["bucket_access_role_arn"]}
    return update


def create_params(params, region):
    bucket = params["bucket"]
    create = {
        "S3BucketArn": bucket if arns.is_arn(bucket) else arns.bucket_arn(bucket, region),
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


def predict(current, in_place):
    """What an in-place update will make of `current` (check mode reports it without writing)."""
    after = in_place.diff()["after"]
    location = dict(current, subdirectory=after["subdirectory"], tags=after.get("tags", current["tags"]))
    location["location_uri"] = locations.location_uri("s3", current["bucket_name"], after["subdirectory"])
    location["s3_config"] = {"bucket_access_role_arn": after["bucket_access_role_arn"]}
    if "s3_storage_class" in after:
        location["s3_storage_class"] = after["s3_storage_class"]
    return location


# --- flow: reads, the plan above, writes -------------------------------------------------------------


def find(client, params):
    """The existing location's ARN, or None (a Failure when the URI is ambiguous)."""
    if params["location_arn"]:
        return params["location_arn"] if ds_api.describe_location(client, "S3", params["location_arn"]) else None
    matches = locations.candidates(
        ds_api.list_locations(client, uri_filter(params)), "s3", host(params), params["subdirectory"]
    )
    if len(matches) > 1:
        matches = locations.narrow_by_tags(
            matches, lambda m: ds_api.list_tags(client, m["LocationArn"]), params["tags"]
        )
    uri = locations.location_uri("s3", host(params), params["subdirectory"])
    found = naming.single(matches, lambda m: locations.ambiguity_message("S3", uri, [x["LocationArn"] for x in m]))
    return found["LocationArn"] if found else None


def read(client, arn, region):
    return locations.read_s3_location(client, arn, arns.partition_of(region))


def create(module, client):
    if module.check_mode:
        return desired_location(module.params, module.region)
    params = create_params(module.params, module.region)
    place = ("s3", host(module.params), module.params["subdirectory"])
    arn = locations.create_once(
        module,
        client,
        lambda: ds_api.create_location(client, "S3", params, module.params["propagation_timeout"]),
        uri_filter(module.params),
        place,
    )
    return read(client, arn, module.region)


S3 = locations.LocationType("S3", read, predict, update_params)


def ensure_present(module, client, arn):
    current = arn and read(client, arn, module.region)
    locations.require_found(module.params, current)
    if current and module.params["bucket"] is None:
        module.params["bucket"] = current["bucket_name"]
    compared = current and compare(current, module.params)
    return locations.converge(module, client, S3, current, compared, lambda: create(module, client))


def run(module):
    client = module.client("datasync")
    arn = find(client, module.params)
    if module.params["state"] == "absent":
        return locations.ensure_absent(module, client, arn and read(client, arn, module.region))
    return ensure_present(module, client, arn)
