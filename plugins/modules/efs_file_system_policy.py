#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: efs_file_system_policy
short_description: Manage the resource policy of an Amazon EFS file system
version_added: 0.1.0
description:
  - Sets (C(PutFileSystemPolicy)) or removes (C(DeleteFileSystemPolicy)) the IAM resource policy of an EFS
    file system, for example one that denies every client not using TLS.
  - Policies are compared by meaning (key order, a single value versus a one-item list), so an
    equivalent document is not rewritten.
  - No Ansible collection manages EFS file-system policies, hence this module.
author:
  - Lakedrop Delivery Maintainers (@lakedrop)
options:
  file_system:
    description: The file system, as an ID (V(fs-0123456789abcdef0)) or a file system ARN. It must exist.
    type: str
    required: true
  policy:
    description:
      - The policy document, as a dict or a JSON string. Required with O(state=present).
      - Without a policy, EFS grants full client access to every client that can reach a mount target.
        A policy replaces that default, so it must allow what the clients need (for example
        C(elasticfilesystem:ClientMount) and C(elasticfilesystem:ClientWrite) through an access point).
    type: json
  state:
    description:
      - Whether the policy should exist. V(absent) restores the default policy of EFS.
    type: str
    choices: [present, absent]
    default: present
  bypass_policy_lockout_safety_check:
    description:
      - Skip the check of EFS that the policy does not lock out the caller from changing it again.
        Only set it when you know the policy is right.
    type: bool
    default: false
extends_documentation_fragment:
  - lakedrop.delivery.lakedrop
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode and diff mode. A second run with the same arguments makes no write call.
  - Run in check mode with the expected policy, the module reads the policy back without changing it
    (RV(policy) is the stored document, C(changed) says whether it differs in meaning).
"""

EXAMPLES = r"""
- name: Clients must use TLS, and may mount and write only through the delivery access point
  lakedrop.delivery.efs_file_system_policy:
    file_system: fs-0123456789abcdef0
    policy:
      Version: "2012-10-17"
      Statement:
        - Sid: DenyInsecureTransport
          Effect: Deny
          Principal:
            AWS: "*"
          Action: "*"
          Resource: arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/fs-0123456789abcdef0
          Condition:
            Bool:
              aws:SecureTransport: "false"
        - Sid: MountThroughAccessPoints
          Effect: Allow
          Principal:
            AWS: arn:aws:iam::222222222222:root
          Action: [elasticfilesystem:ClientMount, elasticfilesystem:ClientWrite]
          Resource: arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/fs-0123456789abcdef0
          Condition:
            StringEquals:
              elasticfilesystem:AccessPointArn: arn:aws:elasticfilesystem:eu-west-1:222222222222:access-point/fsap-0123456789abcdef0
            Bool:
              elasticfilesystem:AccessedViaMountTarget: "true"

- name: Back to the default policy of EFS
  lakedrop.delivery.efs_file_system_policy:
    file_system: fs-0123456789abcdef0
    state: absent
"""

RETURN = r"""
file_system_id:
  description: ID of the file system.
  returned: always
  type: str
  sample: fs-0123456789abcdef0
policy:
  description:
    - The policy document after the module ran (empty when there is none). When the stored policy is
      equivalent to O(policy), the stored document.
  returned: always
  type: dict
"""

import json

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule
from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import arns
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.common import RETRY
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.common import EFSErrorHandler

# --- calls ------------------------------------------------------------------------------------------


@EFSErrorHandler.common_error_handler("describe the policy of file system {file_system_id}")
@RETRY
def describe_policy(client, file_system_id):
    """The stored policy document, or None when the file system has none."""
    try:
        answer = client.describe_file_system_policy(FileSystemId=file_system_id)
    except is_boto3_error_code("PolicyNotFound"):
        return None
    return json.loads(answer.get("Policy") or "{}")


@EFSErrorHandler.common_error_handler("put the policy of file system {file_system_id}")
@RETRY
def put_policy(client, file_system_id, document, bypass):
    client.put_file_system_policy(
        FileSystemId=file_system_id, Policy=json.dumps(document), BypassPolicyLockoutSafetyCheck=bypass
    )


@EFSErrorHandler.common_error_handler("delete the policy of file system {file_system_id}")
@RETRY
def delete_policy(client, file_system_id):
    client.delete_file_system_policy(FileSystemId=file_system_id)


# --- pure functions ---------------------------------------------------------------------------------


def file_system_id(value):
    return arns.resource_id(value) if arns.is_arn(value) else value


def parse_policy(value):
    """The policy as a dict, or raise ValueError with a message naming the option."""
    if isinstance(value, dict):
        document = value
    else:
        try:
            document = json.loads(value)
        except (TypeError, ValueError) as err:
            raise ValueError(f"policy is not valid JSON: {err}") from err
    if not isinstance(document, dict) or not document.get("Statement"):
        raise ValueError("policy must be a policy document (an object with a non-empty Statement).")
    return document


def validate(params):
    """(problems, desired document or None); nothing is called before problems is empty."""
    problems, document = [], None
    problem = arns.check(params["file_system"], "efs_file_system", "file_system", allow_id=True)
    if problem:
        problems.append(problem)
    if params["state"] == "present":
        if params["policy"] is None:
            problems.append("policy is required with state=present.")
        else:
            try:
                document = parse_policy(params["policy"])
            except ValueError as err:
                problems.append(str(err))
    elif params["policy"] is not None:
        problems.append("state=absent removes the policy; do not give policy.")
    return problems, document


def differs(current, desired):
    """Whether the stored policy differs in meaning from the desired one (None: no policy)."""
    if current is None or desired is None:
        return current is not desired
    return compare_policies(current, desired)


# --- main -------------------------------------------------------------------------------------------


def run(module, client, desired):
    fs_id = file_system_id(module.params["file_system"])
    current = describe_policy(client, fs_id)
    changed = differs(current, desired)
    if changed and not module.check_mode:
        if desired is None:
            delete_policy(client, fs_id)
        else:
            put_policy(client, fs_id, desired, module.params["bypass_policy_lockout_safety_check"])
    after = (desired if changed else current) or {}
    return dict(changed=changed, file_system_id=fs_id, policy=after, diff=dict(before=current or {}, after=after))


def main():
    argument_spec = dict(
        file_system=dict(type="str", required=True),
        policy=dict(type="json"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        bypass_policy_lockout_safety_check=dict(type="bool", default=False),
    )
    module = AnsibleAWSModule(argument_spec=argument_spec, supports_check_mode=True)
    problems, desired = validate(module.params)
    if problems:
        module.fail_json(msg=" ".join(problems), problems=problems)
    client = module.client("efs")
    try:
        result = run(module, client, desired)
    except AnsibleAWSError as err:
        module.fail_json_aws_error(err)
    if not module._diff:
        result.pop("diff", None)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
