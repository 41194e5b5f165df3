"""The resource side of a decision, read from moto's backends (and our extensions' state): who owns a
resource, which resource-based policies apply to an action on it, and its tags.

Resource-based policies read: S3 bucket policy, KMS key policy, IAM role trust policy (for the STS
actions that assume a role), SQS queue policy, Lambda function policy (AddPermission), SNS topic policy,
EFS file-system policy (for the NFS client actions only: EFS applies it to clients, not to API calls;
EFS user guide "Using IAM to control file system data access"), CloudWatch Logs resource policies (for
log groups of their account and Region).

A key policy and a trust policy must themselves allow (STRICT); "Policy evaluation logic": "IAM role
trust policies and KMS key policies are exceptions to this logic, because they must explicitly allow
access for principals".
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from .policy import document

# Actions for which a role's trust policy is the resource policy (IAM user guide, "Granting a user
# permissions to switch roles"; the STS page of the Service Authorization Reference).
TRUST_ACTIONS = ("sts:assumerole", "sts:tagsession", "sts:setsourceidentity", "sts:setcontext")


@dataclass(frozen=True)
class Resource:
    arn: str
    account: str | None  # owner; None: not an ARN with an account (e.g. "*") or not found
    policies: tuple[dict[str, Any], ...] = ()
    strict: bool = False  # the resource policy must allow (KMS key policies, role trust policies)
    tags: dict[str, str] | None = field(default=None)  # None: the engine cannot read this resource's tags


def _parts(arn: str) -> list[str]:
    parts = arn.split(":", 5)
    return parts if len(parts) == 6 and parts[0] == "arn" else []


def _backend(backends: Any, account: str, region: str) -> Any:
    return backends[account][region]


def _policy(*texts: Any) -> tuple[dict[str, Any], ...]:
    found = []
    for text in texts:
        with contextlib.suppress(ValueError):
            parsed = document(text)
            if parsed.get("Statement"):
                found.append(parsed)
    return tuple(found)


def _tag_dict(tags: Any) -> dict[str, str]:
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    return {t.get("Key", t.get("TagKey")): t.get("Value", t.get("TagValue")) for t in tags or []}


# --- one reader per service: (parts, action) -> Resource (or None when the resource is unknown) -------


def _s3(arn: str, _parts_: list[str], action: str) -> Resource | None:
    from moto.s3.models import s3_backends

    if action.lower() == "s3:createbucket":
        return None  # the bucket to be: a name another account owns answers BucketAlreadyExists, not 403
    bucket_name = _parts_[5].split("/", 1)[0]
    owner = s3_backends.bucket_accounts.get(bucket_name)
    if owner is None:
        return None
    partition, account = owner
    backend = s3_backends[account][partition]
    bucket = backend.buckets.get(bucket_name)
    if bucket is None:
        return None
    tags = None
    if "/" not in _parts_[5]:
        tags = _tag_dict(backend.tagger.list_tags_for_resource(bucket.arn)["Tags"])
    return Resource(arn, account, _policy(bucket.policy), tags=tags)


def _kms(arn: str, parts: list[str], _action: str) -> Resource | None:
    from moto.kms.models import kms_backends

    backend = _backend(kms_backends, parts[4], parts[3])
    kind, _, key_id = parts[5].partition("/")
    if kind != "key" or key_id not in backend.keys:
        return None
    tags = _tag_dict(backend.tagger.list_tags_for_resource(key_id)["Tags"])
    return Resource(arn, parts[4], _policy(backend.keys[key_id].policy), strict=True, tags=tags)


def _iam(arn: str, parts: list[str], action: str) -> Resource | None:
    from moto.iam.exceptions import NotFoundException
    from moto.iam.models import iam_backends

    if not parts[5].startswith("role/") or action.lower() not in TRUST_ACTIONS:
        return None  # IAM's own actions: identity policies only
    try:
        role = iam_backends[parts[4]][parts[1]].get_role_by_arn(arn)
    except NotFoundException:
        return None
    return Resource(arn, parts[4], _policy(role.assume_role_policy_document), strict=True)


def _sqs(arn: str, parts: list[str], _action: str) -> Resource | None:
    from moto.sqs.models import sqs_backends

    queue = _backend(sqs_backends, parts[4], parts[3]).queues.get(parts[5])
    if queue is None:
        return None
    return Resource(arn, parts[4], _policy(queue.policy), tags=_tag_dict(queue.tags))


def _lambda(arn: str, parts: list[str], _action: str) -> Resource | None:
    from moto.awslambda.models import lambda_backends

    if not parts[5].startswith("function:"):
        return None
    name = parts[5].split(":")[1]
    try:
        fn = _backend(lambda_backends, parts[4], parts[3]).get_function(name)
    except Exception:  # noqa: BLE001 - moto raises several not-found types here
        return None
    policy = fn.policy.get_policy()["Policy"] if fn.policy and fn.policy.statements else None
    return Resource(arn, parts[4], _policy(policy), tags=_tag_dict(fn.tags))


def _efs(arn: str, parts: list[str], action: str) -> Resource | None:
    from moto.efs.models import efs_backends

    kind, _, resource_id = parts[5].partition("/")
    backend = _backend(efs_backends, parts[4], parts[3])
    tags = _tag_dict(backend.list_tags_for_resource(resource_id)) if resource_id else None
    fs = backend.file_systems_by_id.get(resource_id) if kind == "file-system" else None
    client_action = action.lower().startswith("elasticfilesystem:client")
    policies = _policy(fs.file_system_policy or EFS_DEFAULT_POLICY) if fs is not None and client_action else ()
    return Resource(arn, parts[4], policies, tags=tags)


# A file system without a policy of its own: any client that reaches a mount target may mount, write and
# act as root (EFS user guide, "Using IAM to control file system data access", "Default EFS file system
# policy"; the console's presets each remove one of these actions from it).
EFS_DEFAULT_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": [
                "elasticfilesystem:ClientRootAccess",
                "elasticfilesystem:ClientWrite",
                "elasticfilesystem:ClientMount",
            ],
            "Condition": {"Bool": {"elasticfilesystem:AccessedViaMountTarget": "true"}},
        }
    ],
}


def _logs(arn: str, parts: list[str], _action: str) -> Resource | None:
    from moto.logs.models import logs_backends

    backend = _backend(logs_backends, parts[4], parts[3])
    return Resource(arn, parts[4], _policy(*(p.policy_document for p in backend.resource_policies.values())))


def _sns(arn: str, parts: list[str], _action: str) -> Resource | None:
    from moto.sns.models import sns_backends

    topic = _backend(sns_backends, parts[4], parts[3]).topics.get(arn)
    return None if topic is None else Resource(arn, parts[4], _policy(topic.policy))


READERS: dict[str, Callable[[str, list[str], str], Resource | None]] = {
    "s3": _s3,
    "kms": _kms,
    "iam": _iam,
    "sqs": _sqs,
    "lambda": _lambda,
    "elasticfilesystem": _efs,
    "logs": _logs,
    "sns": _sns,
}


def lookup(arn: str, action: str) -> Resource:
    """The resource named by `arn`, as seen by an `action` on it."""
    parts = _parts(arn)
    if not parts:
        return Resource(arn, None)
    reader = READERS.get(parts[2])
    found = None
    if reader is not None:
        with contextlib.suppress(KeyError):  # an account/Region moto has no backend for yet
            found = reader(arn, parts, action)
    if found is not None:
        return found
    return Resource(arn, parts[4] or None)
