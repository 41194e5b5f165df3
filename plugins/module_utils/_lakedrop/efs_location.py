# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of DataSync EFS locations: argument checks with messages a person can act on, the
in-transit encryption rule, identity (URI, then tags, then Ec2Config), comparison of in-place and
create-only fields, and the API parameters. The module resolves IDs to ARNs with read calls and hands
the result in as `resolved` (file_system_id/_arn, subnet_arn, security_group_arns, access_point_arn)."""

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from . import arns
from . import locations
from . import tags
from .changes import Changes

ENCRYPTION = ["NONE", "TLS1_2"]
MAX_SECURITY_GROUPS = 5  # Ec2Config.SecurityGroupArns holds 1 to 5


# --- validation (before any call) --------------------------------------------------------------------


def _region_problem(value, region, option):
    """An ARN from another region names a resource a client of this region cannot see (subnet and
    security group ARNs may leave the region empty)."""
    if arns.is_arn(value) and region:
        found = arns.arn_parts(value)[2]
        if found and found != region:
            return (
                f"{option} {value} is in region {found}, but the module runs in {region}; set region: {found} "
                f"or pass a resource of {region}."
            )
    return None


def needs_tls(params):
    return bool(params.get("access_point") or params.get("file_system_access_role_arn"))


def validate(params, region=None):
    """Every problem with the arguments, as messages; nothing is called before this is empty."""
    problems = []

    def check(option, kind, allow_id=True):
        value = params.get(option)
        if value:
            problem = arns.check(value, kind, option, allow_id=allow_id) or _region_problem(value, region, option)
            if problem:
                problems.append(problem)

    if params.get("file_system"):
        check("file_system", "efs_file_system")
    elif not params.get("location_arn"):
        problems.append("file_system is required unless location_arn is given.")
    if params["state"] == "present" and not params.get("location_arn"):
        missing = [o for o in ("subnet", "security_groups") if not params.get(o)]
        if missing:
            problems.append(
                f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} required to create an EFS "
                "location (DataSync mounts the file system from that subnet through a network interface "
                "with those security groups); pass location_arn to manage an existing location without them."
            )
    check("subnet", "subnet")
    groups = params.get("security_groups")
    if groups is not None:
        if not 1 <= len(groups) <= MAX_SECURITY_GROUPS:
            problems.append(
                f"security_groups must list 1 to {MAX_SECURITY_GROUPS} security groups (DataSync's limit), "
                f"got {len(groups)}."
            )
        for index, group in enumerate(groups):
            problem = arns.check(group, "security_group", f"security_groups[{index}]", allow_id=True)
            problem = problem or _region_problem(group, region, f"security_groups[{index}]")
            if problem:
                problems.append(problem)
        ids = [arns.resource_id(g) for g in groups]
        repeated = sorted(set(i for i in ids if ids.count(i) > 1))
        if repeated:
            problems.append(f"security_groups lists {', '.join(repeated)} more than once.")
    check("access_point", "efs_access_point")
    check("file_system_access_role_arn", "iam_role", allow_id=False)
    check("location_arn", "datasync_location", allow_id=False)
    problem = locations.subdirectory_problem(params.get("subdirectory"), "subdirectory")
    if problem:
        problems.append(problem)
    if params.get("in_transit_encryption") == "NONE" and needs_tls(params):
        given = " and ".join(o for o in ("access_point", "file_system_access_role_arn") if params.get(o))
        problems.append(
            f"in_transit_encryption=NONE cannot be used with {given}: DataSync mounts through an access "
            "point or with an IAM role only over TLS, so it requires TLS1_2. Set in_transit_encryption: "
            "TLS1_2 (or omit it, and the module uses TLS1_2)."
        )
    return problems


# --- identity ----------------------------------------------------------------------------------------


def file_system_id(value):
    return arns.resource_id(value) if value else None


def uri_host(file_system, region):
    """`REGION.fs-ID` as in the location URI; an ARN names its own region."""
    if arns.is_arn(file_system):
        region = arns.arn_parts(file_system)[2]
    return f"{region}.{file_system_id(file_system)}"


def uri_prefix_filter(host):
    return [{"Name": "LocationUri", "Operator": "BeginsWith", "Values": [f"efs://{host}/"]}]


def access_point_id(described):
    """The access point ID a described location mounts through, or None."""
    arn = described.get("AccessPointArn")
    return arn.rsplit("/", 1)[-1] if arn else None


def ec2_matches(described, subnet=None, security_groups=None):
    """Whether a DescribeLocationEfs answer has this subnet and these security groups (IDs or ARNs;
    groups compared as a set). Unspecified parts match anything."""
    config = described.get("Ec2Config") or {}
    if subnet and arns.resource_id(config.get("SubnetArn", "")) != arns.resource_id(subnet):
        return False
    if security_groups:
        current = set(arns.resource_id(g) for g in config.get("SecurityGroupArns") or [])
        if current != set(arns.resource_id(g) for g in security_groups):
            return False
    return True


# --- desired state and comparison --------------------------------------------------------------------


def desired_encryption(params, current=None):
    """in_transit_encryption when omitted: TLS1_2 whenever an access point or a role is used (DataSync
    requires it); otherwise an existing location keeps its setting and a new one gets NONE, DataSync's
    default. None means "leave alone"."""
    if params.get("in_transit_encryption"):
        return params["in_transit_encryption"]
    if needs_tls(params):
        return "TLS1_2"
    return None if current else "NONE"


def create_encryption(params, current=None):
    """The setting of a new location; a replacement keeps the old one's when the arguments leave it open."""
    return desired_encryption(params, current) or current["in_transit_encryption"]


