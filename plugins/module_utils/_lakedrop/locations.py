# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DataSync locations of every type: URIs and subdirectory rules, identity by URI and tags, and the
modules' return shape (Describe + what only the URI says: bucket, file system, subdirectory + tags).
Shared by the location modules and datasync_location_info, so a location reads the same whichever
module returns it. Last, the part of the flow every location type shares (`converge`, `ensure_absent`):
the one place that decides between create, replace, update in place and nothing."""

import re
import unicodedata
from collections import namedtuple

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import is_ansible_aws_error_code

from . import arns
from . import datasync_api as ds_api
from . import naming
from . import tags as tagging
from .changes import creation_diff
from .changes import deletion_diff
from .changes import refuse_replacement
from .changes import replace
from .runner import Failure

# --- URIs and subdirectories -------------------------------------------------------------------------

# botocore's Subdirectory pattern: [a-zA-Z0-9_\-\+\./\(\)\p{Zs}]* - \p{Zs} is space separators, not tabs or
# newlines (which Python's \s would let through).
SUBDIRECTORY_CHARS = re.compile(r"[a-zA-Z0-9_\-\+\./\(\)]")


def _subdirectory_char(c):
    return bool(SUBDIRECTORY_CHARS.match(c)) or unicodedata.category(c) == "Zs"


def normalize_subdirectory(value):
    """`sub/`, `/sub` and `sub` are the same directory to DataSync; `/` and `` are the root."""
    return (value or "").strip("/")


def subdirectory_problem(value, option):
    """An error message if `value` breaks DataSync's subdirectory rules, else None."""
    if value is None:
        return None
    if len(value) > 4096:
        return f"{option} is longer than 4096 characters."
    bad = sorted(set(c for c in value if not _subdirectory_char(c)))
    if bad:
        found = ", ".join(repr(c) for c in bad)
        return f"{option} may contain only letters, digits, spaces and _ - + . / ( ); found {found}."
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


def bucket_name(value):
    """The bucket (or access point) name inside a name or an ARN."""
    return value.split(":")[-1].split("/")[-1] if arns.is_arn(value) else value


def bucket_problem(value, option="bucket"):
    """A message when `value` is neither a bucket name nor a bucket or S3 access point ARN, else None."""
    if arns.kind_of(value) in ("s3_bucket", "s3_access_point", "s3_bucket_id"):
        return None
    return (
        f"{option} must be a bucket name, a bucket ARN or an S3 access point ARN, but {value!r} "
        f"is {arns.describe(value)}."
    )


def efs_host(file_system, region):
    """`REGION.fs-ID` as in an EFS location URI; a file system ARN names its own region."""
    if arns.is_arn(file_system):
        region = arns.arn_parts(file_system)[2]
    return f"{region}.{arns.id_of(file_system)}"


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


def has_tags(tags, wanted):
    """Whether `tags` carry every wanted tag with its value (no wanted tags: always)."""
    return all(tags.get(k) == v for k, v in (wanted or {}).items())


def narrow_by_tags(matches, tags_of, desired_tags):
    """Keep the candidates carrying every desired tag (used only when the URI alone is ambiguous)."""
    if not desired_tags:
        return matches
    return [m for m in matches if has_tags(tags_of(m), desired_tags)]


def ambiguity_message(kind, uri, matches, telling_apart="tags"):
    """`telling_apart`: the options besides location_arn that can single one out."""
    return naming.ambiguity_message(
        f"DataSync {kind} locations match {uri}",
        matches,
        f"Pass location_arn to choose one, or {telling_apart} that only one of them carries",
    )


def compare_tags(changes, current, params):
    """Record the tags in `changes` when the arguments manage them (amazon.aws's tags/purge_tags)."""
    if params["tags"] is not None:
        changes.add("tags", current["tags"], tagging.plan(current["tags"], params["tags"], params["purge_tags"])[2])


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
    described = ds_api.describe_location(client, "S3", arn)
    if not described:
        return None
    return s3_shape(described, ds_api.list_tags(client, arn), partition)


def read_efs_location(client, arn):
    """The EFS location in the module's return shape, or None when it does not exist."""
    described = ds_api.describe_location(client, "EFS", arn)
    if not described:
        return None
    return efs_shape(described, ds_api.list_tags(client, arn))


# --- flow pieces every location module shares ------------------------------------------------------------


def result(changed, location, replaced=False, diff=None):
    """A location module's result (`diff` only when there is one)."""
    found = dict(changed=changed, location=location, replaced=replaced)
    if diff is not None:
        found["diff"] = diff
    return found


def ensure_absent(module, client, current):
    """Delete `current` (a location in its return shape; None when there is none)."""
    if not current:
        return result(False, {})
    if not module.check_mode:
        ds_api.delete_location(client, current["location_arn"])
    return result(True, {}, diff=deletion_diff(current))


# A location type's own parts, for `converge`: `type` names it ("EFS", as the API layer's `kind`);
# `read(client, arn, region)` gives a location in its return shape; `predict(current, in_place)` is what an
# in-place update makes of it (check mode); `update_params(in_place)` are the UpdateLocation* arguments for
# what changed ({} when only tags do).
LocationType = namedtuple("LocationType", "type read predict update_params")


def create_once(module, client, create_call, uri_filter, place):
    """`create_call()` -> the new location's ARN. DataSync's CreateLocation* take no client token and are
    not retried after InternalException, which may come after DataSync made the location: then the one
    location at `place` ((scheme, host, subdirectory)) that was not there before the call is adopted;
    anything else re-raises."""

    def listed():
        return set(m["LocationArn"] for m in candidates(ds_api.list_locations(client, uri_filter), *place))

    before = listed()
    try:
        return create_call()
    except is_ansible_aws_error_code("InternalException"):
        new = sorted(listed() - before)
        if len(new) != 1:
            raise
        module.warn(f"DataSync answered InternalException, but it made location {new[0]}; using it.")
        return new[0]


def require_found(params, current):
    """With state=present, a location_arn that names no location is a Failure: there is nothing to update."""
    if not current and params["location_arn"]:
        raise Failure(f"location_arn {params['location_arn']} does not exist; omit it to create a new location.")


def converge(module, client, kind, current, compared, create):
    """Bring the location to the arguments: with no `current` location, `create()` one (in check mode it
    only predicts). Else, as `compare` found ((in-place Changes, create-only Changes) in `compared`): when
    a create-only field differs, replace it (only with allow_replacement; create-before-delete), else
    update it in place and write its tags, else leave it."""
    if not current:
        location = create()
        return result(True, location, diff=creation_diff(location))
    (in_place, create_only), arn, params = compared, current["location_arn"], module.params
    if create_only.changed:
        if not params["allow_replacement"]:
            refuse_replacement(f"{kind.type} location", arn, create_only, "tasks using it must then be updated")
        location = replace(create, lambda: ds_api.delete_location(client, arn), module.check_mode)
        return result(True, location, replaced=True, diff={"before": current, "after": location})
    if not in_place.changed:
        return result(False, current, diff=in_place.diff())
    if module.check_mode:
        return result(True, kind.predict(current, in_place), diff=in_place.diff())
    updates = kind.update_params(in_place)
    if updates:
        ds_api.update_location(client, kind.type, arn, updates, params["propagation_timeout"])
    tagging.ensure(ds_api, client, arn, current["tags"], params["tags"], params["purge_tags"])
    return result(True, kind.read(client, arn, module.region), diff=in_place.diff())
