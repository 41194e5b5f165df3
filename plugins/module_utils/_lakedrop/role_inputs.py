# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cross-field checks of each role's inputs, run by the `lakedrop.delivery.check_inputs` action as a
role's first task. Types and choices are the argument specs' business (meta/argument_specs.yml);
what depends on several inputs, or on a rule a module also applies, is here, built from rules.py so a
role and the module it calls can never disagree. Each function takes the role's variables and returns
every problem at once."""

import re

from . import access_points
from . import arns
from . import names
from . import rules

# What each role needs with state present.
REQUIRED = {
    "datasync_role": ["datasync_role_bucket", "datasync_role_account_id", "datasync_role_region"],
    "datasync_role_kms": ["datasync_role_name", "datasync_role_bucket", "datasync_role_region"],
    "datasync_transfer": [
        "datasync_transfer_source_bucket",
        "datasync_transfer_bucket_access_role_arn",
        "datasync_transfer_account_id",
        "datasync_transfer_region",
    ],
    "lambda_trigger": [
        "lambda_trigger_task_arn",
        "lambda_trigger_source_bucket",
        "lambda_trigger_source_account_id",
        "lambda_trigger_account_id",
        "lambda_trigger_region",
    ],
    "ecs_efs_volume": ["ecs_efs_volume_container_name", "ecs_efs_volume_account_id", "ecs_efs_volume_region"],
    "efs_storage": ["efs_storage_account_id", "efs_storage_region"],
    "fast_path_role": ["fast_path_name", "fast_path_account_id", "fast_path_region"],
    "fast_path": [
        "fast_path_name",
        "fast_path_account_id",
        "fast_path_region",
        "fast_path_source_bucket",
        "fast_path_source_account_id",
        "fast_path_handoff_queue_arn",
        "fast_path_file_system_arn",
        "fast_path_access_point_arn",
        "fast_path_subnet_ids",
        "fast_path_security_group_ids",
    ],
    "observability": ["observability_name", "observability_account_id", "observability_region"],
}


def _present(v, role):
    return v.get(f"{role}_state", "present") == "present"


def _required(v, role):
    return [f"{name} is required with state present." for name in REQUIRED[role] if v.get(name) in (None, "", [], {})]


def _check(v, name, rule, *args):
    """`rule`'s problem with the variable `name` when it is set (`_required` says when it must be)."""
    return rule(v[name], *args, name) if v.get(name) else None


def datasync_role(v):
    if not _present(v, "datasync_role"):
        return []
    return [
        *_required(v, "datasync_role"),
        _check(v, "datasync_role_bucket", rules.bucket_name),
        _check(v, "datasync_role_manifest_bucket", rules.bucket_name),
        _check(v, "datasync_role_account_id", rules.account_id),
        _check(v, "datasync_role_region", rules.region),
        rules.s3_prefix(v.get("datasync_role_prefix", ""), "datasync_role_prefix"),
    ]


def datasync_role_kms(v):
    """tasks_from: kms (phase 3, once the source bucket's key is known)."""
    return [*_required(v, "datasync_role_kms"), _check(v, "datasync_role_kms_key_arn", rules.arn, "kms_key")]


def source_bucket(v):
    problems = [rules.bucket_name(v.get("source_bucket_name"), "source_bucket_name")]
    if not _present(v, "source_bucket"):
        return problems
    problems += _source_key_problems(v)
    roles = v.get("source_bucket_datasync_role_arns") or []
    if not roles:
        problems.append("source_bucket_datasync_role_arns must list at least one IAM role ARN (never an account root).")
    for index, value in enumerate(roles):
        problems.append(rules.arn(value, "iam_role", f"source_bucket_datasync_role_arns[{index}]"))
    for index, value in enumerate(v.get("source_bucket_reader_arns") or []):
        problems.append(rules.arn(value, "iam_role", f"source_bucket_reader_arns[{index}]"))
    for index, value in enumerate(v.get("source_bucket_location_creator_arns") or []):
        if arns.kind_of(value) not in ("iam_role", "iam_user"):
            problems.append(
                f"source_bucket_location_creator_arns[{index}] must be an IAM user or role ARN, got {value!r}."
            )
    for index, value in enumerate(v.get("source_bucket_prefixes") or []):
        if not value.strip("/"):
            problems.append(f"source_bucket_prefixes[{index}] is empty; use [] for the whole bucket.")
        else:
            problems.append(rules.s3_prefix(value, f"source_bucket_prefixes[{index}]"))
    problems += statement_problems(v.get("source_bucket_extra_statements") or [], "source_bucket_extra_statements")
    return problems


