# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ARN shapes the modules accept, and messages that say what a wrong ARN actually is.

Terraform users report confusing errors when an EFS or bucket ARN is passed where a DataSync location
ARN belongs; every module checks shapes before any call and names what it got.
"""

import re

_P = r"arn:aws(?:-[a-z]+)*"
SHAPES = {
    "datasync_location": (
        rf"^{_P}:datasync:[a-z0-9-]+:\d{{12}}:location/loc-[0-9a-z]{{17}}$",
        "a DataSync location ARN",
    ),
    "datasync_task": (rf"^{_P}:datasync:[a-z0-9-]+:\d{{12}}:task/task-[0-9a-f]{{17}}$", "a DataSync task ARN"),
    "datasync_execution": (
        rf"^{_P}:datasync:[a-z0-9-]+:\d{{12}}:task/task-[0-9a-f]{{17}}/execution/exec-[0-9a-f]{{17}}$",
        "a DataSync task execution ARN",
    ),
    "s3_bucket": (rf"^{_P}:s3:::[a-zA-Z0-9.\-_]{{1,255}}$", "an S3 bucket ARN"),
    "s3_access_point": (
        rf"^{_P}:s3:[a-z0-9-]*:\d{{12}}:accesspoint[/:][a-zA-Z0-9\-.]{{1,63}}$",
        "an S3 access point ARN",
    ),
    "efs_file_system": (
        rf"^{_P}:elasticfilesystem:[a-z0-9-]+:\d{{12}}:file-system/fs-[0-9a-f]{{8,40}}$",
        "an EFS file system ARN",
    ),
    "efs_access_point": (
        rf"^{_P}:elasticfilesystem:[a-z0-9-]+:\d{{12}}:access-point/fsap-[0-9a-f]{{8,40}}$",
        "an EFS access point ARN",
    ),
    "subnet": (rf"^{_P}:ec2:[a-z0-9-]*:\d{{12}}:subnet/subnet-[a-f0-9]+$", "an EC2 subnet ARN"),
    "security_group": (rf"^{_P}:ec2:[a-z0-9-]*:\d{{12}}:security-group/sg-[a-f0-9]+$", "an EC2 security group ARN"),
    "iam_role": (rf"^{_P}:iam::\d{{12}}:role/.+$", "an IAM role ARN"),
    "iam_user": (rf"^{_P}:iam::\d{{12}}:user/.+$", "an IAM user ARN"),
    "kms_key": (
        rf"^{_P}:kms:[a-z0-9-]+:\d{{12}}:key/(mrk-[0-9a-f]{{32}}|[0-9a-f]{{8}}(-[0-9a-f]{{4}}){{3}}-[0-9a-f]{{12}})$",
        "a KMS key ARN",
    ),
    "sns_topic": (rf"^{_P}:sns:[a-z0-9-]+:\d{{12}}:[a-zA-Z0-9_-]{{1,256}}$", "an SNS topic ARN"),
    "sqs_queue": (rf"^{_P}:sqs:[a-z0-9-]+:\d{{12}}:[a-zA-Z0-9_-]{{1,80}}$", "an SQS queue ARN"),
    "log_group": (rf"^{_P}:logs:[a-z0-9-]+:\d{{12}}:log-group:[^:*]*(:\*)?$", "a CloudWatch Logs log group ARN"),
}
# Bare IDs a user may give instead of an ARN.
IDS = {
    "efs_file_system": r"^fs-[0-9a-f]{8,40}$",
    "efs_access_point": r"^fsap-[0-9a-f]{8,40}$",
    "subnet": r"^subnet-[a-f0-9]+$",
    "security_group": r"^sg-[a-f0-9]+$",
    "s3_bucket": r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$",
}


def kind_of(value):
    """The shape name `value` matches (ARN first, then bare ID), or None."""
    if not isinstance(value, str):
        return None
    for kind, (pattern, _label) in SHAPES.items():
        if re.match(pattern, value):
            return kind
    for kind, pattern in IDS.items():
        if re.match(pattern, value):
            return kind + "_id"
    return None


def describe(value):
    """What `value` looks like, for an error message."""
    kind = kind_of(value)
    if kind is None:
        return "something that is not a recognised ARN or ID"
    if kind.endswith("_id"):
        return f"a bare {kind[:-3].replace('_', ' ')} ID"
    return SHAPES[kind][1]


def check(value, kind, option, allow_id=False):
    """Return None if `value` has the shape `kind` (or its bare ID when allowed), else an error message."""
    found = kind_of(value)
    if found == kind or (allow_id and found == kind + "_id"):
        return None
    wanted = SHAPES[kind][1] + (" or its ID" if allow_id and kind in IDS else "")
    return f"{option} must be {wanted}, but {value!r} is {describe(value)}."


def is_arn(value):
    return isinstance(value, str) and value.startswith("arn:")


def resource_id(arn):
    """The last path element of an ARN (fs-…, fsap-…, subnet-…, sg-…, loc-…)."""
    return arn.rsplit("/", 1)[-1]


def arn_parts(arn):
    """(partition, service, region, account) of an ARN."""
    parts = arn.split(":", 5)
    return parts[1], parts[2], parts[3], parts[4]


def id_of(value):
    """The resource ID of an ARN (fs-…, fsap-…), or `value` itself when it already is an ID."""
    return resource_id(value) if is_arn(value) else value


def partition_of(region):
    """The AWS partition a region belongs to (ARNs built by the modules carry it)."""
    region = region or ""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("us-iso-"):
        return "aws-iso"
    if region.startswith("us-isob-"):
        return "aws-iso-b"
    return "aws"


def bucket_arn(name, region):
    """The ARN of bucket `name` (bucket ARNs carry neither region nor account, only the partition)."""
    return f"arn:{partition_of(region)}:s3:::{name}"


def region_problem(value, region, option):
    """A message when ARN `value` names a region other than the module's: a client of one region cannot
    see another region's resources. ARNs without a region (IAM, S3, some EC2 forms) always pass."""
    if not region or not is_arn(value) or value.count(":") < 5:
        return None
    found = arn_parts(value)[2]
    if found and found != region:
        return (
            f"{option} {value} is in region {found}, but the module runs in {region}; set region: {found} "
            f"or pass a resource of {region}."
        )
    return None
