"""Which IAM action(s) a request needs, on which resources, with which request condition keys.

One entry per (botocore service, operation) that the collection, its roles, its tests and its demo call.
Each names the action(s) and builds the resource ARN(s) from the request's parameters, per the Service
Authorization Reference, "Actions, resources, and condition keys for <service>": one page per service at
https://docs.aws.amazon.com/service-authorization/latest/reference/<page>.html, pages list_awsdatasync,
list_amazonec2, list_amazonelasticcontainerservice, list_amazonelasticfilesystem,
list_awsidentityandaccessmanagementiam, list_awskeymanagementservice, list_awslambda,
list_amazoncloudwatchlogs, list_amazons3, list_amazonsns, list_amazonsqs, list_awssecuritytokenservice,
list_amazoneventbridge, list_amazoncloudwatch.
tests/unit/test_authz_actions.py checks every entry against the machine-readable copy of that reference
that parliament ships (the action exists; each ARN built fits one of the action's resource types).

iam:PassRole is checked where a request hands a role to a service (with iam:PassedToService). An
operation missing from the table is checked as `<prefix>:<Operation>` on "*" and marked unmodelled.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from urllib.parse import urlparse

from ...journal import Call

Params = dict[str, Any]


@dataclass(frozen=True)
class Check:
    action: str
    resources: tuple[str, ...]
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Where:
    """The request's coordinates for ARNs: the account moto answers in, its Region and partition."""

    account: str
    region: str
    partition: str

    def arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        return (
            f"arn:{self.partition}:{service}:{self.region if region else ''}:{self.account if account else ''}:"
            f"{resource}"
        )


Rule = Callable[[Params, Where], list[Check]]


# --- request parameters ------------------------------------------------------------------------------


def parameters(call: Call) -> Params:
    """The request's parameters as botocore names them, parsed with moto's protocol parsers."""
    from moto.core.parse import PROTOCOL_PARSERS
    from moto.core.request import Request
    from moto.core.request import determine_request_protocol
    from moto.core.utils import get_service_model

    try:
        model = get_service_model(call.service)
        operation = model.operation_model(call.operation)
        environ = dict(call.environ, **{"wsgi.input": io.BytesIO(call.body)})
        request = Request(environ)
        parser = PROTOCOL_PARSERS[determine_request_protocol(model, request.content_type)](operation)
        parsed = parser.parse(
            {
                "method": request.method,
                "values": request.values,
                "headers": request.headers,
                "body": call.body,
                "url_path": request.path,
                "url_params": call.uri_params,
            }
        )
    except Exception:  # noqa: BLE001 - an unparsable request still gets its path labels
        parsed = {}
    return {**call.uri_params, **dict(parsed)}


# --- small helpers --------------------------------------------------------------------------------


def _tags(tags: Any) -> dict[str, str]:
    """Request tags in any of the APIs' shapes: dict, [{Key, Value}], [{key, value}], KMS's [{TagKey,
    TagValue}], TagSpecifications."""
    if isinstance(tags, dict):
        return {str(k): str(v) for k, v in tags.items()}
    found = {}
    for tag in tags or []:
        if "Tags" in tag:  # EC2 TagSpecifications
            found.update(_tags(tag["Tags"]))
        else:
            key = tag.get("Key", tag.get("key", tag.get("TagKey")))
            found[str(key)] = str(tag.get("Value", tag.get("value", tag.get("TagValue", ""))))
    return found


def tagging(tags: Any) -> dict[str, Any]:
    """aws:RequestTag/<key> and aws:TagKeys of a request that sets tags."""
    found = _tags(tags)
    if not found:
        return {}
    return {"aws:TagKeys": list(found), **{f"aws:RequestTag/{k}": v for k, v in found.items()}}


def check(action: str, *resources: str | None, context: dict[str, Any] | None = None) -> Check:
    """One action on the resources given (those that are None left out; none at all: "*")."""
    return Check(action, tuple(r for r in resources if r) or ("*",), context or {})


def pass_role(role_arn: str | None, service: str) -> list[Check]:
    """iam:PassRole on a role handed to `service` (none when the request names no role)."""
    return [Check("iam:PassRole", (role_arn,), {"iam:PassedToService": service})] if role_arn else []


def dig(params: Params, *path: str) -> Any:
    value: Any = params
    for key in path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


Resources = Callable[[Params, Where], Any]  # -> an ARN, a list of ARNs, or None ("*")
Extra = Callable[[Params, Where], list[Check]]


def rule(action: str, resources: Resources | None = None, context=None, extra: Extra | None = None) -> Rule:
    """One action on what `resources` builds, with `context(params, where)` keys, plus `extra` checks."""

    def build(params: Params, where: Where) -> list[Check]:
        found = resources(params, where) if resources else None
        found = found if isinstance(found, list) else [found]
        keys = context(params, where) if context else None
        return [check(action, *found, context=keys)] + (extra(params, where) if extra else [])

    return build


def same(prefix: str, resources: Resources | None, *operations: str, **options: Any) -> dict[str, Rule]:
    """Entries whose action is `<prefix>:<Operation>` (on "*" when `resources` is None)."""
    return {operation: rule(f"{prefix}:{operation}", resources, **options) for operation in operations}


