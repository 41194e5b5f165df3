"""DataSync as the project needs it: S3 and EFS locations, tasks that keep every field, executions
that queue, advance through AWS's statuses with time, and copy data (see dataplane.py).

The value rules with their sources (queue quota, Options, schedules, S3 subdirectories) are in
datasync_rules.py; docs/emulator-fidelity.md lists every behaviour with its source and test.

Replaces moto's thin DataSync (which stores no filters, pins ARNs to one account and has no EFS
locations) by methods set on moto's DataSyncResponse, so moto's routing and serialisation still apply.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import threading
import time
from collections import Counter
from typing import Any

from moto.core.base_backend import BackendDict
from moto.core.base_backend import BaseBackend
from moto.core.exceptions import JsonRESTError

from .. import paths
from ..server import control
from ..server import update_settings
from . import dataplane
from . import datasync_access as access
from . import datasync_rules as rules
from . import events
from .on_behalf import request_principal
from .shapes import validate

LOCK = threading.RLock()

# Seconds each phase takes. Realistic shapes, small numbers: tests and the demo override them.
TIMING: dict[str, float] = {
    "task_creating": 0.2,
    # A new task then reports UNAVAILABLE for this long (terraform-provider-aws's waitTaskAvailable waits
    # through it): non-zero by default so that every caller's waiting is exercised.
    "task_unavailable": 0.2,
    "launching": 0.5,
    "preparing": 0.3,
    # PREPARING lists the source: it takes longer the more objects the execution lists (a full scan of a
    # large prefix, minutes to hours on AWS; a filtered delivery, only what its include filter matches).
    # Small by default so that a benchmark's fixed phase costs still dominate; tests raise it.
    "preparing_per_object": 0.00001,
    "transferring": 0.3,
    "per_file": 0.001,
    "verifying": 0.2,
    "iam_propagation": 0.0,  # a role younger than this cannot be assumed yet (AWS eventual consistency)
}
# Injected faults (tests): how many of the next StartTaskExecution calls answer ThrottlingException; and
# hold_launching: how many of the next executions to launch stay in LAUNCHING until cancelled (a launch
# that never completes, as in apache/airflow#11011).
FAULTS: dict[str, int] = {"throttle_starts": 0, "hold_launching": 0}

SETTLING = ("CREATING", "UNAVAILABLE")  # a new task's statuses before AVAILABLE
NEW_TASK = (*SETTLING, "AVAILABLE")
RUNNING = ("LAUNCHING", "PREPARING", "TRANSFERRING", "VERIFYING", "CANCELLING")
PHASES = ("LAUNCHING", "PREPARING", "TRANSFERRING", "VERIFYING")
TERMINAL = ("SUCCESS", "ERROR")


class InvalidRequest(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("InvalidRequestException", message)


class ValidationFailed(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("ValidationException", message)


class ManifestFileMissing(LookupError):
    """Listed objects that do not exist: they are not copied, the others are, the execution ends in ERROR.
    The code is the one `shared/reference/aws-facts.md` records for this; the user guide pages stored here
    do not word it (unsure)."""

    code = "ManifestFileDoesNotExist"


class Throttled(JsonRESTError):
    code = 400

    def __init__(self) -> None:
        super().__init__("ThrottlingException", "Rate exceeded")


def _hex(n: int) -> str:
    return secrets.token_hex(n)[:n]


def filter_signature(includes: list | None, excludes: list | None, manifest: dict | None = None) -> str:
    """What makes two starts "the same settings": their filters and, since a manifest says what to transfer
    as filters do, the manifest object they name (its bucket, key and version)."""
    return json.dumps([includes or [], excludes or [], rules.manifest_location(manifest)], sort_keys=True)


def _state_change(detail_type: str, arn: str, state: str) -> None:
    """DataSync's EventBridge event for a new state of the task or execution `arn`, to the default bus of its
    account and Region (DataSync user guide, "Monitoring events by using Amazon EventBridge")."""
    _, _, _, region, account, _ = arn.split(":", 5)
    events.emit(account, region, "aws.datasync", detail_type, [arn], {"State": state})


class _Emits:
    """A `status` whose every change is DataSync's state-change event of that kind (DETAIL_TYPE)."""

    DETAIL_TYPE = ""
    STATES: tuple[str, ...] | None = None  # the states that have an event (None: all)

    @property
    def status(self) -> str:
        return self._status

    @status.setter
    def status(self, value: str) -> None:
        if getattr(self, "_status", None) != value:
            self._status = value
            if self.STATES is None or value in self.STATES:
                _state_change(self.DETAIL_TYPE, self.arn, value)


