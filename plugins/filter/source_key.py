# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters for SSE-KMS source buckets read across accounts (module_utils/_lakedrop/kms_grants.py)."""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import kms_grants


def source_key_policies(role_arns, region, bucket, account_id, current_policy=None):
    role_arns = [role_arns] if isinstance(role_arns, str) else list(role_arns)
    return {
        "key_policy": kms_grants.key_policy(account_id, role_arns, region, bucket),
        "statement": kms_grants.key_statement(role_arns, region, bucket),
        "missing": kms_grants.missing_grants(current_policy, role_arns) if current_policy is not None else [],
    }


class FilterModule:
    def filters(self):
        return {
            "source_key_policies": source_key_policies,
            "source_key_role_policy": kms_grants.role_policy,
        }