def _request_tags(key: str) -> Callable[[Params, Where], dict[str, Any]]:
    return lambda params, _where: tagging(params.get(key))


def _param(name: str) -> Resources:
    return lambda params, _where: params.get(name)


# --- DataSync ------------------------------------------------------------------------------------------

DATASYNC = "datasync.amazonaws.com"


def _datasync_roles(params: Params, _where: Where) -> list[Check]:
    """Roles handed to DataSync: location bucket/file-system access, task report and manifest access."""
    roles = (
        dig(params, "S3Config", "BucketAccessRoleArn"),
        params.get("FileSystemAccessRoleArn"),
        dig(params, "TaskReportConfig", "Destination", "S3", "BucketAccessRoleArn"),
        dig(params, "ManifestConfig", "Source", "S3", "BucketAccessRoleArn"),
    )
    return [c for role in roles for c in pass_role(role, DATASYNC)]


def _locations(params: Params, _where: Where) -> list[str]:
    return [params.get("SourceLocationArn"), params.get("DestinationLocationArn")]


DATASYNC_RULES: dict[str, Rule] = {
    **same(
        "datasync",
        None,
        "CreateLocationS3",
        "CreateLocationEfs",
        "CreateLocationNfs",
        context=_request_tags("Tags"),
        extra=_datasync_roles,
    ),
    "CreateTask": rule("datasync:CreateTask", _locations, _request_tags("Tags"), _datasync_roles),
    "StartTaskExecution": rule(
        "datasync:StartTaskExecution", _param("TaskArn"), _request_tags("Tags"), _datasync_roles
    ),
    **same("datasync", _param("TaskArn"), "UpdateTask", extra=_datasync_roles),
    **same("datasync", _param("LocationArn"), "UpdateLocationS3", "UpdateLocationEfs", extra=_datasync_roles),
    **same(
        "datasync",
        _param("LocationArn"),
        "DescribeLocationS3",
        "DescribeLocationEfs",
        "DescribeLocationNfs",
        "DeleteLocation",
    ),
    **same("datasync", _param("TaskArn"), "DescribeTask", "DeleteTask"),
    **same("datasync", _param("TaskExecutionArn"), "DescribeTaskExecution", "CancelTaskExecution"),
    **same("datasync", _param("ResourceArn"), "ListTagsForResource", "UntagResource"),
    **same("datasync", _param("ResourceArn"), "TagResource", context=_request_tags("Tags")),
    **same("datasync", None, "ListLocations", "ListTasks", "ListTaskExecutions", "ListAgents"),
}


# --- S3 (bucket ARNs carry no Region or account: the owner is looked up by resources.py) ----------------


def _bucket(params: Params, where: Where) -> str | None:
    return where.arn("s3", params["Bucket"], region=False, account=False) if params.get("Bucket") else None


def _object(params: Params, where: Where) -> str | None:
    bucket = _bucket(params, where)
    return f"{bucket}/{params.get('Key', '')}" if bucket else None


def _listing(params: Params, _where: Where) -> dict[str, Any]:
    """s3:prefix (present, possibly empty, on every listing), s3:delimiter, s3:max-keys."""
    keys = {"s3:prefix": params.get("Prefix") or "", "s3:delimiter": params.get("Delimiter")}
    if params.get("MaxKeys") is not None:
        keys["s3:max-keys"] = str(params["MaxKeys"])
    return keys


def _encryption(params: Params, _where: Where) -> dict[str, Any]:
    return {
        "s3:x-amz-server-side-encryption": params.get("ServerSideEncryption"),
        "s3:x-amz-server-side-encryption-aws-kms-key-id": params.get("SSEKMSKeyId"),
    }


def _versioned(action: str, versioned_action: str) -> Rule:
    """Object actions that become their *Version variant when the request names a version."""

    def build(params: Params, where: Where) -> list[Check]:
        return [check(versioned_action if params.get("VersionId") else action, _object(params, where))]

    return build


def _delete_objects(params: Params, where: Where) -> list[Check]:
    checks = []
    for item in dig(params, "Delete", "Objects") or []:
        action = "s3:DeleteObjectVersion" if item.get("VersionId") else "s3:DeleteObject"
        checks.append(check(action, _object({"Bucket": params.get("Bucket"), "Key": item.get("Key")}, where)))
    return checks


def _copy_source(params: Params, where: Where) -> list[Check]:
    source = str(params.get("CopySource") or "").lstrip("/").split("?", 1)[0]
    bucket, _, key = source.partition("/")
    return [check("s3:GetObject", _object({"Bucket": bucket, "Key": key}, where))] if bucket else []


