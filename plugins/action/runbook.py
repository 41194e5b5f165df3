# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs on the controller, before any AWS call: checks a runbook's variables (module_utils/_lakedrop/runbooks.py)
against the inventory's deployment and returns them typed, with the chosen deliveries."""

from ansible.plugins.action import ActionBase

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import runbooks


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(("name", "values"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        deployment = self._templar.template(task_vars.get("lakedrop_deployment"))
        if not deployment:
            return dict(result, failed=True, msg="lakedrop_deployment is not set: run playbooks/check.yml first.")
        values = self._task.args.get("values") or {}
        problems, settled = runbooks.check(self._task.args.get("name"), values, deployment)
        if problems:
            lines = "\n".join(f"- {p}" for p in problems)
            msg = f"The runbook's variables have {len(problems)} problem(s); nothing was called or changed:\n{lines}"
            return dict(result, failed=True, changed=False, problems=problems, msg=msg)
        return dict(result, changed=False, runbook=settled)
