#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: deployment
short_description: Check the inventory of a lakedrop deployment and compute its settings
version_added: 0.2.0
description:
  - The first play of C(site.yml) and of every playbook of this collection runs it, so that a mistake in the
    inventory fails before anything is written, in either account.
  - Reads the C(lakedrop_*) variables of the first host of the groups C(source_account) and C(target_account)
    and reports every problem at once, in the inventory's own terms (for example
    C(lakedrop_deliveries[0].efs_path must be an absolute path starting with '/', such as '/lake', got 'lake')).
    A problem of one host only starts with the name of its group. Values are checked with the same rules the
    roles and modules apply. A misspelt variable close to a known one is reported too.
  - On success it sets the fact C(lakedrop_deployment) for every host of the play, holding the settings with their
    defaults applied and every resource name and ARN the deployment derives (see RETURN), so no playbook rebuilds
    a name by convention.
  - Runs on the controller (an action plugin); makes no AWS call. Use it with C(run_once).
  - The variables, their types and defaults are listed in the collection's C(docs/inventory.md).
options: {}
extends_documentation_fragment: [lakedrop.delivery.lakedrop, lakedrop.delivery.lakedrop.controller]
"""

EXAMPLES = r"""
- name: Check the inventory before anything is written, in either account
  hosts: source_account:target_account
  gather_facts: false
  any_errors_fatal: true
  tasks:
    - name: Every lakedrop_* variable of both accounts, every problem at once
      lakedrop.delivery.deployment:
      run_once: true
"""

RETURN = r"""
problems:
  description: Every problem found, in inventory terms.
  returned: failure
  type: list
  elements: str
  sample: ["lakedrop_deliveries[0].bucket must follow S3's bucket naming rules (...), got 'Lake-Data'."]
ansible_facts:
  description: The deployment's settings.
  returned: success
  type: dict
  contains:
    lakedrop_deployment:
      description:
        - Every C(lakedrop_*) setting without its C(lakedrop_) prefix, defaults applied (C(name), C(region),
          C(partition), C(source_account_id), C(target_account_id), C(vpc_id), C(subnet_ids), C(ecs_*), C(tags), ...).
        - C(deliveries), each with every delivery setting (C(trigger_mode), C(batching_window) and C(schedule)
          filled from the deployment-wide defaults; C(prefix) normalized to C(folder/)) and C(names) (the access
          point, task, DataSync role and its ARN, trigger and its queue/function ARNs, notification ID).
        - C(buckets), one per distinct bucket, with the prefixes and DataSync role ARNs of its deliveries.
      type: dict
"""
