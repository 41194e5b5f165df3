"""lakedrop.delivery upload trigger: S3 ObjectCreated events -> one DataSync execution per batch.

Runs on AWS Lambda (Python 3.12, boto3 only). Configured by environment:
  LAKEDROP_TASK_ARN               the DataSync task to start
  LAKEDROP_SOURCE_SUBDIRECTORY    the S3 location's subdirectory (e.g. "incoming/"; "" = bucket root)

Events come straight from S3 (direct mode) or as SQS messages whose bodies are S3 notifications
(queued mode). Every record counts, keys are URL-decoded, and the include filter names each object
relative to the location's subdirectory. When DataSync refuses (busy with the same filter, throttling)
the handler retries within its time budget, then fails loudly so the event comes back: SQS redelivers
the failed messages (partial batch response), Lambda retries an async event and then sends it to the
on-failure destination. Nothing is dropped silently.
"""

import json
import os
import random
import time
from urllib.parse import unquote_plus

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

MAX_FILTER_VALUE = 102_400  # DataSync's limit for one filter value
SEPARATOR = "|"
RETRYABLE = {"InvalidRequestException", "ThrottlingException", "InternalException", "TooManyRequestsException"}

_CLIENT = None


def _datasync():
    """One client per container (warm invocations reuse it); AWS_ENDPOINT_URL is honoured by boto3.
    botocore's own retries are off: they would sleep past the function's time budget unlogged, so the
    handler retries refusals itself (start_execution) and anything else fails loudly and comes back."""
    global _CLIENT
    if _CLIENT is None:
        _CLIENT = boto3.client("datasync", config=Config(retries={"mode": "standard", "total_max_attempts": 1}))
    return _CLIENT


def log(**fields):
    print(json.dumps(fields, default=str, ensure_ascii=False), flush=True)


# --- pure functions: what tests call -----------------------------------------------------------------


def _s3_records(notification):
    """Object keys of one S3 notification (skipping test events and folder placeholders)."""
    if not isinstance(notification, dict) or notification.get("Event") == "s3:TestEvent":
        return []
    keys = []
    for record in notification.get("Records") or []:
        if not str(record.get("eventName", "ObjectCreated")).startswith("ObjectCreated"):
            continue
        raw = ((record.get("s3") or {}).get("object") or {}).get("key")
        if raw is None:
            continue
        key = unquote_plus(raw)  # S3 encodes keys in events, spaces as "+"
        if key and not key.endswith("/"):  # a trailing "/" is a folder placeholder, not a file
            keys.append(key)
    return keys


def _body(message):
    """The S3 notification in one SQS message (ValueError if its body is not JSON)."""
    body = json.loads(message.get("body") or "")
    if isinstance(body, dict) and "Message" in body and body.get("Type") == "Notification":
        body = json.loads(body["Message"])  # S3 -> SNS -> SQS fan-out
    return body


def messages_from_event(event):
    """[(sqs message id or None, [keys])] for an S3 event or an SQS event of S3 notifications.

    Raises ValueError for an SQS message whose body is not JSON: it is reported as a batch failure so
    it lands in the dead-letter queue with its body, rather than being dropped.
    """
    records = (event or {}).get("Records") or []
    if records and records[0].get("eventSource") == "aws:sqs":
        out = []
        for message in records:
            try:
                body = _body(message)
            except ValueError:
                out.append((message.get("messageId"), None))
                continue
            out.append((message.get("messageId"), _s3_records(body)))
        return out
    return [(None, _s3_records(event))]


def _bodies(event):
    """The S3 notifications an S3 or SQS event carries (unreadable SQS bodies skipped)."""
    records = (event or {}).get("Records") or []
    if not (records and records[0].get("eventSource") == "aws:sqs"):
        return [event or {}]
    found = []
    for message in records:
        try:
            found.append(_body(message))
        except ValueError:
            continue  # reported by messages_from_event
    return found


def execution_tags(event):
    """Tags for the execution: when the batch's oldest and newest uploads happened (S3's eventTime) and
    how many records it carries. The observer turns them into the LakeDrop/DeliveryLatency metric when
    the execution ends; DataSync tag values allow the characters of an ISO 8601 time."""
    times = sorted(
        str(record["eventTime"])
        for body in _bodies(event)
        if isinstance(body, dict)
        for record in body.get("Records") or []
        if record.get("eventTime") and str(record.get("eventName", "ObjectCreated")).startswith("ObjectCreated")
    )
    if not times:
        return []
    return [
        {"Key": "lakedrop:oldest-upload", "Value": times[0]},
        {"Key": "lakedrop:newest-upload", "Value": times[-1]},
        {"Key": "lakedrop:uploads", "Value": str(len(times))},
    ]


def keys_from_event(event):
    """Decoded object keys of an S3 or SQS event, every record, de-duplicated in order."""
    seen = {}
    for _message_id, keys in messages_from_event(event):
        for key in keys or []:
            seen.setdefault(key, None)
    return list(seen)


def _prefix(subdirectory):
    sub = (subdirectory or "").strip("/")
    return sub + "/" if sub else ""


