#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cloudwatchlogs_resource_policy
short_description: Manage a CloudWatch Logs resource policy
version_added: 0.1.0
description:
  - Creates, updates or deletes an account-level CloudWatch Logs resource policy, the document that
    lets an AWS service such as DataSync write to log groups.
  - Policies are compared by meaning (key order, a single value versus a one-item list), so an
    equivalent document is not rewritten.
  - No Ansible collection manages CloudWatch Logs resource policies, hence this module.
options:
  name:
    description: Name of the resource policy.
    type: str
    required: true
  policy:
    description:
      - The policy document, as a dict or a JSON string. Required with O(state=present).
      - Give every service principal C(aws:SourceAccount)/C(aws:SourceArn) conditions.
      - A document without a non-empty C(Statement) is refused before any call.
    type: json
  state:
    description: Whether the policy should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment: [lakedrop.delivery.lakedrop, lakedrop.delivery.lakedrop.idempotent, amazon.aws.common.modules,
  amazon.aws.region.modules, amazon.aws.boto3]
"""

EXAMPLES = r"""
- name: Let DataSync tasks of this account write to their log group
  lakedrop.delivery.cloudwatchlogs_resource_policy:
    name: lakedrop-datasync
    policy:
      Version: "2012-10-17"
      Statement:
        - Sid: DataSyncLogs
          Effect: Allow
          Principal:
            Service: datasync.amazonaws.com
          Action: [logs:CreateLogStream, logs:PutLogEvents]
          Resource: arn:aws:logs:eu-west-1:222222222222:log-group:/aws/datasync/lakedrop:*
          Condition:
            StringEquals:
              aws:SourceAccount: "222222222222"
            ArnLike:
              aws:SourceArn: arn:aws:datasync:eu-west-1:222222222222:task/*

- name: Remove it
  lakedrop.delivery.cloudwatchlogs_resource_policy:
    name: lakedrop-datasync
    state: absent
"""

RETURN = r"""
policy:
  description: The policy document after the module ran (empty when absent).
  returned: always
  type: dict
"""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import logs_policy
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run_module

ARGUMENT_SPEC = dict(
    name=dict(type="str", required=True),
    policy=dict(type="json"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
)


def main():
    run_module(ARGUMENT_SPEC, logs_policy.run, logs_policy.validate, required_if=[("state", "present", ["policy"])])


if __name__ == "__main__":
    main()
