"""lakedrop.delivery upload trigger: S3 ObjectCreated events -> DataSync executions of exactly the new objects.

Runs on AWS Lambda (Python 3.12, boto3 only). Configured by environment:
  LAKEDROP_TASK_ARN               the DataSync task to start
  LAKEDROP_SOURCE_SUBDIRECTORY    the S3 location's subdirectory (e.g. "incoming/"; "" = bucket root)
  LAKEDROP_STARTS                 manifest (the role's default) or filters (unset: filters)
  LAKEDROP_MANIFEST_BUCKET        manifest mode: the bucket manifests and the pending record are written to
  LAKEDROP_MANIFEST_ROLE_ARN      manifest mode: the role DataSync reads the manifest with

Events come straight from S3 (direct mode) or as SQS messages whose bodies are S3 notifications
(queued mode). Every record counts and keys are URL-decoded.

Manifest starts: each start names a CSV of exactly the new keys (with their version IDs), and at most one
execution waits behind the running one: a batch arriving while the task's waiting execution has not
launched replaces it with one covering both (start the new one, record it, only then cancel the old one,
so no key is ever uncovered). Concurrent invocations serialize on the pending record in the manifest
bucket with S3 conditional writes; the loser re-reads and tries again.

Filter starts (the earlier mode): the include filter names each object relative to the subdirectory.

When AWS refuses (busy, throttling, a conflicting write) the handler retries within its time budget, then
fails loudly so the event comes back: SQS redelivers the failed messages (partial batch response), Lambda
retries an async event and then sends it to the on-failure destination. Nothing is dropped silently.
"""

import csv
import io
import json
import os
import random
import time
import uuid
from urllib.parse import unquote_plus

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

MAX_FILTER_VALUE = 102_400  # DataSync's limit for one filter value
SEPARATOR = "|"
RESERVED = ".lakedrop-fast"  # the fast path's state directory at the access point's root (roles/fast_path)
# Refusals that pass: a busy task, throttling, a service hiccup (DataSync's and S3's codes).
RETRYABLE = {
    "InvalidRequestException",
    "ThrottlingException",
    "InternalException",
    "TooManyRequestsException",
    "SlowDown",
    "InternalError",
    "ServiceUnavailable",
}
# What a wrong question answers (an execution DataSync no longer knows, one no longer cancellable): never a
# busy task, so describing and cancelling retry only throttling and service hiccups.
PASSING = RETRYABLE - {"InvalidRequestException"}
# Another invocation wrote the pending record first (S3 conditional writes: 412, or 409 while it was writing).
CONFLICTS = {"PreconditionFailed", "ConditionalRequestConflict"}
# The tag on an execution the trigger cancelled because another one covers its keys.
REPLACED_BY = "lakedrop:replaced-by"

_CLIENTS = {}


def _client(service):
    """One client per service and container (warm invocations reuse them); AWS_ENDPOINT_URL is honoured by
    boto3. botocore's own retries are off: they would sleep past the function's time budget unlogged, so
    `call` retries refusals itself and anything else fails loudly and comes back."""
    if service not in _CLIENTS:
        _CLIENTS[service] = boto3.client(service, config=Config(retries={"mode": "standard", "total_max_attempts": 1}))
    return _CLIENTS[service]


def log(**fields):
    print(json.dumps(fields, default=str, ensure_ascii=False), flush=True)


def error_code(err):
    return err.response.get("Error", {}).get("Code", "")


# --- the one boto3 call site, with retries inside the time budget --------------------------------


def call(service, operation, deadline, sleep=time.sleep, clock=time.monotonic, retryable=RETRYABLE, **params):
    """(response, attempts) of one AWS call; refusals in `retryable` are retried with jittered backoff until
    `deadline` (monotonic seconds), every other error is raised at once."""
    delay = 0.5
    attempt = 0
    while True:
        attempt += 1
        try:
            return getattr(_client(service), operation)(**params), attempt
        except ClientError as err:
            code = error_code(err)
            if code not in retryable or clock() + delay > deadline:
                raise
            log(outcome="retrying", operation=operation, code=code, attempt=attempt, message=str(err))
        sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not crypto
        delay = min(delay * 2, 8.0)


# --- pure functions: what tests call -----------------------------------------------------------------


