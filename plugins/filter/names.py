# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters that give roles the collection's names and partitions (module_utils/_lakedrop/names.py)."""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import arns
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import deployer
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import names


class FilterModule:
    def filters(self):
        return {
            "partition": arns.partition_of,
            "deployer_policies": deployer.policies,
            "bucket_arn": lambda name, region="": arns.bucket_arn(name, region),
            "trigger_names": names.trigger,
            "fast_path_names": names.fast_path,
            "transfer_names": names.transfer,
            "observability_names": names.observability,
            "alarm_names": names.alarms,
            "role_arn": lambda name, account, region, path="/": names.role_arn(name, account, region, path),
        }