S3_RULES: dict[str, Rule] = {
    "ListBuckets": rule("s3:ListAllMyBuckets"),
    "HeadBucket": rule("s3:ListBucket", _bucket),
    "ListObjects": rule("s3:ListBucket", _bucket, _listing),
    "ListObjectsV2": rule("s3:ListBucket", _bucket, _listing),
    "ListObjectVersions": rule("s3:ListBucketVersions", _bucket, _listing),
    "ListMultipartUploads": rule("s3:ListBucketMultipartUploads", _bucket, _listing),
    "GetObject": _versioned("s3:GetObject", "s3:GetObjectVersion"),
    "HeadObject": _versioned("s3:GetObject", "s3:GetObjectVersion"),
    "GetObjectTagging": _versioned("s3:GetObjectTagging", "s3:GetObjectVersionTagging"),
    "PutObjectTagging": _versioned("s3:PutObjectTagging", "s3:PutObjectVersionTagging"),
    "GetObjectAcl": _versioned("s3:GetObjectAcl", "s3:GetObjectVersionAcl"),
    "DeleteObject": _versioned("s3:DeleteObject", "s3:DeleteObjectVersion"),
    "PutObject": rule("s3:PutObject", _object, _encryption),
    "CopyObject": rule("s3:PutObject", _object, _encryption, _copy_source),
    "DeleteObjects": lambda params, where: _delete_objects(params, where) or [check("s3:DeleteObject")],
    "GetBucketNotificationConfiguration": rule("s3:GetBucketNotification", _bucket),
    "PutBucketNotificationConfiguration": rule("s3:PutBucketNotification", _bucket),
    "GetBucketEncryption": rule("s3:GetEncryptionConfiguration", _bucket),
    "PutBucketEncryption": rule("s3:PutEncryptionConfiguration", _bucket),
    "DeleteBucketEncryption": rule("s3:PutEncryptionConfiguration", _bucket),
    "GetPublicAccessBlock": rule("s3:GetBucketPublicAccessBlock", _bucket),
    "PutPublicAccessBlock": rule("s3:PutBucketPublicAccessBlock", _bucket),
    "DeletePublicAccessBlock": rule("s3:PutBucketPublicAccessBlock", _bucket),
    "DeleteBucketOwnershipControls": rule("s3:PutBucketOwnershipControls", _bucket),
    "DeleteBucketTagging": rule("s3:PutBucketTagging", _bucket),
    "GetBucketLifecycleConfiguration": rule("s3:GetLifecycleConfiguration", _bucket),
    "PutBucketLifecycleConfiguration": rule("s3:PutLifecycleConfiguration", _bucket),
    "DeleteBucketLifecycle": rule("s3:PutLifecycleConfiguration", _bucket),
    "GetBucketReplication": rule("s3:GetReplicationConfiguration", _bucket),
    "GetBucketAccelerateConfiguration": rule("s3:GetAccelerateConfiguration", _bucket),
    "GetObjectLockConfiguration": rule("s3:GetBucketObjectLockConfiguration", _bucket),
    "GetBucketCors": rule("s3:GetBucketCORS", _bucket),
    "PutBucketCors": rule("s3:PutBucketCORS", _bucket),
    "DeleteBucketCors": rule("s3:PutBucketCORS", _bucket),
    "DeleteBucketWebsite": rule("s3:DeleteBucketWebsite", _bucket),
    "ListBucketInventoryConfigurations": rule("s3:GetInventoryConfiguration", _bucket),
    "PutObjectAcl": _versioned("s3:PutObjectAcl", "s3:PutObjectVersionAcl"),
    **same(
        "s3",
        _bucket,
        "CreateBucket",
        "DeleteBucket",
        "GetBucketLocation",
        "GetBucketPolicy",
        "PutBucketPolicy",
        "DeleteBucketPolicy",
        "GetBucketPolicyStatus",
        "GetBucketVersioning",
        "PutBucketVersioning",
        "GetBucketOwnershipControls",
        "PutBucketOwnershipControls",
        "GetBucketTagging",
        "PutBucketTagging",
        "GetBucketAcl",
        "PutBucketAcl",
        "GetBucketLogging",
        "GetBucketRequestPayment",
        "GetBucketWebsite",
    ),
}


# --- KMS (keys may be named by ID, key ARN, alias name or alias ARN; the key policy decides) --------------


def _key(params: Params, where: Where) -> str | None:
    """The key ARN behind the request's KeyId (None when there is no such key)."""
    from moto.kms.models import kms_backends

    key_id = params.get("KeyId") or params.get("TargetKeyId") or _ciphertext_key(params.get("CiphertextBlob"))
    if not key_id:
        return None
    try:
        resolved = kms_backends[where.account][where.region].any_id_to_key_id(key_id)
    except Exception:  # noqa: BLE001 - unknown alias/key: the API answers NotFound after allowing
        return None
    return where.arn("kms", f"key/{resolved}")


def _ciphertext_key(blob: Any) -> str | None:
    """Decrypt may omit KeyId: KMS reads the key from the ciphertext (moto's blob header holds it)."""
    from moto.kms.utils import _deserialize_ciphertext_blob

    if not isinstance(blob, bytes | bytearray):
        return None
    try:
        return _deserialize_ciphertext_blob(bytes(blob)).key_id
    except Exception:  # noqa: BLE001 - not a ciphertext moto made: KMS answers InvalidCiphertext
        return None


def _alias(params: Params, where: Where) -> str | None:
    name = params.get("AliasName")
    return where.arn("kms", name) if name else None