def _s3_records(notification):
    """(key, version ID, sequencer) of each ObjectCreated record of one S3 notification, skipping test
    events and folder placeholders."""
    if not isinstance(notification, dict) or notification.get("Event") == "s3:TestEvent":
        return []
    found = []
    for record in notification.get("Records") or []:
        if not str(record.get("eventName", "ObjectCreated")).startswith("ObjectCreated"):
            continue
        obj = (record.get("s3") or {}).get("object") or {}
        if obj.get("key") is None:
            continue
        key = unquote_plus(obj["key"])  # S3 encodes keys in events, spaces as "+"
        if key and not key.endswith("/"):  # a trailing "/" is a folder placeholder, not a file
            version = obj.get("versionId")
            found.append((key, version if version and version != "null" else None, obj.get("sequencer")))
    return found


def _body(message):
    """The S3 notification in one SQS message (ValueError if its body is not JSON)."""
    body = json.loads(message.get("body") or "")
    if isinstance(body, dict) and "Message" in body and body.get("Type") == "Notification":
        body = json.loads(body["Message"])  # S3 -> SNS -> SQS fan-out
    return body


def _notifications(event):
    """[(sqs message id or None, S3 notification or None if unreadable)] of an S3 or SQS event."""
    records = (event or {}).get("Records") or []
    if not (records and records[0].get("eventSource") == "aws:sqs"):
        return [(None, event or {})]
    out = []
    for message in records:
        try:
            out.append((message.get("messageId"), _body(message)))
        except ValueError:
            out.append((message.get("messageId"), None))
    return out


def _records(notifications):
    return [(m, None if body is None else _s3_records(body)) for m, body in notifications]


def _keys(records):
    return [(m, None if found is None else [k for k, _v, _s in found]) for m, found in records]


def records_from_event(event):
    """[(sqs message id or None, [(key, version, sequencer)] or None)] for an S3 event or an SQS event of
    S3 notifications. None marks an SQS message whose body is not JSON: it is reported as a batch failure
    so it lands in the dead-letter queue with its body, rather than being dropped."""
    return _records(_notifications(event))


def messages_from_event(event):
    """[(sqs message id or None, [keys] or None)] (see records_from_event)."""
    return _keys(records_from_event(event))


def execution_tags(event):
    """Tags for the execution (see upload_tags)."""
    return upload_tags(_notifications(event))


def upload_tags(notifications):
    """Tags for the execution: when the batch's oldest and newest uploads happened (S3's eventTime) and
    how many records it carries. The observer turns them into the LakeDrop/DeliveryLatency metric when
    the execution ends; DataSync tag values allow the characters of an ISO 8601 time."""
    times = sorted(
        str(record["eventTime"])
        for _m, body in notifications
        if isinstance(body, dict)
        for record in body.get("Records") or []
        if record.get("eventTime") and str(record.get("eventName", "ObjectCreated")).startswith("ObjectCreated")
    )
    if not times:
        return []
    return _upload_tags(times[0], times[-1], len(times))