class Execution(_Emits):
    DETAIL_TYPE = "DataSync Task Execution State Change"

    def __init__(self, task: Task, includes: list | None, excludes: list | None, overrides: dict | None, extra: dict):
        self.task = task
        self.arn = f"{task.arn}/execution/exec-{_hex(17)}"
        self.includes = includes or []
        self.excludes = excludes or []
        self.override_options = overrides or {}
        self.options = {**task.options, **self.override_options}
        self.extra = extra  # ManifestConfig, TaskReportConfig
        self.manifest = extra.get("ManifestConfig") or task.fields.get("ManifestConfig")
        self.missing: list[str] = []  # manifest entries that named no object (PREPARING)
        self.status = "QUEUED"
        self.held = False  # fault hold_launching: stays in LAUNCHING until cancelled
        self.start_time = time.time()
        self.launch_time: float | None = None
        self.end_time: float | None = None
        self.phase_started = self.start_time
        self.phase_seconds: dict[str, float] = {}
        self.plan: list[dataplane.SourceObject] = []
        self.listed = 0  # objects PREPARING lists, counted when it starts (its duration grows with them)
        self.counters = dict.fromkeys(
            (
                "EstimatedFilesToTransfer",
                "EstimatedBytesToTransfer",
                "FilesTransferred",
                "BytesWritten",
                "BytesTransferred",
                "BytesCompressed",
                "FilesDeleted",
                "FilesSkipped",
                "FilesVerified",
                "EstimatedFilesToDelete",
            ),
            0,
        )
        self.result: dict[str, Any] = {
            "PrepareStatus": "PENDING",
            "TransferStatus": "PENDING",
            "VerifyStatus": "PENDING",
        }
        task.activate(self)

    @property
    def signature(self) -> str:
        return filter_signature(self.includes, self.excludes, self.manifest)

    def finish(self, now: float, status: str) -> None:
        self.status = status
        self.end_time = now
        self.task.deactivate(self)

    def fail(self, now: float, code: str, detail: str) -> None:
        self.finish(now, "ERROR")
        self.result.update(ErrorCode=code, ErrorDetail=detail)
        for phase in ("PrepareStatus", "TransferStatus", "VerifyStatus"):
            if self.result[phase] == "PENDING":
                self.result[phase] = "ERROR"
                break

    def describe(self) -> dict:
        out = {
            "TaskExecutionArn": self.arn,
            "Status": self.status,
            "Options": self.options,
            "Includes": self.includes,
            "Excludes": self.excludes,
            "StartTime": self.start_time,
            "TaskMode": self.task.task_mode,
            "Result": {
                **self.result,
                "PrepareDuration": int(self.phase_seconds.get("PREPARING", 0) * 1000),
                "TransferDuration": int(self.phase_seconds.get("TRANSFERRING", 0) * 1000),
                "VerifyDuration": int(self.phase_seconds.get("VERIFYING", 0) * 1000),
                "TotalDuration": int(((self.end_time or time.time()) - (self.launch_time or self.start_time)) * 1000),
            },
            **self.counters,
            **self.extra,
        }
        if self.launch_time:
            out["LaunchTime"] = self.launch_time
        if self.end_time:
            out["EndTime"] = self.end_time
        return out


class Task(_Emits):
    DETAIL_TYPE = "DataSync Task State Change"
    # The task states the user guide lists events for; RUNNING and QUEUED are described, not stored, here.
    STATES = ("AVAILABLE", "UNAVAILABLE")

    def __init__(self, backend: DataSyncBackend, params: dict):
        self.arn = f"arn:aws:datasync:{backend.region_name}:{backend.account_id}:task/task-{_hex(17)}"
        self.source = params["SourceLocationArn"]
        self.destination = params["DestinationLocationArn"]
        self.task_mode = params.get("TaskMode", "BASIC")
        self.creation_time = time.time()
        self.status = "CREATING"
        self.name = ""
        self.options = rules.default_options(self.task_mode)
        self.fields: dict[str, Any] = {}
        self.schedule_details: dict[str, Any] | None = None
        self.executions: list[Execution] = []
        # Running and queued executions in start order, and their filters: a burst of thousands of
        # queued starts must not make every call scan the whole history.
        self.active: dict[str, Execution] = {}
        self.busy_signatures: Counter[str] = Counter()
        self.last_end = 0.0
        self.update(params)

    def activate(self, execution: Execution) -> None:
        self.active[execution.arn] = execution
        self.busy_signatures[execution.signature] += 1

    def deactivate(self, execution: Execution) -> None:
        if self.active.pop(execution.arn, None) is not None:
            self.busy_signatures[execution.signature] -= 1
            if not self.busy_signatures[execution.signature]:
                del self.busy_signatures[execution.signature]
        self.last_end = max(self.last_end, execution.end_time or 0.0)

    def update(self, params: dict) -> None:
        if "Name" in params:
            self.name = params["Name"]
        if "Options" in params:
            self.options = {**self.options, **params["Options"]}
        for field in ("CloudWatchLogGroupArn", "Includes", "Excludes", "ManifestConfig", "TaskReportConfig"):
            if field in params:
                value = params[field]
                if value in ("", [], {}, None):
                    self.fields.pop(field, None)
                else:
                    self.fields[field] = value
        if "Schedule" in params:
            schedule = params["Schedule"]
            if not schedule or not schedule.get("ScheduleExpression"):
                self.fields.pop("Schedule", None)
                self.schedule_details = None
            else:
                self.fields["Schedule"] = {
                    "ScheduleExpression": schedule["ScheduleExpression"],
                    "Status": schedule.get("Status", "ENABLED"),
                }
                self.schedule_details = {"StatusUpdateTime": time.time()}
                if self.fields["Schedule"]["Status"] == "DISABLED":
                    self.schedule_details.update(DisabledBy="USER", DisabledReason="Manually disabled by user.")

    def current(self) -> Execution | None:
        for execution in self.active.values():
            if execution.status in RUNNING:
                return execution
            break  # one runs at a time, and it is the oldest active one
        return None

    def next_queued(self) -> Execution | None:
        return next((e for e in self.active.values() if e.status == "QUEUED"), None)

    def describe(self) -> dict:
        current = self.current()
        status = self.status
        if status == "AVAILABLE" and current:
            status = "RUNNING"
        elif status == "AVAILABLE" and self.next_queued():
            status = "QUEUED"
        out = {
            "TaskArn": self.arn,
            "Status": status,
            "SourceLocationArn": self.source,
            "DestinationLocationArn": self.destination,
            "Options": self.options,
            "CreationTime": self.creation_time,
            "TaskMode": self.task_mode,
            "Excludes": [],
            "Includes": [],
            "SourceNetworkInterfaceArns": [],
            "DestinationNetworkInterfaceArns": [],
            **self.fields,
        }
        if self.name:  # AWS omits an unset name ("" breaks the Name pattern)
            out["Name"] = self.name
        if current:
            out["CurrentTaskExecutionArn"] = current.arn
        if self.schedule_details and "Schedule" in self.fields:
            out["ScheduleDetails"] = self.schedule_details
        return out


