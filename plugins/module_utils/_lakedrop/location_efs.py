# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DataSync EFS locations (module datasync_location_efs).

Pure functions first (validate, the in-transit encryption rule, identity by URI, access point, tags and
Ec2Config, IDs resolved to ARNs, compare, API parameters; unit-tested without AWS), then the flow: the
only part that calls the API layer (datasync_api, efs_api, and amazon.aws's ec2 helpers for subnets and
security groups), through `run(module)`. IDs are resolved to ARNs with read calls before any write and
handed to the pure functions as `resolved` (file_system_id/_arn, subnet_arn, security_group_arns,
access_point_arn).
"""

from ansible_collections.amazon.aws.plugins.module_utils import ec2 as ec2_api
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from . import arns
from . import datasync_api as ds_api
from . import efs_api
from . import locations
from . import naming
from . import tags
from .changes import Changes
from .runner import require

ENCRYPTION = ["NONE", "TLS1_2"]
MAX_SECURITY_GROUPS = 5  # Ec2Config.SecurityGroupArns holds 1 to 5

# Options that single out one of several locations on the same URI, besides location_arn.
TELLING_APART = "tags, subnet or security_groups"

# --- pure: validation (before any call) --------------------------------------------------------------


def needs_tls(params):
    return bool(params.get("access_point") or params.get("file_system_access_role_arn"))


def _shape_problem(value, kind, option, region, allow_id=True):
    return arns.check(value, kind, option, allow_id=allow_id) or arns.region_problem(value, region, option)


def _security_group_problems(groups, region):
    problems = []
    if not 1 <= len(groups) <= MAX_SECURITY_GROUPS:
        problems.append(
            f"security_groups must list 1 to {MAX_SECURITY_GROUPS} security groups (DataSync's limit), "
            f"got {len(groups)}."
        )
    for index, group in enumerate(groups):
        problems.append(_shape_problem(group, "security_group", f"security_groups[{index}]", region))
    ids = group_ids(groups)
    repeated = sorted(set(i for i in ids if ids.count(i) > 1))
    if repeated:
        problems.append(f"security_groups lists {', '.join(repeated)} more than once.")
    return problems


def validate(params, region=None):
    """Every problem with the arguments, as messages; nothing is called before this is empty."""
    problems = []
    if params.get("file_system"):
        problems.append(_shape_problem(params["file_system"], "efs_file_system", "file_system", region))
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
    if params.get("subnet"):
        problems.append(_shape_problem(params["subnet"], "subnet", "subnet", region))
    if params.get("security_groups") is not None:
        problems.extend(_security_group_problems(params["security_groups"], region))
    for option, kind, allow_id in (
        ("access_point", "efs_access_point", True),
        ("file_system_access_role_arn", "iam_role", False),
        ("location_arn", "datasync_location", False),
    ):
        if params.get(option):
            problems.append(_shape_problem(params[option], kind, option, region, allow_id))
    problems.append(locations.subdirectory_problem(params.get("subdirectory"), "subdirectory"))
    if params.get("in_transit_encryption") == "NONE" and needs_tls(params):
        given = " and ".join(o for o in ("access_point", "file_system_access_role_arn") if params.get(o))
        problems.append(
            f"in_transit_encryption=NONE cannot be used with {given}: DataSync mounts through an access "
            "point or with an IAM role only over TLS, so it requires TLS1_2. Set in_transit_encryption: "
            "TLS1_2 (or omit it, and the module uses TLS1_2)."
        )
    return [p for p in problems if p]


# --- pure: identity ----------------------------------------------------------------------------------


def group_ids(groups):
    """Security group IDs of IDs or ARNs, in order."""
    return [arns.id_of(g) for g in groups or []]


def uri_prefix_filter(host):
    return [{"Name": "LocationUri", "Operator": "BeginsWith", "Values": [f"efs://{host}/"]}]


def access_point_id(described):
    """The access point ID a described location mounts through, or None."""
    return arns.id_of(described.get("AccessPointArn") or None)


def ec2_matches(described, subnet=None, security_groups=None):
    """Whether a DescribeLocationEfs answer has this subnet and these security groups (IDs or ARNs;
    groups compared as a set). Unspecified parts match anything."""
    config = described.get("Ec2Config") or {}
    if subnet and arns.id_of(config.get("SubnetArn", "")) != arns.id_of(subnet):
        return False
    if security_groups and set(group_ids(config.get("SecurityGroupArns"))) != set(group_ids(security_groups)):
        return False
    return True


def identify(described, tags_of, params):
    """The ARNs among the candidates (ARN -> DescribeLocationEfs answer, all on the wanted URI) that the
    arguments name: the same access point (another one is another directory, so another location), then,
    while several remain, the tags (`tags_of(arn)`), then the subnet and security groups. A narrowing that
    keeps none keeps them all, so that a location whose tags or network settings are about to change is
    reported as ambiguous rather than created twice."""
    wanted = arns.id_of(params["access_point"])
    found = [arn for arn, answer in described.items() if access_point_id(answer) == wanted]
    if len(found) > 1:
        found = locations.narrow_by_tags(found, tags_of, params["tags"]) or found
    if len(found) > 1 and (params["subnet"] or params["security_groups"]):
        found = [a for a in found if ec2_matches(described[a], params["subnet"], params["security_groups"])] or found
    return found


# --- pure: IDs resolved to ARNs ------------------------------------------------------------------------


def ec2_arn(described, region, kind, ident):
    """A subnet's or security group's ARN as EC2 describes it, built with the region's partition when the
    answer leaves it out."""
    key = {"subnet": "SubnetArn", "security-group": "SecurityGroupArn"}[kind]
    return described.get(key) or f"arn:{arns.partition_of(region)}:ec2:{region}:{described['OwnerId']}:{kind}/{ident}"


def resolve_arns(params, found, region, current=None):
    """(resolved, problems): the ARNs of what the arguments name, from the read calls' answers in `found`
    (`file_system`, `access_point`: a description or None; `subnets`, `security_groups`: as described),
    and a message for each that does not exist. Parts the arguments leave out come from `current`."""
    current = current or {}
    ec2_config = current.get("ec2_config") or {}
    resolved = {
        "file_system_id": current.get("file_system_id"),
        "file_system_arn": current.get("file_system_arn"),
        "subnet_arn": ec2_config.get("subnet_arn"),
        "security_group_arns": ec2_config.get("security_group_arns") or [],
        "access_point_arn": None,
    }
    problems = []
    file_system_missing = params["file_system"] and not found.get("file_system")
    if file_system_missing:
        problems.append(
            f"file_system {arns.id_of(params['file_system'])} does not exist in {region} (or this account "
            "cannot see it); create it first or check the ID."
        )
    elif params["file_system"]:
        resolved["file_system_id"] = arns.id_of(params["file_system"])
        resolved["file_system_arn"] = found["file_system"]["FileSystemArn"]
    if params["access_point"]:
        ap_id, access_point = arns.id_of(params["access_point"]), found.get("access_point")
        if not access_point:
            problems.append(f"access_point {ap_id} does not exist in {region}; create it first or check the ID.")
        elif not file_system_missing and access_point["FileSystemId"] != resolved["file_system_id"]:
            problems.append(
                f"access_point {ap_id} belongs to file system {access_point['FileSystemId']}, not "
                f"{resolved['file_system_id']}; an access point mounts only its own file system."
            )
        else:
            resolved["access_point_arn"] = access_point["AccessPointArn"]
    if params["subnet"]:
        subnet_id, subnets = arns.id_of(params["subnet"]), found.get("subnets")
        if subnets:
            resolved["subnet_arn"] = ec2_arn(subnets[0], region, "subnet", subnet_id)
        else:
            problems.append(f"subnet {subnet_id} does not exist in {region}; check the ID.")
    if params["security_groups"]:
        by_id = dict((g["GroupId"], g) for g in found.get("security_groups") or [])
        ids = group_ids(params["security_groups"])
        missing = [i for i in ids if i not in by_id]
        if missing:
            problems.append(
                f"security_groups: {', '.join(missing)} {'does' if len(missing) == 1 else 'do'} not exist "
                f"in {region}; check the IDs."
            )
        else:
            resolved["security_group_arns"] = [ec2_arn(by_id[i], region, "security-group", i) for i in ids]
    return resolved, problems


# --- pure: desired state and comparison --------------------------------------------------------------


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
    host = locations.efs_host(resolved["file_system_arn"], None)
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


def replacement_params(params, current):
    """The arguments a replacement creates with: the old location's tags, as the arguments change them."""
    return dict(params, tags=tags.plan(current["tags"], params["tags"], params["purge_tags"])[2])


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
        same = arns.id_of(ec2["subnet_arn"] or "") == arns.id_of(resolved["subnet_arn"])
        create_only.add("subnet_arn", ec2["subnet_arn"], ec2["subnet_arn"] if same else resolved["subnet_arn"])
    if params.get("security_groups"):
        before = sorted(ec2["security_group_arns"])
        same = set(group_ids(before)) == set(group_ids(resolved["security_group_arns"]))
        create_only.add("security_group_arns", before, before if same else sorted(resolved["security_group_arns"]))
    in_place.add("subdirectory", current["subdirectory"], locations.normalize_subdirectory(params["subdirectory"]))
    in_place.add("access_point_arn", current["access_point_arn"], resolved.get("access_point_arn"))
    in_place.add(
        "file_system_access_role_arn", current["file_system_access_role_arn"], params.get("file_system_access_role_arn")
    )
    encryption = desired_encryption(params, current)
    if encryption:
        in_place.add("in_transit_encryption", current["in_transit_encryption"], encryption)
    locations.compare_tags(in_place, current, params)
    return in_place, create_only