def _source_key_problems(v):
    encryption, key, create = (
        v.get("source_bucket_encryption"),
        v.get("source_bucket_kms_key_arn") or "",
        v.get("source_bucket_kms_key_create"),
    )
    if encryption != "aws:kms":
        return [
            f"{name} is only for source_bucket_encryption aws:kms, not {encryption}."
            for name, given in (("source_bucket_kms_key_arn", key), ("source_bucket_kms_key_create", create))
            if given
        ]
    problems = [rules.region(v.get("source_bucket_region"), "source_bucket_region")]
    if bool(key) == bool(create):
        problems.append(
            "source_bucket_encryption aws:kms needs exactly one of source_bucket_kms_key_create: true (the role "
            "creates the key) and source_bucket_kms_key_arn (a key you manage)."
        )
    if key:
        problems.append(rules.arn(key, "kms_key", "source_bucket_kms_key_arn"))
    if create:
        problems.append(rules.account_id(v.get("source_bucket_account_id"), "source_bucket_account_id"))
        alias = v.get("source_bucket_kms_key_alias") or ""
        if not re.match(r"^alias/(?!aws/)[A-Za-z0-9/_-]{1,250}$", alias):
            problems.append(f"source_bucket_kms_key_alias must be alias/NAME (not alias/aws/...), got {alias!r}.")
        problems.append(
            rules.int_between(
                v.get("source_bucket_kms_key_deletion_window"), "source_bucket_kms_key_deletion_window", 7, 30
            )
        )
    return problems


def statement_problems(statements, option):
    """Extra bucket policy statements: well-formed, unique Sids, and never an Allow that opens the bucket."""
    problems, sids = [], []
    for index, statement in enumerate(statements):
        where = f"{option}[{index}]"
        if not isinstance(statement, dict):
            problems.append(f"{where} must be a policy statement (a mapping), got {statement!r}.")
            continue
        if statement.get("Effect") not in ("Allow", "Deny"):
            problems.append(f"{where} must have Effect Allow or Deny, got {statement.get('Effect')!r}.")
        if "Principal" not in statement and "NotPrincipal" not in statement:
            problems.append(f"{where} must name a Principal (a bucket policy statement applies to principals).")
        if statement.get("Effect") == "Allow" and (
            "NotPrincipal" in statement or _is_public(statement.get("Principal"))
        ):
            problems.append(
                f'{where} must not Allow Principal "*" or use NotPrincipal in an Allow (that opens the bucket).'
            )
        if statement.get("Sid"):
            if statement["Sid"] in sids:
                problems.append(f"{where} repeats the Sid {statement['Sid']!r}.")
            sids.append(statement["Sid"])
    return problems


def _is_public(principal):
    if principal == "*":
        return True
    if isinstance(principal, dict):
        values = principal.get("AWS")
        return values == "*" or (isinstance(values, list) and "*" in values)
    return False


def datasync_transfer(v):
    if not _present(v, "datasync_transfer"):
        return []
    problems = [
        *_required(v, "datasync_transfer"),
        _check(v, "datasync_transfer_source_bucket", rules.bucket_name),
        rules.s3_prefix(v.get("datasync_transfer_source_subdirectory", ""), "datasync_transfer_source_subdirectory"),
        _check(v, "datasync_transfer_bucket_access_role_arn", rules.arn, "iam_role"),
        _check(v, "datasync_transfer_account_id", rules.account_id),
        _check(v, "datasync_transfer_region", rules.region),
    ]
    groups = v.get("datasync_transfer_security_group_ids") or []
    if len(groups) > 5:
        problems.append(f"datasync_transfer_security_group_ids lists {len(groups)} groups; DataSync takes at most 5.")
    return problems


