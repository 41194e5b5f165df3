#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: runbook
short_description: Check a runbook's variables before any AWS call
version_added: 0.2.0
description:
  - The first task of every play of the runbooks (C(lakedrop.delivery.runbooks.<name>)), after the inventory check
    (M(lakedrop.delivery.deployment)) and before any AWS call. Every problem is reported at once, naming the
    variable (for example C(keys[0] 'elsewhere/a.csv' is not under the delivery's prefix 'incoming/')).
  - Object keys and prefixes become DataSync include patterns by the upload trigger's rule (relative to the
    delivery's prefix; a key containing C(|) or C(*) is covered by its prefix before that character followed by
    C(*)), then pass the execution modules' filter rules.
  - Runs on the controller (an action plugin); makes no AWS call. The runbooks are described in the collection's
    C(docs/runbooks/README.md).
options:
  name:
    description: The runbook.
    type: str
    required: true
    choices: [sync_now, status, pause_trigger, resume_trigger, replay_failed, cancel_stuck, verify_delivery]
  values:
    description:
      - The runbook's variables as given (C(delivery), C(keys), C(prefixes), C(wait_timeout), C(poll_interval),
        C(executions), C(latency_minutes), C(max_messages), C(older_than), C(confirm)); those the runbook does not
        take are ignored. Lists may be comma-separated strings.
    type: dict
    default: {}
extends_documentation_fragment: [lakedrop.delivery.lakedrop, lakedrop.delivery.lakedrop.controller]
"""

EXAMPLES = r"""
- name: The runbook's variables, before any AWS call
  lakedrop.delivery.runbook:
    name: sync_now
    values:
      delivery: "{{ delivery | default('') }}"
      keys: "{{ keys | default(none) }}"
  register: checked
"""

RETURN = r"""
runbook:
  description:
    - The variables typed, with their defaults, plus C(deliveries) (the chosen deliveries of C(lakedrop_deployment))
      and, with keys or prefixes, C(includes) (the include patterns).
  returned: success
  type: dict
problems:
  description: Every problem found, naming the variable; nothing was called.
  returned: failure
  type: list
  elements: str
  sample: ["keys and prefixes: give one or the other, not both."]
"""
