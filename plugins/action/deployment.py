# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs on the controller: checks the inventory of both accounts and sets `lakedrop_deployment`
(module_utils/_lakedrop/inventory.py)."""

from ansible.plugins.action import ActionBase

try:  # ansible-core >= 2.19: a variable like set_fact's, not a (deprecated) top-level fact
    from ansible.plugins.action import VariableLayer
except ImportError:
    VariableLayer = None

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import inventory


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset()

    def _host_values(self, task_vars, group):
        members = task_vars["groups"].get(f"{group}_account") or []
        if not members:
            return None, []
        host = task_vars["hostvars"][members[0]]
        values, problems = {}, []
        for name in host:
            if not name.startswith("lakedrop_") or name == "lakedrop_deployment":
                continue
            try:
                values[name] = host[name]
            except Exception as err:  # noqa: BLE001 - any templating error is the user's to see, by variable
                problems.append(f"{group} host: {name} cannot be evaluated: {err}")
        return values, problems

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        hosts, problems = {}, []
        for group in ("source", "target"):
            hosts[group], found = self._host_values(task_vars, group)
            problems += found
        if not problems:
            problems, settings = inventory.check(hosts)
        if problems:
            lines = "\n".join(f"- {p}" for p in problems)
            msg = f"The inventory has {len(problems)} problem(s); nothing was changed in either account:\n{lines}"
            return dict(result, failed=True, changed=False, problems=problems, msg=msg)
        facts = {"lakedrop_deployment": settings}
        if VariableLayer is None:
            return dict(result, changed=False, ansible_facts=facts)
        self.register_host_variables({}, VariableLayer.CACHEABLE_FACT)  # not a cached fact
        self.register_host_variables(facts, VariableLayer.EPHEMERAL_FACT)  # with run_once: every host of the play
        return dict(result, changed=False, lakedrop_deployment=settings)
