"""DataSync's value rules that botocore's shapes cannot express, each encoded from its source (see
docs/emulator-fidelity.md, "DataSync"). Pure functions: ext/datasync.py applies them to requests.

- Options: the defaults a task starts with and the combinations the `Options` documentation in
  botocore's DataSync model (2018-11-09) refuses;
- the quota on queued executions per task (DataSync user guide, "Quotas");
- schedules no more frequent than hourly (user guide, "Scheduling your task");
- the S3 location subdirectory as the API takes it and shows it back;
- manifests (user guide, "Transferring specific files or objects by using a manifest"; Model
  `StartTaskExecution.ManifestConfig`, `ManifestConfig.Source`): what a start with one may not hold, and
  the CSV as DataSync reads it.
"""

from __future__ import annotations

import csv
import io
import re

# DataSync user guide, Quotas: "queued task executions per task: 50", not adjustable.
MAX_QUEUED_EXECUTIONS = 50

# What AWS answers for a task created without Options: the defaults botocore's Options documentation names,
# and for the options it names none for (BytesPerSecond, LogLevel, SecurityDescriptorCopyFlags on a
# non-SMB task) the values terraform-provider-aws's TestAccDataSyncTask_basic reads back from AWS.
BASIC_DEFAULTS = {
    "VerifyMode": "POINT_IN_TIME_CONSISTENT",  # "The default option for Basic mode tasks"
    "OverwriteMode": "ALWAYS",
    "Atime": "BEST_EFFORT",
    "Mtime": "PRESERVE",
    "Uid": "INT_VALUE",
    "Gid": "INT_VALUE",
    "PreserveDeletedFiles": "PRESERVE",
    "PreserveDevices": "NONE",
    "PosixPermissions": "PRESERVE",
    "BytesPerSecond": -1,
    "TaskQueueing": "ENABLED",
    "LogLevel": "OFF",
    "TransferMode": "CHANGED",
    "SecurityDescriptorCopyFlags": "NONE",
    "ObjectTags": "PRESERVE",
}
# VerifyMode ONLY_FILES_TRANSFERRED: "This is the default option for Enhanced mode tasks"; the documentation
# names no other default that differs by mode.
ENHANCED_DEFAULTS = {**BASIC_DEFAULTS, "VerifyMode": "ONLY_FILES_TRANSFERRED"}


def default_options(task_mode: str) -> dict:
    return dict(ENHANCED_DEFAULTS if task_mode == "ENHANCED" else BASIC_DEFAULTS)


def option_problems(options: dict, task_mode: str, location_kinds: tuple[str, ...]) -> list[str]:
    """Why DataSync refuses these effective Options (the task's merged with what the request sets) for a
    task of `task_mode` between locations of `location_kinds` (e.g. ("S3", "EFS")); empty when it accepts."""
    found = []
    atime, mtime = options.get("Atime"), options.get("Mtime")
    # Atime and Mtime: "The following applies only to Basic mode tasks"; Enhanced mode configures them
    # independently but "don't support Mtime set to NONE".
    if task_mode == "BASIC" and atime == "BEST_EFFORT" and mtime != "PRESERVE":
        found.append(f"Atime BEST_EFFORT requires Mtime PRESERVE in Basic mode, but Mtime is {mtime}.")
    if task_mode == "BASIC" and atime == "NONE" and mtime != "NONE":
        found.append(f"Atime NONE requires Mtime NONE in Basic mode, but Mtime is {mtime}.")
    if task_mode == "ENHANCED" and mtime == "NONE":
        found.append("Mtime NONE is not supported by Enhanced mode tasks.")
    if task_mode == "ENHANCED" and options.get("VerifyMode") == "POINT_IN_TIME_CONSISTENT":
        found.append("VerifyMode POINT_IN_TIME_CONSISTENT is not supported by Enhanced mode tasks.")
    # PreserveDeletedFiles: "If you set this parameter to REMOVE, you can't set TransferMode to ALL."
    if options.get("PreserveDeletedFiles") == "REMOVE" and options.get("TransferMode") == "ALL":
        found.append("PreserveDeletedFiles REMOVE cannot be used with TransferMode ALL.")
    # PreserveDevices PRESERVE: "This option currently isn't supported for Amazon EFS."
    if options.get("PreserveDevices") == "PRESERVE" and "EFS" in location_kinds:
        found.append("PreserveDevices PRESERVE is not supported for Amazon EFS locations.")
    return found


def more_than_hourly(expression: str) -> bool:
    """Whether a schedule runs more often than once an hour, which DataSync refuses "even with a cron
    expression" (user guide, "Scheduling your task"): a rate in minutes below 60, or a cron expression
    whose minutes field names more than one minute (anything but a single number)."""
    text = " ".join(expression.split())
    rate = re.fullmatch(r"rate\((\d+) minutes?\)", text)
    if rate:
        return int(rate.group(1)) < 60
    cron = re.fullmatch(r"cron\((\S+) .*\)", text)
    return bool(cron) and not cron.group(1).isdigit()