def lambda_trigger(v):
    if not _present(v, "lambda_trigger"):
        return []
    problems = [
        *_required(v, "lambda_trigger"),
        _check(v, "lambda_trigger_task_arn", rules.arn, "datasync_task"),
        _check(v, "lambda_trigger_source_bucket", rules.bucket_name),
        _check(v, "lambda_trigger_source_account_id", rules.account_id),
        _check(v, "lambda_trigger_account_id", rules.account_id),
        _check(v, "lambda_trigger_region", rules.region),
    ]
    problems.append(
        rules.int_between(
            v.get("lambda_trigger_batch_size"),
            "lambda_trigger_batch_size",
            1,
            9999,
            "amazon.aws.lambda_event refuses 10000",
        )
    )
    problems.append(
        rules.int_between(v.get("lambda_trigger_batching_window"), "lambda_trigger_batching_window", 0, 300)
    )
    problems.append(
        rules.int_between(v.get("lambda_trigger_maximum_concurrency"), "lambda_trigger_maximum_concurrency", 2, 1000)
    )
    timeout, visibility = v.get("lambda_trigger_timeout"), v.get("lambda_trigger_visibility_timeout")
    if isinstance(timeout, int) and isinstance(visibility, int) and visibility < timeout:
        problems.append(
            f"lambda_trigger_visibility_timeout ({visibility}) must be at least lambda_trigger_timeout ({timeout}): "
            "SQS would hand a message to a second invocation while the first still works on it."
        )
    if v.get("lambda_trigger_starts", "manifest") == "manifest":
        problems += _manifest_problems(v)
    return problems


def _manifest_problems(v):
    """Manifest starts: the bucket the role creates (named by names.py unless given), its only reader, and
    how long manifests are kept."""
    given = v.get("lambda_trigger_manifest_bucket") or ""
    bucket = given or names.manifest_bucket(v.get("lambda_trigger_name"), v.get("lambda_trigger_account_id"))
    option = "lambda_trigger_manifest_bucket" + ("" if given else " (derived from lambda_trigger_name)")
    reader = v.get("lambda_trigger_manifest_reader_arn")
    return [
        rules.bucket_name(bucket, option),
        rules.arn(reader, "iam_role", "lambda_trigger_manifest_reader_arn")
        if reader
        else "lambda_trigger_manifest_reader_arn (the DataSync role, the manifests' only reader) is required with "
        "lambda_trigger_starts manifest.",
        rules.int_between(
            v.get("lambda_trigger_manifest_expiration_days"), "lambda_trigger_manifest_expiration_days", 1, 365
        ),
    ]


def lambda_trigger_notification(v):
    """tasks_from: notification (runs in the source account)."""
    if not _present(v, "lambda_trigger"):
        return [rules.bucket_name(v.get("lambda_trigger_source_bucket"), "lambda_trigger_source_bucket")]
    problems = [rules.bucket_name(v.get("lambda_trigger_source_bucket"), "lambda_trigger_source_bucket")]
    destination = v.get("lambda_trigger_notification_destination") or ""
    if arns.is_arn(destination) and arns.arn_parts(destination)[1] in ("sqs", "lambda"):
        return problems
    problems.append(
        "lambda_trigger_notification_destination must be the queue (queued mode) or function (direct mode) ARN that "
        f"the role's main tasks set as lambda_trigger_notification_destination; got {destination!r}."
    )
    return problems


def fast_path_role(v):
    """tasks_from: role (phase 1, before the source bucket policy names the role)."""
    if not _present(v, "fast_path"):
        return []
    return [
        *_required(v, "fast_path_role"),
        # <name>-role fits IAM's 64 characters
        rules.short_name(v.get("fast_path_name"), "fast_path_name", 59) if v.get("fast_path_name") else None,
        _check(v, "fast_path_account_id", rules.account_id),
        _check(v, "fast_path_region", rules.region),
    ]


