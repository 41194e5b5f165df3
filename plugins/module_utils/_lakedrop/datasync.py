# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DataSync API calls (one small function per call: error handler + retry) and the pure logic that
identifies locations, whose Describe answers carry no name, bucket/file-system ARN or tags."""

import re

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from .common import RETRY
from .common import DataSyncErrorHandler
from .common import retry_propagation

# --- API -------------------------------------------------------------------------------------------


@DataSyncErrorHandler.common_error_handler("list DataSync locations")
@RETRY
def list_locations(client, filters=None):
    kwargs = {"Filters": filters} if filters else {}
    return client.get_paginator("list_locations").paginate(**kwargs).build_full_result().get("Locations", [])


@DataSyncErrorHandler.list_error_handler("describe S3 location {arn}")
@RETRY
def describe_location_s3(client, arn):
    return client.describe_location_s3(LocationArn=arn)


@DataSyncErrorHandler.list_error_handler("describe EFS location {arn}")
@RETRY
def describe_location_efs(client, arn):
    return client.describe_location_efs(LocationArn=arn)


@DataSyncErrorHandler.common_error_handler("create S3 location")
def create_location_s3(client, params, propagation_timeout=120):
    return retry_propagation(lambda: RETRY(client.create_location_s3)(**params), timeout=propagation_timeout)[
        "LocationArn"
    ]


@DataSyncErrorHandler.common_error_handler("create EFS location")
def create_location_efs(client, params, propagation_timeout=120):
    return retry_propagation(lambda: RETRY(client.create_location_efs)(**params), timeout=propagation_timeout)[
        "LocationArn"
    ]


@DataSyncErrorHandler.common_error_handler("update S3 location {arn}")
def update_location_s3(client, arn, params, propagation_timeout=120):
    retry_propagation(lambda: RETRY(client.update_location_s3)(LocationArn=arn, **params), timeout=propagation_timeout)


@DataSyncErrorHandler.common_error_handler("update EFS location {arn}")
def update_location_efs(client, arn, params, propagation_timeout=120):
    retry_propagation(lambda: RETRY(client.update_location_efs)(LocationArn=arn, **params), timeout=propagation_timeout)


@DataSyncErrorHandler.deletion_error_handler("delete location {arn}")
@RETRY
def delete_location(client, arn):
    client.delete_location(LocationArn=arn)
    return True


@DataSyncErrorHandler.list_error_handler("list tags of {arn}", {})
@RETRY
def list_tags(client, arn):
    tags = client.get_paginator("list_tags_for_resource").paginate(ResourceArn=arn).build_full_result().get("Tags", [])
    return boto3_tag_list_to_ansible_dict(tags)


@DataSyncErrorHandler.common_error_handler("tag {arn}")
@RETRY
def tag_resource(client, arn, tags):
    for chunk in _chunks(ansible_dict_to_boto3_tag_list(tags), 50):  # at most 50 tags a call
        client.tag_resource(ResourceArn=arn, Tags=chunk)


@DataSyncErrorHandler.common_error_handler("untag {arn}")
@RETRY
def untag_resource(client, arn, keys):
    for chunk in _chunks(sorted(keys), 50):
        client.untag_resource(ResourceArn=arn, Keys=chunk)


def _chunks(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)]


# --- pure logic ------------------------------------------------------------------------------------

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


def ambiguity_message(kind, uri, arns):
    return (
        f"{len(arns)} DataSync {kind} locations match {uri}: {', '.join(sorted(arns))}. Pass location_arn to "
        "choose one, or tags that only one of them carries; the module never guesses."
    )


def tag_changes(current, desired, purge):
    """(tags to set, keys to remove, resulting tags) for `tags`/`purge_tags` semantics."""
    if desired is None:
        return {}, [], dict(current)
    to_set, to_remove = compare_aws_tags(current, desired, purge_tags=purge)
    to_remove = sorted(to_remove)
    result = dict(current)
    result.update(desired)
    for key in to_remove:
        result.pop(key, None)
    return to_set, to_remove, result


def apply_tags(client, arn, current, desired, purge, check_mode):
    """Bring tags to the desired state. Returns (changed, resulting tags)."""
    to_set, to_remove, result = tag_changes(current, desired, purge)
    if not check_mode:
        if to_remove:
            untag_resource(client, arn, to_remove)
        if to_set:
            tag_resource(client, arn, to_set)
    return bool(to_set or to_remove), result