def _kms_context(params: Params, where: Where) -> dict[str, Any]:
    """kms:CallerAccount, and for cryptographic calls the encryption context keys."""
    keys: dict[str, Any] = {"kms:CallerAccount": where.account}
    encryption_context = params.get("EncryptionContext") or {}
    if encryption_context:
        keys["kms:EncryptionContextKeys"] = list(encryption_context)
        keys.update({f"kms:EncryptionContext:{k}": v for k, v in encryption_context.items()})
    return keys


def _kms_key_rules(*operations: str) -> dict[str, Rule]:
    """Operations on one key. A KeyId that names no key (an alias not created yet) is answered
    NotFoundException: KMS authorizes against the key's own policy, which a missing key does not have."""

    def existing_key(operation: str) -> Rule:
        checked = rule(f"kms:{operation}", _key, _kms_context)
        return lambda p, w: [] if p.get("KeyId") and _key(p, w) is None else checked(p, w)

    return {operation: existing_key(operation) for operation in operations}


KMS_RULES: dict[str, Rule] = {
    "CreateKey": rule("kms:CreateKey", context=lambda p, w: {"kms:CallerAccount": w.account, **tagging(p.get("Tags"))}),
    "TagResource": rule("kms:TagResource", _key, lambda p, w: {**_kms_context(p, w), **tagging(p.get("Tags"))}),
    **{
        op: rule(f"kms:{op}", lambda p, w: [_alias(p, w), _key(p, w)], _kms_context)
        for op in ("CreateAlias", "UpdateAlias", "DeleteAlias")
    },
    **_kms_key_rules(
        "DescribeKey",
        "EnableKey",
        "DisableKey",
        "ScheduleKeyDeletion",
        "CancelKeyDeletion",
        "GetKeyPolicy",
        "PutKeyPolicy",
        "ListKeyPolicies",
        "GetKeyRotationStatus",
        "EnableKeyRotation",
        "DisableKeyRotation",
        "ListResourceTags",
        "UntagResource",
        "UpdateKeyDescription",
        "ListGrants",
        "CreateGrant",
        "RevokeGrant",
        "Encrypt",
        "Decrypt",
        "GenerateDataKey",
        "GenerateDataKeyWithoutPlaintext",
    ),
    **same("kms", None, "ListKeys", "ListAliases"),
}


# --- IAM and STS (IAM resources live in the caller's account; role ARNs carry the role's path) -----------


def _role(params: Params, where: Where) -> str | None:
    from moto.iam.exceptions import NotFoundException
    from moto.iam.models import iam_backends

    name = params.get("RoleName")
    if not name:
        return None
    try:
        return iam_backends[where.account][where.partition].get_role(name).arn
    except NotFoundException:  # being created (or absent): its ARN from the request
        return where.arn("iam", f"role{params.get('Path') or '/'}{name}", region=False)


def _user(params: Params, where: Where) -> str | None:
    from moto.iam.models import iam_backends

    name = params.get("UserName")
    if not name:
        return None
    user = iam_backends[where.account][where.partition].users.get(name)
    # a user being created (or absent): its ARN from the request
    return user.arn if user else where.arn("iam", f"user{params.get('Path') or '/'}{name}", region=False)


def _policy_arn(params: Params, _where: Where) -> str | None:
    return params.get("PolicyArn")


IAM_RULES: dict[str, Rule] = {
    **same("iam", _role, "CreateRole", "TagRole", context=_request_tags("Tags")),
    **same(
        "iam",
        _role,
        "GetRole",
        "DeleteRole",
        "UpdateRole",
        "UpdateAssumeRolePolicy",
        "PutRolePolicy",
        "GetRolePolicy",
        "DeleteRolePolicy",
        "ListRolePolicies",
        "ListAttachedRolePolicies",
        "ListRoleTags",
        "UntagRole",
        "ListInstanceProfilesForRole",
    ),
    **same(
        "iam", _role, "AttachRolePolicy", "DetachRolePolicy", context=lambda p, w: {"iam:PolicyARN": p.get("PolicyArn")}
    ),
    **same("iam", _policy_arn, "GetPolicy", "GetPolicyVersion", "ListPolicyVersions", "ListEntitiesForPolicy"),
    **same("iam", _user, "CreateUser", "TagUser", context=_request_tags("Tags")),
    **same(
        "iam",
        _user,
        "GetUser",
        "DeleteUser",
        "CreateAccessKey",
        "ListAccessKeys",
        "DeleteAccessKey",
        "PutUserPolicy",
        "GetUserPolicy",
        "DeleteUserPolicy",
        "ListUserPolicies",
        "ListAttachedUserPolicies",
        "ListGroupsForUser",
    ),
    **same(
        "iam", _user, "AttachUserPolicy", "DetachUserPolicy", context=lambda p, w: {"iam:PolicyARN": p.get("PolicyArn")}
    ),
    **same("iam", None, "ListRoles", "ListPolicies", "ListUsers", "ListAccountAliases"),
}

STS_RULES: dict[str, Rule] = {
    "AssumeRole": rule(
        "sts:AssumeRole",
        _param("RoleArn"),
        lambda p, w: {
            "sts:ExternalId": p.get("ExternalId"),
            "sts:RoleSessionName": p.get("RoleSessionName"),
            **tagging(p.get("Tags")),
        },
    ),
    **same("sts", None, "GetSessionToken"),
}


