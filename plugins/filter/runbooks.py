# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the runbooks (module_utils/_lakedrop/runbooks.py)."""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import runbooks


class FilterModule:
    def filters(self):
        return {
            "stuck_executions": runbooks.stuck,
            "covering_includes": runbooks.covering_includes,
            "delivery_verification": runbooks.verification,
            "key_includes": lambda keys, prefix: list(dict.fromkeys(runbooks.pattern_for(k, prefix) for k in keys)),
        }
