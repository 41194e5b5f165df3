#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: sns_topic_encryption
short_description: Set the server-side encryption key of an Amazon SNS topic
version_added: 0.3.0
description:
  - Sets or removes the C(KmsMasterKeyId) attribute of an existing SNS topic with C(SetTopicAttributes).
  - M(community.aws.sns_topic) cannot set it. For a topic that CloudWatch alarms or EventBridge rules publish to,
    use a customer managed key whose policy lets C(cloudwatch.amazonaws.com) and C(events.amazonaws.com) use it;
    the AWS managed key C(alias/aws/sns) cannot be used by them (its policy cannot be changed).
options:
  topic_arn:
    description: ARN of the topic.
    type: str
    required: true
  kms_master_key_id:
    description: The key (ARN, alias ARN or C(alias/NAME)); empty to turn server-side encryption off.
    type: str
    default: ""
extends_documentation_fragment: [lakedrop.delivery.lakedrop, lakedrop.delivery.lakedrop.idempotent,
  amazon.aws.common.modules, amazon.aws.region.modules, amazon.aws.boto3]
"""

EXAMPLES = r"""
- name: Encrypt the notification topic with its own key
  lakedrop.delivery.sns_topic_encryption:
    topic_arn: arn:aws:sns:eu-west-1:222222222222:lake-notifications
    kms_master_key_id: arn:aws:kms:eu-west-1:222222222222:key/0b0e5d2c-1f1a-4c55-9d7e-0123456789ab
"""

RETURN = r"""
topic_arn:
  description: The topic.
  returned: always
  type: str
kms_master_key_id:
  description: The key after the module ran (in check mode, what it would be); empty when not encrypted.
  returned: always
  type: str
"""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import topic_encryption
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run_module

ARGUMENT_SPEC = dict(
    topic_arn=dict(type="str", required=True),
    kms_master_key_id=dict(type="str", default="", no_log=False),
)


def main():
    run_module(ARGUMENT_SPEC, topic_encryption.run, topic_encryption.validate)


if __name__ == "__main__":
    main()
