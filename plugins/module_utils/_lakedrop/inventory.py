# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory of a lakedrop deployment: what each `lakedrop_*` variable may hold, every problem
with it in the user's words (`lakedrop_deliveries[0].efs_path ...`), and the settings the playbooks
use — defaults applied and every derived name computed (names.py) — so that site.yml fails before
anything is written, in either account, and no playbook rebuilds a name or reads a `default()`.

Used by the `lakedrop.delivery.deployment` action (first play of every playbook).
"""

import difflib
import os
import re

from . import arns
from . import names
from . import rules
from . import task_schedule

TRIGGER_MODES = ["queued", "direct"]
TRIGGER_STARTS = ["manifest", "filters"]
ENCRYPTIONS = ["AES256", "aws:kms"]


def _schedule(value, option):
    if not isinstance(value, str):
        return f"{option} must be a schedule expression such as 'rate(1 hour)' or \"\" for none, got {value!r}."
    found = task_schedule.schedule_problems(value, option)
    return found[0] if found else None


def _tags(value, option):
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        return f"{option} must be a mapping of tag names to string values, got {value!r}."
    if "Name" in value:
        return f"{option} must not set Name; every resource gets its own Name from lakedrop_name."
    return None


def _principal(value, option):
    kind = arns.kind_of(value)
    if kind in ("iam_role", "iam_user"):
        return None
    return f"{option} must be an IAM role or user ARN, got {value!r} ({arns.describe(value)})."


def _role_arn(value, option):
    return rules.arn(value, "iam_role", option)


def _attach_to(value, option):
    if value == "" or re.match(r"^(user|role)/[\w+=,.@-]{1,64}$", value):
        return None
    return f"{option} must be user/NAME or role/NAME (the identity in each account), got {value!r}."


def _kms_key(value, option):
    return rules.arn(value, "kms_key", option)


# lakedrop_observability: true/false, or a mapping of these options (what, default, lowest, highest).
OBSERVABILITY = {
    "email": ("an address subscribed to the notification topic ('' = none)", "", None, None),
    "delivery_minutes": ("the delivery-time alarm fires when an upload is not delivered within this", 30, 5, 1440),
    "queue_age_minutes": ("the queue-age alarm fires when the oldest queued event is older than this", 15, 1, 1440),
    "check_minutes": ("how often the observer checks for undelivered uploads", 5, 1, 60),
}


def _observability(value, option):
    if isinstance(value, bool) or (isinstance(value, str) and value.lower() in BOOLEAN_WORDS):
        return None  # `-e lakedrop_observability=false` passes a string
    if not isinstance(value, dict):
        return f"{option} must be true, false or a mapping of {', '.join(OBSERVABILITY)}, got {value!r}."
    found = _unknown(value, OBSERVABILITY, f"{option}.", "its settings")
    for name, (_what, _default, low, high) in OBSERVABILITY.items():
        if name not in value:
            continue
        if low is None:
            if not isinstance(value[name], str) or (value[name] and not re.match(r"^[^@\s]+@[^@\s]+$", value[name])):
                found.append(f"{option}.{name} must be an email address or '', got {value[name]!r}.")
        elif not isinstance(value[name], int) or isinstance(value[name], bool):
            found.append(f"{option}.{name} must be a whole number of minutes, got {value[name]!r}.")
        else:
            found.append(rules.int_between(value[name], f"{option}.{name}", low, high, "a sensible range"))
    found = [p for p in found if p]
    return " ".join(found) if found else None


def observability_of(value):
    """The observability settings with defaults: enabled plus every option of OBSERVABILITY."""
    given = value if isinstance(value, dict) else {}
    found = {name: given.get(name, spec[1]) for name, spec in OBSERVABILITY.items()}
    found["enabled"] = BOOLEAN_WORDS.get(value.lower(), True) if isinstance(value, str) else value is not False
    return found


def _container_path(value, option):
    return rules.absolute_path(value, option)


# name -> (type, default or REQUIRED, rule or None, what it is). Types: str, int, bool, list, dict, any.
REQUIRED = object()
DELIVERY = {
    "name": ("str", REQUIRED, rules.short_name, "short name of the delivery; part of every resource name"),
    "bucket": ("str", REQUIRED, rules.bucket_name, "source bucket in account A"),
    "prefix": ("str", "", rules.s3_prefix, "folder prefix in the bucket that is delivered ('' = the whole bucket)"),
    "efs_path": ("str", REQUIRED, rules.access_point_path, "directory on the shared EFS file system"),
    "container_path": ("str", REQUIRED, _container_path, "where the containers see it"),
    "read_only": ("bool", False, None, "mount it read-only in the containers"),
    "trigger_mode": ("str", None, None, "queued or direct (default lakedrop_trigger_mode)"),
    "trigger_starts": ("str", None, None, "manifest or filters (default lakedrop_trigger_starts)"),
    "batching_window": (
        "int",
        None,
        None,
        "seconds the queued trigger gathers uploads (default lakedrop_trigger_batching_window)",
    ),
    "schedule": ("str", None, None, "the reconcile task's scan schedule (default lakedrop_schedule)"),
    "encryption": ("str", "AES256", None, "the bucket's default encryption: AES256 (SSE-S3) or aws:kms (SSE-KMS)"),
    "kms_key_arn": (
        "str",
        None,
        _kms_key,
        "with aws:kms, the key to use; without it the play creates one in account A",
    ),
    "fast_path_max_bytes": (
        "int",
        None,
        None,
        "objects up to this size are copied by the fast path (default lakedrop_fast_path_max_bytes; 0 = off)",
    ),
    "propagate_deletes": ("bool", False, None, "objects deleted in S3 are deleted from EFS (queued mode only)"),
}
TOP = {
    "lakedrop_name": ("str", REQUIRED, rules.short_name, "prefix of every resource name"),
    "lakedrop_region": ("str", REQUIRED, rules.region, "the region of both accounts' resources"),
    "lakedrop_source_account_id": ("any", REQUIRED, rules.account_id, "account A (the source bucket)"),
    "lakedrop_target_account_id": ("any", REQUIRED, rules.account_id, "account B (DataSync, EFS, ECS)"),
    "lakedrop_account_id": ("any", REQUIRED, rules.account_id, "the account this inventory host acts in"),
    "lakedrop_deliveries": ("list", REQUIRED, None, "one entry per delivered prefix"),
    "lakedrop_vpc_id": ("str", "", rules.vpc_id, "VPC of the EFS mount targets ('' = the default VPC)"),
    "lakedrop_subnet_ids": ("list", [], rules.subnet_ids, "subnets of the EFS mount targets"),
    "lakedrop_trigger_mode": ("str", "queued", None, "queued or direct"),
    "lakedrop_trigger_starts": (
        "str",
        "manifest",
        None,
        "manifest (DataSync reads a list of the new keys from a bucket in account B) or filters (include filters)",
    ),
    "lakedrop_trigger_manifest_expiration_days": ("int", 7, None, "days a manifest is kept (1-365)"),
    "lakedrop_trigger_batching_window": ("int", 20, None, "seconds (0-300)"),
    "lakedrop_schedule": ("str", "rate(1 hour)", _schedule, "the reconcile tasks' scan schedule ('' = none)"),
    "lakedrop_fast_path_max_bytes": (
        "int",
        16777216,
        None,
        "queued deliveries copy objects up to this size straight into EFS in seconds (0 = DataSync only)",
    ),
    "lakedrop_s3_endpoint_on_shared_route_tables": (
        "bool",
        False,
        None,
        "the play may create the fast path's S3 gateway endpoint on a route table other subnets use too",
    ),
    "lakedrop_ecs_cluster": ("str", "", None, "cluster of the ECS service"),
    "lakedrop_ecs_service": ("str", "", None, "the ECS service to redeploy"),
    "lakedrop_ecs_family": ("str", REQUIRED, None, "task definition family that gets the volumes"),
    "lakedrop_ecs_container": ("str", REQUIRED, None, "container that mounts them"),
    "lakedrop_ecs_task_role": ("str", "", None, "IAM role name (or ARN) of the ECS task"),
    "lakedrop_tags": ("dict", {}, _tags, "tags of every resource"),
    "lakedrop_build_dir": (
        "str",
        None,
        rules.absolute_path,
        "controller directory for the trigger's zip",
    ),
    "lakedrop_target_deployer_arn": ("str", None, _principal, "the identity that deploys account B"),
    "lakedrop_assume_role_arn": ("str", "", None, "role to assume in this account ('' = use the credentials)"),
    "lakedrop_source_bucket_extra_statements": ("list", [], None, "more source bucket policy statements"),
    "lakedrop_teardown_bucket_contents": ("bool", False, None, "teardown also deletes the buckets' objects"),
    "lakedrop_observability": (
        "any",
        True,
        _observability,
        "notifications, alarms and delivery latency (false = none, or a mapping of options)",
    ),
    "lakedrop_deployer_policy_attach_to": (
        "str",
        "",
        _attach_to,
        "playbooks/deployer_policy.yml attaches the deployer policies to this identity (user/NAME or role/NAME)",
    ),
}
# Variables of the inventory layer itself (connection, emulator); known, not checked here.
KNOWN_OTHERS = (
    "lakedrop_aws",
    "lakedrop_aws_connection",
    "lakedrop_aws_profile",
    "lakedrop_assume_role_external_id",
    "lakedrop_account",
    "lakedrop_account_label",
    "lakedrop_emulator",
    "lakedrop_emulator_state_dir",
    "lakedrop_emulator_identity",
    "lakedrop_identity",
)
BOOLEAN_WORDS = {
    "true": True,
    "yes": True,
    "on": True,
    "1": True,
    "false": False,
    "no": False,
    "off": False,
    "0": False,
}
TYPES = {"str": str, "int": int, "bool": bool, "list": list, "dict": dict}


def _type_problem(value, kind, option):
    wanted = TYPES.get(kind)
    if wanted is None or value is None:
        return None
    if kind == "int" and isinstance(value, bool):
        return f"{option} must be a whole number, got {value!r}."
    if not isinstance(value, wanted):
        label = {
            "str": "string",
            "int": "whole number",
            "bool": "boolean (true/false)",
            "list": "list",
            "dict": "mapping",
        }
        return f"{option} must be a {label[kind]}, got {value!r}."
    return None


def _settle(values, spec, prefix=""):
    """(settings with defaults, problems) for one mapping against `spec`."""
    settings, problems = {}, []
    for name, (kind, default, rule, _what) in spec.items():
        option = f"{prefix}{name}"
        if values.get(name) is None:
            if default is REQUIRED:
                problems.append(f"{option} is required ({spec[name][3]}).")
            settings[name] = default if default is not REQUIRED else None
            continue
        value = values[name]
        if kind == "bool" and isinstance(value, str) and value.lower() in BOOLEAN_WORDS:
            value = BOOLEAN_WORDS[value.lower()]  # `-e name=true` passes a string, as in Ansible's bool filter
        problem = _type_problem(value, kind, option) or (rule(value, option) if rule else None)
        if problem:
            problems.append(problem)
        settings[name] = value
    return settings, problems


def _unknown(values, known, prefix, where):
    """Keys nobody reads: a typo would otherwise be ignored silently."""
    found = []
    for key in sorted(set(values) - set(known)):
        close = difflib.get_close_matches(key, list(known), n=1)
        hint = f"; did you mean {close[0]}?" if close else f" ({where} are: {', '.join(sorted(known))})"
        found.append(f"{prefix}{key} is not a setting{hint}")
    return found


def _delivery(entry, index, top):
    prefix = f"lakedrop_deliveries[{index}]."
    if not isinstance(entry, dict):
        return None, [
            f"lakedrop_deliveries[{index}] must be a mapping with name, bucket, efs_path, ..., got {entry!r}."
        ]
    settings, problems = _settle(entry, DELIVERY, prefix)
    problems += _unknown(entry, DELIVERY, prefix, "delivery settings")
    settings["trigger_mode"] = settings["trigger_mode"] or top["lakedrop_trigger_mode"]
    settings["trigger_starts"] = settings["trigger_starts"] or top["lakedrop_trigger_starts"]
    if settings["batching_window"] is None:
        settings["batching_window"] = top["lakedrop_trigger_batching_window"]
    if settings["schedule"] is None:
        settings["schedule"] = top["lakedrop_schedule"]
    else:
        problems.append(_schedule(settings["schedule"], prefix + "schedule"))
    if settings["encryption"] not in ENCRYPTIONS:
        problems.append(f"{prefix}encryption must be AES256 or aws:kms, got {settings['encryption']!r}.")
    elif settings["kms_key_arn"] and settings["encryption"] != "aws:kms":
        problems.append(f"{prefix}kms_key_arn is only for encryption aws:kms, not {settings['encryption']}.")
    if settings["trigger_mode"] not in TRIGGER_MODES:
        problems.append(f"{prefix}trigger_mode must be queued or direct, got {settings['trigger_mode']!r}.")
    if settings["trigger_starts"] not in TRIGGER_STARTS:
        problems.append(f"{prefix}trigger_starts must be manifest or filters, got {settings['trigger_starts']!r}.")
    if isinstance(settings["batching_window"], int):
        problems.append(
            rules.int_between(settings["batching_window"], prefix + "batching_window", 0, 300, "Lambda's limit")
        )
    problems += _fast_path(settings, top, prefix)
    if isinstance(settings["prefix"], str):
        stripped = settings["prefix"].strip("/")
        settings["prefix"] = stripped + "/" if stripped else ""
    return settings, [p for p in problems if p]


def _fast_path(settings, top, prefix):
    """The fast path takes its events from a queue: a direct-mode delivery gets none (effective 0, no
    deletes), and asking for one there is an error rather than a setting silently ignored."""
    problems = []
    given = settings["fast_path_max_bytes"]
    if isinstance(given, int) and not isinstance(given, bool) and given < 0:
        problems.append(f"{prefix}fast_path_max_bytes must be 0 (off) or a number of bytes, got {given}.")
    if settings["trigger_mode"] == "direct":
        if isinstance(given, int) and given > 0:
            problems.append(
                f"{prefix}fast_path_max_bytes: delivery {settings['name']} uses trigger_mode direct, and the fast path "
                "takes its events from a queue; use trigger_mode queued or set fast_path_max_bytes: 0."
            )
        if settings["propagate_deletes"] is True:
            problems.append(
                f"{prefix}propagate_deletes: delivery {settings['name']} uses trigger_mode direct, and deletes reach "
                "EFS through the fast path's queue; use trigger_mode queued or remove propagate_deletes."
            )
        settings["fast_path_max_bytes"] = 0
    elif given is None:
        default = top["lakedrop_fast_path_max_bytes"]
        settings["fast_path_max_bytes"] = default if isinstance(default, int) and default > 0 else 0
    settings["fast_path"] = settings["trigger_mode"] == "queued" and (
        (isinstance(settings["fast_path_max_bytes"], int) and settings["fast_path_max_bytes"] > 0)
        or settings["propagate_deletes"] is True
    )
    return problems


def _across(deliveries):
    """Rules between deliveries: unique names, and S3's refusal of overlapping notification prefixes."""
    problems = []
    seen = {}
    for index, d in enumerate(deliveries):
        if d["name"] in seen:
            problems.append(
                f"lakedrop_deliveries[{index}].name {d['name']!r} is already the name of lakedrop_deliveries[{seen[d['name']]}]."
            )
        seen.setdefault(d["name"], index)
    for i, a in enumerate(deliveries):
        for j in range(i + 1, len(deliveries)):
            b = deliveries[j]
            if a["bucket"] == b["bucket"] and (
                a["prefix"].startswith(b["prefix"]) or b["prefix"].startswith(a["prefix"])
            ):
                problems.append(
                    f"lakedrop_deliveries[{i}] and lakedrop_deliveries[{j}] read overlapping prefixes "
                    f"({a['prefix']!r}, {b['prefix']!r}) of bucket {a['bucket']}; S3 refuses two ObjectCreated "
                    "notifications whose prefixes overlap. Give each delivery a prefix of its own."
                )
            if a["bucket"] == b["bucket"] and (a["encryption"], a["kms_key_arn"]) != (
                b["encryption"],
                b["kms_key_arn"],
            ):
                problems.append(
                    f"lakedrop_deliveries[{i}] and lakedrop_deliveries[{j}] share bucket {a['bucket']} but not its "
                    f"encryption ({a['encryption']} {a['kms_key_arn'] or ''} / {b['encryption']} {b['kms_key_arn'] or ''}); "
                    "a bucket has one default encryption: give both the same encryption and kms_key_arn."
                )
    return problems


