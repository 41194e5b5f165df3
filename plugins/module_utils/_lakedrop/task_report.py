# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DataSync task reports (`task_report_config`, the API's TaskReportConfig with snake_case keys): the
argument's suboptions, its checks before any call, conversion and comparison."""

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.common.dict_transformations import snake_dict_to_camel_dict

from . import arns
from . import locations

OUTPUT_TYPES = ["SUMMARY_ONLY", "STANDARD"]
REPORT_LEVELS = ["ERRORS_ONLY", "SUCCESSES_AND_ERRORS"]
OBJECT_VERSION_IDS = ["INCLUDE", "NONE"]
OVERRIDES = ("transferred", "verified", "deleted", "skipped")
OPTION = "task_report_config.destination.s3"


def argument_spec():
    """The `task_report_config` suboptions."""
    s3 = dict(s3_bucket_arn=dict(type="str"), bucket_access_role_arn=dict(type="str"), subdirectory=dict(type="str"))
    level = dict(type="str", choices=REPORT_LEVELS)
    return dict(
        destination=dict(type="dict", options=dict(s3=dict(type="dict", options=s3))),
        output_type=dict(type="str", choices=OUTPUT_TYPES),
        report_level=dict(level),
        object_version_ids=dict(type="str", choices=OBJECT_VERSION_IDS),
        overrides=dict(
            type="dict",
            options=dict((aspect, dict(type="dict", options=dict(report_level=dict(level)))) for aspect in OVERRIDES),
        ),
    )


def problems(config):
    """Why DataSync would refuse the argument (empty when it is fine, or unset, or {} to remove reports)."""
    wanted = strip_none(config or {})
    if not wanted:
        return []
    s3 = (wanted.get("destination") or {}).get("s3") or {}
    found = []
    if not s3.get("s3_bucket_arn") or not s3.get("bucket_access_role_arn"):
        found.append(
            f"{OPTION} needs s3_bucket_arn and bucket_access_role_arn (or give task_report_config: {{}} to remove "
            "reports)."
        )
    bucket = s3.get("s3_bucket_arn")
    if bucket and arns.kind_of(bucket) not in ("s3_bucket", "s3_access_point"):
        found.append(
            f"{OPTION}.s3_bucket_arn must be an S3 bucket ARN (arn:PARTITION:s3:::NAME) or an S3 access point ARN, but "
            f"{bucket!r} is {arns.describe(bucket)}."
        )
    if s3.get("bucket_access_role_arn"):
        found.append(arns.check(s3["bucket_access_role_arn"], "iam_role", f"{OPTION}.bucket_access_role_arn"))
    found.append(locations.subdirectory_problem(s3.get("subdirectory"), f"{OPTION}.subdirectory"))
    return [p for p in found if p]


def strip_none(value):
    """Drop None (unset suboptions) recursively, then empty dicts they leave behind."""
    if isinstance(value, dict):
        cleaned = dict((k, strip_none(v)) for k, v in value.items() if v is not None)
        return dict((k, v) for k, v in cleaned.items() if v != {})
    return value


def to_api(config):
    """snake_case task_report_config (None values = unset) -> the API's TaskReportConfig."""
    return snake_dict_to_camel_dict(strip_none(config or {}), capitalize_first=True)


def from_api(config):
    return camel_dict_to_snake_dict(config) if config else None


def contains(current, desired):
    """Whether every field set in `desired` has that value in `current` (AWS fills in the rest).
    S3 subdirectories compare without leading/trailing '/'."""
    if isinstance(desired, dict):
        if not isinstance(current, dict):
            return False
        return all(contains(current.get(key), value) for key, value in desired.items())
    if isinstance(desired, str) and isinstance(current, str):
        return desired.strip("/") == current.strip("/")
    return current == desired


def same(current, wanted):
    """Whether the task's report settings (`current`, or None) already are what `wanted` (stripped) sets;
    {} wants none."""
    if not wanted:
        return not current
    return bool(current) and contains(current, wanted)