def fast_path(v):
    if not _present(v, "fast_path"):
        return [rules.short_name(v.get("fast_path_name"), "fast_path_name", 59)]
    problems = [
        *fast_path_role(v),
        *_required(v, "fast_path")[len(_required(v, "fast_path_role")) :],
        _check(v, "fast_path_source_bucket", rules.bucket_name),
        _check(v, "fast_path_source_account_id", rules.account_id),
        _check(v, "fast_path_handoff_queue_arn", rules.arn, "sqs_queue"),
        _check(v, "fast_path_file_system_arn", rules.arn, "efs_file_system"),
        _check(v, "fast_path_access_point_arn", rules.arn, "efs_access_point"),
        _check(v, "fast_path_kms_key_arn", rules.arn, "kms_key"),
        rules.int_between(v.get("fast_path_max_bytes"), "fast_path_max_bytes", 0, 2**63 - 1),
        rules.int_between(v.get("fast_path_batch_size"), "fast_path_batch_size", 1, 10000, "Lambda's limit"),
        rules.int_between(v.get("fast_path_timeout"), "fast_path_timeout", 1, 900, "Lambda's limit"),
        rules.int_between(
            v.get("fast_path_ephemeral_storage_size"), "fast_path_ephemeral_storage_size", 512, 10240, "Lambda's limits"
        ),
        rules.int_between(
            v.get("fast_path_deletes_max_receive_count"), "fast_path_deletes_max_receive_count", 1, 1000, "SQS's limits"
        ),
    ]
    if v.get("fast_path_propagate_deletes"):
        problems.append(_check(v, "fast_path_deletes_dlq_arn", rules.arn, "sqs_queue"))
        if not v.get("fast_path_deletes_dlq_arn"):
            problems.append("fast_path_deletes_dlq_arn is required with fast_path_propagate_deletes: true.")
    for name, kind in (("fast_path_subnet_ids", "subnet"), ("fast_path_security_group_ids", "sg")):
        problems += [
            f"{name}[{n}] must be a {kind}-... ID, got {i!r}."
            for n, i in enumerate(v.get(name) or [])
            if not (isinstance(i, str) and re.match(rf"^{kind}-[0-9a-f]+$", i))
        ]
    timeout = v.get("fast_path_timeout")
    for name in ("fast_path_visibility_timeout", "fast_path_deletes_visibility_timeout"):
        visibility = v.get(name)
        if isinstance(timeout, int) and isinstance(visibility, int) and visibility < timeout:
            problems.append(
                f"{name} ({visibility}) must be at least fast_path_timeout ({timeout}): Lambda refuses to map a queue "
                "whose visibility timeout is shorter than the function's timeout."
            )
    path = v.get("fast_path_mount_path") or ""
    if not re.match(r"^/mnt/[a-zA-Z0-9-_.]+$", path):
        problems.append(f"fast_path_mount_path must be /mnt/ and one name (Lambda's rule), got {path!r}.")
    return problems


def ecs_efs_volume(v):
    problems = []
    for name in ("ecs_efs_volume_family", "ecs_efs_volume_volume_name"):
        value = v.get(name)
        if (
            not isinstance(value, str)
            or not value
            or len(value) > 255
            or not value.replace("-", "").replace("_", "").isalnum()
        ):
            problems.append(f"{name} must be 1-255 letters, digits, '-' and '_', got {value!r}.")
    if bool(v.get("ecs_efs_volume_cluster")) != bool(v.get("ecs_efs_volume_service")):
        problems.append("ecs_efs_volume_cluster and ecs_efs_volume_service go together: set both or neither.")
    role = v.get("ecs_efs_volume_task_role") or ""
    if arns.is_arn(role):
        problems.append(rules.arn(role, "iam_role", "ecs_efs_volume_task_role"))
    elif len(role) > 64 or any(c.isspace() for c in role):
        problems.append(
            f"ecs_efs_volume_task_role must be an IAM role name (at most 64 characters) or role ARN, got {role!r}."
        )
    if not _present(v, "ecs_efs_volume"):
        return problems
    problems += _required(v, "ecs_efs_volume")
    problems.append(rules.absolute_path(v.get("ecs_efs_volume_container_path"), "ecs_efs_volume_container_path"))
    problems.append(
        arns.check(
            v.get("ecs_efs_volume_file_system_id"), "efs_file_system", "ecs_efs_volume_file_system_id", allow_id=True
        )
    )
    problems.append(
        arns.check(
            v.get("ecs_efs_volume_access_point_id"), "efs_access_point", "ecs_efs_volume_access_point_id", allow_id=True
        )
    )
    problems.append(_check(v, "ecs_efs_volume_account_id", rules.account_id))
    problems.append(_check(v, "ecs_efs_volume_region", rules.region))
    return problems