def host_problems(values, group):
    """(problems, top-level settings, deliveries) of one inventory host; `group` is source or target,
    the account the host acts in."""
    top, problems = _settle(values, TOP)
    known = set(TOP) | set(KNOWN_OTHERS)
    typos = _unknown({k: 1 for k in values if k.startswith("lakedrop_")}, known, "", "known variables")
    problems += [p for p in typos if "did you mean" in p]  # other lakedrop_* variables may be the user's own
    deliveries = []
    entries = values.get("lakedrop_deliveries")
    if isinstance(entries, list):
        if not entries:
            problems.append("lakedrop_deliveries must list at least one delivery.")
        for index, entry in enumerate(entries):
            settings, found = _delivery(entry, index, top)
            problems += found
            deliveries.append(settings)
        if not problems:
            problems += _across(deliveries)
    window = top["lakedrop_trigger_batching_window"]
    if isinstance(window, int):
        problems.append(rules.int_between(window, "lakedrop_trigger_batching_window", 0, 300, "Lambda's limit"))
    if isinstance(top["lakedrop_trigger_mode"], str) and top["lakedrop_trigger_mode"] not in TRIGGER_MODES:
        problems.append(f"lakedrop_trigger_mode must be queued or direct, got {top['lakedrop_trigger_mode']!r}.")
    starts = top["lakedrop_trigger_starts"]
    if isinstance(starts, str) and starts not in TRIGGER_STARTS:
        problems.append(f"lakedrop_trigger_starts must be manifest or filters, got {starts!r}.")
    days = top["lakedrop_trigger_manifest_expiration_days"]
    if isinstance(days, int):
        problems.append(
            rules.int_between(days, "lakedrop_trigger_manifest_expiration_days", 1, 365, "a sensible range")
        )
    fast = top["lakedrop_fast_path_max_bytes"]
    if isinstance(fast, int) and not isinstance(fast, bool) and fast < 0:
        problems.append(f"lakedrop_fast_path_max_bytes must be 0 (off) or a number of bytes, got {fast}.")
    if bool(top["lakedrop_ecs_cluster"]) != bool(top["lakedrop_ecs_service"]):
        problems.append(
            "lakedrop_ecs_cluster and lakedrop_ecs_service go together: set both (the service is redeployed) or neither."
        )
    wanted = top[f"lakedrop_{group}_account_id"]
    if isinstance(top["lakedrop_account_id"], str) and isinstance(wanted, str) and top["lakedrop_account_id"] != wanted:
        problems.append(
            f"lakedrop_account_id is {top['lakedrop_account_id']}, but lakedrop_{group}_account_id is {wanted}: "
            f"the {group} host acts in the {group} account."
        )
    return [p for p in problems if p], top, deliveries


