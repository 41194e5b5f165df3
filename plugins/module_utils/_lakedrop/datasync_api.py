# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every DataSync call of the collection: one small function per call, its error handler and retry
declared once here. Nothing else in the collection calls a DataSync client."""

import time

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from .common import CREATE_RETRY
from .common import RETRY
from .common import DataSyncErrorHandler
from .common import retry_propagation
from .common import wait_for

TAGS_PER_CALL = 50  # TagResource/UntagResource take at most 50 keys

# --- locations ---------------------------------------------------------------------------------------


# DataSync has one describe, create and update call per location type; `kind` is "S3" or "EFS".
@DataSyncErrorHandler.list_error_handler("describe {kind} location {arn}")
@RETRY
def describe_location(client, kind, arn):
    return _location_call(client, "describe", kind)(LocationArn=arn)


@DataSyncErrorHandler.common_error_handler("list DataSync locations")
@RETRY
def list_locations(client, filters=None):
    return _all_pages(client, "list_locations", "Locations", Filters=filters)


# Creates and updates test access to the bucket or file system with a role or policy that may have been
# written moments earlier: retry_propagation waits for IAM. Creates take no client token (CREATE_RETRY).
@DataSyncErrorHandler.common_error_handler("create {kind} location")
def create_location(client, kind, params, propagation_timeout=120):
    create = CREATE_RETRY(_location_call(client, "create", kind))
    return retry_propagation(lambda: create(**params), timeout=propagation_timeout)["LocationArn"]


@DataSyncErrorHandler.common_error_handler("update {kind} location {arn}")
def update_location(client, kind, arn, params, propagation_timeout=120):
    update = RETRY(_location_call(client, "update", kind))
    retry_propagation(lambda: update(LocationArn=arn, **params), timeout=propagation_timeout)


@DataSyncErrorHandler.deletion_error_handler("delete location {arn}")
@RETRY
def delete_location(client, arn):
    client.delete_location(LocationArn=arn)
    return True


def _location_call(client, verb, kind):
    """The client's `verb` ("describe", "create", "update") call for locations of `kind`."""
    return getattr(client, f"{verb}_location_{kind.lower()}")


# --- tasks -------------------------------------------------------------------------------------------


@DataSyncErrorHandler.list_error_handler("describe task {arn}")
@RETRY
def describe_task(client, arn):
    return _answer(client.describe_task(TaskArn=arn))


@DataSyncErrorHandler.common_error_handler("list DataSync tasks")
@RETRY
def list_tasks(client, filters=None):
    return _all_pages(client, "list_tasks", "Tasks", Filters=filters)


# CreateTask and UpdateTask may name a task-report role or a log group written moments earlier.
@DataSyncErrorHandler.common_error_handler("create task")
def create_task(client, params, propagation_timeout=120):
    call = CREATE_RETRY(client.create_task)
    return retry_propagation(lambda: call(**params), timeout=propagation_timeout)["TaskArn"]


@DataSyncErrorHandler.common_error_handler("update task {arn}")
def update_task(client, arn, params, propagation_timeout=120):
    retry_propagation(lambda: RETRY(client.update_task)(TaskArn=arn, **params), timeout=propagation_timeout)


@DataSyncErrorHandler.deletion_error_handler("delete task {arn}")
@RETRY
def delete_task(client, arn):
    client.delete_task(TaskArn=arn)
    return True


def wait_until_available(
    client, arn, timeout, interval=1.0, sleep=time.sleep, clock=time.monotonic, through=("CREATING",)
):
    """Poll DescribeTask while the task's Status is one of `through` (CREATING unless told). Returns (last
    description, True once it left them)."""
    return wait_for(
        lambda: describe_task(client, arn),
        # None: a task just created may not be described yet (eventual consistency); keep polling.
        lambda described: described is not None and described.get("Status") not in through,
        timeout,
        interval,
        sleep=sleep,
        clock=clock,
    )


# --- executions --------------------------------------------------------------------------------------


# A throttled start was refused, so retrying it is safe. InternalException may come after DataSync
# started the execution: retrying then could start a second one (CREATE_RETRY leaves it out).
@DataSyncErrorHandler.common_error_handler("start an execution of task {params[TaskArn]}")
@CREATE_RETRY
def start_task_execution(client, params):
    return client.start_task_execution(**params)["TaskExecutionArn"]


@DataSyncErrorHandler.list_error_handler("describe task execution {arn}")
@RETRY
def describe_task_execution(client, arn):
    return _answer(client.describe_task_execution(TaskExecutionArn=arn))


@DataSyncErrorHandler.list_error_handler("list executions of task {task_arn}", [])
@RETRY
def list_task_executions(client, task_arn):
    pages = {"PageSize": 100}  # at most 100 a page
    return _all_pages(client, "list_task_executions", "TaskExecutions", TaskArn=task_arn, PaginationConfig=pages)


@DataSyncErrorHandler.common_error_handler("cancel task execution {arn}")
@RETRY
def cancel_task_execution(client, arn):
    client.cancel_task_execution(TaskExecutionArn=arn)


TERMINAL = ("SUCCESS", "ERROR")


def wait_for_execution(client, arn, timeout, interval, sleep=time.sleep, clock=time.monotonic):
    """Poll until the execution is SUCCESS or ERROR. Returns (last description, finished)."""
    return wait_for(
        lambda: describe_task_execution(client, arn),
        lambda described: described is None or described.get("Status") in TERMINAL,
        timeout,
        interval,
        sleep=sleep,
        clock=clock,
    )


def wait_for_task(client, arn, not_in, timeout, interval, sleep=time.sleep, clock=time.monotonic):
    """Poll DescribeTask until its Status is none of `not_in` (e.g. TASK_BUSY: the task is free)."""
    return wait_for(
        lambda: describe_task(client, arn),
        lambda described: described is None or described.get("Status") not in not_in,
        timeout,
        interval,
        sleep=sleep,
        clock=clock,
    )


# --- tags (locations, tasks, executions) -------------------------------------------------------------


@DataSyncErrorHandler.list_error_handler("list tags of {arn}", {})
@RETRY
def list_tags(client, arn):
    return boto3_tag_list_to_ansible_dict(_all_pages(client, "list_tags_for_resource", "Tags", ResourceArn=arn))


@DataSyncErrorHandler.common_error_handler("tag {arn}")
@RETRY
def tag_resource(client, arn, tags):
    for chunk in _chunks(ansible_dict_to_boto3_tag_list(tags), TAGS_PER_CALL):
        client.tag_resource(ResourceArn=arn, Tags=chunk)


@DataSyncErrorHandler.common_error_handler("untag {arn}")
@RETRY
def untag_resource(client, arn, keys):
    for chunk in _chunks(sorted(keys), TAGS_PER_CALL):
        client.untag_resource(ResourceArn=arn, Keys=chunk)


def _chunks(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)]


def _all_pages(client, operation, key, **kwargs):
    """The `key` items of every page of a paginated call; arguments that are None or empty are left out."""
    kwargs = {name: value for name, value in kwargs.items() if value}
    return client.get_paginator(operation).paginate(**kwargs).build_full_result().get(key, [])


def _answer(response):
    """A Describe call's answer without its ResponseMetadata."""
    response.pop("ResponseMetadata", None)
    return response