class Location:
    def __init__(self, backend: DataSyncBackend, kind: str, root: str, subdirectory: str, details: dict, **more: Any):
        """`root` is the URI without the subdirectory (s3://BUCKET, efs://REGION.FS-ID, nfs://HOST); `more`
        the kind's own attributes (an S3 location's bucket_name)."""
        self.arn = f"arn:aws:datasync:{backend.region_name}:{backend.account_id}:location/loc-{_hex(17)}"
        self.kind = kind
        self.root = root
        self.subdirectory = subdirectory
        self.details = details
        self.creation_time = time.time()
        vars(self).update(more)

    @property
    def uri(self) -> str:
        return f"{self.root}/{rules.uri_subdirectory(self.subdirectory)}"

    def describe(self) -> dict:
        return {"LocationArn": self.arn, "LocationUri": self.uri, "CreationTime": self.creation_time, **self.details}


class DataSyncBackend(BaseBackend):
    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.locations: dict[str, Location] = {}
        self.tasks: dict[str, Task] = {}
        self.tags: dict[str, dict[str, str]] = {}
        with LOCK:
            _BACKENDS.append(self)

    # --- time -------------------------------------------------------------------------------------
    def advance(self, now: float) -> None:
        for task in list(self.tasks.values()):
            if task.status in SETTLING:
                # never backwards, also when a test changes the timing meanwhile
                task.status = max(task.status, _settled_status(task.creation_time, now), key=NEW_TASK.index)
            if task.status != "AVAILABLE":
                continue
            while True:
                current = task.current()
                if current is None:
                    current = task.next_queued()
                    if current is None:
                        break
                    previous_end = task.last_end or current.start_time
                    current.status = "LAUNCHING"
                    if FAULTS["hold_launching"] > 0:
                        FAULTS["hold_launching"] -= 1
                        current.held = True
                    current.launch_time = max(current.start_time, previous_end)
                    current.phase_started = current.launch_time
                if not self._step(current, now):
                    break

    def _duration(self, execution: Execution) -> float:
        if execution.status == "PREPARING":
            return TIMING["preparing"] + TIMING["preparing_per_object"] * execution.listed
        if execution.status == "TRANSFERRING":
            return TIMING["transferring"] + TIMING["per_file"] * len(execution.plan)
        if execution.status == "CANCELLING":
            return 0.1
        return TIMING[execution.status.lower()]

    def _step(self, execution: Execution, now: float) -> bool:
        """Finish the execution's current phase if its time is up. True if something changed."""
        if execution.status == "LAUNCHING" and execution.held:
            return False
        ends = execution.phase_started + self._duration(execution)
        if now < ends:
            return False
        phase = execution.status
        execution.phase_seconds[phase] = ends - execution.phase_started
        try:
            if phase == "CANCELLING":
                execution.fail(ends, "OpCancelled", "Cancelled by user.")
                return True
            if phase == "PREPARING":
                self._prepare(execution)
                execution.result["PrepareStatus"] = "SUCCESS"
            elif phase == "TRANSFERRING":
                self._transfer(execution)
                execution.result["TransferStatus"] = "SUCCESS"
            elif phase == "VERIFYING":
                execution.counters["FilesVerified"] = (
                    execution.counters["FilesTransferred"] if execution.options.get("VerifyMode") != "NONE" else 0
                )
                execution.result["VerifyStatus"] = (
                    "SUCCESS" if execution.options.get("VerifyMode") != "NONE" else "PENDING"
                )
        except (LookupError, ValueError, OSError) as err:
            execution.fail(ends, getattr(err, "code", "DataSyncError"), str(err))
            return True
        following = PHASES.index(phase) + 1 if phase in PHASES else len(PHASES)
        if following < len(PHASES):
            execution.status = PHASES[following]
            execution.phase_started = ends
            if execution.status == "PREPARING":
                execution.listed = self._listed(execution)
        else:
            execution.finish(ends, "SUCCESS")
        return True

    def _endpoints(self, execution: Execution) -> tuple[Location, Location]:
        source = self.locations.get(execution.task.source)
        destination = self.locations.get(execution.task.destination)
        if source is None or destination is None:
            raise LookupError("a location of the task no longer exists")
        return source, destination

    def _listed(self, execution: Execution) -> int:
        """How many source objects PREPARING lists: with an include filter only those it matches, else the
        whole prefix (exclude filters apply after listing); a manifest's execution lists only its entries
        (counted as none here). Only the duration depends on it; access is checked by _prepare."""
        if execution.extra.get("ManifestConfig") or execution.task.fields.get("ManifestConfig"):
            return 0
        try:
            source, _destination = self._endpoints(execution)
            if source.kind != "S3":
                return 0
            objects = dataplane.list_s3_objects(source.bucket_name, source.subdirectory)
        except LookupError:
            return 0  # _prepare fails the execution with the reason
        includes = dataplane.filter_value(execution.includes) or dataplane.filter_value(
            execution.task.fields.get("Includes")
        )
        return len(dataplane.select(objects, includes, None)) if includes else len(objects)

    def _prepare(self, execution: Execution) -> None:
        source, destination = self._endpoints(execution)
        if source.kind != "S3" or destination.kind != "EFS":
            return  # the emulator moves data only S3 -> EFS, the project's direction
        execution.source_access = access.s3_source(source)  # as the location's role, or AccessDenied
        access.efs_denial(destination, "elasticfilesystem:ClientMount")
        if execution.manifest:
            # exactly the listed objects (and versions): "DataSync transfers only the objects that you list"
            entries = rules.parse_manifest(access.read_manifest(execution.manifest, execution.task.arn))
            chosen, execution.missing = dataplane.manifest_objects(source.bucket_name, source.subdirectory, entries)
        else:
            objects = dataplane.list_s3_objects(source.bucket_name, source.subdirectory)
            chosen = dataplane.select(
                objects,
                dataplane.filter_value(execution.includes)
                or dataplane.filter_value(execution.task.fields.get("Includes")),
                dataplane.filter_value(execution.excludes)
                or dataplane.filter_value(execution.task.fields.get("Excludes")),
            )
        root = self._efs_dir(destination)
        execution.plan = [
            o
            for o in chosen
            if dataplane.needs_transfer(o, dataplane.destination_file(root, o.path), execution.options)
        ]
        execution.counters["EstimatedFilesToTransfer"] = len(execution.plan)
        execution.counters["EstimatedBytesToTransfer"] = sum(o.size for o in execution.plan)
        execution.counters["FilesSkipped"] = len(chosen) - len(execution.plan)

    def _transfer(self, execution: Execution) -> None:
        self._copy(execution)
        if execution.missing:
            more = f" (and {len(execution.missing) - 1} more)" if len(execution.missing) > 1 else ""
            raise ManifestFileMissing(execution.missing[0] + more)

    def _copy(self, execution: Execution) -> None:
        if not execution.plan:
            return
        _source, destination = self._endpoints(execution)
        access.efs_denial(destination, *access.efs_write_actions(destination))
        plan, refused = access.readable(execution.source_access, execution.plan)
        root, owner = self._efs_dir(destination), self._efs_owner(destination)
        for obj in plan:
            written = dataplane.write(obj, dataplane.destination_file(root, obj.path), execution.options, owner)
            execution.counters["FilesTransferred"] += 1
            execution.counters["BytesTransferred"] += written
            execution.counters["BytesWritten"] += written
            execution.counters["BytesCompressed"] += written
        if refused:
            raise access.refusal(refused)

    def _efs_dir(self, location: Location):
        fs_arn = location.details["_fs_arn"]
        ap_arn = location.details.get("AccessPointArn") or ""
        return dataplane.efs_directory(
            paths.efs_root(),
            fs_arn.split(":")[4],
            fs_arn.split(":")[3],
            fs_arn.rsplit("/", 1)[-1],
            ap_arn.rsplit("/", 1)[-1] or None,
            location.subdirectory,
        )

    def _efs_owner(self, location: Location) -> tuple[int, int]:
        fs_arn = location.details["_fs_arn"]
        ap_arn = location.details.get("AccessPointArn") or ""
        return dataplane.efs_owner(fs_arn.split(":")[4], fs_arn.split(":")[3], ap_arn.rsplit("/", 1)[-1] or None)

    # --- lookups ----------------------------------------------------------------------------------
    def location(self, arn: str, kind: str | None = None) -> Location:
        location = self.locations.get(arn)
        if location is None:
            # "not found", as terraform-provider-aws's findLocationS3ByARN matches and moto words it
            raise InvalidRequest(f"Location {arn} is not found.")
        if kind and location.kind != kind:
            raise InvalidRequest(f"Location {arn} is a {location.kind} location, not {kind}.")
        return location

    def task(self, arn: str) -> Task:
        if arn not in self.tasks:
            raise InvalidRequest(f"Sync task {arn} is not found.")
        return self.tasks[arn]

    def execution(self, arn: str) -> Execution:
        task = self.task(arn.split("/execution/")[0])
        for execution in task.executions:
            if execution.arn == arn:
                return execution
        raise InvalidRequest(f"Sync task execution {arn} is not found.")

    def taggable(self, arn: str) -> None:
        """Raise the "not found" of the kind of resource `arn` names, unless it exists."""
        if "/execution/" in arn:
            self.execution(arn)
        elif ":task/" in arn:
            self.task(arn)
        else:
            self.location(arn)

    def location_kinds(self, task: Task) -> tuple[str, ...]:
        """The kinds (S3, EFS, ...) of the task's locations that still exist."""
        found = (self.locations.get(arn) for arn in (task.source, task.destination))
        return tuple(location.kind for location in found if location is not None)

    def set_tags(self, arn: str, tags: list[dict] | None) -> None:
        if tags:
            self.tags.setdefault(arn, {}).update({t["Key"]: t.get("Value", "") for t in tags})