def check(hosts):
    """(problems, settings) of the whole inventory. `hosts`: {"source": vars, "target": vars} of the first
    host of each account group (None when the group is empty). A problem both hosts share is named once;
    one of a single host says which."""
    found = {}
    for group in ("source", "target"):
        if hosts.get(group) is None:
            found[group] = ([f"the inventory has no host in group {group}_account."], None, None)
        else:
            found[group] = host_problems(hosts[group], group)
    problems = []
    for group, (mine, _top, _deliveries) in found.items():
        other = found["target" if group == "source" else "source"][0]
        for problem in mine:
            if problem not in other:
                problems.append(f"{group} host: {problem}")
            elif problem not in problems:
                problems.append(problem)
    if problems:
        return problems, None
    source, target = found["source"][1], found["target"][1]
    if source["lakedrop_region"] != target["lakedrop_region"]:
        problems.append(
            f"lakedrop_region is {source['lakedrop_region']} for the source host and {target['lakedrop_region']} for "
            "the target host; S3 notifies a queue or function only in the bucket's own region, so both must be the same."
        )
    if problems:
        return problems, None
    settings = settings_of(target, found["target"][2])
    problems = [p for p in manifest_bucket_problems(settings["deliveries"]) if p]
    return problems, (None if problems else settings)