def _upload_tags(oldest, newest, uploads):
    return [
        {"Key": "lakedrop:oldest-upload", "Value": oldest},
        {"Key": "lakedrop:newest-upload", "Value": newest},
        {"Key": "lakedrop:uploads", "Value": str(uploads)},
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


def relative_path(key, subdirectory):
    """`key` relative to the location's subdirectory (no leading "/"), or None if it lies outside — or under
    the fast path's own state directory (roles/fast_path), which no upload may write."""
    prefix = _prefix(subdirectory)
    if not key.startswith(prefix) or key == prefix:
        return None
    relative = key[len(prefix) :]
    return None if relative.split("/", 1)[0] == RESERVED else relative


def pattern_for(key, subdirectory):
    """The include pattern that names `key` (relative to the location's subdirectory), or None if the
    key lies outside it. `|` separates patterns and `*` is a wildcard, so a key containing either is
    covered by the longest prefix before that character followed by `*`: as narrow as DataSync's
    syntax allows, never dropped."""
    relative = relative_path(key, subdirectory)
    if relative is None:
        return None
    path = "/" + relative
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


def _later(sequencer, than):
    """S3's sequencer orders events of one key: the greater hexadecimal value happened later. A record
    without one (hand-made events) counts as later, so the last record seen wins."""
    if not sequencer or not than:
        return True
    try:
        return int(sequencer, 16) >= int(than, 16)
    except ValueError:
        return True


def merge_entries(entries, records, subdirectory=None):
    """`entries` ({relative path: [version, sequencer]}) with `records` added: one entry per path, the
    newest version by S3's sequencer. With `subdirectory`, records are (key, version, sequencer) of
    object keys and keys outside it are left out; without, they are already relative entries."""
    merged = dict(entries)
    for key, version, sequencer in records:
        path = key if subdirectory is None else relative_path(key, subdirectory)
        if path is None:
            continue
        known = merged.get(path)
        if known is None or _later(sequencer, known[1]):
            merged[path] = [version, sequencer]
    return merged


def manifest_csv(entries):
    """The manifest DataSync reads: UTF-8 CSV, one object per line, its path relative to the location's
    subdirectory and its version ID when known; quoting as RFC 4180 (DataSync's guide: quote paths
    holding commas, quotes or newlines), so `|`, `*`, commas and quotes name exactly one object."""
    out = io.StringIO()
    # QUOTE_MINIMAL quotes the delimiter, the quote and the line terminator's characters only: with "\n" as
    # terminator a "\r" in a key would end the row for a CSV reader, so quote such fields explicitly.
    writer = csv.writer(out, lineterminator="\n")
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for path, (version, _sequencer) in entries.items():
        row = [path, version] if version else [path]
        (quoted if "\r" in path else writer).writerow(row)
    return out.getvalue().encode("utf-8")


def manifest_config(bucket_arn, key, role_arn):
    return {
        "Action": "TRANSFER",
        "Format": "CSV",
        "Source": {"S3": {"ManifestObjectPath": key, "BucketAccessRoleArn": role_arn, "S3BucketArn": bucket_arn}},
    }


def pending_record(execution_arn, manifest_key, entries, tags):
    """What the pending record says: the waiting execution, its manifest and everything it covers."""
    return {
        "execution_arn": execution_arn,
        "manifest": manifest_key,
        "entries": [[path, version, sequencer] for path, (version, sequencer) in entries.items()],
        "tags": tags,
    }


def carried_over(pending):
    """(entries, tags) a replacement must cover from a pending record that still waits."""
    entries = {path: [version, sequencer] for path, version, sequencer in pending.get("entries") or []}
    return entries, pending.get("tags") or []


def merge_tags(carried, new):
    """Upload-time tags of a replacement: the oldest and newest upload of both, all their uploads."""
    both = [dict((t["Key"], t["Value"]) for t in tags) for tags in (carried, new) if tags]
    if not both:
        return []
    return _upload_tags(
        min(t["lakedrop:oldest-upload"] for t in both),
        max(t["lakedrop:newest-upload"] for t in both),
        sum(int(t["lakedrop:uploads"]) for t in both),
    )


# --- manifest starts ----------------------------------------------------------------------------------


class Manifests:
    """Where one task's manifests and pending record live, and the calls that read and write them."""

    def __init__(self, task_arn, bucket, role_arn, deadline):
        self.task_arn = task_arn
        self.task_id = task_arn.rsplit("/", 1)[-1]
        self.bucket = bucket
        self.bucket_arn = f"arn:{task_arn.split(':')[1]}:s3:::{bucket}"
        self.role_arn = role_arn
        self.deadline = deadline
        self.pending_key = f"pending/{self.task_id}.json"

    def read_pending(self):
        """(record or None, ETag or None)."""
        try:
            response, _ = call("s3", "get_object", self.deadline, Bucket=self.bucket, Key=self.pending_key)
        except ClientError as err:
            if error_code(err) == "NoSuchKey":
                return None, None
            raise
        return json.loads(response["Body"].read()), response["ETag"]

    def write_pending(self, record, etag):
        """Replace the pending record only if it is still the one read (If-Match), or create it only if
        there was none (If-None-Match); a conflict raises ClientError with a code in CONFLICTS."""
        condition = {"IfMatch": etag} if etag else {"IfNoneMatch": "*"}
        body = json.dumps(record, separators=(",", ":")).encode("utf-8")
        call("s3", "put_object", self.deadline, Bucket=self.bucket, Key=self.pending_key, Body=body, **condition)

    def write_manifest(self, entries):
        day = time.strftime("%Y-%m-%d", time.gmtime())
        key = f"manifests/{self.task_id}/{day}/{uuid.uuid4()}.csv"
        call("s3", "put_object", self.deadline, Bucket=self.bucket, Key=key, Body=manifest_csv(entries))
        return key

    def status(self, execution_arn):
        """The execution's status, or None when it cannot be read (DataSync keeps executions for a while; the
        not-found wording is not documented). None is safe: such an execution is neither carried nor cancelled,
        so if it still exists it runs with its own keys."""
        try:
            response, _ = call(
                "datasync",
                "describe_task_execution",
                self.deadline,
                retryable=PASSING,
                TaskExecutionArn=execution_arn,
            )
        except ClientError as err:
            log(outcome="unreadable-execution", execution_arn=execution_arn, code=error_code(err))
            return None
        return response["Status"]

    def start(self, manifest_key, tags):
        extra = {"Tags": tags} if tags else {}
        response, attempts = call(
            "datasync",
            "start_task_execution",
            self.deadline,
            TaskArn=self.task_arn,
            ManifestConfig=manifest_config(self.bucket_arn, manifest_key, self.role_arn),
            **extra,
        )
        return response["TaskExecutionArn"], attempts

    def cancel_if_waiting(self, execution_arn, replacement_arn):
        """Cancel an execution that has not launched, tagged first with the execution that covers its keys
        (`lakedrop:replaced-by`), so the observer counts its end (ERROR, cancelled) as no failure. One that
        launched meanwhile runs: its keys are covered again by the replacement, delivered twice, which
        TransferMode CHANGED makes harmless."""
        if self.status(execution_arn) != "QUEUED":
            log(outcome="not-cancelled", execution_arn=execution_arn, reason="launched")
            return False
        try:
            call(
                "datasync",
                "tag_resource",
                self.deadline,
                retryable=PASSING,
                ResourceArn=execution_arn,
                Tags=[{"Key": REPLACED_BY, "Value": replacement_arn}],
            )
            call("datasync", "cancel_task_execution", self.deadline, retryable=PASSING, TaskExecutionArn=execution_arn)
        except ClientError as err:
            log(outcome="not-cancelled", execution_arn=execution_arn, code=error_code(err), message=str(err))
            return False
        log(outcome="cancelled", execution_arn=execution_arn, replaced_by=replacement_arn)
        return True


def start_by_manifest(manifests, new_entries, new_tags, sleep=time.sleep, clock=time.monotonic):
    """Start one execution covering `new_entries` and whatever the task's waiting execution covers, so
    that at most one execution waits. Returns the started execution's ARN.

    Order matters: start the replacement, record it in the pending record (conditional write), only then
    cancel what it replaces, so a crash at any point leaves every key covered by some execution. On a
    conflict another invocation recorded its own replacement: ours, if it waits, stays uncancelled until a
    retry that covers its keys is recorded, then it is cancelled with the execution the retry replaced."""
    unrecorded = []  # our executions no record names yet: each covers new_entries
    delay = 0.2
    while True:
        pending, etag = manifests.read_pending()
        carried, carried_tags, replaced = {}, [], None
        if pending and pending.get("execution_arn") and manifests.status(pending["execution_arn"]) == "QUEUED":
            carried, carried_tags = carried_over(pending)
            replaced = pending["execution_arn"]
        entries = merge_entries(carried, [(p, v, s) for p, (v, s) in new_entries.items()])
        tags = merge_tags(carried_tags, new_tags)
        manifest_key = manifests.write_manifest(entries)
        execution_arn, attempts = manifests.start(manifest_key, tags)
        log(
            outcome="started",
            execution_arn=execution_arn,
            manifest=manifest_key,
            entries=len(entries),
            carried=len(carried),
            replaces=replaced,
            attempts=attempts,
        )
        try:
            manifests.write_pending(pending_record(execution_arn, manifest_key, entries, tags), etag)
        except ClientError as err:
            if error_code(err) not in CONFLICTS:
                raise
            log(outcome="conflict", code=error_code(err), execution_arn=execution_arn)
            if manifests.status(execution_arn) != "QUEUED":
                # It launched (the task was idle): the new keys are being copied, nothing waits to record.
                for superseded in unrecorded:
                    manifests.cancel_if_waiting(superseded, execution_arn)
                return execution_arn
            unrecorded.append(execution_arn)
            if clock() + delay > manifests.deadline:
                # Our executions still cover the new keys; none of them is recorded, so nobody cancels them.
                log(outcome="left-unrecorded", executions=unrecorded)
                return execution_arn
            sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not crypto
            delay = min(delay * 2, 2.0)
            continue
        for superseded in ([replaced] if replaced else []) + unrecorded:
            manifests.cancel_if_waiting(superseded, execution_arn)
        return execution_arn


# Retries of a busy task stop early enough to log and answer before Lambda's timeout: 5 s of the
# budget are kept back, or a fifth of it for short timeouts.
RESERVE_SECONDS = 5.0
RESERVE_FRACTION = 0.2


def _deadline(context):
    remaining = (context.get_remaining_time_in_millis() if context else 60_000) / 1000.0
    return time.monotonic() + max(0.0, remaining - min(RESERVE_SECONDS, remaining * RESERVE_FRACTION))


def _answer(queued, failed_messages, errors, started, keys):
    if queued:
        # Only the failed messages come back (ReportBatchItemFailures); the rest are deleted.
        return {"batchItemFailures": [{"itemIdentifier": m} for m in sorted(failed_messages)]}
    if errors:
        # Direct (async) invocation: raising makes Lambda retry, then use the on-failure destination.
        raise RuntimeError(f"DataSync refused {len(errors)} of {started + len(errors)} start(s): {sorted(set(errors))}")
    return {"started": started, "keys": keys}


def _failure(err, **fields):
    error = err.response.get("Error", {})
    log(outcome="failed", code=error.get("Code"), message=error.get("Message"), **fields)
    return error.get("Code")


def handle_manifest(notifications, task_arn, subdirectory, deadline):
    bucket = os.environ.get("LAKEDROP_MANIFEST_BUCKET", "")
    role_arn = os.environ.get("LAKEDROP_MANIFEST_ROLE_ARN", "")
    if not bucket or not role_arn:
        # A deployment mistake, not an event problem: every message comes back until it is fixed.
        raise RuntimeError("manifest starts need LAKEDROP_MANIFEST_BUCKET and LAKEDROP_MANIFEST_ROLE_ARN")
    messages = _records(notifications)
    queued = any(message_id for message_id, _ in messages)
    failed_messages = {message_id for message_id, found in messages if found is None}
    for message_id in failed_messages:
        log(outcome="unreadable-message", message_id=message_id)
    records = [record for _m, found in messages for record in found or []]
    if os.environ.get("LAKEDROP_MANIFEST_VERSIONS") == "current":
        # With a fast path, a newer small version may already be on EFS: DataSync reads the current version,
        # never an older one by its ID (it would land over the newer copy).
        records = [(key, None, sequencer) for key, _version, sequencer in records]
    for key, _version, _sequencer in records:
        if relative_path(key, subdirectory) is None:
            log(outcome="outside-subdirectory", key=key, subdirectory=subdirectory)
    entries = merge_entries({}, records, subdirectory)
    log(outcome="received", messages=len(messages), keys=len(entries), sample=list(entries)[:20])
    if not entries:
        return _answer(queued, failed_messages, [], 0, 0)
    errors = []
    try:
        start_by_manifest(Manifests(task_arn, bucket, role_arn, deadline), entries, upload_tags(notifications))
    except ClientError as err:
        errors.append(_failure(err, keys=len(entries), sample=list(entries)[:20]))
        failed_messages.update(m for m, found in messages if found)
    return _answer(queued, failed_messages, errors, 0 if errors else 1, len(entries))


def handle_filters(notifications, task_arn, subdirectory, deadline):
    messages = _keys(_records(notifications))
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

    tags = upload_tags(notifications)
    extra = {"Tags": tags} if tags else {}
    errors = []
    for value in values:
        patterns = value.split(SEPARATOR)
        try:
            response, attempts = call(
                "datasync",
                "start_task_execution",
                deadline,
                TaskArn=task_arn,
                Includes=[{"FilterType": "SIMPLE_PATTERN", "Value": value}],
                **extra,
            )
            log(
                outcome="started",
                execution_arn=response["TaskExecutionArn"],
                patterns=len(patterns),
                attempts=attempts,
                sample=patterns[:20],
            )
        except ClientError as err:
            errors.append(_failure(err, patterns=len(patterns), sample=patterns[:20]))
            for pattern in patterns:
                failed_messages.update(owners.get(pattern, ()))
    return _answer(queued, failed_messages, errors, len(values) - len(errors), len(keys))


def handler(event, context):
    task_arn = os.environ["LAKEDROP_TASK_ARN"]
    subdirectory = os.environ.get("LAKEDROP_SOURCE_SUBDIRECTORY", "")
    starts = os.environ.get("LAKEDROP_STARTS") or "filters"
    if starts not in ("manifest", "filters"):
        raise RuntimeError(f"LAKEDROP_STARTS must be manifest or filters, not {starts!r}")
    handle = handle_manifest if starts == "manifest" else handle_filters
    # Each SQS body is parsed once: a batch carries up to 10,000 of them.
    return handle(_notifications(event), task_arn, subdirectory, _deadline(context))
