"""Fixtures of the execution module tests: S3 -> EFS locations and tasks built directly with boto3 (not
with the location/task modules), fast DataSync timing, and helpers to hold a task busy.

Kept out of conftest.py so the tests that share conftest are not touched; test modules import what
they use (pytest picks up imported fixtures)."""

from __future__ import annotations

import contextlib
import time
import uuid

import pytest

__all__ = ["execution_locations", "fast_datasync", "make_task"]  # fixtures; helpers are imported by name

# Fast enough that a waited execution takes well under a second, slow enough to observe phases.
FAST_TIMING = {
    "task_creating": 0.05,
    "launching": 0.1,
    "preparing": 0.1,
    "transferring": 0.1,
    "per_file": 0.0,
    "verifying": 0.1,
}


@contextlib.contextmanager
def datasync_timing(emulator, **values):
    """Set emulated DataSync phase durations, restoring the previous ones afterwards (shared emulator)."""
    previous = emulator.control("POST", "datasync/timing", {})
    emulator.control("POST", "datasync/timing", values)
    try:
        yield
    finally:
        emulator.control("POST", "datasync/timing", {k: previous[k] for k in values})


@pytest.fixture(scope="module")
def fast_datasync(emulator):
    with datasync_timing(emulator, **FAST_TIMING):
        yield


@pytest.fixture(scope="module")
def execution_locations(emulator, source_bucket, datasync_role, efs_env) -> dict:
    """An S3 source location (incoming/ of the source bucket) and an EFS destination location."""
    ds = emulator.client("datasync")
    source = ds.create_location_s3(
        S3BucketArn=f"arn:aws:s3:::{source_bucket}",
        Subdirectory="incoming/",
        S3Config={"BucketAccessRoleArn": datasync_role},
    )["LocationArn"]
    subdirectory = f"/it-exec-{uuid.uuid4().hex[:8]}"
    destination = ds.create_location_efs(
        EfsFilesystemArn=efs_env["file_system_arn"],
        Ec2Config={"SubnetArn": efs_env["subnet_arns"][0], "SecurityGroupArns": [efs_env["security_group_arn"]]},
        AccessPointArn=efs_env["access_point_arn"],
        InTransitEncryption="TLS1_2",
        Subdirectory=subdirectory,
    )["LocationArn"]
    return {"source": source, "destination": destination, "subdirectory": subdirectory.strip("/")}


@pytest.fixture(scope="module")
def make_task(emulator, execution_locations, fast_datasync):
    """make_task(name, source=None, **create_task_args) -> ARN of a new AVAILABLE task."""

    def make(name: str, source: str | None = None, **extra) -> str:
        ds = emulator.client("datasync")
        arn = ds.create_task(
            SourceLocationArn=source or execution_locations["source"],
            DestinationLocationArn=execution_locations["destination"],
            Name=name,
            **extra,
        )["TaskArn"]
        wait_until(lambda: ds.describe_task(TaskArn=arn)["Status"] == "AVAILABLE", 10)
        return arn

    return make


def wait_until(condition, timeout: float, interval: float = 0.1):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)


def status_of(emulator, execution_arn: str) -> str:
    return emulator.client("datasync").describe_task_execution(TaskExecutionArn=execution_arn)["Status"]


def wait_finished(emulator, execution_arn: str, timeout: float = 15) -> str:
    wait_until(lambda: status_of(emulator, execution_arn) in ("SUCCESS", "ERROR"), timeout)
    return status_of(emulator, execution_arn)


def operations(emulator, mark: int, name: str) -> list[dict]:
    """Journal entries of DataSync operation `name` after `mark`."""
    return [e for e in emulator.calls(mark) if e["service"] == "datasync" and e["operation"] == name]