# --- EC2 (Describe* have no resource-level permissions) -------------------------------------------------

_EC2_TYPES = {
    "sg-": "security-group",
    "subnet-": "subnet",
    "vpc-": "vpc",
    "vpce-": "vpc-endpoint",
    "rtb-": "route-table",
    "eni-": "network-interface",
}


def _ec2_id(resource_id: str, where: Where) -> str:
    kind = next((k for p, k in _EC2_TYPES.items() if resource_id.startswith(p)), None)
    return where.arn("ec2", f"{kind}/{resource_id}") if kind else "*"


def _group(params: Params, where: Where) -> str | None:
    return _ec2_id(params["GroupId"], where) if params.get("GroupId") else None


def _vpc(params: Params, where: Where) -> str | None:
    return _ec2_id(params["VpcId"], where) if params.get("VpcId") else None


def _new_group(params: Params, where: Where) -> list[str | None]:
    return [where.arn("ec2", "security-group/*"), _vpc(params, where)]


EC2_RULES: dict[str, Rule] = {
    "CreateSecurityGroup": rule("ec2:CreateSecurityGroup", _new_group, _request_tags("TagSpecifications")),
    "CreateSubnet": rule(
        "ec2:CreateSubnet", lambda p, w: [w.arn("ec2", "subnet/*"), _vpc(p, w)], _request_tags("TagSpecifications")
    ),
    "DeleteSubnet": rule("ec2:DeleteSubnet", lambda p, w: _ec2_id(p["SubnetId"], w) if p.get("SubnetId") else None),
    "DescribeVpcAttribute": rule("ec2:DescribeVpcAttribute", _vpc),
    # CreateVpcEndpoint authorizes on the new endpoint, its VPC and (a gateway endpoint) the route tables it
    # adds routes to (Service Authorization Reference, Amazon EC2, CreateVpcEndpoint).
    "CreateVpcEndpoint": rule(
        "ec2:CreateVpcEndpoint",
        lambda p, w: (
            [w.arn("ec2", "vpc-endpoint/*"), _vpc(p, w)] + [_ec2_id(r, w) for r in p.get("RouteTableIds") or []]
        ),
        _request_tags("TagSpecifications"),
    ),
    "DeleteVpcEndpoints": rule(
        "ec2:DeleteVpcEndpoints", lambda p, w: [_ec2_id(i, w) for i in p.get("VpcEndpointIds") or []]
    ),
    "CreateTags": rule(
        "ec2:CreateTags", lambda p, w: [_ec2_id(r, w) for r in p.get("Resources") or []], _request_tags("Tags")
    ),
    **same(
        "ec2",
        _group,
        "AuthorizeSecurityGroupIngress",
        "AuthorizeSecurityGroupEgress",
        "RevokeSecurityGroupIngress",
        "RevokeSecurityGroupEgress",
        "DeleteSecurityGroup",
        "UpdateSecurityGroupRuleDescriptionsIngress",
        "UpdateSecurityGroupRuleDescriptionsEgress",
    ),
    **same(
        "ec2",
        None,
        "DescribeSecurityGroups",
        "DescribeSecurityGroupRules",
        "DescribeSubnets",
        "DescribeVpcs",
        "DescribeAvailabilityZones",
        "DescribeNetworkInterfaces",
        "DescribeAccountAttributes",
        "DescribeTags",
        "DescribeRegions",
        "DescribeRouteTables",
        "DescribeVpcEndpoints",
    ),
}


# --- ECS -------------------------------------------------------------------------------------------------

ECS_TASKS = "ecs-tasks.amazonaws.com"


def _cluster_name(value: str | None) -> str:
    return (value or "default").rsplit("/", 1)[-1]


def _cluster(params: Params, where: Where) -> str:
    return where.arn("ecs", f"cluster/{_cluster_name(params.get('cluster'))}")


def _clusters(params: Params, where: Where) -> list[str]:
    names = params.get("clusters") or ["default"]
    return [where.arn("ecs", f"cluster/{_cluster_name(name)}") for name in names]


def _service_arn(name: str, params: Params, where: Where) -> str:
    if name.startswith("arn:"):
        return name
    return where.arn("ecs", f"service/{_cluster_name(params.get('cluster'))}/{name}")


def _service(params: Params, where: Where) -> str | None:
    name = params.get("service") or params.get("serviceName")
    return _service_arn(name, params, where) if name else None


def _services(params: Params, where: Where) -> list[str]:
    return [_service_arn(name, params, where) for name in params.get("services") or []]


def _in_cluster(params: Params, where: Where) -> dict[str, Any]:
    return {"ecs:cluster": _cluster(params, where)}


def _task_roles(params: Params, _where: Where) -> list[Check]:
    return pass_role(params.get("taskRoleArn"), ECS_TASKS) + pass_role(params.get("executionRoleArn"), ECS_TASKS)


def _family(params: Params, where: Where) -> str:
    # the revision does not exist before the call: the family's revisions
    return where.arn("ecs", f"task-definition/{params.get('family')}:*")


