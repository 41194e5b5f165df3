# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every CloudWatch Logs call of the collection (one small function per call)."""

import json

from .common import RETRY
from .common import LogsErrorHandler


@LogsErrorHandler.common_error_handler("describe CloudWatch Logs resource policies")
@RETRY
def describe_resource_policies(client):
    policies, kwargs = [], {}
    while True:  # DescribeResourcePolicies has no paginator in botocore
        page = client.describe_resource_policies(**kwargs)
        policies.extend(page.get("resourcePolicies", []))
        if not page.get("nextToken"):
            return policies
        kwargs["nextToken"] = page["nextToken"]


@LogsErrorHandler.common_error_handler("put CloudWatch Logs resource policy {name}")
@RETRY
def put_resource_policy(client, name, document):
    client.put_resource_policy(policyName=name, policyDocument=json.dumps(document))


@LogsErrorHandler.deletion_error_handler("delete CloudWatch Logs resource policy {name}")
@RETRY
def delete_resource_policy(client, name):
    client.delete_resource_policy(policyName=name)
    return True
