"""A trigger that behaves like the public sample's (our own re-creation, for comparison only):
reads only Records[0], does not URL-decode the key, names the file by its basename, starts one
execution per event and raises on any refusal (no dead-letter queue behind it)."""

import os

import boto3

_CLIENT = boto3.client("datasync")


def handler(event, context):
    key = event["Records"][0]["s3"]["object"]["key"]
    _CLIENT.start_task_execution(
        TaskArn=os.environ["LAKEDROP_TASK_ARN"],
        Includes=[{"FilterType": "SIMPLE_PATTERN", "Value": "/" + os.path.basename(key)}],
    )
    return {"started": 1}
