# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The S3 gateway endpoint of the fast functions' subnets (module_utils/_lakedrop/s3_gateway.py)."""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import s3_gateway


def s3_gateway_plan(subnet_ids, route_tables, endpoints, bucket_arns, region, account_id):
    return s3_gateway.plan(list(subnet_ids), route_tables, endpoints, list(bucket_arns), region, account_id)


class FilterModule:
    def filters(self):
        return {"s3_gateway_plan": s3_gateway_plan, "s3_gateway_service": s3_gateway.service_name}