TRANSITION_DAYS = {
    "AFTER_1_DAY": 1,
    "AFTER_7_DAYS": 7,
    "AFTER_14_DAYS": 14,
    "AFTER_30_DAYS": 30,
    "AFTER_60_DAYS": 60,
    "AFTER_90_DAYS": 90,
    "AFTER_180_DAYS": 180,
    "AFTER_270_DAYS": 270,
    "AFTER_365_DAYS": 365,
}


def efs_storage(v):
    problems = []
    name = v.get("efs_storage_name")
    if not isinstance(name, str) or not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$", name):
        problems.append(
            "efs_storage_name must be 1-50 letters, digits, '.', '_' or '-' starting with a letter or digit (it names "
            f"the file system and, with a suffix, its security groups); got {name!r}."
        )
    problems.append(rules.vpc_id(v.get("efs_storage_vpc_id", ""), "efs_storage_vpc_id"))
    if v.get("efs_storage_kms_key_create"):
        alias = v.get("efs_storage_kms_key_alias") or ""
        if not re.match(r"^alias/(?!aws/)[A-Za-z0-9/_-]{1,250}$", alias):
            problems.append(
                "efs_storage_kms_key_alias must be alias/NAME (letters, digits, '/', '_', '-'; not alias/aws/...) when "
                f"efs_storage_kms_key_create is true; got {alias!r}."
            )
    problems.append(
        rules.int_between(v.get("efs_storage_kms_key_deletion_window"), "efs_storage_kms_key_deletion_window", 7, 30)
    )
    if not _present(v, "efs_storage"):
        return problems
    problems += _required(v, "efs_storage")
    problems.append(_check(v, "efs_storage_account_id", rules.account_id))
    problems.append(_check(v, "efs_storage_region", rules.region))
    key = v.get("efs_storage_kms_key_arn") or ""
    if key:
        problems.append(rules.arn(key, "kms_key", "efs_storage_kms_key_arn"))
        if v.get("efs_storage_kms_key_create"):
            problems.append("efs_storage_kms_key_arn cannot be combined with efs_storage_kms_key_create: true.")
    problems.append(rules.subnet_ids(v.get("efs_storage_subnet_ids", []), "efs_storage_subnet_ids"))
    mode, mibps = v.get("efs_storage_throughput_mode"), float(v.get("efs_storage_provisioned_throughput") or 0)
    if mode == "provisioned" and mibps < 1:
        problems.append(
            f"efs_storage_provisioned_throughput must be at least 1 MiB/s in provisioned mode, got {mibps}."
        )
    elif mode != "provisioned" and mibps:
        problems.append(f"efs_storage_provisioned_throughput is only for throughput mode provisioned, not {mode}.")
    ia, archive = v.get("efs_storage_transition_to_ia") or "", v.get("efs_storage_transition_to_archive") or ""
    if archive:
        if ia and TRANSITION_DAYS.get(archive, 0) <= TRANSITION_DAYS.get(ia, 0):
            problems.append(
                f"efs_storage_transition_to_archive ({archive}) must be later than efs_storage_transition_to_ia ({ia})."
            )
        if mode != "elastic" or v.get("efs_storage_performance_mode") != "general_purpose":
            problems.append(
                "efs_storage_transition_to_archive needs efs_storage_throughput_mode elastic and "
                "efs_storage_performance_mode general_purpose (EFS archives only then)."
            )
    problems += access_point_problems(v)
    if v.get("efs_storage_s3_endpoint"):
        buckets = v.get("efs_storage_s3_endpoint_bucket_arns") or []
        if not buckets:
            problems.append(
                "efs_storage_s3_endpoint_bucket_arns must name the buckets the functions read when "
                "efs_storage_s3_endpoint is true (the endpoint's policy allows only them)."
            )
        problems += [
            rules.arn(b, "s3_bucket", f"efs_storage_s3_endpoint_bucket_arns[{i}]") for i, b in enumerate(buckets)
        ]
    if "Name" in (v.get("efs_storage_tags") or {}):
        problems.append(
            "efs_storage_tags must not set Name; the role sets it from efs_storage_name and the access points."
        )
    return problems


