# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Rules for single values that modules, roles and the inventory check share, so the three always
agree (a rule lives once; the caller says which option or variable it is checking). Each returns a
message naming `option`, or None when the value is fine."""

import ipaddress
import re

from . import access_points
from . import arns
from . import locations

ACCOUNT_RE = re.compile(r"^[0-9]{12}$")
REGION_RE = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]+$")
BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
BUCKET_RESERVED_RE = re.compile(r"^(xn--|sthree-|amzn-s3-demo-)|(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$")
VPC_RE = re.compile(r"^vpc-[0-9a-f]+$")
SUBNET_RE = re.compile(r"^subnet-[0-9a-f]+$")
SHORT_NAME_RE = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$")


def account_id(value, option):
    if isinstance(value, str) and ACCOUNT_RE.match(value):
        return None
    hint = " (quote it, so YAML keeps it a string)" if isinstance(value, int) and not isinstance(value, bool) else ""
    return f"{option} must be an AWS account ID of 12 digits as a string{hint}, got {value!r}."


def region(value, option):
    if isinstance(value, str) and REGION_RE.match(value):
        return None
    return f"{option} must be a region name such as eu-west-1, got {value!r}."


def bucket_name(value, option):
    """S3's naming rules for general purpose buckets (S3 user guide, "Bucket naming rules")."""
    if not isinstance(value, str) or not BUCKET_RE.match(value):
        return (
            f"{option} must follow S3's bucket naming rules (3-63 lower-case letters, digits, '.' and '-', starting "
            f"and ending with a letter or digit), got {value!r}."
        )
    if ".." in value:
        return f"{option} must not contain '..', got {value!r}."
    try:
        ipaddress.IPv4Address(value)
        return f"{option} must not be formatted as an IP address, got {value!r}."
    except ValueError:
        pass
    if BUCKET_RESERVED_RE.search(value):
        return f"{option} uses a prefix or suffix S3 reserves (xn--, sthree-, amzn-s3-demo-, -s3alias, --ol-s3, ...), got {value!r}."
    return None


def s3_prefix(value, option):
    """A folder prefix DataSync reads and the bucket notification filters on ("" = the whole bucket)."""
    if not isinstance(value, str):
        return f"{option} must be a string such as 'incoming/', got {value!r}."
    if "*" in value or "?" in value:
        return f"{option} must be a plain prefix without '*' or '?', got {value!r}."
    return locations.subdirectory_problem(value.lstrip("/"), option)


def access_point_path(value, option):
    """EFS's rules for an access point's root directory (the same rule efs_access_point applies)."""
    return access_points.path_problem(value, option)


def absolute_path(value, option):
    if isinstance(value, str) and value.startswith("/") and "\n" not in value:
        return None
    return f"{option} must be an absolute path starting with '/', got {value!r}."


def short_name(value, option, limit=20):
    """Names that become part of AWS resource names: lower-case letters, digits and '-'."""
    if isinstance(value, str) and SHORT_NAME_RE.match(value) and len(value) <= limit:
        return None
    return (
        f"{option} must be 1-{limit} lower-case letters, digits and '-' (not at either end), since it becomes part "
        f"of AWS resource names; got {value!r}."
    )


def vpc_id(value, option):
    if value == "" or (isinstance(value, str) and VPC_RE.match(value)):
        return None
    return f'{option} must be a VPC ID (vpc-...) or "" for the region\'s default VPC, got {value!r}.'


def subnet_ids(value, option):
    """At least two subnets in different zones for the EFS mount targets, or [] for two default subnets."""
    if not isinstance(value, list):
        return f"{option} must be a list of subnet IDs, got {value!r}."
    if value and (len(value) < 2 or len(set(value)) != len(value) or not all(SUBNET_RE.match(str(v)) for v in value)):
        return (
            f"{option} must list at least two different subnet IDs (subnet-...) in different Availability Zones, "
            f"or be [] for two default subnets; got {value!r}."
        )
    return None


def int_between(value, option, low, high, why=""):
    if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
        return None
    return f"{option} must be a whole number from {low} to {high}{' (' + why + ')' if why else ''}, got {value!r}."


def arn(value, kind, option):
    """The shape of an ARN (arns.SHAPES), in any partition."""
    return arns.check(value, kind, option)
