#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: lambda_file_system_config
short_description: Mount an EFS access point into an AWS Lambda function, and size its ephemeral storage
version_added: 0.3.0
description:
  - Sets C(FileSystemConfigs) (an EFS access point and the path the function sees it at) and, when
    given, C(EphemeralStorage) of an existing function with C(UpdateFunctionConfiguration), then waits until
    Lambda applied the update (C(LastUpdateStatus) C(Successful)).
  - M(amazon.aws.lambda) creates and configures the function (code, role, VPC, environment) but has no option
    for these two settings and leaves them alone; this module changes nothing else.
  - Lambda mounts a file system only for a function connected to a VPC whose subnets and security groups
    reach a mount target on TCP 2049; the function's role needs C(elasticfilesystem:ClientMount) (and
    C(ClientWrite) to write), and the caller the EC2 network-interface permissions Lambda's VPC access needs.
options:
  function_name:
    description: Name or ARN of the function.
    type: str
    required: true
  file_system_configs:
    description:
      - The file system to mount (Lambda allows one); an empty list removes the mount.
    type: list
    elements: dict
    required: true
    suboptions:
      arn:
        description: ARN of the EFS access point the function mounts.
        type: str
        required: true
      local_mount_path:
        description: Where the function sees it, C(/mnt/) and one name (for example C(/mnt/lakedrop)).
        type: str
        required: true
  ephemeral_storage_size:
    description: Size of the function's C(/tmp) in MB, V(512) to V(10240). Omit to keep the current size.
    type: int
extends_documentation_fragment: [lakedrop.delivery.lakedrop, lakedrop.delivery.lakedrop.idempotent, amazon.aws.common.modules,
  amazon.aws.region.modules, amazon.aws.boto3]
notes:
  - In check mode, a function that does not exist yet (it would be created by an earlier task of the same
    run) is reported as a change rather than an error.
"""

EXAMPLES = r"""
- name: The function, in the subnets of the file system's mount targets
  amazon.aws.lambda:
    name: lakedrop-fast
    runtime: python3.12
    handler: lakedrop_fast.handler
    role: arn:aws:iam::222222222222:role/lakedrop-fast-role
    zip_file: /home/me/.cache/lakedrop/build/lakedrop-fast.zip
    vpc_subnet_ids: [subnet-0123456789abcdef0, subnet-0fedcba9876543210]
    vpc_security_group_ids: [sg-0123456789abcdef0]

- name: Mount the delivery's access point at /mnt/lakedrop
  lakedrop.delivery.lambda_file_system_config:
    function_name: lakedrop-fast
    file_system_configs:
      - arn: arn:aws:elasticfilesystem:eu-west-1:222222222222:access-point/fsap-0123456789abcdef0
        local_mount_path: /mnt/lakedrop
"""

RETURN = r"""
function_arn:
  description: ARN of the function (null in check mode when it does not exist yet).
  returned: always
  type: str
file_system_configs:
  description: The mount after the module ran (in check mode, what it would be), each with C(arn) and C(local_mount_path).
  returned: always
  type: list
  elements: dict
ephemeral_storage_size:
  description: The size of C(/tmp) in MB after the module ran.
  returned: always
  type: int
"""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import lambda_file_system
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run_module

ARGUMENT_SPEC = dict(
    function_name=dict(type="str", required=True),
    file_system_configs=dict(
        type="list",
        elements="dict",
        required=True,
        options=dict(arn=dict(type="str", required=True), local_mount_path=dict(type="str", required=True)),
    ),
    ephemeral_storage_size=dict(type="int"),
)


def main():
    run_module(ARGUMENT_SPEC, lambda_file_system.run, lambda_file_system.validate)


if __name__ == "__main__":
    main()
