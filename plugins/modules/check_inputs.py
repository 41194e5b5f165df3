#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: check_inputs
short_description: Check a lakedrop.delivery role's inputs against each other before any AWS call
version_added: 0.2.0
description:
  - The first task of every role of this collection. The role's argument specification already checked each
    input's type and choices; this checks what depends on several inputs, or on a rule a module of the
    collection applies as well (bucket names, access point paths, POSIX IDs, ARN shapes), with the very same
    code, so a role never accepts what its module refuses or the other way round.
  - Every problem is reported at once, each naming its variable. Nothing is called, nothing is written.
  - Runs on the controller (an action plugin); reads the role's variables.
options:
  role:
    description:
      - Whose inputs to check. V(lambda_trigger_notification) is the C(notification) entry point of
        lakedrop.delivery.lambda_trigger, V(datasync_role_kms) the C(kms) entry point of
        lakedrop.delivery.datasync_role.
    type: str
    required: true
    choices: [datasync_role, datasync_role_kms, datasync_transfer, ecs_efs_volume, efs_storage, lambda_trigger,
              lambda_trigger_notification, source_bucket]
extends_documentation_fragment: [lakedrop.delivery.lakedrop, lakedrop.delivery.lakedrop.controller]
"""

EXAMPLES = r"""
- name: Check the inputs (every problem at once, before any AWS call)
  lakedrop.delivery.check_inputs:
    role: efs_storage
"""

RETURN = r"""
problems:
  description: Every problem found, one message each, naming its variable.
  returned: failure
  type: list
  elements: str
  sample: ["efs_storage_access_points[0].path must be an absolute path starting with '/', such as '/lake', got 'lake'."]
"""
