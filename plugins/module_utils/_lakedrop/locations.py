# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DataSync locations of every type: URIs and subdirectory rules, and the modules' return shape
(Describe + what only the URI says: bucket, file system, subdirectory + tags). Shared by the location
modules and datasync_location_info, so a location reads the same whichever module returns it."""

import re

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict

from . import arns
from . import datasync_api as ds_api
from . import naming

# --- URIs and subdirectories -------------------------------------------------------------------------

SUBDIRECTORY_RE = re.compile(r"^[a-zA-Z0-9_\-\+\./\(\)\s]*$")


def normalize_subdirectory(value):
    """`sub/`, `/sub` and `sub` are the same directory to DataSync; `/` and `` are the root."""
    return (value or "").strip("/")


def subdirectory_problem(value, option, s3=False):
    """An error message if `value` breaks DataSync's subdirectory rules, else None."""
    if value is None:
        return None
    if len(value) > 4096:
        return f"{option} is longer than 4096 characters."
    if not SUBDIRECTORY_RE.match(value):
        bad = sorted(set(c for c in value if not SUBDIRECTORY_RE.match(c)))
        found = ", ".join(repr(c) for c in bad)
        return f"{option} may contain only letters, digits, spaces and _ - + . / ( ); found {found}."
    if s3 and value.startswith("/"):
        return f"{option} must not start with '/': S3 prefixes are relative to the bucket (use {value.lstrip('/')!r})."
    padded = f"/{value.strip('/')}/"
    for part in ("//", "/./", "/../"):
        if part in padded and padded != "//":
            return f"{option} must not contain {part!r}."
    return None


def parse_location_uri(uri):
    """Split a LocationUri into scheme, host (bucket or `region.fs-id`) and normalized subdirectory."""
    match = re.match(r"^([a-z0-9-]+)://([^/]+)(/.*)?$", uri or "")
    if not match:
        return None
    scheme, host, path = match.groups()
    parsed = {"scheme": scheme, "host": host, "subdirectory": normalize_subdirectory(path)}
    if scheme == "efs" and "." in host:
        parsed["region"], parsed["file_system_id"] = host.split(".", 1)
    if scheme == "s3":
        parsed["bucket_name"] = host
    return parsed


def location_uri(scheme, host, subdirectory):
    sub = normalize_subdirectory(subdirectory)
    return f"{scheme}://{host}/{sub + '/' if sub else ''}"


def candidates(locations, scheme, host, subdirectory):
    """Locations whose URI names the same place (trailing-slash differences ignored)."""
    wanted = (scheme, host, normalize_subdirectory(subdirectory))
    found = []
    for location in locations:
        parsed = parse_location_uri(location.get("LocationUri"))
        if parsed and (parsed["scheme"], parsed["host"], parsed["subdirectory"]) == wanted:
            found.append(location)
    return found


def narrow_by_tags(matches, tags_of, desired_tags):
    """Keep the candidates carrying every desired tag (used only when the URI alone is ambiguous)."""
    if not desired_tags:
        return matches
    return [m for m in matches if all(tags_of(m).get(k) == v for k, v in desired_tags.items())]


def ambiguity_message(kind, uri, matches):
    return naming.ambiguity_message(
        f"DataSync {kind} locations match {uri}",
        matches,
        "Pass location_arn to choose one, or tags that only one of them carries",
    )


# --- the return shape --------------------------------------------------------------------------------


def location_type(uri):
    """S3, EFS, NFS, SMB, HDFS, FSXW, OBJECT_STORAGE, ...: the URI scheme, upper-cased."""
    parsed = parse_location_uri(uri)
    return parsed["scheme"].upper().replace("-", "_") if parsed else None


def file_system_arn(location_arn, region, file_system_id):
    """DataSync does not return the file system's ARN: the URI gives its region and ID, and an EFS
    location lives in the file system's account, which the location ARN names."""
    partition, _service, _region, account = arns.arn_parts(location_arn)
    return f"arn:{partition}:elasticfilesystem:{region}:{account}:file-system/{file_system_id}"


def _snake(described):
    described = dict(described)
    described.pop("ResponseMetadata", None)
    location = camel_dict_to_snake_dict(described)
    if location.get("creation_time") is not None:
        location["creation_time"] = str(location["creation_time"])
    return location


def s3_shape(described, tags, partition="aws"):
    location = _snake(described)
    parsed = parse_location_uri(described["LocationUri"]) or {}
    location["bucket_name"] = parsed.get("bucket_name")
    location["bucket_arn"] = f"arn:{partition}:s3:::{parsed.get('bucket_name')}"
    location["subdirectory"] = parsed.get("subdirectory", "")
    location["tags"] = tags
    return location