# UpdateLocationEfs parameter of each in-place field, from its desired value ("" clears an ARN).
UPDATES = {
    "subdirectory": ("Subdirectory", _subdirectory_param),
    "access_point_arn": ("AccessPointArn", lambda arn: arn or ""),
    "file_system_access_role_arn": ("FileSystemAccessRoleArn", lambda arn: arn or ""),
    "in_transit_encryption": ("InTransitEncryption", lambda value: value),
}


def update_params(in_place):
    """UpdateLocationEfs arguments for the changed fields; {} when only tags change."""
    after = in_place.diff()["after"]
    return dict((key, to_api(after[name])) for name, (key, to_api) in UPDATES.items() if name in in_place.names)


def predict(current, in_place):
    """What an in-place update will make of `current` (check mode reports it without writing)."""
    after = in_place.diff()["after"]
    location = dict(current, **dict((name, after[name]) for name in (*UPDATES, "tags") if name in after))
    host = locations.parse_location_uri(current["location_uri"])["host"]
    location["location_uri"] = locations.location_uri("efs", host, location["subdirectory"])
    return location


# --- flow: reads, the plan above, writes -------------------------------------------------------------


def find(client, params, region):
    """The existing location's ARN, or None (a Failure when several match)."""
    if params["location_arn"]:
        return params["location_arn"] if ds_api.describe_location(client, "EFS", params["location_arn"]) else None
    host = locations.efs_host(params["file_system"], region)
    listed = locations.candidates(
        ds_api.list_locations(client, uri_prefix_filter(host)), "efs", host, params["subdirectory"]
    )
    described = dict(
        (m["LocationArn"], ds_api.describe_location(client, "EFS", m["LocationArn"]) or {}) for m in listed
    )
    found = identify(described, lambda arn: ds_api.list_tags(client, arn), params)
    uri = locations.location_uri("efs", host, params["subdirectory"])
    return naming.single(found, lambda matches: locations.ambiguity_message("EFS", uri, matches, TELLING_APART))