_BACKENDS: list[DataSyncBackend] = []
datasync_backends = BackendDict(DataSyncBackend, "datasync")


def _settled_status(created: float, now: float) -> str:
    """A new task's status `now`: CREATING, then UNAVAILABLE, then AVAILABLE."""
    creating_ends = created + TIMING["task_creating"]
    if now < creating_ends:
        return "CREATING"
    return "UNAVAILABLE" if now < creating_ends + TIMING["task_unavailable"] else "AVAILABLE"


def _ticker() -> None:
    while True:
        time.sleep(0.05)
        with LOCK:
            now = time.time()
            for backend in list(_BACKENDS):
                backend.advance(now)


# --- checks that need other services (as AWS makes them) ----------------------------------------------


def _check_role(role_arn: str, purpose: str) -> None:
    from moto.iam.models import iam_backends

    account = role_arn.split(":")[4]
    name = role_arn.rsplit("/", 1)[-1]
    role = next((r for r in iam_backends[account]["aws"].roles.values() if r.name == name), None)
    if role is None:
        raise InvalidRequest(
            f"DataSync location access test failed: could not assume {purpose} role {role_arn}. The role does not exist."
        )
    if "datasync.amazonaws.com" not in json.dumps(role.assume_role_policy_document):
        raise InvalidRequest(
            f"DataSync location access test failed: could not assume {purpose} role {role_arn}. "
            "Its trust policy does not allow datasync.amazonaws.com."
        )
    created = role.create_date.timestamp() if hasattr(role.create_date, "timestamp") else 0
    if time.time() - created < TIMING["iam_propagation"]:
        raise InvalidRequest(
            f"DataSync location access test failed: could not assume {purpose} role {role_arn}. "
            "(The role may still be propagating: IAM is eventually consistent.)"
        )


