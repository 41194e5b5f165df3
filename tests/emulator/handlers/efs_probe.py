"""A tiny function for the Lambda-in-a-VPC tests: touches its mount, its /tmp and S3, and reports what
happened (errors are answers, so the tests can assert on them)."""

import os

import boto3
from botocore.config import Config

CONFIG = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=2, read_timeout=5)


def _error(err: BaseException) -> dict:
    return {"error": type(err).__name__, "errno": getattr(err, "errno", None), "message": str(err)}


def handler(event, _context):
    if "Records" in event:  # an SQS batch: each body is written as a file of the mount
        for record in event["Records"]:
            with open(os.path.join("/mnt/lakedrop", record["messageId"]), "w", encoding="utf-8") as handle:
                handle.write(record["body"])
        return {}
    op = event["op"]
    try:
        if op == "write":
            path = os.path.join(event["mount"], event["name"])
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(event.get("text", ""))
            stat = os.stat(path)
            return {"uid": stat.st_uid, "gid": stat.st_gid, "mode": stat.st_mode & 0o777, "euid": os.geteuid()}
        if op == "read":
            with open(os.path.join(event["mount"], event["name"]), encoding="utf-8") as handle:
                return {"text": handle.read()}
        if op == "fill_tmp":
            chunk = b"\0" * (1024 * 1024)
            written = 0
            with open("/tmp/fill", "wb") as handle:  # noqa: S108 - the function's own /tmp
                for _ in range(int(event["mb"])):
                    handle.write(chunk)
                    handle.flush()
                    written += 1
            os.unlink("/tmp/fill")  # noqa: S108
            return {"written_mb": written}
        if op == "tmp_size":
            usage = os.statvfs("/tmp")  # noqa: S108
            return {"mb": usage.f_blocks * usage.f_frsize // (1024 * 1024)}
        if op == "environment":
            return {"names": sorted(os.environ)}
        if op == "s3_list":
            s3 = boto3.client("s3", config=CONFIG)
            listed = s3.list_objects_v2(Bucket=event["bucket"])
            return {"keys": [o["Key"] for o in listed.get("Contents", [])]}
        if op == "s3_get":
            s3 = boto3.client("s3", config=CONFIG)
            return {"body": s3.get_object(Bucket=event["bucket"], Key=event["key"])["Body"].read().decode()}
        if op == "sqs":
            boto3.client("sqs", config=CONFIG).list_queues()
            return {"reached": True}
    except Exception as err:  # noqa: BLE001 - reported to the test
        return _error(err)
    raise ValueError(f"unknown op {op}")