ECS_RULES: dict[str, Rule] = {
    "CreateCluster": rule(
        "ecs:CreateCluster",
        lambda p, w: w.arn("ecs", f"cluster/{_cluster_name(p.get('clusterName'))}"),
        _request_tags("tags"),
    ),
    **same("ecs", _cluster, "DeleteCluster"),
    **same("ecs", _clusters, "DescribeClusters"),
    "CreateService": rule("ecs:CreateService", _service, lambda p, w: {**_in_cluster(p, w), **tagging(p.get("tags"))}),
    **same("ecs", _service, "UpdateService", "DeleteService", context=_in_cluster),
    **same("ecs", _services, "DescribeServices", context=_in_cluster),
    "RegisterTaskDefinition": rule("ecs:RegisterTaskDefinition", _family, _request_tags("tags"), _task_roles),
    **same("ecs", None, "DeregisterTaskDefinition", "DescribeTaskDefinition", "ListTaskDefinitions", "ListClusters"),
    **same("ecs", None, "ListServices", context=_in_cluster),
    **same("ecs", _param("resourceArn"), "ListTagsForResource", "UntagResource"),
    **same("ecs", _param("resourceArn"), "TagResource", context=_request_tags("tags")),
}


# --- EFS (IAM prefix elasticfilesystem) --------------------------------------------------------------------


def _efs_arn(resource_id: str | None, where: Where) -> str | None:
    if not resource_id:
        return None
    if resource_id.startswith("arn:"):
        return resource_id
    kind = "access-point" if resource_id.startswith("fsap-") else "file-system"
    return where.arn("elasticfilesystem", f"{kind}/{resource_id}")


def _file_system(params: Params, where: Where) -> str | None:
    return _efs_arn(params.get("FileSystemId"), where)


def _mount_target_fs(params: Params, where: Where) -> str | None:
    """The file system of the request's mount target (EFS authorizes mount-target calls on it)."""
    from moto.efs.models import efs_backends

    if params.get("FileSystemId"):
        return _file_system(params, where)
    target = efs_backends[where.account][where.region].mount_targets_by_id.get(params.get("MountTargetId") or "")
    return _efs_arn(target.file_system_id, where) if target is not None else None


def _efs_described(params: Params, where: Where) -> str | None:
    return _efs_arn(params.get("AccessPointId") or params.get("FileSystemId"), where)


EFS_RULES: dict[str, Rule] = {
    "CreateFileSystem": rule(
        "elasticfilesystem:CreateFileSystem",
        context=lambda p, w: {
            "elasticfilesystem:Encrypted": str(bool(p.get("Encrypted"))).lower(),
            **tagging(p.get("Tags")),
        },
    ),
    **same("elasticfilesystem", _file_system, "CreateAccessPoint", "CreateTags", context=_request_tags("Tags")),
    **same(
        "elasticfilesystem",
        _file_system,
        "DeleteFileSystem",
        "UpdateFileSystem",
        "UpdateFileSystemProtection",
        "CreateMountTarget",
        "DeleteTags",
        "DescribeTags",
        "DescribeBackupPolicy",
        "PutBackupPolicy",
        "DescribeFileSystemPolicy",
        "PutFileSystemPolicy",
        "DeleteFileSystemPolicy",
        "DescribeLifecycleConfiguration",
        "PutLifecycleConfiguration",
        "DescribeFileSystems",
    ),
    **same(
        "elasticfilesystem",
        _mount_target_fs,
        "DeleteMountTarget",
        "DescribeMountTargetSecurityGroups",
        "ModifyMountTargetSecurityGroups",
    ),
    "DescribeMountTargets": rule("elasticfilesystem:DescribeMountTargets", _mount_target_fs),
    "DescribeAccessPoints": rule("elasticfilesystem:DescribeAccessPoints", _efs_described),
    "DeleteAccessPoint": rule("elasticfilesystem:DeleteAccessPoint", lambda p, w: _efs_arn(p.get("AccessPointId"), w)),
    **same("elasticfilesystem", lambda p, w: _efs_arn(p.get("ResourceId"), w), "ListTagsForResource", "UntagResource"),
    "TagResource": rule(
        "elasticfilesystem:TagResource", lambda p, w: _efs_arn(p.get("ResourceId"), w), _request_tags("Tags")
    ),
    **same("elasticfilesystem", None, "DescribeAccountPreferences", "PutAccountPreferences"),
}


# --- Lambda ----------------------------------------------------------------------------------------------

LAMBDA = "lambda.amazonaws.com"


def _function(params: Params, where: Where) -> str | None:
    name = params.get("FunctionName")
    if not name:
        return None
    if name.startswith("arn:"):
        arn = name
    elif ":" in name:  # partial ARN account-id:function:name
        arn = where.arn("lambda", name.split(":", 1)[1])
    else:
        arn = where.arn("lambda", f"function:{name}")
    qualifier = params.get("Qualifier")
    return f"{arn}:{qualifier}" if qualifier and arn.count(":") == 6 else arn


def _mapping(params: Params, where: Where) -> str | None:
    return where.arn("lambda", f"event-source-mapping:{params['UUID']}") if params.get("UUID") else None


def _execution_role(params: Params, _where: Where) -> list[Check]:
    return pass_role(params.get("Role"), LAMBDA)