def _subdirectory_param(value):
    # DataSync documents EFS mount paths as /path/to/folder; "/" is the root.
    return "/" + locations.normalize_subdirectory(value)


def desired_location(params, resolved, current=None):
    """What a new location will look like (check mode reports it before it exists); `current` is the
    location it replaces, if any."""
    host = uri_host(resolved["file_system_arn"], None)
    return {
        "location_arn": None,
        "location_uri": locations.location_uri("efs", host, params["subdirectory"]),
        "file_system_id": resolved["file_system_id"],
        "file_system_arn": resolved["file_system_arn"],
        "subdirectory": locations.normalize_subdirectory(params["subdirectory"]),
        "ec2_config": {
            "subnet_arn": resolved["subnet_arn"],
            "security_group_arns": list(resolved["security_group_arns"]),
        },
        "access_point_arn": resolved.get("access_point_arn"),
        "file_system_access_role_arn": params.get("file_system_access_role_arn"),
        "in_transit_encryption": create_encryption(params, current),
        "creation_time": None,
        "tags": params.get("tags") or {},
    }


def create_params(params, resolved, current=None):
    create = {
        "EfsFilesystemArn": resolved["file_system_arn"],
        "Subdirectory": _subdirectory_param(params["subdirectory"]),
        "Ec2Config": {"SubnetArn": resolved["subnet_arn"], "SecurityGroupArns": list(resolved["security_group_arns"])},
        "InTransitEncryption": create_encryption(params, current),
    }
    if resolved.get("access_point_arn"):
        create["AccessPointArn"] = resolved["access_point_arn"]
    if params.get("file_system_access_role_arn"):
        create["FileSystemAccessRoleArn"] = params["file_system_access_role_arn"]
    if params.get("tags"):
        create["Tags"] = ansible_dict_to_boto3_tag_list(params["tags"])
    return create


def compare(current, params, resolved):
    """(in-place Changes, create-only Changes) between an existing location (return shape) and the
    arguments. Subnet and security groups compare by ID, so the same resource named by ID or ARN is no
    change; options left out are not compared (except access point and role: leaving them out means
    none, so removing one from the arguments clears it)."""
    in_place, create_only = Changes(), Changes()
    if params.get("file_system"):
        create_only.add("file_system_id", current["file_system_id"], resolved["file_system_id"])
    ec2 = current["ec2_config"]
    if params.get("subnet"):
        same = arns.resource_id(ec2["subnet_arn"] or "") == arns.resource_id(resolved["subnet_arn"])
        create_only.add("subnet_arn", ec2["subnet_arn"], ec2["subnet_arn"] if same else resolved["subnet_arn"])
    if params.get("security_groups"):
        before = sorted(ec2["security_group_arns"])
        same = set(arns.resource_id(g) for g in before) == set(
            arns.resource_id(g) for g in resolved["security_group_arns"]
        )
        create_only.add("security_group_arns", before, before if same else sorted(resolved["security_group_arns"]))
    in_place.add("subdirectory", current["subdirectory"], locations.normalize_subdirectory(params["subdirectory"]))
    in_place.add("access_point_arn", current["access_point_arn"], resolved.get("access_point_arn"))
    in_place.add(
        "file_system_access_role_arn", current["file_system_access_role_arn"], params.get("file_system_access_role_arn")
    )
    encryption = desired_encryption(params, current)
    if encryption:
        in_place.add("in_transit_encryption", current["in_transit_encryption"], encryption)
    if params.get("tags") is not None:
        _set, _remove, tag_result = tags.plan(current["tags"], params["tags"], params["purge_tags"])
        in_place.add("tags", current["tags"], tag_result)
    return in_place, create_only


def update_params(in_place):
    """UpdateLocationEfs arguments for the changed fields ("" clears an ARN); {} when only tags change."""
    names = in_place.names
    after = in_place.diff()["after"]
    update = {}
    if "subdirectory" in names:
        update["Subdirectory"] = _subdirectory_param(after["subdirectory"])
    if "access_point_arn" in names:
        update["AccessPointArn"] = after["access_point_arn"] or ""
    if "file_system_access_role_arn" in names:
        update["FileSystemAccessRoleArn"] = after["file_system_access_role_arn"] or ""
    if "in_transit_encryption" in names:
        update["InTransitEncryption"] = after["in_transit_encryption"]
    return update


def predict(current, in_place):
    """What an in-place update will make of `current` (check mode reports it without writing)."""
    after = in_place.diff()["after"]
    location = dict(current)
    for name in ("subdirectory", "access_point_arn", "file_system_access_role_arn", "in_transit_encryption", "tags"):
        if name in after:
            location[name] = after[name]
    host = locations.parse_location_uri(current["location_uri"])["host"]
    location["location_uri"] = locations.location_uri("efs", host, location["subdirectory"])
    return location


def replacement_message(arn, create_only):
    diff = create_only.diff()
    details = "; ".join(f"{n}: {diff['before'][n]!r} -> {diff['after'][n]!r}" for n in create_only.names)
    return (
        f"EFS location {arn} cannot be changed in place ({details}). Set allow_replacement=true to create a new "
        "location and delete this one; tasks using it must then be updated."
    )


def narrow(matches, keep):
    """The candidates for which keep(candidate) holds; all of them when none does, so that a location
    whose tags or network settings are about to change is reported as ambiguous, not duplicated."""
    kept = [m for m in matches if keep(m)]
    return kept or matches