def _check_bucket(bucket: str) -> None:
    from moto.s3.models import s3_backends

    if bucket not in s3_backends.bucket_accounts:
        raise InvalidRequest(
            f"DataSync location access test failed: could not perform s3:ListObjectsV2 on bucket {bucket}. "
            "The specified bucket does not exist."
        )


def _check_efs(backend: DataSyncBackend, params: dict) -> None:
    from moto.ec2.models import ec2_backends
    from moto.efs.models import efs_backends

    fs_arn = params["EfsFilesystemArn"]
    account, region, fs_id = fs_arn.split(":")[4], fs_arn.split(":")[3], fs_arn.rsplit("/", 1)[-1]
    efs = efs_backends[account][region]
    if fs_id not in efs.file_systems_by_id:
        raise InvalidRequest(f"EFS file system {fs_id} does not exist.")
    ap_arn = params.get("AccessPointArn")
    if ap_arn:
        ap = efs.access_points.get(ap_arn.rsplit("/", 1)[-1])
        if ap is None or ap.file_system_id != fs_id:
            raise InvalidRequest(f"Access point {ap_arn} does not exist or does not belong to {fs_id}.")
    if (ap_arn or params.get("FileSystemAccessRoleArn")) and params.get("InTransitEncryption", "NONE") != "TLS1_2":
        raise InvalidRequest("InTransitEncryption must be TLS1_2 when an access point or an IAM role is specified.")
    ec2 = ec2_backends[account][region]
    subnet_id = params["Ec2Config"]["SubnetArn"].rsplit("/", 1)[-1]
    try:
        subnet = ec2.get_subnet(subnet_id)
    except Exception as err:
        raise InvalidRequest(f"Subnet {subnet_id} does not exist.") from err
    for sg_arn in params["Ec2Config"]["SecurityGroupArns"]:
        if ec2.get_security_group_from_id(sg_arn.rsplit("/", 1)[-1]) is None:
            raise InvalidRequest(f"Security group {sg_arn} does not exist.")
    zones = {mt._subnet.availability_zone for mt in efs.mount_targets_by_id.values() if mt.file_system_id == fs_id}
    if subnet.availability_zone not in zones:
        raise InvalidRequest(
            f"DataSync could not mount {fs_id}: there is no mount target in {subnet.availability_zone} "
            f"(the subnet's Availability Zone). Mount targets exist in: {', '.join(sorted(zones)) or 'none'}."
        )


def _check_schedule(schedule: dict | None) -> None:
    if rules.more_than_hourly((schedule or {}).get("ScheduleExpression", "")):
        raise InvalidRequest("Schedule expression is more frequent than the minimum interval of 1 hour.")


def _check_s3_subdirectory(subdirectory: str) -> None:
    problem = rules.s3_subdirectory_problem(subdirectory)
    if problem:
        raise InvalidRequest(problem)


def _check_options(options: dict, task_mode: str, kinds: tuple[str, ...]) -> None:
    found = rules.option_problems(options, task_mode, kinds)
    if found:
        raise InvalidRequest(" ".join(found))


def _start_refusal(task: Task, options: dict, signature: str) -> str | None:
    """Why a new execution of `task` (with these effective options and filters) cannot start or queue now."""
    if task.status != "AVAILABLE":
        return f"Task {task.arn} is {task.status} and cannot be started yet."
    if not task.active:
        return None
    if options.get("TaskQueueing") == "DISABLED":
        return f"Task {task.arn} already has an execution running and TaskQueueing is DISABLED."
    if task.busy_signatures[signature]:
        same = next(e for e in task.active.values() if e.signature == signature)
        return f"Task {task.arn} already has execution {same.arn} ({same.status}) with the same filters and manifest."
    queued = sum(1 for e in task.active.values() if e.status == "QUEUED")
    if queued >= rules.MAX_QUEUED_EXECUTIONS:
        # The quota is documented, the wording of AWS's refusal is not: this one is ours.
        return (
            f"Task {task.arn} already has {queued} queued executions, the most DataSync queues for one task "
            f"({rules.MAX_QUEUED_EXECUTIONS}); start it again when one of them has run."
        )
    return None


