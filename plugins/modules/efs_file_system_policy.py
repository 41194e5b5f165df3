#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: efs_file_system_policy
short_description: Manage the resource policy of an Amazon EFS file system
version_added: 0.1.0
description:
  - Sets (C(PutFileSystemPolicy)) or removes (C(DeleteFileSystemPolicy)) the IAM resource policy of an EFS
    file system, for example one that denies every client not using TLS.
  - Policies are compared by meaning (key order, a single value versus a one-item list), so an
    equivalent document is not rewritten.
  - No Ansible collection manages EFS file-system policies, hence this module.
options:
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
extends_documentation_fragment: [lakedrop.delivery.lakedrop, lakedrop.delivery.lakedrop.efs_setting,
  lakedrop.delivery.lakedrop.idempotent, amazon.aws.common.modules, amazon.aws.region.modules, amazon.aws.boto3]
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
            ArnEquals:
              elasticfilesystem:AccessPointArn: arn:aws:elasticfilesystem:eu-west-1:222222222222:access-point/fsap-0123456789abcdef0
            Bool:
              elasticfilesystem:AccessedViaMountTarget: "true"

- name: Back to the default policy of EFS
  lakedrop.delivery.efs_file_system_policy:
    file_system: fs-0123456789abcdef0
    state: absent
"""

RETURN = r"""
policy:
  description:
    - The policy document after the module ran (empty when there is none). When the stored policy is
      equivalent to O(policy), the stored document.
  returned: always
  type: dict
extends_documentation_fragment: [lakedrop.delivery.lakedrop.file_system_return]
"""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import file_system_policy
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import fragments
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run_module

ARGUMENT_SPEC = dict(
    **fragments.EFS_SETTING,
    policy=dict(type="json"),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    bypass_policy_lockout_safety_check=dict(type="bool", default=False),
)


def main():
    run_module(ARGUMENT_SPEC, file_system_policy.run, file_system_policy.validate)


if __name__ == "__main__":
    main()