def access_point_problems(v):
    """The access point list: the same path, POSIX ID and permission rules as efs_access_point."""
    entries = v.get("efs_storage_access_points") or []
    problems = [] if entries else ["efs_storage_access_points must list at least one access point."]
    for option in ("efs_storage_posix_uid", "efs_storage_posix_gid"):
        problems.append(access_points.posix_id_problem(v.get(option), option))
    problems.append(
        access_points.permissions_problem(v.get("efs_storage_root_permissions"), "efs_storage_root_permissions")
    )
    seen = set()
    for index, entry in enumerate(entries):
        where = f"efs_storage_access_points[{index}]"
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("path"):
            problems.append(f"{where} must be a mapping with a name and a path, got {entry!r}.")
            continue
        if entry["name"] in seen:
            problems.append(f"{where}.name {entry['name']!r} is used twice; each access point needs its own name.")
        seen.add(entry["name"])
        if (
            not isinstance(entry["name"], str)
            or len(entry["name"]) > 256
            or not access_points.TAG_RE.match(entry["name"])
        ):
            problems.append(
                f"{where}.name must be at most 256 letters, digits, spaces or _ . : / = + - @ (a tag value)."
            )
        problems.append(access_points.path_problem(entry["path"], where + ".path"))
        for key in ("uid", "gid", "owner_uid", "owner_gid"):
            problems.append(access_points.posix_id_problem(entry.get(key), f"{where}.{key}"))
        if entry.get("permissions") is not None:
            problems.append(access_points.permissions_problem(entry["permissions"], where + ".permissions"))
    return problems


def observability(v):
    """The deployment's notifications: names, the deliveries' tasks, the alarm thresholds."""
    problems = [
        _check(v, "observability_name", rules.short_name),
        _check(v, "observability_account_id", rules.account_id),
        _check(v, "observability_region", rules.region),
    ]
    if not _present(v, "observability"):
        return problems
    problems += _required(v, "observability")
    for index, entry in enumerate(v.get("observability_deliveries") or []):
        where = f"observability_deliveries[{index}]"
        if not isinstance(entry, dict) or not all(entry.get(k) for k in ("name", "base", "task_arn", "trigger_mode")):
            problems.append(f"{where} must be a mapping with name, base, task_arn and trigger_mode, got {entry!r}.")
            continue
        problems.append(rules.arn(entry["task_arn"], "datasync_task", where + ".task_arn"))
        if entry.get("reconcile_task_arn"):
            problems.append(rules.arn(entry["reconcile_task_arn"], "datasync_task", where + ".reconcile_task_arn"))
        if entry["trigger_mode"] not in ("queued", "direct"):
            problems.append(f"{where}.trigger_mode must be queued or direct, got {entry['trigger_mode']!r}.")
    email = v.get("observability_email") or ""
    if email and not re.match(r"^[^@\s]+@[^@\s]+$", email):
        problems.append(f"observability_email must be an email address or '', got {email!r}.")
    problems.append(
        rules.int_between(v.get("observability_delivery_minutes"), "observability_delivery_minutes", 5, 1440)
    )
    problems.append(
        rules.int_between(v.get("observability_queue_age_minutes"), "observability_queue_age_minutes", 1, 1440)
    )
    problems.append(rules.int_between(v.get("observability_check_minutes"), "observability_check_minutes", 1, 60))
    return problems


RULES = {
    "observability": observability,
    "datasync_role_kms": datasync_role_kms,
    "efs_storage": efs_storage,
    "datasync_role": datasync_role,
    "source_bucket": source_bucket,
    "datasync_transfer": datasync_transfer,
    "lambda_trigger": lambda_trigger,
    "lambda_trigger_notification": lambda_trigger_notification,
    "ecs_efs_volume": ecs_efs_volume,
    "fast_path": fast_path,
    "fast_path_role": fast_path_role,
}


# Entry points other than main read their role's variables.
PREFIXES = {
    "datasync_role_kms": "datasync_role_",
    "lambda_trigger_notification": "lambda_trigger_",
    "fast_path_role": "fast_path_",
}


def prefix(role):
    return PREFIXES.get(role, role + "_")


def problems(role, values):
    return [p for p in RULES[role](values) if p]