def efs_shape(described, tags):
    location = _snake(described)
    parsed = parse_location_uri(described["LocationUri"]) or {}
    location["file_system_id"] = parsed.get("file_system_id")
    location["file_system_arn"] = file_system_arn(
        described["LocationArn"], parsed.get("region"), parsed.get("file_system_id")
    )
    location["subdirectory"] = parsed.get("subdirectory", "")
    ec2 = location.get("ec2_config") or {}
    location["ec2_config"] = {
        "subnet_arn": ec2.get("subnet_arn"),
        "security_group_arns": ec2.get("security_group_arns") or [],
    }
    # Absent keys mean "not set"; keep them so comparisons and playbooks see None rather than a KeyError.
    location.setdefault("access_point_arn", None)
    location.setdefault("file_system_access_role_arn", None)
    location["in_transit_encryption"] = location.get("in_transit_encryption") or "NONE"
    location["tags"] = tags
    return location


def read_s3_location(client, arn, partition="aws"):
    """The S3 location in the module's return shape, or None when it does not exist."""
    described = ds_api.describe_location_s3(client, arn)
    if not described:
        return None
    return s3_shape(described, ds_api.list_tags(client, arn), partition)


def read_efs_location(client, arn):
    """The EFS location in the module's return shape, or None when it does not exist."""
    described = ds_api.describe_location_efs(client, arn)
    if not described:
        return None
    return efs_shape(described, ds_api.list_tags(client, arn))


# --- finding locations (datasync_location_info) -------------------------------------------------------

# ListLocations filter values may hold only these characters, at most 255 of them.
FILTER_VALUE_RE = re.compile(r"^[0-9a-zA-Z_ \-:*.\\/?]{1,255}$")
# LocationType values DataSync documents for the server-side filter; other types are filtered here.
SERVER_TYPES = ("S3", "EFS")


def bucket_name(value):
    """The bucket (or access point) name inside a name or an ARN."""
    return value.split(":")[-1].split("/")[-1] if arns.is_arn(value) else value


def normalize_type(value):
    return value.upper().replace("-", "_") if value else None


def wanted_uri(params, region):
    """(scheme, host, subdirectory) that O(location_uri), O(bucket) or O(file_system) pin, as far as
    they do (None for what they leave open)."""
    if params.get("location_uri"):
        parsed = parse_location_uri(params["location_uri"])
        return parsed["scheme"], parsed["host"], parsed["subdirectory"]
    if params.get("bucket"):
        return "s3", bucket_name(params["bucket"]), None
    if params.get("file_system"):
        fs = params["file_system"]
        fs_region = arns.arn_parts(fs)[2] if arns.is_arn(fs) else region
        return "efs", f"{fs_region}.{arns.resource_id(fs)}", None
    return None, None, None


def list_filters(params, region):
    """ListLocations filters that narrow the listing on the server side. Only what DataSync can filter
    exactly goes there (one URI prefix, documented types); `matches` checks everything again."""
    filters = []
    scheme, host, subdirectory = wanted_uri(params, region)
    if subdirectory is None and params.get("subdirectory") is not None:
        subdirectory = normalize_subdirectory(params["subdirectory"])
    if scheme:
        prefix = f"{scheme}://{host}/"
        if subdirectory:
            candidate = prefix + subdirectory  # BeginsWith, so "sub" also finds "sub/"
            prefix = candidate if FILTER_VALUE_RE.match(candidate) else prefix
        if FILTER_VALUE_RE.match(prefix):
            filters.append({"Name": "LocationUri", "Operator": "BeginsWith", "Values": [prefix]})
    location_type = normalize_type(params.get("location_type"))
    if location_type in SERVER_TYPES:
        filters.append({"Name": "LocationType", "Operator": "Equals", "Values": [location_type]})
    return filters


def matches(entry, params, region):
    """Whether a ListLocations entry passes every filter but tags (which need a call)."""
    if params.get("location_arns") and entry["LocationArn"] not in params["location_arns"]:
        return False
    parsed = parse_location_uri(entry.get("LocationUri"))
    if not parsed:
        return not (
            params.get("location_uri")
            or params.get("bucket")
            or params.get("file_system")
            or params.get("location_type")
            or params.get("subdirectory") is not None
        )
    scheme, host, subdirectory = wanted_uri(params, region)
    if scheme and (parsed["scheme"], parsed["host"]) != (scheme, host):
        return False
    if subdirectory is not None and parsed["subdirectory"] != subdirectory:
        return False
    if params.get("subdirectory") is not None and parsed["subdirectory"] != normalize_subdirectory(
        params["subdirectory"]
    ):
        return False
    if params.get("location_type") and location_type(entry["LocationUri"]) != normalize_type(params["location_type"]):
        return False
    return True


def has_tags(tags, wanted):
    return all(tags.get(k) == v for k, v in (wanted or {}).items())


def other_shape(entry, tags):
    """A location of a type this collection does not describe: what its listing entry and URI say."""
    parsed = parse_location_uri(entry["LocationUri"]) or {}
    return {
        "location_arn": entry["LocationArn"],
        "location_uri": entry["LocationUri"],
        "subdirectory": parsed.get("subdirectory", ""),
        "tags": tags,
    }