LAMBDA_RULES: dict[str, Rule] = {
    "CreateFunction": rule("lambda:CreateFunction", _function, _request_tags("Tags"), _execution_role),
    "UpdateFunctionConfiguration": rule("lambda:UpdateFunctionConfiguration", _function, extra=_execution_role),
    "Invoke": rule("lambda:InvokeFunction", _function),
    "InvokeAsync": rule("lambda:InvokeFunction", _function),
    **same(
        "lambda",
        _function,
        "GetFunction",
        "GetFunctionConfiguration",
        "DeleteFunction",
        "UpdateFunctionCode",
        "AddPermission",
        "RemovePermission",
        "GetPolicy",
        "PutFunctionEventInvokeConfig",
        "UpdateFunctionEventInvokeConfig",
        "GetFunctionEventInvokeConfig",
        "DeleteFunctionEventInvokeConfig",
        "PutFunctionConcurrency",
        "GetFunctionConcurrency",
        "DeleteFunctionConcurrency",
        "ListVersionsByFunction",
        "PublishVersion",
        "ListAliases",
        "GetFunctionCodeSigningConfig",
    ),
    **same("lambda", _mapping, "GetEventSourceMapping", "UpdateEventSourceMapping", "DeleteEventSourceMapping"),
    **same("lambda", None, "CreateEventSourceMapping", "ListEventSourceMappings", "ListFunctions"),
    **same("lambda", _param("Resource"), "ListTags", "UntagResource"),
    **same("lambda", _param("Resource"), "TagResource", context=_request_tags("Tags")),
}


# --- CloudWatch Logs -----------------------------------------------------------------------------------


def _log_group(params: Params, where: Where) -> str | None:
    if params.get("logGroupIdentifier", "").startswith("arn:"):
        return params["logGroupIdentifier"].removesuffix(":*")
    name = params.get("logGroupName") or params.get("logGroupIdentifier")
    return where.arn("logs", f"log-group:{name}") if name else None


def _log_stream(params: Params, where: Where) -> str | None:
    group = _log_group(params, where)
    return f"{group}:log-stream:{params.get('logStreamName', '')}" if group else None


LOGS_RULES: dict[str, Rule] = {
    **same("logs", _log_group, "CreateLogGroup", "TagLogGroup", context=_request_tags("tags")),
    **same(
        "logs",
        _log_group,
        "DeleteLogGroup",
        "PutRetentionPolicy",
        "DeleteRetentionPolicy",
        "DescribeLogStreams",
        "FilterLogEvents",
        "ListTagsLogGroup",
        "UntagLogGroup",
        "AssociateKmsKey",
        "DisassociateKmsKey",
    ),
    **same("logs", _log_stream, "CreateLogStream", "PutLogEvents", "GetLogEvents"),
    **same("logs", None, "DescribeLogGroups", "PutResourcePolicy", "DeleteResourcePolicy", "DescribeResourcePolicies"),
    **same("logs", _param("resourceArn"), "ListTagsForResource", "UntagResource"),
    **same("logs", _param("resourceArn"), "TagResource", context=_request_tags("tags")),
}


# --- SQS (queues are named by URL: https://host/<account>/<name>) ----------------------------------------


def _queue(params: Params, where: Where) -> str | None:
    if params.get("QueueUrl"):
        account, _, name = urlparse(params["QueueUrl"]).path.strip("/").partition("/")
        return f"arn:{where.partition}:sqs:{where.region}:{account}:{name}"
    if params.get("QueueName"):
        account = params.get("QueueOwnerAWSAccountId") or where.account
        return f"arn:{where.partition}:sqs:{where.region}:{account}:{params['QueueName']}"
    return None


SQS_RULES: dict[str, Rule] = {
    "CreateQueue": rule("sqs:CreateQueue", _queue, _request_tags("tags")),
    "TagQueue": rule("sqs:TagQueue", _queue, _request_tags("Tags")),
    "SendMessageBatch": rule("sqs:SendMessage", _queue),
    "DeleteMessageBatch": rule("sqs:DeleteMessage", _queue),
    "ChangeMessageVisibilityBatch": rule("sqs:ChangeMessageVisibility", _queue),
    **same(
        "sqs",
        _queue,
        "GetQueueUrl",
        "GetQueueAttributes",
        "SetQueueAttributes",
        "DeleteQueue",
        "PurgeQueue",
        "SendMessage",
        "ReceiveMessage",
        "DeleteMessage",
        "ChangeMessageVisibility",
        "ListQueueTags",
        "UntagQueue",
        "ListDeadLetterSourceQueues",
    ),
    **same("sqs", None, "ListQueues"),
}

SNS_RULES: dict[str, Rule] = {
    **same(
        "sns",
        _param("TopicArn"),
        "Publish",
        "GetTopicAttributes",
        "SetTopicAttributes",
        "Subscribe",
        "DeleteTopic",
        "ListSubscriptionsByTopic",
        "ConfirmSubscription",
    ),
    "CreateTopic": rule(
        "sns:CreateTopic", lambda p, w: w.arn("sns", p["Name"]) if p.get("Name") else None, _request_tags("Tags")
    ),
    # Subscription operations name no topic in the reference (resource "*").
    **same(
        "sns",
        None,
        "ListTopics",
        "ListSubscriptions",
        "Unsubscribe",
        "GetSubscriptionAttributes",
        "SetSubscriptionAttributes",
    ),
    **same("sns", _param("ResourceArn"), "ListTagsForResource", "UntagResource"),
    **same("sns", _param("ResourceArn"), "TagResource", context=_request_tags("Tags")),
}


