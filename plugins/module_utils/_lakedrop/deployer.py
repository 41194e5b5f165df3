# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The least-privilege policies of the identities that deploy a lakedrop deployment, one per account,
derived from its settings (inventory.py) and the names it uses (names.py), so the policy names exactly
the resources the playbooks create. docs/deployer-policy.md explains each statement; the emulator's
deployers get these policies, so a permission the deployment needs but this file forgot fails the tests
as it would fail on AWS.

Scoping: by name wherever the deployment chooses the name (IAM roles, functions, queues, log groups,
buckets, aliases); by the Name tag the deployment writes where AWS generates the ID and evaluates tags
(EFS); by account and Region where AWS generates the ID and offers nothing narrower (DataSync locations
and tasks, security groups, event source mappings); "*" only for what AWS authorizes on no resource
(listing, describing, creating a KMS key or a file system).
"""

from . import arns
from . import names


def _statement(sid, actions, resources, condition=None):
    statement = {"Sid": sid, "Effect": "Allow", "Action": sorted(actions), "Resource": sorted(resources)}
    if condition:
        statement["Condition"] = condition
    return statement


def _policy(statements):
    return {"Version": "2012-10-17", "Statement": statements}


def _prefix(settings):
    return f"{settings['name']}-"


def _arn(settings, account, service, resource, regional=True):
    return names.arn(service, settings["region"], account, resource, regional=regional)


BUCKET_READ = [
    "s3:GetAccelerateConfiguration",
    "s3:GetBucketAcl",
    "s3:GetBucketLocation",
    "s3:GetBucketLogging",
    "s3:GetBucketNotification",
    "s3:GetBucketObjectLockConfiguration",
    "s3:GetBucketOwnershipControls",
    "s3:GetBucketPolicy",
    "s3:GetBucketPublicAccessBlock",
    "s3:GetBucketRequestPayment",
    "s3:GetBucketTagging",
    "s3:GetBucketVersioning",
    "s3:GetEncryptionConfiguration",
    "s3:GetInventoryConfiguration",
    "s3:ListBucket",
    "s3:ListBucketVersions",
]
BUCKET_WRITE = [
    "s3:CreateBucket",
    "s3:DeleteBucket",
    "s3:PutBucketNotification",
    "s3:PutBucketOwnershipControls",
    "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketTagging",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
]
# The triggers' manifest buckets (account B): what amazon.aws.s3_bucket reads and writes for an
# unversioned, encrypted, private bucket with a policy and tags, community.aws.s3_lifecycle's rules, and
# teardown (list the versions, delete the objects, delete the bucket).
MANIFEST_BUCKET = sorted(
    (set(BUCKET_READ) - {"s3:GetBucketNotification"})
    | {
        "s3:CreateBucket",
        "s3:DeleteBucket",
        "s3:GetLifecycleConfiguration",
        "s3:PutBucketOwnershipControls",
        "s3:PutBucketPolicy",
        "s3:PutBucketPublicAccessBlock",
        "s3:PutBucketTagging",
        "s3:PutEncryptionConfiguration",
        "s3:PutLifecycleConfiguration",
    }
)
KEY_READ = [
    "kms:DescribeKey",
    "kms:GetKeyPolicy",
    "kms:GetKeyRotationStatus",
    "kms:ListGrants",
    "kms:ListKeyPolicies",
    "kms:ListResourceTags",
]
KEY_WRITE = [
    "kms:DisableKey",
    "kms:EnableKey",
    "kms:EnableKeyRotation",
    "kms:PutKeyPolicy",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:UpdateKeyDescription",
]


def _key_statements(settings, account, what, tag, values, aliases):
    """Create, tag, manage and name the KMS keys the play creates, each carrying tag `lakedrop:<tag>`."""
    request = {"aws:RequestTag/lakedrop:" + tag: values}
    keys = _arn(settings, account, "kms", "key/*")
    return [
        _statement(f"CreateThe{what}Keys", ["kms:CreateKey"], ["*"], {"StringEquals": request}),
        _statement(f"TagThe{what}KeysAtCreation", ["kms:TagResource"], [keys], {"StringEquals": request}),
        _statement(
            f"ManageThe{what}Keys",
            KEY_READ + KEY_WRITE,
            [keys],
            {"StringEquals": {"aws:ResourceTag/lakedrop:" + tag: values}},
        ),
        _statement(
            f"NameThe{what}Keys",
            ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
            [_arn(settings, account, "kms", alias) for alias in aliases] + [keys],
        ),
    ]


def observability_statements(settings):
    """Account B, with lakedrop_observability: the topic and its key, the rules, the alarms (the observer's
    function, role and log group are named like the triggers' and covered by their statements)."""
    observability = settings.get("observability") or {}
    if not observability.get("enabled"):
        return []
    account, found = settings["target_account_id"], observability["names"]
    topic = found["topic_arn"]
    return [
        _statement("ReadTheNotifications", ["kms:ListAliases", "sns:ListTopics", "events:ListRules"], ["*"]),
        *_key_statements(settings, account, "Topic", "topic", [found["topic"]], [found["key_alias"]]),
        _statement(
            "TheNotificationTopic",
            [
                "sns:CreateTopic",
                "sns:DeleteTopic",
                "sns:GetTopicAttributes",
                "sns:ListSubscriptionsByTopic",
                "sns:ListTagsForResource",
                "sns:SetTopicAttributes",
                "sns:Subscribe",
                "sns:TagResource",
                "sns:UntagResource",
            ],
            [topic],
        ),
        # Subscriptions authorize on no resource (Service Authorization Reference, Amazon SNS).
        _statement(
            "ItsSubscriptions",
            ["sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes", "sns:Unsubscribe"],
            ["*"],
        ),
        _statement(
            "TheRules",
            [
                "events:DeleteRule",
                "events:DescribeRule",
                "events:DisableRule",
                "events:EnableRule",
                "events:ListTagsForResource",
                "events:ListTargetsByRule",
                "events:PutRule",
                "events:PutTargets",
                "events:RemoveTargets",
                "events:TagResource",
                "events:UntagResource",
            ],
            [_arn(settings, account, "events", f"rule/{_prefix(settings)}*")],
        ),
        _statement(
            "TheAlarms",
            ["cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm"],
            [found["alarm_arns"]],
        ),
    ]


def source_policy(settings):
    """Account A: the buckets, their policies and notifications, and the keys of SSE-KMS buckets."""
    account = settings["source_account_id"]
    buckets = [arns.bucket_arn(b["name"], settings["region"]) for b in settings["buckets"]]
    statements = [
        _statement("ReadTheAccount", ["iam:ListAccountAliases", "s3:ListAllMyBuckets", "kms:ListAliases"], ["*"]),
        _statement("TheSourceBuckets", BUCKET_READ + BUCKET_WRITE, buckets),
        # teardown with lakedrop_teardown_bucket_contents=true empties the buckets first
        _statement(
            "EmptyTheSourceBucketsOnTeardown",
            ["s3:DeleteObject", "s3:DeleteObjectVersion"],
            [f"{bucket}/*" for bucket in buckets],
        ),
    ]
    managed = [b for b in settings["buckets"] if b["kms_key_create"]]
    given = sorted(set(b["kms_key_arn"] for b in settings["buckets"] if b["kms_key_arn"]))
    if managed:
        aliases = [b["kms_key_alias"] for b in managed]
        statements += _key_statements(
            settings, account, "Source", "bucket", sorted(b["name"] for b in managed), aliases
        )
    if given:
        statements.append(_statement("ReadTheGivenKeys", KEY_READ, given))
    return _policy(statements)


def s3_endpoint_statements(settings):
    """The fast path's S3 gateway endpoint: created (with its Name tag) on the route tables of the mount targets'
    subnets when they have none, deleted on teardown. EC2 generates the ID: account and Region scope it."""
    if not settings.get("fast_path", {}).get("enabled"):
        return []
    account = settings["target_account_id"]
    endpoints = _arn(settings, account, "ec2", "vpc-endpoint/*")
    return [
        _statement(
            "TheS3GatewayEndpoint",
            ["ec2:CreateVpcEndpoint"],
            [endpoints, _arn(settings, account, "ec2", "vpc/*"), _arn(settings, account, "ec2", "route-table/*")],
        ),
        _statement("TagAndRemoveTheS3GatewayEndpoint", ["ec2:CreateTags", "ec2:DeleteVpcEndpoints"], [endpoints]),
    ]


def target_policy(settings):
    """Account B: DataSync's roles, EFS, the locations and tasks, the triggers, the ECS volumes."""
    account, region, prefix = settings["target_account_id"], settings["region"], _prefix(settings)
    buckets = [arns.bucket_arn(b["name"], region) for b in settings["buckets"]]
    manifest_buckets = sorted(d["names"]["trigger_names"]["manifest_bucket_arn"] for d in settings["deliveries"])
    roles = _arn(settings, account, "iam", f"role/{prefix}*", regional=False)
    # Without lakedrop_ecs_task_role the task definition's own task role gets the policy: any role then.
    task_role = settings["ecs_task_role"].split("/")[-1] or "*"
    task_roles = [_arn(settings, account, "iam", f"role/{task_role}", regional=False)]
    name_tag = {"StringLike": {"aws:ResourceTag/Name": [settings["name"], f"{prefix}*"]}}
    efs_resources = [
        _arn(settings, account, "elasticfilesystem", "file-system/*"),
        _arn(settings, account, "elasticfilesystem", "access-point/*"),
    ]
    cluster, service = settings["ecs_cluster"], settings["ecs_service"]
    statements = [
        _statement(
            "ReadTheAccount",
            [
                "datasync:ListLocations",
                "datasync:ListTaskExecutions",
                "datasync:ListTasks",
                # also what Lambda checks for a function in a VPC (Lambda developer guide, VPC access)
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSubnets",
                "ec2:DescribeTags",
                "ec2:DescribeVpcs",
                # the fast path's S3 gateway endpoint: the subnets' route tables and the endpoints on them
                "ec2:DescribeRouteTables",
                "ec2:DescribeVpcEndpoints",
                "ecs:DescribeTaskDefinition",
                "ecs:ListTaskDefinitions",
                # community.aws.efs finds the file system by CreationToken and efs_info lists them: a call
                # without FileSystemId, authorized on "*" (its file-system resource is for one ID only).
                "elasticfilesystem:DescribeFileSystems",
                "iam:ListAccountAliases",
                "lambda:ListEventSourceMappings",
                "logs:DescribeLogGroups",
                "logs:DescribeResourcePolicies",
                "sqs:ListQueues",
                # a dry run reads the manifest buckets back (s3_bucket_info lists the account's buckets)
                "s3:ListAllMyBuckets",
                # the runbooks read the trigger's errors and the delivery latency (no resource-level permission)
                "cloudwatch:GetMetricStatistics",
            ],
            ["*"],
        ),
        _statement(
            "TheDeploymentsRoles",
            [
                "iam:CreateRole",
                "iam:DeleteRole",
                "iam:DeleteRolePolicy",
                "iam:GetRole",
                "iam:GetRolePolicy",
                "iam:ListAttachedRolePolicies",
                "iam:ListInstanceProfilesForRole",
                "iam:ListRolePolicies",
                "iam:ListRoleTags",
                "iam:PutRolePolicy",
                "iam:TagRole",
                "iam:UntagRole",
                "iam:UpdateAssumeRolePolicy",
                "iam:UpdateRole",
                "iam:UpdateRoleDescription",
            ],
            [roles],
        ),
        _statement(
            "HandTheRolesToDataSyncAndLambda",
            ["iam:PassRole"],
            [roles],
            {"StringEquals": {"iam:PassedToService": ["datasync.amazonaws.com", "lambda.amazonaws.com"]}},
        ),
        # The ECS service's task role gets the EFS mount policy; registering a revision passes its roles.
        _statement(
            "TheEcsTaskRole",
            ["iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:PutRolePolicy", "iam:DeleteRolePolicy"],
            task_roles,
        ),
        _statement(
            "HandRolesToEcsTasks",
            ["iam:PassRole"],
            [_arn(settings, account, "iam", "role/*", regional=False)],
            {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        ),
        # DataSync tests access with the caller's credentials when it creates the S3 location.
        _statement("ListTheSourceBucketsForDataSync", ["s3:GetBucketLocation", "s3:ListBucket"], buckets),
        _statement(
            "ReadFileSystems",
            [
                # by FileSystemId or AccessPointId only (efs_api.describe_access_points)
                "elasticfilesystem:DescribeAccessPoints",
                "elasticfilesystem:DescribeFileSystemPolicy",
                "elasticfilesystem:DescribeLifecycleConfiguration",
                "elasticfilesystem:DescribeMountTargetSecurityGroups",
                "elasticfilesystem:DescribeMountTargets",
                "elasticfilesystem:DescribeTags",
                "elasticfilesystem:ListTagsForResource",
            ],
            efs_resources,
        ),
        # Writes only to what carries the deployment's Name tag (the file system and its access points).
        _statement(
            "TheFileSystemAndAccessPoints",
            [
                "elasticfilesystem:CreateAccessPoint",
                "elasticfilesystem:CreateMountTarget",
                "elasticfilesystem:DeleteAccessPoint",
                "elasticfilesystem:DeleteFileSystem",
                "elasticfilesystem:DeleteFileSystemPolicy",
                "elasticfilesystem:DeleteMountTarget",
                "elasticfilesystem:DeleteTags",
                "elasticfilesystem:ModifyMountTargetSecurityGroups",
                "elasticfilesystem:PutFileSystemPolicy",
                "elasticfilesystem:PutLifecycleConfiguration",
                "elasticfilesystem:UntagResource",
                "elasticfilesystem:UpdateFileSystem",
            ],
            efs_resources,
            name_tag,
        ),
        # community.aws.efs creates the file system, then names it: only encrypted ones, only with our Name.
        _statement(
            "CreateTheFileSystem",
            ["elasticfilesystem:CreateFileSystem"],
            ["*"],
            {"Bool": {"elasticfilesystem:Encrypted": "true"}},
        ),
        _statement(
            "NameTheFileSystem",
            ["elasticfilesystem:CreateTags", "elasticfilesystem:TagResource"],
            [_arn(settings, account, "elasticfilesystem", "file-system/*")],
            {"StringLike": {"aws:RequestTag/Name": [settings["name"], f"{prefix}*"]}},
        ),
        _statement("ReadTheVpcs", ["ec2:DescribeVpcAttribute"], [_arn(settings, account, "ec2", "vpc/*")]),
        _statement(
            "TheSecurityGroups",
            [
                "ec2:AuthorizeSecurityGroupEgress",
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:CreateSecurityGroup",
                "ec2:CreateTags",
                "ec2:DeleteSecurityGroup",
                "ec2:RevokeSecurityGroupEgress",
                "ec2:RevokeSecurityGroupIngress",
            ],
            [_arn(settings, account, "ec2", "security-group/*"), _arn(settings, account, "ec2", "vpc/*")],
        ),
        *s3_endpoint_statements(settings),
        _statement(
            "TheLocationsAndTasks",
            [
                "datasync:CreateTask",
                "datasync:DeleteLocation",
                "datasync:DeleteTask",
                "datasync:DescribeLocationEfs",
                "datasync:DescribeLocationS3",
                "datasync:DescribeTask",
                "datasync:ListTagsForResource",
                "datasync:TagResource",
                "datasync:UntagResource",
                "datasync:UpdateLocationEfs",
                "datasync:UpdateLocationS3",
                "datasync:UpdateTask",
            ],
            [_arn(settings, account, "datasync", "location/*"), _arn(settings, account, "datasync", "task/*")],
        ),
        # CreateLocation* authorize on no resource (the location's ID does not exist yet).
        _statement("CreateTheLocations", ["datasync:CreateLocationEfs", "datasync:CreateLocationS3"], ["*"]),
        _statement(
            "TheLogGroups",
            [
                "logs:CreateLogGroup",
                "logs:DeleteLogGroup",
                "logs:DeleteRetentionPolicy",
                "logs:ListTagsForResource",
                "logs:ListTagsLogGroup",
                "logs:PutRetentionPolicy",
                "logs:TagLogGroup",
                "logs:TagResource",
                "logs:UntagLogGroup",
                "logs:UntagResource",
            ],
            [
                _arn(settings, account, "logs", f"log-group:/aws/datasync/{prefix}*"),
                _arn(settings, account, "logs", f"log-group:/aws/lambda/{prefix}*"),
            ],
        ),
        # CloudWatch Logs resource policies have no resource-level permissions.
        _statement("DataSyncsLogDelivery", ["logs:DeleteResourcePolicy", "logs:PutResourcePolicy"], ["*"]),
        _statement(
            "TheTriggerQueues",
            [
                "sqs:CreateQueue",
                "sqs:DeleteQueue",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
                "sqs:ListQueueTags",
                "sqs:SetQueueAttributes",
                "sqs:TagQueue",
                "sqs:UntagQueue",
            ],
            [_arn(settings, account, "sqs", f"{prefix}*")],
        ),
        _statement(
            "TheTriggerFunctions",
            [
                "lambda:AddPermission",
                "lambda:CreateFunction",
                "lambda:DeleteFunction",
                "lambda:GetFunction",
                "lambda:GetFunctionConfiguration",
                "lambda:GetPolicy",
                "lambda:ListTags",
                "lambda:ListVersionsByFunction",
                "lambda:RemovePermission",
                "lambda:TagResource",
                "lambda:UntagResource",
                "lambda:UpdateFunctionCode",
                "lambda:UpdateFunctionConfiguration",
            ],
            [
                _arn(settings, account, "lambda", f"function:{prefix}*"),
                _arn(settings, account, "lambda", f"function:{prefix}*:*"),
            ],
        ),
        # Every delivery's, whatever its trigger_starts: one switched to filters keeps its bucket until teardown.
        _statement("TheManifestBuckets", MANIFEST_BUCKET, manifest_buckets),
        _statement("EmptyTheManifestBucketsOnTeardown", ["s3:DeleteObject"], [f"{b}/*" for b in manifest_buckets]),
        _statement(
            "TheTriggerMappings",
            ["lambda:DeleteEventSourceMapping", "lambda:GetEventSourceMapping", "lambda:UpdateEventSourceMapping"],
            [_arn(settings, account, "lambda", "event-source-mapping:*")],
        ),
        # CreateEventSourceMapping authorizes on no resource; the function it names is checked as above.
        _statement("MapTheTriggerQueues", ["lambda:CreateEventSourceMapping"], ["*"]),
        # The runbooks (playbooks/runbooks): start, follow and cancel executions of the deployment's tasks, and
        # replay what its dead-letter queues hold (messages are deleted only after the replay succeeded).
        _statement(
            "RunbooksRunTheTasks",
            [
                "datasync:CancelTaskExecution",
                "datasync:DescribeTaskExecution",
                "datasync:StartTaskExecution",
            ],
            [_arn(settings, account, "datasync", "task/*"), _arn(settings, account, "datasync", "task/*/execution/*")],
        ),
        _statement(
            "RunbooksReplayTheDeadLetterQueues",
            ["sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:ReceiveMessage"],
            [_arn(settings, account, "sqs", f"{prefix}*-dlq")],
        ),
        _statement(
            "TheEcsService",
            ["ecs:DescribeServices", "ecs:UpdateService"],
            [_arn(settings, account, "ecs", f"service/{cluster}/{service}")],
        ),
        _statement(
            "NewRevisionsOfTheTaskDefinition",
            ["ecs:RegisterTaskDefinition", "ecs:TagResource"],
            [_arn(settings, account, "ecs", f"task-definition/{settings['ecs_family']}:*")],
        ),
    ]
    return _policy(statements + observability_statements(settings))


def policies(settings):
    return {"source": source_policy(settings), "target": target_policy(settings)}