# --- the API ---------------------------------------------------------------------------------------


class DataSyncApi:
    """Methods copied onto moto's DataSyncResponse (one per botocore operation, snake_case)."""

    @property
    def _backend(self) -> DataSyncBackend:
        return datasync_backends[self.current_account][self.region]

    def _call(self, operation: str, clearable: tuple[str, ...] = ()):
        params = json.loads(self.body or "{}")
        # "" removes these settings (as Terraform and the AWS CLI use them), although it breaks their pattern.
        found = validate("datasync", operation, {k: v for k, v in params.items() if not (k in clearable and v == "")})
        if found:
            raise InvalidRequest("; ".join(found))
        return params

    @staticmethod
    def _ok(data: dict | None = None) -> tuple[str, dict]:
        return json.dumps(data or {}), {"Content-Type": "application/x-amz-json-1.1"}

    @contextlib.contextmanager
    def _now(self, operation: str):
        """(backend, the call's parameters) under LOCK, the backend's tasks and executions brought up to now."""
        params = self._call(operation)
        with LOCK:
            self._backend.advance(time.time())
            yield self._backend, params

    def _add_location(self, location: Location, params: dict):
        """Store a new location (under LOCK) with the tags of its Create call's `params`; the call's answer."""
        self._backend.locations[location.arn] = location
        self._backend.set_tags(location.arn, params.get("Tags"))
        return self._ok({"LocationArn": location.arn})

    # locations
    def create_location_s3(self):
        params = self._call("CreateLocationS3")
        bucket = params["S3BucketArn"].split(":")[-1].split("/")[-1]
        sub = params.get("Subdirectory", "")
        _check_s3_subdirectory(sub)
        with LOCK:
            _check_bucket(bucket)
            _check_role(params["S3Config"]["BucketAccessRoleArn"], "bucket access")
            details = {"S3Config": params["S3Config"], "S3StorageClass": params.get("S3StorageClass", "STANDARD")}
            if params.get("AgentArns"):
                details["AgentArns"] = params["AgentArns"]
            location = Location(self._backend, "S3", f"s3://{bucket}", sub, details, bucket_name=bucket)
            problem = access.location_s3_problem(request_principal(self), location)
            if problem:
                raise InvalidRequest(problem)
            return self._add_location(location, params)

    def describe_location_s3(self):
        params = self._call("DescribeLocationS3")
        with LOCK:
            return self._ok(self._backend.location(params["LocationArn"], "S3").describe())

    def update_location_s3(self):
        params = self._call("UpdateLocationS3")
        if "Subdirectory" in params:
            _check_s3_subdirectory(params["Subdirectory"])  # before anything changes
        with LOCK:
            location = self._backend.location(params["LocationArn"], "S3")
            if "S3Config" in params:
                _check_role(params["S3Config"]["BucketAccessRoleArn"], "bucket access")
                location.details["S3Config"] = params["S3Config"]
            if "S3StorageClass" in params:
                location.details["S3StorageClass"] = params["S3StorageClass"]
            location.subdirectory = params.get("Subdirectory", location.subdirectory)
        return self._ok()

    def create_location_efs(self):
        params = self._call("CreateLocationEfs")
        with LOCK:
            _check_efs(self._backend, params)
            if params.get("FileSystemAccessRoleArn"):
                _check_role(params["FileSystemAccessRoleArn"], "file system access")
            fs_arn = params["EfsFilesystemArn"]
            region, fs_id = fs_arn.split(":")[3], fs_arn.rsplit("/", 1)[-1]
            details = {
                "Ec2Config": params["Ec2Config"],
                "InTransitEncryption": params.get("InTransitEncryption", "NONE"),
                "_fs_arn": fs_arn,
            }
            for field in ("AccessPointArn", "FileSystemAccessRoleArn"):
                if params.get(field):
                    details[field] = params[field]
            sub = params.get("Subdirectory", "")
            return self._add_location(Location(self._backend, "EFS", f"efs://{region}.{fs_id}", sub, details), params)

    def describe_location_efs(self):
        params = self._call("DescribeLocationEfs")
        with LOCK:
            out = self._backend.location(params["LocationArn"], "EFS").describe()
        out.pop("_fs_arn", None)
        return self._ok(out)

    def update_location_efs(self):
        params = self._call("UpdateLocationEfs")
        with LOCK:
            location = self._backend.location(params["LocationArn"], "EFS")
            merged = {
                "EfsFilesystemArn": location.details["_fs_arn"],
                "Ec2Config": location.details["Ec2Config"],
                **{
                    k: v
                    for k, v in location.details.items()
                    if k in ("AccessPointArn", "FileSystemAccessRoleArn", "InTransitEncryption")
                },
            }
            for field in ("AccessPointArn", "FileSystemAccessRoleArn", "InTransitEncryption"):
                if field in params:
                    merged[field] = params[field]
            merged = {k: v for k, v in merged.items() if v != ""}  # "" clears an ARN
            _check_efs(self._backend, merged)
            if merged.get("FileSystemAccessRoleArn") and params.get("FileSystemAccessRoleArn"):
                _check_role(merged["FileSystemAccessRoleArn"], "file system access")
            for field in ("AccessPointArn", "FileSystemAccessRoleArn", "InTransitEncryption"):
                if field in merged:
                    location.details[field] = merged[field]
                else:
                    location.details.pop(field, None)
            location.subdirectory = params.get("Subdirectory", location.subdirectory)
        return self._ok()

    def create_location_nfs(self):
        # Only so that tests can list a location of a type the collection does not manage (no agents here).
        params = self._call("CreateLocationNfs")
        root, details = f"nfs://{params['ServerHostname']}", {"OnPremConfig": params["OnPremConfig"]}
        with LOCK:
            return self._add_location(Location(self._backend, "NFS", root, params["Subdirectory"], details), params)

    def list_locations(self):
        params = self._call("ListLocations")
        with LOCK:
            items = [
                {"LocationArn": loc.arn, "LocationUri": loc.uri, "_l": loc} for loc in self._backend.locations.values()
            ]
        for flt in params.get("Filters", []):
            items = [i for i in items if _filter_matches(flt, i["_l"])]
        return self._ok(_page("Locations", [{k: v for k, v in i.items() if k != "_l"} for i in items], params))

    def delete_location(self):
        params = self._call("DeleteLocation")
        with LOCK:
            self._backend.location(params["LocationArn"])
            del self._backend.locations[params["LocationArn"]]
            self._backend.tags.pop(params["LocationArn"], None)
        return self._ok()

    # tasks
    def create_task(self):
        params = self._call("CreateTask")
        _check_schedule(params.get("Schedule"))
        with LOCK:
            kinds = tuple(
                self._backend.location(params[k]).kind for k in ("SourceLocationArn", "DestinationLocationArn")
            )
            mode = params.get("TaskMode", "BASIC")
            _check_options({**rules.default_options(mode), **params.get("Options", {})}, mode, kinds)
            task = Task(self._backend, params)
            self._backend.tasks[task.arn] = task
            self._backend.set_tags(task.arn, params.get("Tags"))
        return self._ok({"TaskArn": task.arn})

    def update_task(self):
        params = self._call("UpdateTask", clearable=("CloudWatchLogGroupArn",))
        _check_schedule(params.get("Schedule"))
        with LOCK:
            task = self._backend.task(params["TaskArn"])
            if "Options" in params:  # judged merged with the task's current options, as they will apply
                _check_options(
                    {**task.options, **params["Options"]}, task.task_mode, self._backend.location_kinds(task)
                )
            task.update(params)
        return self._ok()

    def describe_task(self):
        with self._now("DescribeTask") as (backend, params):
            return self._ok(backend.task(params["TaskArn"]).describe())

    def list_tasks(self):
        with self._now("ListTasks") as (backend, params):
            tasks = list(backend.tasks.values())
            for flt in params.get("Filters", []):
                if flt["Name"] == "LocationId":
                    tasks = [t for t in tasks if _compare(flt["Operator"], [t.source, t.destination], flt["Values"])]
            entries = [
                {
                    "TaskArn": t.arn,
                    "Status": t.describe()["Status"],
                    "TaskMode": t.task_mode,
                    **({"Name": t.name} if t.name else {}),
                }
                for t in tasks
            ]
        return self._ok(_page("Tasks", entries, params))

    def delete_task(self):
        params = self._call("DeleteTask")
        with LOCK:
            task = self._backend.task(params["TaskArn"])
            for execution in task.executions:
                if execution.status not in TERMINAL:
                    execution.fail(time.time(), "OpCancelled", "The task was deleted.")
            del self._backend.tasks[task.arn]
            self._backend.tags.pop(task.arn, None)
        return self._ok()

    # executions
    def start_task_execution(self):
        problem = rules.manifest_start_problem(json.loads(self.body or "{}"))  # before the shape check
        if problem:
            code, message = problem
            raise ValidationFailed(message) if code == "ValidationException" else InvalidRequest(message)
        params = self._call("StartTaskExecution")
        with LOCK:
            if FAULTS["throttle_starts"] > 0:
                FAULTS["throttle_starts"] -= 1
                raise Throttled()
            backend = self._backend
            backend.advance(time.time())
            task = backend.task(params["TaskArn"])
            options = {**task.options, **params.get("OverrideOptions", {})}
            _check_options(options, task.task_mode, backend.location_kinds(task))
            manifest = params.get("ManifestConfig") or task.fields.get("ManifestConfig")
            signature = filter_signature(params.get("Includes"), params.get("Excludes"), manifest)
            refusal = _start_refusal(task, options, signature)
            if refusal:
                raise InvalidRequest(refusal)
            extra = {k: params[k] for k in ("ManifestConfig", "TaskReportConfig") if k in params}
            execution = Execution(
                task, params.get("Includes"), params.get("Excludes"), params.get("OverrideOptions"), extra
            )
            task.executions.append(execution)
            backend.set_tags(execution.arn, params.get("Tags"))
            backend.advance(time.time())
        return self._ok({"TaskExecutionArn": execution.arn})

    def describe_task_execution(self):
        with self._now("DescribeTaskExecution") as (backend, params):
            return self._ok(backend.execution(params["TaskExecutionArn"]).describe())

    def list_task_executions(self):
        with self._now("ListTaskExecutions") as (backend, params):
            tasks = [backend.task(params["TaskArn"])] if params.get("TaskArn") else list(backend.tasks.values())
            entries = [
                {"TaskExecutionArn": e.arn, "Status": e.status, "TaskMode": t.task_mode}
                for t in tasks
                for e in t.executions
            ]
        return self._ok(_page("TaskExecutions", entries, params))

    def cancel_task_execution(self):
        params = self._call("CancelTaskExecution")
        with LOCK:
            execution = self._backend.execution(params["TaskExecutionArn"])
            if execution.status in TERMINAL or execution.status == "CANCELLING":
                raise InvalidRequest(
                    f"Sync task execution cannot be cancelled in its current status: {execution.status}"
                )
            if execution.status == "QUEUED":
                execution.fail(time.time(), "OpCancelled", "Cancelled by user.")
            else:
                execution.status = "CANCELLING"
                execution.phase_started = time.time()
        return self._ok()

    # tags
    def tag_resource(self):
        params = self._call("TagResource")
        with LOCK:
            self._backend.taggable(params["ResourceArn"])
            self._backend.set_tags(params["ResourceArn"], params["Tags"])
        return self._ok()

    def untag_resource(self):
        params = self._call("UntagResource")
        with LOCK:
            self._backend.taggable(params["ResourceArn"])
            for key in params["Keys"]:
                self._backend.tags.get(params["ResourceArn"], {}).pop(key, None)
        return self._ok()

    def list_tags_for_resource(self):
        params = self._call("ListTagsForResource")
        with LOCK:
            self._backend.taggable(params["ResourceArn"])
            tags = [{"Key": k, "Value": v} for k, v in self._backend.tags.get(params["ResourceArn"], {}).items()]
        return self._ok(_page("Tags", tags, params))