# --- EventBridge (rules on the default bus are rule/<name>, on another bus rule/<bus>/<name>) -------------


def _bus_name(value: Any) -> str:
    """A bus given by name or ARN; the default bus when none is given."""
    return str(value).rsplit("/", 1)[-1] if value else "default"


def _rule(params: Params, where: Where) -> str | None:
    if not params.get("Name") and not params.get("Rule"):
        return None
    bus = _bus_name(params.get("EventBusName"))
    return where.arn("events", f"rule/{'' if bus == 'default' else bus + '/'}{params.get('Name') or params['Rule']}")


def _entry_buses(params: Params, where: Where) -> list[str]:
    """PutEvents: the bus of each entry (event-bus/<name>; an ARN names its own)."""
    buses = {e.get("EventBusName") or "default" for e in params.get("Entries") or [{}]}
    return sorted(b if b.startswith("arn:") else where.arn("events", f"event-bus/{b}") for b in buses)


def _target_roles(params: Params, _where: Where) -> list[Check]:
    return [c for t in params.get("Targets") or [] for c in pass_role(t.get("RoleArn"), "events.amazonaws.com")]


EVENTS_RULES: dict[str, Rule] = {
    "PutRule": rule(
        "events:PutRule", _rule, _request_tags("Tags"), lambda p, w: pass_role(p.get("RoleArn"), "events.amazonaws.com")
    ),
    "PutTargets": rule("events:PutTargets", _rule, extra=_target_roles),
    **same(
        "events", _rule, "DescribeRule", "DeleteRule", "EnableRule", "DisableRule", "ListTargetsByRule", "RemoveTargets"
    ),
    "PutEvents": rule("events:PutEvents", _entry_buses),
    **same("events", None, "ListRules", "ListEventBuses"),
    **same("events", _param("ResourceARN"), "ListTagsForResource", "UntagResource"),
    **same("events", _param("ResourceARN"), "TagResource", context=_request_tags("Tags")),
}


# --- CloudWatch (alarms are alarm:<name>; metric operations take no resource) -------------------------------


def _alarms(params: Params, where: Where) -> list[str]:
    names = params.get("AlarmNames") or ([params["AlarmName"]] if params.get("AlarmName") else [])
    if not names and params.get("AlarmNamePrefix"):
        names = [params["AlarmNamePrefix"] + "*"]
    return [where.arn("cloudwatch", f"alarm:{name}") for name in names or ["*"]]


CLOUDWATCH_RULES: dict[str, Rule] = {
    "PutMetricAlarm": rule("cloudwatch:PutMetricAlarm", _alarms, _request_tags("Tags")),
    **same(
        "cloudwatch",
        _alarms,
        "DescribeAlarms",
        "DeleteAlarms",
        "SetAlarmState",
        "EnableAlarmActions",
        "DisableAlarmActions",
        "DescribeAlarmHistory",
    ),
    # cloudwatch:namespace: "Filters actions based on the presence of optional namespace values" (PutMetricData);
    # the observer's policy is scoped to its namespace with it.
    "PutMetricData": rule("cloudwatch:PutMetricData", None, lambda p, _w: {"cloudwatch:namespace": p.get("Namespace")}),
    **same(
        "cloudwatch",
        None,
        "GetMetricStatistics",
        "GetMetricData",
        "ListMetrics",
        "DescribeAlarmsForMetric",
    ),
    **same("cloudwatch", _param("ResourceARN"), "ListTagsForResource", "UntagResource"),
    **same("cloudwatch", _param("ResourceARN"), "TagResource", context=_request_tags("Tags")),
}


# --- the table -------------------------------------------------------------------------------------------

TABLE: dict[str, dict[str, Rule]] = {
    "datasync": DATASYNC_RULES,
    "s3": S3_RULES,
    "kms": KMS_RULES,
    "iam": IAM_RULES,
    "sts": STS_RULES,
    "ec2": EC2_RULES,
    "ecs": ECS_RULES,
    "efs": EFS_RULES,
    "lambda": LAMBDA_RULES,
    "logs": LOGS_RULES,
    "sqs": SQS_RULES,
    "sns": SNS_RULES,
    "events": EVENTS_RULES,
    "cloudwatch": CLOUDWATCH_RULES,
}
ALWAYS_ALLOWED = {("sts", "GetCallerIdentity")}  # "even if there's an explicit Deny" (IAM user guide)
PREFIXES = {"efs": "elasticfilesystem"}  # botocore service name -> IAM prefix, where they differ


def prefix(service: str) -> str:
    return PREFIXES.get(service, service)


def checks(service: str, operation: str, params: Params, where: Where) -> tuple[list[Check], bool]:
    """The checks a request needs and whether the table models it (False: `<prefix>:<Operation>` on "*")."""
    found = TABLE.get(service, {}).get(operation)
    if found is None:
        return [check(f"{prefix(service)}:{operation}")], False
    return found(params, where), True
