# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Listing DataSync locations of every type (module datasync_location_info).

Pure functions first (validate, the server-side filters, the filters checked here; unit-tested without
AWS), then the flow: `run(module)` lists, filters and describes through the API layer (datasync_api),
in the shapes of `locations`.
"""

import re

from . import arns
from . import datasync_api as ds_api
from . import locations
from .locations import normalize_subdirectory
from .locations import parse_location_uri

# ListLocations filter values may hold only these characters, at most 255 of them.
FILTER_VALUE_RE = re.compile(r"^[0-9a-zA-Z_ \-:*.\\/?]{1,255}$")
# LocationType values DataSync documents for the server-side filter; other types are filtered here.
SERVER_TYPES = ("S3", "EFS")

# --- pure: validation (before any call) --------------------------------------------------------------


def validate(params, region=None):
    """Every problem with the arguments, as messages; nothing is called before this is empty."""
    problems = [
        arns.check(arn, "datasync_location", f"location_arns[{index}]")
        for index, arn in enumerate(params["location_arns"] or [])
    ]
    if params["location_uri"] is not None and not parse_location_uri(params["location_uri"]):
        problems.append(
            f"location_uri must look like SCHEME://HOST/SUBDIRECTORY/ (for example s3://my-bucket/incoming/), "
            f"got {params['location_uri']!r}."
        )
    if params["bucket"]:
        problems.append(locations.bucket_problem(params["bucket"]))
    if params["file_system"]:
        problems.append(arns.check(params["file_system"], "efs_file_system", "file_system", allow_id=True))
    return [p for p in problems if p]


# --- pure: filters -------------------------------------------------------------------------------------


def normalize_type(value):
    return value.upper().replace("-", "_") if value else None


def wanted_uri(params, region):
    """(scheme, host, subdirectory) that O(location_uri), O(bucket) or O(file_system) pin, as far as
    they do (None for what they leave open)."""
    if params.get("location_uri"):
        parsed = parse_location_uri(params["location_uri"])
        return parsed["scheme"], parsed["host"], parsed["subdirectory"]
    if params.get("bucket"):
        return "s3", locations.bucket_name(params["bucket"]), None
    if params.get("file_system"):
        return "efs", locations.efs_host(params["file_system"], region), None
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
    if params.get("location_type") and locations.location_type(entry["LocationUri"]) != normalize_type(
        params["location_type"]
    ):
        return False
    return True


# --- pure: the return shape ----------------------------------------------------------------------------


def other_shape(entry, tags):
    """A location of a type this collection does not describe: what its listing entry and URI say."""
    parsed = parse_location_uri(entry["LocationUri"]) or {}
    return {
        "location_arn": entry["LocationArn"],
        "location_uri": entry["LocationUri"],
        "subdirectory": parsed.get("subdirectory", ""),
        "tags": tags,
    }


def ordered(found):
    """The result's order: by URI, then ARN."""
    return sorted(found, key=lambda f: (f["location_uri"], f["location_arn"]))


# --- flow: list, filter, describe ----------------------------------------------------------------------


def describe(client, entry, tags, partition):
    """The location's full details for S3 and EFS, what the URI says for the others (None if it vanished)."""
    kind = locations.location_type(entry["LocationUri"])
    if kind in ("S3", "EFS"):
        described = ds_api.describe_location(client, kind, entry["LocationArn"])
        if not described:
            return None
        found = locations.s3_shape(described, tags, partition) if kind == "S3" else locations.efs_shape(described, tags)
    else:
        found = other_shape(entry, tags)
    found["type"] = kind
    return found


def run(module):
    client, params, region = module.client("datasync"), module.params, module.region
    found = []
    for entry in ds_api.list_locations(client, list_filters(params, region)):
        if not matches(entry, params, region):
            continue
        tags = ds_api.list_tags(client, entry["LocationArn"])
        if not locations.has_tags(tags, params["tags"]):
            continue
        location = describe(client, entry, tags, arns.partition_of(region))
        if location is not None:
            found.append(location)
    return dict(changed=False, locations=ordered(found))
