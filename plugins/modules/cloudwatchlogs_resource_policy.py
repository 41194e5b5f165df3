#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: cloudwatchlogs_resource_policy
short_description: Manage a CloudWatch Logs resource policy
version_added: 0.1.0
description:
  - Creates, updates or deletes an account-level CloudWatch Logs resource policy, the document that
    lets an AWS service such as DataSync write to log groups.
  - Policies are compared by meaning (key order, a single value versus a one-item list), so an
    equivalent document is not rewritten.
  - No Ansible collection manages CloudWatch Logs resource policies, hence this module.
author:
  - Lakedrop Delivery Maintainers (@lakedrop)
options:
  name:
    description: Name of the resource policy.
    type: str
    required: true
  policy:
    description:
      - The policy document, as a dict or a JSON string. Required with O(state=present).
      - Give every service principal C(aws:SourceAccount)/C(aws:SourceArn) conditions.
    type: json
  state:
    description: Whether the policy should exist.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode and diff mode. A second run with the same arguments makes no write call.
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

import json

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.common import RETRY
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.common import LogsErrorHandler


@LogsErrorHandler.common_error_handler("describe CloudWatch Logs resource policies")
@RETRY
def describe_policies(client):
    policies, kwargs = [], {}
    while True:  # DescribeResourcePolicies has no paginator in botocore
        page = client.describe_resource_policies(**kwargs)
        policies.extend(page.get("resourcePolicies", []))
        if not page.get("nextToken"):
            return policies
        kwargs["nextToken"] = page["nextToken"]


@LogsErrorHandler.common_error_handler("put CloudWatch Logs resource policy {name}")
@RETRY
def put_policy(client, name, document):
    client.put_resource_policy(policyName=name, policyDocument=json.dumps(document))


@LogsErrorHandler.deletion_error_handler("delete CloudWatch Logs resource policy {name}")
@RETRY
def delete_policy(client, name):
    client.delete_resource_policy(policyName=name)
    return True


def current_document(policies, name):
    for policy in policies:
        if policy.get("policyName") == name:
            return json.loads(policy.get("policyDocument") or "{}")
    return None


def parse_policy(value):
    """The policy as a dict, or raise ValueError with a message naming the option."""
    if isinstance(value, dict):
        return value
    try:
        document = json.loads(value)
    except (TypeError, ValueError) as err:
        raise ValueError(f"policy is not valid JSON: {err}") from err
    if not isinstance(document, dict) or "Statement" not in document:
        raise ValueError("policy must be a policy document (an object with a Statement).")
    return document


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            name=dict(type="str", required=True),
            policy=dict(type="json"),
            state=dict(type="str", choices=["present", "absent"], default="present"),
        ),
        required_if=[("state", "present", ["policy"])],
        supports_check_mode=True,
    )
    name, state = module.params["name"], module.params["state"]
    try:
        desired = parse_policy(module.params["policy"]) if state == "present" else None
    except ValueError as err:
        module.fail_json(msg=str(err))
    client = module.client("logs")
    try:
        current = current_document(describe_policies(client), name)
        if state == "present":
            changed = current is None or compare_policies(current, desired)
            if changed and not module.check_mode:
                put_policy(client, name, desired)
            after = desired
        else:
            changed = current is not None
            if changed and not module.check_mode:
                delete_policy(client, name)
            after = {}
    except AnsibleAWSError as err:
        module.fail_json_aws_error(err)
    result = dict(changed=changed, policy=after)
    if module._diff:
        result["diff"] = dict(before=current or {}, after=after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