def s3_subdirectory_problem(subdirectory: str) -> str | None:
    """A leading "/" is accepted (terraform-provider-aws location_s3_test.go creates "/test" and reads back
    "/test/"); "//", "/./" and "/../" are refused because botocore's Subdirectory documentation says
    DataSync cannot use such prefixes (whether AWS refuses them at this call is not documented)."""
    probe = subdirectory if subdirectory.startswith("/") else f"/{subdirectory}"
    if any(part in probe for part in ("//", "/./", "/../")):
        return f"Subdirectory {subdirectory!r} must not contain '//', '/./' or '/../'."
    return None


def uri_subdirectory(subdirectory: str | None) -> str:
    """The subdirectory as a LocationUri shows it: no leading "/", one trailing "/" ("" for the root)."""
    stripped = (subdirectory or "").strip("/")
    return f"{stripped}/" if stripped else ""


# --- manifests ----------------------------------------------------------------------------------------


class ManifestProblem(ValueError):
    """A manifest DataSync cannot use; `code` is the execution's Result.ErrorCode (ours: AWS documents none)."""

    code = "InvalidManifest"


def manifest_start_problem(params: dict) -> tuple[str, str] | None:
    """(error code, message) for a StartTaskExecution whose ManifestConfig AWS refuses, else None.

    - Source missing: "a 400 status code and ValidationException error stating that you're missing the IAM
      role for DataSync to access the S3 bucket where you're hosting your manifest" (Model
      `ManifestConfig.Source`); the same for a Source without BucketAccessRoleArn (the role is what is
      missing; the Model makes it required, so an SDK refuses it before sending).
    - With Includes or Excludes: a manifest lists exactly what to transfer, filters select by pattern; the
      user guide offers them as alternatives (wording ours).
    An empty ManifestConfig ({}) is "no manifest" (Model `UpdateTask.ManifestConfig`: empty removes it).
    """
    config = params.get("ManifestConfig")
    if not config:
        return None
    source = (config.get("Source") or {}).get("S3") or {}
    if not source.get("BucketAccessRoleArn"):
        return (
            "ValidationException",
            "ManifestConfig.Source.S3.BucketAccessRoleArn is missing: DataSync needs an IAM role to access the "
            "S3 bucket where you're hosting your manifest.",
        )
    if params.get("Includes") or params.get("Excludes"):
        return ("InvalidRequestException", "A manifest cannot be used together with Includes or Excludes filters.")
    return None


def manifest_location(config: dict | None) -> str | None:
    """s3://bucket/key of a ManifestConfig (with ?versionId= when it names one), or None."""
    source = ((config or {}).get("Source") or {}).get("S3") or {}
    if not source.get("ManifestObjectPath"):
        return None
    bucket = source.get("S3BucketArn", "").split(":::", 1)[-1]
    version = source.get("ManifestObjectVersionId")
    return f"s3://{bucket}/{source['ManifestObjectPath']}" + (f"?versionId={version}" if version else "")


def parse_manifest(data: bytes) -> list[tuple[str, str | None]]:
    """The (path, version ID or None) entries of a manifest, in order, each once.

    UTF-8; one object per line; "To specify Amazon S3 object version IDs, separate the object's path and
    version ID by using a comma"; quotes around paths holding commas, quotes or line endings, a quote
    doubled (RFC 4180, which is what Python's csv reads). Blank lines are skipped. A repeated entry is read
    once (the guide says not to repeat one; what AWS does with a repeat is not documented). A line with more
    than two fields, bad quoting or bytes that are not UTF-8 make the whole manifest unusable
    (ManifestProblem: AWS's error code for that is not documented)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ManifestProblem(f"The manifest is not UTF-8: {err}") from err
    entries: dict[tuple[str, str | None], None] = {}
    try:
        for line, row in enumerate(csv.reader(io.StringIO(text, newline=""), strict=True), 1):
            if not row or row == [""]:
                continue
            if len(row) > 2:
                raise ManifestProblem(f"Manifest line {line} has {len(row)} fields; at most 2 (path, version ID).")
            path, version = row[0], (row[1] if len(row) == 2 and row[1] else None)
            if not path:
                raise ManifestProblem(f"Manifest line {line} has no path.")
            entries[(path, version)] = None
    except csv.Error as err:
        raise ManifestProblem(f"The manifest is not valid CSV: {err}") from err
    return list(entries)


def manifest_key(path: str, subdirectory: str) -> str:
    """The object key a manifest path names: "relative to the ... prefix that you specified when configuring
    your DataSync source location". Taken literally: whether AWS strips a leading "/" is not documented, so
    "/a.csv" under `incoming` names the key `incoming//a.csv` (normally absent: a per-file error)."""
    prefix = (subdirectory or "").strip("/")
    return f"{prefix}/{path}" if prefix else path
