# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Server-side encryption of an SNS topic (module sns_topic_encryption): its KmsMasterKeyId attribute.

Pure functions first (validate, desired setting, result; unit-tested without AWS), then the flow.
"""

from . import arns
from . import sns_api
from .changes import Changes
from .runner import Failure

SETTINGS = ("kms_master_key_id",)
ATTRIBUTE = "KmsMasterKeyId"

# --- pure --------------------------------------------------------------------------------------------


def validate(params, region=None):
    problems = [arns.check(params["topic_arn"], "sns_topic", "topic_arn")]
    key = params["kms_master_key_id"]
    if key and not (key.startswith("alias/") or arns.kind_of(key) == "kms_key" or arns.is_arn(key)):
        problems.append(f"kms_master_key_id must be a KMS key ARN, an alias ARN or alias/NAME, got {key!r}.")
    return [p for p in problems if p]


def current_settings(attributes):
    return {"kms_master_key_id": attributes.get(ATTRIBUTE) or ""}


def desired_settings(params):
    return {"kms_master_key_id": params["kms_master_key_id"] or ""}


def result(topic_arn, changes):
    return dict(changed=changes.changed, topic_arn=topic_arn, diff=changes.diff(), **changes.diff()["after"])


# --- flow: one read, the comparison, one write -------------------------------------------------------


def run(module):
    client = module.client("sns")
    topic_arn = module.params["topic_arn"]
    attributes = sns_api.get_topic_attributes(client, topic_arn)
    if attributes is None:
        if module.check_mode:  # a dry run on a topic created in the same run
            attributes = {}
        else:
            raise Failure(f"SNS topic {topic_arn} does not exist; create it first (community.aws.sns_topic).")
    desired = desired_settings(module.params)
    changes = Changes.of(SETTINGS, current_settings(attributes), desired)
    if changes.changed and not module.check_mode:
        sns_api.set_topic_attribute(client, topic_arn, ATTRIBUTE, desired["kms_master_key_id"])
    return result(topic_arn, changes)
