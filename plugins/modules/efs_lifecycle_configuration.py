#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: efs_lifecycle_configuration
short_description: Manage the lifecycle configuration of an Amazon EFS file system
version_added: 0.1.0
description:
  - Sets when files move from Standard storage to Infrequent Access (IA) and to Archive, and whether they
    move back to Standard when they are read, with C(PutLifecycleConfiguration).
  - The module manages the whole configuration. A transition that is not given is removed;
    O(state=absent) removes every transition.
  - M(community.aws.efs) writes only the IA transition, and replaces the whole configuration when it
    does. Do not give it O(community.aws.efs#module:transition_to_ia) for a file system this module
    manages, or the two undo each other's work.
options:
  state:
    description:
      - V(present) sets exactly the transitions given; V(absent) removes the lifecycle configuration.
    type: str
    choices: [present, absent]
    default: present
  transition_to_ia:
    description:
      - Days after the last access at which files move from Standard to Infrequent Access storage.
      - Omitted means files never move to IA.
    type: str
    choices: &days [AFTER_1_DAY, AFTER_7_DAYS, AFTER_14_DAYS, AFTER_30_DAYS, AFTER_60_DAYS, AFTER_90_DAYS,
                    AFTER_180_DAYS, AFTER_270_DAYS, AFTER_365_DAYS]
  transition_to_archive:
    description:
      - Days after the last access at which files move to Archive storage. Must be later than
        O(transition_to_ia) when both are given.
      - Archive needs a file system in Elastic throughput mode and General Purpose performance mode;
        the module checks that before writing (in check mode it only warns, since an earlier task may
        switch the mode, see M(lakedrop.delivery.efs_throughput_mode)).
      - Omitted means files never move to Archive.
    type: str
    choices: *days
  transition_to_primary_storage_class:
    description:
      - V(AFTER_1_ACCESS) moves a file back to Standard storage when it is read in IA or Archive storage.
      - Omitted means files stay where they are when read.
    type: str
    choices: [AFTER_1_ACCESS]
extends_documentation_fragment: [lakedrop.delivery.lakedrop, lakedrop.delivery.lakedrop.efs_setting,
  lakedrop.delivery.lakedrop.idempotent, amazon.aws.common.modules, amazon.aws.region.modules, amazon.aws.boto3]
"""

EXAMPLES = r"""
- name: Files unread for 30 days go to Infrequent Access and come back when read
  lakedrop.delivery.efs_lifecycle_configuration:
    file_system: fs-0123456789abcdef0
    transition_to_ia: AFTER_30_DAYS
    transition_to_primary_storage_class: AFTER_1_ACCESS

- name: Also archive after 180 days (Elastic throughput file systems only)
  lakedrop.delivery.efs_lifecycle_configuration:
    file_system: arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/fs-0123456789abcdef0
    transition_to_ia: AFTER_30_DAYS
    transition_to_archive: AFTER_180_DAYS
    transition_to_primary_storage_class: AFTER_1_ACCESS

- name: Keep every file in Standard storage
  lakedrop.delivery.efs_lifecycle_configuration:
    file_system: fs-0123456789abcdef0
    state: absent
"""

RETURN = r"""
lifecycle:
  description: The transitions after the module ran (in check mode, what they would be); null when not set.
  returned: always
  type: dict
  contains:
    transition_to_ia:
      description: When files move to Infrequent Access.
      type: str
      sample: AFTER_30_DAYS
    transition_to_archive:
      description: When files move to Archive.
      type: str
      sample: null
    transition_to_primary_storage_class:
      description: Whether files move back to Standard when read.
      type: str
      sample: AFTER_1_ACCESS
lifecycle_policies:
  description: The same configuration as the C(LifecyclePolicies) list EFS stores (one transition per item).
  returned: always
  type: list
  elements: dict
  sample: [{"TransitionToIA": "AFTER_30_DAYS"}, {"TransitionToPrimaryStorageClass": "AFTER_1_ACCESS"}]
extends_documentation_fragment: [lakedrop.delivery.lakedrop.file_system_return]
"""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import fragments
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import lifecycle
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run_module

ARGUMENT_SPEC = dict(
    **fragments.EFS_SETTING,
    state=dict(type="str", choices=["present", "absent"], default="present"),
    transition_to_ia=dict(type="str", choices=lifecycle.DAYS),
    transition_to_archive=dict(type="str", choices=lifecycle.DAYS),
    transition_to_primary_storage_class=dict(type="str", choices=lifecycle.PRIMARY_STORAGE_CLASS),
)


def main():
    run_module(ARGUMENT_SPEC, lifecycle.run, lifecycle.validate)


if __name__ == "__main__":
    main()
