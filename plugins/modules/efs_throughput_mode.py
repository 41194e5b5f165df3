#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: efs_throughput_mode
short_description: Set the throughput mode of an Amazon EFS file system
version_added: 0.2.0
description:
  - Sets the throughput mode of an existing EFS file system (C(bursting), C(provisioned) with its MiB/s, or
    C(elastic)) with C(UpdateFileSystem).
  - M(community.aws.efs) cannot set C(elastic), the mode EFS requires for Archive storage. Do not also give it
    O(community.aws.efs#module:throughput_mode) for a file system this module manages.
options:
  throughput_mode:
    description: The throughput mode.
    type: str
    choices: [bursting, provisioned, elastic]
    required: true
  provisioned_throughput_in_mibps:
    description:
      - Throughput in MiB/s. Required with O(throughput_mode=provisioned), refused otherwise.
    type: float
extends_documentation_fragment: [lakedrop.delivery.lakedrop, lakedrop.delivery.lakedrop.efs_setting,
  lakedrop.delivery.lakedrop.idempotent, amazon.aws.common.modules, amazon.aws.region.modules, amazon.aws.boto3]
notes:
  - EFS limits how often the mode can change (for example, leaving provisioned mode or lowering the provisioned
    throughput waits 24 hours after the last change); the module then fails with the error of EFS and does not retry.
"""

EXAMPLES = r"""
- name: Elastic throughput (needed for Archive storage)
  lakedrop.delivery.efs_throughput_mode:
    file_system: fs-0123456789abcdef0
    throughput_mode: elastic

- name: 64 MiB/s provisioned
  lakedrop.delivery.efs_throughput_mode:
    file_system: fs-0123456789abcdef0
    throughput_mode: provisioned
    provisioned_throughput_in_mibps: 64
"""

RETURN = r"""
throughput_mode:
  description: The throughput mode after the module ran (in check mode, what it would be).
  returned: always
  type: str
  sample: elastic
provisioned_throughput_in_mibps:
  description: The provisioned throughput in provisioned mode, else null.
  returned: always
  type: float
  sample: null
extends_documentation_fragment: [lakedrop.delivery.lakedrop.file_system_return]
"""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import fragments
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import throughput
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run_module

ARGUMENT_SPEC = dict(
    **fragments.EFS_SETTING,
    throughput_mode=dict(type="str", required=True, choices=throughput.MODES),
    provisioned_throughput_in_mibps=dict(type="float"),
)


def main():
    run_module(ARGUMENT_SPEC, throughput.run, throughput.validate)


if __name__ == "__main__":
    main()
