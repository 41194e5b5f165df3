# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs on the controller: a role's cross-field input checks (module_utils/_lakedrop/role_inputs.py)."""

from ansible.plugins.action import ActionBase

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import role_inputs


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _requires_connection = False
    _VALID_ARGS = frozenset(("role",))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        role = self._task.args.get("role")
        if role not in role_inputs.RULES:
            return dict(
                result, failed=True, msg=f"role must be one of {', '.join(sorted(role_inputs.RULES))}, got {role!r}."
            )
        prefix = role_inputs.prefix(role)
        values = {}
        for name in task_vars:
            if name.startswith(prefix) and not name.startswith(prefix + "_"):  # role__* are the role's internals
                values[name] = self._templar.template(task_vars[name])
        problems = role_inputs.problems(role, values)
        if problems:
            return dict(result, failed=True, changed=False, problems=problems, msg=" ".join(problems))
        return dict(result, changed=False, msg=f"{role}: the inputs are consistent.")
