"""Cross-field checks of the roles' inputs (check_inputs action), built on the modules' own rules."""

from __future__ import annotations

import pytest

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import names
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import role_inputs

ROLE = "arn:aws:iam::222222222222:role/lakedrop-demo-lake-datasync"
TASK = "arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0"
KEY = "arn:aws:kms:eu-west-1:111111111111:key/0e6a6b2b-2c55-4a39-8b0d-5d1e4c5b6f70"

GOOD = {
    "datasync_role": {
        "datasync_role_bucket": "lake-data",
        "datasync_role_prefix": "incoming/",
        "datasync_role_account_id": "222222222222",
        "datasync_role_region": "eu-west-1",
    },
    "source_bucket": {
        "source_bucket_name": "lake-data",
        "source_bucket_encryption": "AES256",
        "source_bucket_kms_key_arn": "",
        "source_bucket_datasync_role_arns": [ROLE],
        "source_bucket_location_creator_arns": ["arn:aws:iam::222222222222:user/deployer"],
        "source_bucket_prefixes": ["incoming/"],
        "source_bucket_extra_statements": [],
    },
    "datasync_transfer": {
        "datasync_transfer_source_bucket": "lake-data",
        "datasync_transfer_source_subdirectory": "incoming/",
        "datasync_transfer_bucket_access_role_arn": ROLE,
        "datasync_transfer_account_id": "222222222222",
        "datasync_transfer_region": "eu-west-1",
        "datasync_transfer_security_group_ids": ["sg-0a"],
    },
    "lambda_trigger": {
        "lambda_trigger_task_arn": TASK,
        "lambda_trigger_source_bucket": "lake-data",
        "lambda_trigger_source_account_id": "111111111111",
        "lambda_trigger_account_id": "222222222222",
        "lambda_trigger_region": "eu-west-1",
        "lambda_trigger_batch_size": 9999,
        "lambda_trigger_batching_window": 20,
        "lambda_trigger_maximum_concurrency": 2,
        "lambda_trigger_timeout": 60,
        "lambda_trigger_visibility_timeout": 360,
        "lambda_trigger_name": "lakedrop-lake-trigger",
        "lambda_trigger_starts": "manifest",
        "lambda_trigger_manifest_bucket": "",
        "lambda_trigger_manifest_expiration_days": 7,
        "lambda_trigger_manifest_reader_arn": ROLE,
    },
    "observability": {
        "observability_name": "lakedrop",
        "observability_account_id": "222222222222",
        "observability_region": "eu-west-1",
        "observability_deliveries": [
            {"name": "lake", "base": "lakedrop-lake", "task_arn": TASK, "trigger_mode": "queued"}
        ],
        "observability_email": "",
        "observability_delivery_minutes": 30,
        "observability_queue_age_minutes": 15,
        "observability_check_minutes": 5,
    },
    "datasync_role_kms": {
        "datasync_role_name": "lakedrop-demo-lake-datasync",
        "datasync_role_bucket": "lake-data",
        "datasync_role_region": "eu-west-1",
        "datasync_role_kms_key_arn": KEY,
    },
    "lambda_trigger_notification": {
        "lambda_trigger_source_bucket": "lake-data",
        "lambda_trigger_notification_destination": "arn:aws:sqs:eu-west-1:222222222222:t-events",
    },
    "ecs_efs_volume": {
        "ecs_efs_volume_family": "rstudio",
        "ecs_efs_volume_volume_name": "lake",
        "ecs_efs_volume_container_name": "rstudio",
        "ecs_efs_volume_container_path": "/data/lake",
        "ecs_efs_volume_file_system_id": "fs-0123456789abcdef0",
        "ecs_efs_volume_access_point_id": "fsap-0123456789abcdef0",
        "ecs_efs_volume_account_id": "222222222222",
        "ecs_efs_volume_region": "eu-west-1",
    },
    "fast_path": {
        "fast_path_name": "lakedrop-demo-lake-fast",
        "fast_path_account_id": "222222222222",
        "fast_path_region": "eu-west-1",
        "fast_path_source_bucket": "lake-data",
        "fast_path_source_account_id": "111111111111",
        "fast_path_handoff_queue_arn": "arn:aws:sqs:eu-west-1:222222222222:lakedrop-demo-lake-trigger-events",
        "fast_path_deletes_dlq_arn": "arn:aws:sqs:eu-west-1:222222222222:lakedrop-demo-lake-trigger-dlq",
        "fast_path_file_system_arn": "arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/fs-0123456789abcdef0",
        "fast_path_access_point_arn": "arn:aws:elasticfilesystem:eu-west-1:222222222222:access-point/fsap-0123456789abcdef0",
        "fast_path_subnet_ids": ["subnet-0123abcd", "subnet-4567ef01"],
        "fast_path_security_group_ids": ["sg-0123abcd"],
        "fast_path_kms_key_arn": "",
        "fast_path_max_bytes": 16777216,
        "fast_path_propagate_deletes": True,
        "fast_path_batch_size": 10,
        "fast_path_timeout": 30,
        "fast_path_visibility_timeout": 30,
        "fast_path_deletes_visibility_timeout": 180,
        "fast_path_deletes_max_receive_count": 5,
        "fast_path_ephemeral_storage_size": 512,
        "fast_path_mount_path": "/mnt/lakedrop",
    },
    "fast_path_role": {
        "fast_path_name": "lakedrop-demo-lake-fast",
        "fast_path_account_id": "222222222222",
        "fast_path_region": "eu-west-1",
    },
    "efs_storage": {
        "efs_storage_name": "lakedrop-demo",
        "efs_storage_vpc_id": "",
        "efs_storage_kms_key_create": False,
        "efs_storage_kms_key_deletion_window": 30,
        "efs_storage_account_id": "222222222222",
        "efs_storage_region": "eu-west-1",
        "efs_storage_subnet_ids": [],
        "efs_storage_throughput_mode": "elastic",
        "efs_storage_performance_mode": "general_purpose",
        "efs_storage_provisioned_throughput": 0.0,
        "efs_storage_transition_to_ia": "AFTER_30_DAYS",
        "efs_storage_transition_to_archive": "",
        "efs_storage_access_points": [{"name": "lake", "path": "/lake data"}],
        "efs_storage_posix_uid": 1000,
        "efs_storage_posix_gid": 1000,
        "efs_storage_root_permissions": "0755",
        "efs_storage_tags": {},
    },
}


