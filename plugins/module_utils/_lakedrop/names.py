# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every resource name and ARN the deployment derives by convention, computed here and nowhere else.

Roles reach these through the filters in plugins/filter/names.py, the inventory check (deployment.py)
through the functions themselves; no playbook or role spells a suffix or builds an ARN by hand.
"""

from . import arns

# AWS's length limits for the names below. lakedrop_name and a delivery's name are at most 20 characters
# each (inventory.py), so the trigger's role (at most 54) and its manifest bucket (at most 63, the account
# ID included because bucket names are global) always fit; the inventory check still applies S3's rules.
LIMITS = {"iam_role": 64, "function": 64, "queue": 80, "task": 256, "bucket": 63}


def arn(service, region, account, resource, regional=True):
    """An ARN in the partition of `region` (IAM and S3 ARNs carry no region)."""
    return f"arn:{arns.partition_of(region)}:{service}:{region if regional else ''}:{account}:{resource}"


def role_arn(name, account, region, path="/"):
    return arn("iam", region, account, f"role{path}{name}", regional=False)


def manifest_bucket(trigger_name, account):
    """The trigger's manifest bucket in the target account: the trigger's name without its "-trigger"
    suffix, then -manifest-<account ID> (<lakedrop_name>-<delivery>-manifest-<account ID> for a delivery; the
    account ID keeps a name that is global to S3 apart from another account's)."""
    base = trigger_name[: -len("-trigger")] if str(trigger_name).endswith("-trigger") else trigger_name
    return f"{base}-manifest-{account}"


def trigger(name, region, account):
    """The upload trigger's function, queues, execution role, log group and manifest bucket (role
    lambda_trigger)."""
    found = {
        "function": name,
        "queue": f"{name}-events",
        "dlq": f"{name}-dlq",
        "role": f"{name}-role",
        "log_group": f"/aws/lambda/{name}",
        "manifest_bucket": manifest_bucket(name, account),
    }
    found["function_arn"] = arn("lambda", region, account, f"function:{name}")
    found["queue_arn"] = arn("sqs", region, account, found["queue"])
    found["dlq_arn"] = arn("sqs", region, account, found["dlq"])
    found["role_arn"] = role_arn(found["role"], account, region)
    found["log_group_arn"] = arn("logs", region, account, f"log-group:{found['log_group']}")
    found["manifest_bucket_arn"] = arns.bucket_arn(found["manifest_bucket"], region)
    return found


def transfer(name, region, account):
    """A delivery's DataSync tasks over the same two locations - the delivery task (the trigger's, no
    schedule) and the reconcile task (the safety-net schedule), so a scan never queues in front of a
    delivery - their log group (each task logs to a stream of its own) and logs resource policy."""
    log_group = f"/aws/datasync/{name}"
    return {
        "task": name,
        "reconcile_task": f"{name}-reconcile",
        "source_location": f"{name}-source",
        "destination_location": f"{name}-destination",
        "log_group": log_group,
        "log_group_arn": arn("logs", region, account, f"log-group:{log_group}"),
        "log_policy": f"{name}-datasync-logs",
    }


def source_key_alias(deployment, bucket):
    """The alias of the KMS key the play creates for an SSE-KMS source bucket (aliases take no dots)."""
    return f"alias/{deployment}-source-{bucket.replace('.', '-')}"


# Where a fast function mounts its delivery's access point (Lambda: LocalMountPath starts with /mnt/).
MOUNT_PATH = "/mnt/lakedrop"


def lambda_security_group(deployment):
    """The security group of the fast functions (one per deployment, beside <deployment>-efs, -datasync and
    -ecs of role efs_storage, whose name is the deployment's)."""
    return f"{deployment}-lambda"


def s3_endpoint(deployment):
    """The Name tag of the S3 gateway endpoint the play creates for the fast functions' subnets (when their
    route tables have none)."""
    return f"{deployment}-s3"


def fast_path(function, region, account):
    """A fast function's queues (new objects; deletes), execution role and log group (role fast_path)."""
    found = {
        "function": function,
        "role": f"{function}-role",
        "queue": f"{function}-events",
        "deletes_queue": f"{function}-deletes",
        "log_group": f"/aws/lambda/{function}",
    }
    found["function_arn"] = arn("lambda", region, account, f"function:{function}")
    found["role_arn"] = role_arn(found["role"], account, region)
    found["queue_arn"] = arn("sqs", region, account, found["queue"])
    found["deletes_queue_arn"] = arn("sqs", region, account, found["deletes_queue"])
    found["log_group_arn"] = arn("logs", region, account, f"log-group:{found['log_group']}")
    return found


def delivery(deployment, name, region, target_account):
    """What one delivery of deployment `deployment` is called in the target account."""
    base = f"{deployment}-{name}"
    found = {
        "base": base,
        "access_point": base,
        "notification_id": base,
        "datasync_role": f"{base}-datasync",
        "trigger": f"{base}-trigger",
    }
    found["datasync_role_arn"] = role_arn(found["datasync_role"], target_account, region)
    found["transfer"] = transfer(base, region, target_account)
    found["trigger_names"] = trigger(found["trigger"], region, target_account)
    # The fast path: <base>-fast and what fast_path() derives from it, the ID of the bucket's ObjectRemoved
    # notification, the security group all fast functions share, where they mount the access point.
    found["fast"] = dict(
        fast_path(f"{base}-fast", region, target_account),
        deletes_notification_id=f"{base}-deletes",
        security_group=lambda_security_group(deployment),
        mount_path=MOUNT_PATH,
    )
    found["alarms"] = alarms(base)
    return found


def observability(deployment, region, account):
    """The deployment's notifications (role observability): the SNS topic and its key, the EventBridge
    rules, the observer function (delivery latency, oldest undelivered upload) and its role."""
    observer = f"{deployment}-observer"
    found = {
        "topic": f"{deployment}-notifications",
        "key_alias": f"alias/{deployment}-notifications",
        "error_rule": f"{deployment}-datasync-errors",
        "finished_rule": f"{deployment}-datasync-finished",
        "check_rule": f"{deployment}-delivery-check",
        "observer": observer,
        "observer_role": f"{observer}-role",
        "observer_log_group": f"/aws/lambda/{observer}",
        "alarm_prefix": f"{deployment}-",
    }
    found["topic_arn"] = arn("sns", region, account, found["topic"])
    for rule in ("error_rule", "finished_rule", "check_rule"):
        found[f"{rule}_arn"] = arn("events", region, account, f"rule/{found[rule]}")
    found["observer_arn"] = arn("lambda", region, account, f"function:{observer}")
    found["observer_role_arn"] = role_arn(found["observer_role"], account, region)
    found["observer_log_group_arn"] = arn("logs", region, account, f"log-group:{found['observer_log_group']}")
    found["alarm_arns"] = arn("cloudwatch", region, account, f"alarm:{deployment}-*")
    return found


def alarms(base):
    """The CloudWatch alarms of one delivery (`base` = <lakedrop_name>-<delivery name>)."""
    return {
        "dlq_depth": f"{base}-dlq-depth",
        "queue_age": f"{base}-queue-age",
        "trigger_errors": f"{base}-trigger-errors",
        "trigger_throttles": f"{base}-trigger-throttles",
        "delivery_time": f"{base}-delivery-time",
    }