def read(client, arn, region=None):
    # The partition of the file system's ARN comes from the location ARN, so the region is not needed.
    return locations.read_efs_location(client, arn)


def resolve(module, current=None):
    """IDs -> ARNs with read calls (EFS, EC2); a Failure names whatever does not exist, before any write."""
    params, found = module.params, {}
    if params["file_system"] or params["access_point"]:
        efs = module.client("efs")
        if params["file_system"]:
            found["file_system"] = efs_api.describe_file_system(efs, arns.id_of(params["file_system"]))
        if params["access_point"]:
            found["access_point"] = efs_api.describe_access_point(efs, arns.id_of(params["access_point"]))
    if params["subnet"] or params["security_groups"]:
        ec2 = module.client("ec2")
        if params["subnet"]:
            found["subnets"] = ec2_api.describe_subnets(ec2, SubnetIds=[arns.id_of(params["subnet"])])
        if params["security_groups"]:
            ids = group_ids(params["security_groups"])
            found["security_groups"] = ec2_api.describe_security_groups(
                ec2, Filters=[{"Name": "group-id", "Values": ids}]
            )
    resolved, problems = resolve_arns(params, found, module.region, current)
    require(problems)
    return resolved


def create(module, client, resolved, current=None):
    """Create the location (in check mode, only describe what would be created); `current` is the location
    it replaces, if any."""
    params = replacement_params(module.params, current) if current else module.params
    if module.check_mode:
        return desired_location(params, resolved, current)
    host = locations.efs_host(resolved["file_system_arn"], None)
    arn = locations.create_once(
        module,
        client,
        lambda: ds_api.create_location(
            client, "EFS", create_params(params, resolved, current), params["propagation_timeout"]
        ),
        uri_prefix_filter(host),
        ("efs", host, params["subdirectory"]),
    )
    return read(client, arn)


EFS = locations.LocationType("EFS", read, predict, update_params)


def ensure_present(module, client, arn):
    current = arn and read(client, arn)
    locations.require_found(module.params, current)
    resolved = resolve(module, current)
    compared = current and compare(current, module.params, resolved)
    return locations.converge(module, client, EFS, current, compared, lambda: create(module, client, resolved, current))


def run(module):
    client = module.client("datasync")
    arn = find(client, module.params, module.region)
    if module.params["state"] == "absent":
        return locations.ensure_absent(module, client, arn and read(client, arn))
    return ensure_present(module, client, arn)