@pytest.mark.parametrize("role", sorted(GOOD))
def test_good_inputs_pass(role):
    assert role_inputs.problems(role, GOOD[role]) == []


def test_every_role_has_rules_and_good_inputs():
    assert set(role_inputs.RULES) == set(GOOD)


CASES = [
    ("fast_path", {"fast_path_access_point_arn": ""}, "fast_path_access_point_arn is required with state present."),
    ("fast_path", {"fast_path_subnet_ids": ["subnet-0123abcd", "sg-1"]}, "fast_path_subnet_ids[1] must be a subnet-"),
    ("fast_path", {"fast_path_handoff_queue_arn": "lake-trigger-events"}, "fast_path_handoff_queue_arn must be an SQS"),
    ("fast_path", {"fast_path_visibility_timeout": 10}, "fast_path_visibility_timeout (10) must be at least"),
    ("fast_path", {"fast_path_deletes_dlq_arn": ""}, "fast_path_deletes_dlq_arn is required with fast_path_propagate"),
    ("fast_path", {"fast_path_mount_path": "/data"}, "fast_path_mount_path must be /mnt/ and one name"),
    ("fast_path", {"fast_path_max_bytes": -1}, "fast_path_max_bytes must be a whole number from 0"),
    ("fast_path_role", {"fast_path_name": "Fast"}, "fast_path_name must be 1-59 lower-case letters"),
    (
        "efs_storage",
        {"efs_storage_s3_endpoint": True},
        "efs_storage_s3_endpoint_bucket_arns must name the buckets the functions read",
    ),
    (
        "efs_storage",
        {"efs_storage_s3_endpoint": True, "efs_storage_s3_endpoint_bucket_arns": ["lake-data"]},
        "efs_storage_s3_endpoint_bucket_arns[0] must be an S3 bucket ARN",
    ),
    (
        "source_bucket",
        {"source_bucket_reader_arns": ["arn:aws:iam::222222222222:root"]},
        "source_bucket_reader_arns[0] must be an IAM role ARN",
    ),
    ("datasync_role", {"datasync_role_bucket": ""}, "datasync_role_bucket is required with state present."),
    ("datasync_role", {"datasync_role_account_id": "2222"}, "datasync_role_account_id must be an AWS account ID"),
    ("datasync_role", {"datasync_role_prefix": "in*"}, "datasync_role_prefix must be a plain prefix"),
    ("source_bucket", {"source_bucket_name": "Lake"}, "source_bucket_name must follow S3's bucket naming rules"),
    (
        "source_bucket",
        {"source_bucket_name": "192.168.5.4"},
        "source_bucket_name must not be formatted as an IP address",
    ),
    ("source_bucket", {"source_bucket_name": "xn--lake"}, "source_bucket_name uses a prefix or suffix S3 reserves"),
    ("source_bucket", {"source_bucket_encryption": "aws:kms"}, "source_bucket_region must be a region name"),
    (
        "source_bucket",
        {"source_bucket_encryption": "aws:kms", "source_bucket_region": "eu-west-1"},
        "source_bucket_encryption aws:kms needs exactly one of",
    ),
    (
        "source_bucket",
        {
            "source_bucket_encryption": "aws:kms",
            "source_bucket_region": "eu-west-1",
            "source_bucket_kms_key_arn": "alias/x",
        },
        "source_bucket_kms_key_arn must be a KMS key ARN",
    ),
    (
        "source_bucket",
        {
            "source_bucket_encryption": "aws:kms",
            "source_bucket_region": "eu-west-1",
            "source_bucket_kms_key_create": True,
            "source_bucket_kms_key_alias": "alias/x",
            "source_bucket_kms_key_deletion_window": 30,
        },
        "source_bucket_account_id must be an AWS account ID",
    ),
    (
        "source_bucket",
        {"source_bucket_kms_key_create": True},
        "source_bucket_kms_key_create is only for source_bucket_encryption aws:kms",
    ),
    ("datasync_role_kms", {"datasync_role_kms_key_arn": "k"}, "datasync_role_kms_key_arn must be a KMS key ARN"),
    ("datasync_role_kms", {"datasync_role_region": ""}, "datasync_role_region is required"),
    (
        "source_bucket",
        {"source_bucket_kms_key_arn": KEY},
        "source_bucket_kms_key_arn is only for source_bucket_encryption aws:kms",
    ),
    (
        "source_bucket",
        {"source_bucket_datasync_role_arns": []},
        "source_bucket_datasync_role_arns must list at least one",
    ),
    (
        "source_bucket",
        {"source_bucket_datasync_role_arns": ["arn:aws:iam::222222222222:root"]},
        "source_bucket_datasync_role_arns[0] must be an IAM role ARN",
    ),
    (
        "source_bucket",
        {"source_bucket_location_creator_arns": ["x"]},
        "source_bucket_location_creator_arns[0] must be an IAM user or role ARN",
    ),
    ("source_bucket", {"source_bucket_prefixes": ["/"]}, "source_bucket_prefixes[0] is empty"),
    (
        "source_bucket",
        {"source_bucket_extra_statements": ["x"]},
        "source_bucket_extra_statements[0] must be a policy statement",
    ),
    (
        "source_bucket",
        {"source_bucket_extra_statements": [{"Effect": "Allow", "Principal": "*"}]},
        "source_bucket_extra_statements[0] must not Allow Principal",
    ),
    (
        "source_bucket",
        {"source_bucket_extra_statements": [{"Effect": "Allow", "Principal": {"AWS": ["*"]}}]},
        "source_bucket_extra_statements[0] must not Allow Principal",
    ),
    (
        "source_bucket",
        {"source_bucket_extra_statements": [{"Effect": "Allow", "NotPrincipal": {"AWS": "x"}}]},
        "source_bucket_extra_statements[0] must not Allow Principal",
    ),
    (
        "source_bucket",
        {"source_bucket_extra_statements": [{"Effect": "Deny"}]},
        "source_bucket_extra_statements[0] must name a Principal",
    ),
    (
        "source_bucket",
        {"source_bucket_extra_statements": [{"Effect": "Maybe", "Principal": "*"}]},
        "source_bucket_extra_statements[0] must have Effect Allow or Deny",
    ),
    (
        "source_bucket",
        {"source_bucket_extra_statements": [{"Sid": "A", "Effect": "Deny", "Principal": "*"}] * 2},
        "source_bucket_extra_statements[1] repeats the Sid 'A'",
    ),
    (
        "datasync_transfer",
        {"datasync_transfer_bucket_access_role_arn": "role"},
        "datasync_transfer_bucket_access_role_arn must be an IAM role ARN",
    ),
    (
        "datasync_transfer",
        {"datasync_transfer_security_group_ids": ["sg-1"] * 6},
        "datasync_transfer_security_group_ids lists 6 groups",
    ),
    ("lambda_trigger", {"lambda_trigger_task_arn": "task-1"}, "lambda_trigger_task_arn must be a DataSync task ARN"),
    (
        "lambda_trigger",
        {"lambda_trigger_batch_size": 10000},
        "lambda_trigger_batch_size must be a whole number from 1 to 9999",
    ),
    (
        "lambda_trigger",
        {"lambda_trigger_batching_window": 301},
        "lambda_trigger_batching_window must be a whole number from 0 to 300",
    ),
    (
        "lambda_trigger",
        {"lambda_trigger_maximum_concurrency": 1},
        "lambda_trigger_maximum_concurrency must be a whole number from 2 to 1000",
    ),
    (
        "lambda_trigger",
        {"lambda_trigger_visibility_timeout": 30},
        "lambda_trigger_visibility_timeout (30) must be at least lambda_trigger_timeout (60)",
    ),
    (
        "lambda_trigger",
        {"lambda_trigger_manifest_bucket": "Lake_Manifests"},
        "lambda_trigger_manifest_bucket must follow S3's bucket naming rules",
    ),
    (  # a function name may have 64 characters; the bucket derived from it may not
        "lambda_trigger",
        {"lambda_trigger_name": "t" * 60},
        "lambda_trigger_manifest_bucket (derived from lambda_trigger_name) must follow S3's bucket naming rules",
    ),
    (
        "lambda_trigger",
        {"lambda_trigger_manifest_reader_arn": ""},
        "lambda_trigger_manifest_reader_arn (the DataSync role, the manifests' only reader) is required",
    ),
    (
        "lambda_trigger",
        {"lambda_trigger_manifest_reader_arn": "arn:aws:iam::222222222222:user/x"},
        "lambda_trigger_manifest_reader_arn must be an IAM role ARN",
    ),
    (
        "lambda_trigger",
        {"lambda_trigger_manifest_expiration_days": 0},
        "lambda_trigger_manifest_expiration_days must be a whole number from 1 to 365",
    ),
    ("datasync_role", {"datasync_role_manifest_bucket": "a"}, "datasync_role_manifest_bucket must follow S3's"),
    (
        "lambda_trigger_notification",
        {"lambda_trigger_notification_destination": ""},
        "lambda_trigger_notification_destination must be the queue",
    ),
    ("ecs_efs_volume", {"ecs_efs_volume_family": "a b"}, "ecs_efs_volume_family must be 1-255 letters"),
    (
        "ecs_efs_volume",
        {"ecs_efs_volume_cluster": "c"},
        "ecs_efs_volume_cluster and ecs_efs_volume_service go together",
    ),
    (
        "ecs_efs_volume",
        {"ecs_efs_volume_task_role": "arn:aws:iam::1:role/x"},
        "ecs_efs_volume_task_role must be an IAM role ARN",
    ),
    (
        "ecs_efs_volume",
        {"ecs_efs_volume_container_path": "data"},
        "ecs_efs_volume_container_path must be an absolute path",
    ),
    (
        "ecs_efs_volume",
        {"ecs_efs_volume_file_system_id": "fsap-0123456789abcdef0"},
        "ecs_efs_volume_file_system_id must be an EFS file system ARN or its ID",
    ),
    ("efs_storage", {"efs_storage_name": "-x"}, "efs_storage_name must be 1-50 letters"),
    (
        "efs_storage",
        {"efs_storage_kms_key_create": True, "efs_storage_kms_key_alias": "alias/aws/x"},
        "efs_storage_kms_key_alias must be alias/NAME",
    ),
    (
        "efs_storage",
        {"efs_storage_kms_key_deletion_window": 6},
        "efs_storage_kms_key_deletion_window must be a whole number from 7 to 30",
    ),
    (
        "efs_storage",
        {"efs_storage_kms_key_arn": KEY, "efs_storage_kms_key_create": True, "efs_storage_kms_key_alias": "alias/x"},
        "efs_storage_kms_key_arn cannot be combined",
    ),
    (
        "efs_storage",
        {"efs_storage_throughput_mode": "provisioned"},
        "efs_storage_provisioned_throughput must be at least 1 MiB/s",
    ),
    (
        "efs_storage",
        {"efs_storage_provisioned_throughput": 5.0},
        "efs_storage_provisioned_throughput is only for throughput mode provisioned",
    ),
    (
        "efs_storage",
        {"efs_storage_transition_to_archive": "AFTER_7_DAYS"},
        "efs_storage_transition_to_archive (AFTER_7_DAYS) must be later",
    ),
    (
        "efs_storage",
        {"efs_storage_transition_to_archive": "AFTER_90_DAYS", "efs_storage_throughput_mode": "bursting"},
        "efs_storage_transition_to_archive needs efs_storage_throughput_mode elastic",
    ),
    (
        "efs_storage",
        {"efs_storage_access_points": []},
        "efs_storage_access_points must list at least one access point.",
    ),
    (
        "efs_storage",
        {"efs_storage_access_points": [{"name": "a", "path": "/a", "uid": -1}]},
        "efs_storage_access_points[0].uid must be an integer",
    ),
    (
        "efs_storage",
        {"efs_storage_access_points": [{"name": "a", "path": "/a", "permissions": 493}]},
        "efs_storage_access_points[0].permissions must be a quoted string",
    ),
    ("efs_storage", {"efs_storage_tags": {"Name": "x"}}, "efs_storage_tags must not set Name"),
    ("observability", {"observability_email": "oncall"}, "observability_email must be an email address"),
    ("observability", {"observability_delivery_minutes": 2}, "observability_delivery_minutes must be a whole number"),
    ("observability", {"observability_check_minutes": 0}, "observability_check_minutes must be a whole number"),
    (
        "observability",
        {"observability_deliveries": [{"name": "lake", "base": "b", "task_arn": "task-1", "trigger_mode": "queued"}]},
        "observability_deliveries[0].task_arn must be a DataSync task ARN",
    ),
    (
        "observability",
        {
            "observability_deliveries": [
                {"name": "lake", "base": "b", "task_arn": TASK, "reconcile_task_arn": "scan", "trigger_mode": "queued"}
            ]
        },
        "observability_deliveries[0].reconcile_task_arn must be a DataSync task ARN",
    ),
    (
        "observability",
        {"observability_deliveries": [{"name": "lake"}]},
        "observability_deliveries[0] must be a mapping with name, base, task_arn and trigger_mode",
    ),
]