def _compare(operator: str, actual: list[str], values: list[str]) -> bool:
    checks = {
        "Equals": lambda a, v: a == v,
        "NotEquals": lambda a, v: a != v,
        "In": lambda a, v: a == v,
        "Contains": lambda a, v: v in a,
        "NotContains": lambda a, v: v not in a,
        "BeginsWith": lambda a, v: a.startswith(v),
        "LessThan": lambda a, v: float(a) < float(v),
        "LessThanOrEqual": lambda a, v: float(a) <= float(v),
        "GreaterThan": lambda a, v: float(a) > float(v),
        "GreaterThanOrEqual": lambda a, v: float(a) >= float(v),
    }
    check = checks[operator]
    if operator.startswith("Not"):
        return all(check(a, v) for a in actual for v in values)
    return any(check(a, v) for a in actual for v in values)


def _filter_matches(flt: dict, location: Location) -> bool:
    if flt["Name"] == "LocationUri":
        return _compare(flt["Operator"], [location.uri], flt["Values"])
    if flt["Name"] == "LocationType":
        return _compare(flt["Operator"], [location.kind], flt["Values"])
    return _compare(flt["Operator"], [str(location.creation_time)], flt["Values"])


def _page(key: str, items: list, params: dict) -> dict:
    """A List call's answer: the page of `items` that `params` ask for under `key`, and the next token if any."""
    start = int(params.get("NextToken") or 0)
    size = params.get("MaxResults") or 100
    token = {"NextToken": str(start + size)} if start + size < len(items) else {}
    return {key: items[start : start + size], **token}