def pattern_for(key, subdirectory):
    """The include pattern that names `key` (relative to the location's subdirectory), or None if the
    key lies outside it. `|` separates patterns and `*` is a wildcard, so a key containing either is
    covered by the longest prefix before that character followed by `*`: as narrow as DataSync's
    syntax allows, never dropped."""
    prefix = _prefix(subdirectory)
    if not key.startswith(prefix) or key == prefix:
        return None
    path = "/" + key[len(prefix) :]
    cut = min((i for i in (path.find("|"), path.find("*")) if i >= 0), default=-1)
    return path if cut < 0 else path[:cut] + "*"


def filter_values(keys, subdirectory):
    """Include-filter values covering exactly `keys`: patterns joined with `|`, each value at most
    102,400 characters (several values when needed). Keys outside the subdirectory are left out."""
    patterns = {}
    for key in keys:
        pattern = pattern_for(key, subdirectory)
        if pattern is not None:
            patterns.setdefault(pattern, None)
    values, current, size = [], [], 0
    for pattern in patterns:
        added = len(pattern) + (1 if current else 0)
        if current and size + added > MAX_FILTER_VALUE:
            values.append(SEPARATOR.join(current))
            current, size = [], 0
            added = len(pattern)
        current.append(pattern)
        size += added
    if current:
        values.append(SEPARATOR.join(current))
    return values


# --- the one boto3 call site, with retries inside the time budget --------------------------------


def start_execution(task_arn, value, deadline, sleep=time.sleep, clock=time.monotonic, tags=()):
    """Start the task with one include value; retry refusals until `deadline` (monotonic seconds)."""
    delay = 0.5
    attempt = 0
    extra = {"Tags": list(tags)} if tags else {}
    while True:
        attempt += 1
        try:
            response = _datasync().start_task_execution(
                TaskArn=task_arn, Includes=[{"FilterType": "SIMPLE_PATTERN", "Value": value}], **extra
            )
            return response["TaskExecutionArn"], attempt
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code", "")
            if code not in RETRYABLE or clock() + delay > deadline:
                raise
            log(outcome="retrying", code=code, attempt=attempt, message=err.response.get("Error", {}).get("Message"))
        sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not crypto
        delay = min(delay * 2, 8.0)


# Retries of a busy task stop early enough to log and answer before Lambda's timeout: 5 s of the
# budget are kept back, or a fifth of it for short timeouts.
RESERVE_SECONDS = 5.0
RESERVE_FRACTION = 0.2


def _deadline(context):
    remaining = (context.get_remaining_time_in_millis() if context else 60_000) / 1000.0
    return time.monotonic() + max(0.0, remaining - min(RESERVE_SECONDS, remaining * RESERVE_FRACTION))


def handler(event, context):
    task_arn = os.environ["LAKEDROP_TASK_ARN"]
    subdirectory = os.environ.get("LAKEDROP_SOURCE_SUBDIRECTORY", "")
    messages = messages_from_event(event)
    queued = any(message_id for message_id, _ in messages)
    failed_messages = {message_id for message_id, keys in messages if keys is None}
    for message_id in failed_messages:
        log(outcome="unreadable-message", message_id=message_id)

    owners = {}  # pattern -> message ids whose keys it covers
    keys = []
    for message_id, message_keys in messages:
        for key in message_keys or []:
            keys.append(key)
            pattern = pattern_for(key, subdirectory)
            if pattern is None:
                log(outcome="outside-subdirectory", key=key, subdirectory=subdirectory)
                continue
            owners.setdefault(pattern, set()).add(message_id)
    keys = list(dict.fromkeys(keys))
    values = filter_values(keys, subdirectory)
    log(
        outcome="received",
        messages=len(messages),
        keys=len(keys),
        patterns=len(owners),
        values=len(values),
        sample=keys[:20],
    )

    deadline = _deadline(context)
    tags = execution_tags(event)
    errors = []
    for value in values:
        patterns = value.split(SEPARATOR)
        try:
            execution_arn, attempts = start_execution(task_arn, value, deadline, tags=tags)
            log(
                outcome="started",
                execution_arn=execution_arn,
                patterns=len(patterns),
                attempts=attempts,
                sample=patterns[:20],
            )
        except ClientError as err:
            error = err.response.get("Error", {})
            log(
                outcome="failed",
                code=error.get("Code"),
                message=error.get("Message"),
                patterns=len(patterns),
                sample=patterns[:20],
            )
            errors.append(error.get("Code"))
            for pattern in patterns:
                failed_messages.update(owners.get(pattern, ()))

    if queued:
        # Only the failed messages come back (ReportBatchItemFailures); the rest are deleted.
        return {"batchItemFailures": [{"itemIdentifier": m} for m in sorted(failed_messages)]}
    if errors:
        # Direct (async) invocation: raising makes Lambda retry, then use the on-failure destination.
        raise RuntimeError(f"DataSync refused {len(errors)} of {len(values)} start(s): {sorted(set(errors))}")
    return {"started": len(values), "keys": len(keys)}