@pytest.mark.parametrize(("role", "changes", "expected"), CASES)
def test_each_problem_names_its_variable(role, changes, expected):
    problems = role_inputs.problems(role, dict(GOOD[role], **changes))
    assert any(p.startswith(expected) for p in problems), problems


def test_absent_needs_only_what_names_the_resource():
    assert role_inputs.problems("lambda_trigger", {"lambda_trigger_state": "absent"}) == []
    assert role_inputs.problems("datasync_transfer", {"datasync_transfer_state": "absent"}) == []
    assert role_inputs.problems("source_bucket", {"source_bucket_state": "absent", "source_bucket_name": "Bad"})


def test_filter_starts_need_no_manifest_bucket():
    """filters: no bucket, so neither its name nor its reader is checked."""
    values = dict(GOOD["lambda_trigger"], lambda_trigger_starts="filters", lambda_trigger_manifest_reader_arn="")
    assert role_inputs.problems("lambda_trigger", dict(values, lambda_trigger_manifest_bucket="Bad_Name")) == []


def test_the_derived_manifest_bucket_is_named_after_the_trigger():
    assert names.manifest_bucket("lakedrop-lake-trigger", "222222222222") == "lakedrop-lake-manifest-222222222222"
    assert names.manifest_bucket("custom", "222222222222") == "custom-manifest-222222222222"
    found = names.trigger("lakedrop-lake-trigger", "cn-north-1", "222222222222")
    assert found["manifest_bucket_arn"] == "arn:aws-cn:s3:::lakedrop-lake-manifest-222222222222"
