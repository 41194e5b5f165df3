# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every Lambda call of the collection (one small function per call)."""

from .common import RETRY
from .common import LambdaErrorHandler


@LambdaErrorHandler.common_error_handler("list event source mappings of {function_name}")
@RETRY
def list_event_source_mappings(client, function_name, event_source_arn):
    paginator = client.get_paginator("list_event_source_mappings")
    result = paginator.paginate(FunctionName=function_name, EventSourceArn=event_source_arn).build_full_result()
    return result.get("EventSourceMappings", [])


@LambdaErrorHandler.common_error_handler("update event source mapping {uuid}")
@RETRY
def update_event_source_scaling(client, uuid, maximum_concurrency, enabled=None, scale=True):
    more = {} if enabled is None else {"Enabled": enabled}
    if scale:
        more["ScalingConfig"] = {"MaximumConcurrency": maximum_concurrency} if maximum_concurrency else {}
    client.update_event_source_mapping(UUID=uuid, **more)
