# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every EFS call of the collection: one small function per call, its error handler and retry declared
once here. Nothing else in the collection calls an EFS client."""

import json

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from .common import RETRY
from .common import EFSErrorHandler

# EFS answers TooManyRequests when the throughput mode changed too recently (a 24-hour limit): retrying
# cannot help, so that update retries only real throttling.
THROUGHPUT_RETRY = AWSRetry.jittered_backoff(
    retries=5, delay=1, max_delay=10, catch_extra_error_codes=["ThrottlingException"]
)

# --- file systems ------------------------------------------------------------------------------------


@EFSErrorHandler.list_error_handler("describe file system {file_system_id}")
@RETRY
def describe_file_system(client, file_system_id):
    """The file system's description, or None when it does not exist."""
    found = client.describe_file_systems(FileSystemId=file_system_id).get("FileSystems", [])
    return found[0] if found else None


@EFSErrorHandler.common_error_handler("update the throughput of file system {file_system_id}")
@THROUGHPUT_RETRY
def update_file_system(client, file_system_id, params):
    client.update_file_system(FileSystemId=file_system_id, **params)


@EFSErrorHandler.common_error_handler("describe the lifecycle configuration of {file_system_id}")
@RETRY
def describe_lifecycle_configuration(client, file_system_id):
    return client.describe_lifecycle_configuration(FileSystemId=file_system_id).get("LifecyclePolicies", [])


@EFSErrorHandler.common_error_handler("put the lifecycle configuration of {file_system_id}")
@RETRY
def put_lifecycle_configuration(client, file_system_id, policies):
    client.put_lifecycle_configuration(FileSystemId=file_system_id, LifecyclePolicies=policies)


@EFSErrorHandler.common_error_handler("describe the policy of file system {file_system_id}")
@RETRY
def describe_file_system_policy(client, file_system_id):
    """The stored policy document, or None when the file system has none."""
    try:
        answer = client.describe_file_system_policy(FileSystemId=file_system_id)
    except is_boto3_error_code("PolicyNotFound"):
        return None
    return json.loads(answer.get("Policy") or "{}")


@EFSErrorHandler.common_error_handler("put the policy of file system {file_system_id}")
@RETRY
def put_file_system_policy(client, file_system_id, document, bypass):
    client.put_file_system_policy(
        FileSystemId=file_system_id, Policy=json.dumps(document), BypassPolicyLockoutSafetyCheck=bypass
    )


@EFSErrorHandler.common_error_handler("delete the policy of file system {file_system_id}")
@RETRY
def delete_file_system_policy(client, file_system_id):
    client.delete_file_system_policy(FileSystemId=file_system_id)


# --- access points -----------------------------------------------------------------------------------


@EFSErrorHandler.list_error_handler("describe access points", [])
@RETRY
def describe_access_points(client, file_system_id=None, access_point_id=None):
    """Access points of a file system, the one with `access_point_id`, or all of them ([] when missing)."""
    kwargs = {}
    if access_point_id:
        kwargs["AccessPointId"] = access_point_id
    elif file_system_id:
        kwargs["FileSystemId"] = file_system_id
    paginator = client.get_paginator("describe_access_points")
    return paginator.paginate(**kwargs).build_full_result().get("AccessPoints", [])


def describe_access_point(client, access_point_id):
    """One access point's description, or None when it does not exist."""
    found = describe_access_points(client, access_point_id=access_point_id)
    return found[0] if found else None


# CreateAccessPoint carries a ClientToken, so retrying it (InternalException included) is safe.
@EFSErrorHandler.common_error_handler("create an access point on {params[FileSystemId]}")
@RETRY
def create_access_point(client, params):
    """The new access point's description. When ClientToken was used before, AWS refuses with
    AccessPointAlreadyExists; then {"AccessPointId": <the earlier one>, "AlreadyExists": True}."""
    try:
        created = client.create_access_point(**params)
    except botocore.exceptions.ClientError as err:
        if err.response.get("Error", {}).get("Code") != "AccessPointAlreadyExists" or not err.response.get(
            "AccessPointId"
        ):
            raise
        return {"AccessPointId": err.response["AccessPointId"], "AlreadyExists": True}
    created.pop("ResponseMetadata", None)
    return created


@EFSErrorHandler.deletion_error_handler("delete access point {access_point_id}")
@RETRY
def delete_access_point(client, access_point_id):
    client.delete_access_point(AccessPointId=access_point_id)
    return True


# --- tags --------------------------------------------------------------------------------------------


@EFSErrorHandler.common_error_handler("tag {resource_id}")
@RETRY
def tag_resource(client, resource_id, tags):
    client.tag_resource(ResourceId=resource_id, Tags=ansible_dict_to_boto3_tag_list(tags))


@EFSErrorHandler.common_error_handler("untag {resource_id}")
@RETRY
def untag_resource(client, resource_id, keys):
    client.untag_resource(ResourceId=resource_id, TagKeys=sorted(keys))