# --- control API (tests, demo, benchmark) --------------------------------------------------------


@control("POST", "/_lakedrop/datasync/timing")
def _set_timing(request) -> dict:
    return update_settings(request, TIMING, LOCK, "timing keys", float)


@control("POST", "/_lakedrop/datasync/faults")
def _set_faults(request) -> dict:
    return update_settings(request, FAULTS, LOCK, convert=int)


@control("GET", "/_lakedrop/datasync/active")
def _active(request) -> dict:
    """Filters and manifest (s3://bucket/key, or null) of a task's queued and running executions (what will
    still be copied), in one call."""
    arn = request.args.get("task_arn", "")
    with LOCK:
        for backend in _BACKENDS:
            task = backend.tasks.get(arn)
            if task:
                backend.advance(time.time())
                return {
                    "executions": [
                        {
                            "arn": e.arn,
                            "status": e.status,
                            "includes": e.includes,
                            "manifest": rules.manifest_location(e.manifest),
                        }
                        for e in task.active.values()
                    ]
                }
    raise ValueError("no task has that ARN")


@control("POST", "/_lakedrop/datasync/disable-schedule")
def _service_disable_schedule(request) -> dict:
    """Do what DataSync does after repeated failures: disable a task's schedule itself."""
    body = request.get_json(force=True) or {}
    with LOCK:
        for backend in _BACKENDS:
            task = backend.tasks.get(body.get("task_arn", ""))
            if task and "Schedule" in task.fields:
                task.fields["Schedule"]["Status"] = "DISABLED"
                task.schedule_details = {
                    "StatusUpdateTime": time.time(),
                    "DisabledBy": "SERVICE",
                    "DisabledReason": body.get("reason", "Disabled after repeated failures."),
                }
                return {"disabled": task.arn}
    raise ValueError("no task with a schedule has that ARN")


def install() -> None:
    from moto.datasync import models as moto_models
    from moto.datasync.responses import DataSyncResponse

    env_timing = os.environ.get("LAKEDROP_DATASYNC_TIMING")
    if env_timing:
        TIMING.update({k: float(v) for k, v in json.loads(env_timing).items() if k in TIMING})
    moto_models.datasync_backends = datasync_backends
    for name, member in vars(DataSyncApi).items():
        if not name.startswith("__"):
            setattr(DataSyncResponse, name, member)
    DataSyncResponse.datasync_backend = property(lambda self: datasync_backends[self.current_account][self.region])
    threading.Thread(target=_ticker, name="datasync-ticker", daemon=True).start()