def manifest_bucket_problems(deliveries):
    """A delivery in manifest mode gets a bucket named after it (names.manifest_bucket): S3's naming rules,
    checked here so that a name S3 would refuse fails before anything is written. (Valid short names
    always give a valid name of at most 63 characters; the check keeps that true if a name rule changes.)"""
    return [
        rules.bucket_name(
            d["names"]["trigger_names"]["manifest_bucket"],
            f"the manifest bucket of lakedrop_deliveries[{index}] ({d['name']}), "
            "<lakedrop_name>-<delivery name>-manifest-<target account ID>,",
        )
        for index, d in enumerate(deliveries)
        if d["trigger_starts"] == "manifest"
    ]


def settings_of(top, deliveries):
    """The deployment as the playbooks use it: every value set, every derived name computed."""
    region, target = top["lakedrop_region"], top["lakedrop_target_account_id"]
    for d in deliveries:
        d["names"] = names.delivery(top["lakedrop_name"], d["name"], region, target)
        trigger = d["names"]["trigger_names"]
        # What the bucket notification in account A points at: the queue, or the function in direct mode; with
        # the fast path, its queue (which hands what it does not copy to the trigger's queue).
        d["names"]["destination"] = trigger["queue_arn"] if d["trigger_mode"] == "queued" else trigger["function_arn"]
        if d["fast_path"]:
            d["names"]["destination"] = d["names"]["fast"]["queue_arn"]
        d["bucket_arn"] = arns.bucket_arn(d["bucket"], region)
    buckets = []
    for bucket in sorted(set(d["bucket"] for d in deliveries)):
        mine = [d for d in deliveries if d["bucket"] == bucket]
        buckets.append(
            {
                "name": bucket,
                "deliveries": [d["name"] for d in mine],
                "prefixes": [d["prefix"] for d in mine],
                "datasync_role_arns": [d["names"]["datasync_role_arn"] for d in mine],
                # the fast functions' roles read what the DataSync roles read (bucket policy, key policy)
                "fast_role_arns": [d["names"]["fast"]["role_arn"] for d in mine if d["fast_path"]],
                "encryption": mine[0]["encryption"],
                "kms_key_arn": mine[0]["kms_key_arn"] or "",
                "kms_key_create": mine[0]["encryption"] == "aws:kms" and not mine[0]["kms_key_arn"],
                # A key the play creates (aws:kms without kms_key_arn) is found again by this alias.
                "kms_key_alias": names.source_key_alias(top["lakedrop_name"], bucket),
            }
        )
    if top["lakedrop_build_dir"] is None:  # a per-user cache, never a shared predictable /tmp path
        cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        top = dict(top, lakedrop_build_dir=os.path.join(cache, "lakedrop", "build"))
    host_specific = ("lakedrop_account_id", "lakedrop_assume_role_arn")  # each host has its own
    settings = dict((k[len("lakedrop_") :], v) for k, v in top.items() if k not in host_specific)
    access_points = [{"name": d["names"]["access_point"], "path": d["efs_path"]} for d in deliveries]
    settings.update(
        partition=arns.partition_of(region), deliveries=deliveries, buckets=buckets, access_points=access_points
    )
    observability = observability_of(top["lakedrop_observability"])
    observability["names"] = names.observability(top["lakedrop_name"], region, target)
    settings["observability"] = observability
    settings["fast_path"] = {
        "enabled": any(d["fast_path"] for d in deliveries),
        "security_group": names.lambda_security_group(top["lakedrop_name"]),
        "s3_endpoint": names.s3_endpoint(top["lakedrop_name"]),
        # every delivery's bucket: the S3 gateway endpoint's policy lets the fast functions read them
        "source_bucket_arns": sorted(set(d["bucket_arn"] for d in deliveries)),
    }
    return settings
