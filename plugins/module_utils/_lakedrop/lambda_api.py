# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every Lambda call of the collection (one small function per call)."""

from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

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


@LambdaErrorHandler.list_error_handler("read the configuration of function {function_name}", None)
@RETRY
def get_function_configuration(client, function_name):
    """The function's configuration, or None when it does not exist."""
    return client.get_function_configuration(FunctionName=function_name)


# Lambda refuses a configuration update while another one is in progress (ResourceConflictException), for
# example right after amazon.aws.lambda changed the function: retried, as the Lambda guide advises.
@LambdaErrorHandler.common_error_handler("update the configuration of function {function_name}")
@AWSRetry.jittered_backoff(retries=10, delay=2, max_delay=20, catch_extra_error_codes=["ResourceConflictException"])
def update_function_configuration(client, function_name, **fields):
    return client.update_function_configuration(FunctionName=function_name, **fields)
