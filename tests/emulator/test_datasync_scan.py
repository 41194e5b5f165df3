"""A scan and a delivery over the same locations (issue 13): two tasks run at the same time, as DataSync does
between AWS services (one execution at a time is a rule per task), and PREPARING takes longer the more
objects an execution lists. Asserts statuses and the modelled durations, never the wall clock."""

from __future__ import annotations

from support.polling import wait_for
from test_datasync import available_task
from test_datasync import describe_execution
from test_datasync import efs_location
from test_datasync import finished
from test_datasync import s3_location
from test_datasync import start
from test_datasync import timing

from lakedrop_emulator.client import state_dir


def _lake(clients, world, prefix: str, count: int) -> None:
    s3 = clients("s3", "source")
    for i in range(count):
        s3.put_object(Bucket=world.bucket, Key=f"{prefix}/old/{i:04}.csv", Body=b"x")


def _only(value: str) -> list[dict]:
    return [{"FilterType": "SIMPLE_PATTERN", "Value": value}]


def test_a_scan_on_the_reconcile_task_does_not_hold_a_delivery_on_the_delivery_task(
    emulator, ds, world, clients, unique
):
    prefix = f"lake/{unique}"
    _lake(clients, world, prefix, 300)
    source, destination = s3_location(ds, world, prefix), efs_location(ds, world, f"scan/{unique}")
    delivery = available_task(ds, source, destination, Name=f"delivery-{unique}")
    reconcile = available_task(ds, source, destination, Name=f"delivery-{unique}-reconcile")

    # 300 listed objects at 0.5 s each: the scan prepares for minutes; a delivery lists its one object
    with timing(emulator, preparing_per_object=0.5):
        scan = start(ds, reconcile)
        wait_for(lambda: describe_execution(ds, scan)["Status"] == "PREPARING")

        clients("s3", "source").put_object(Bucket=world.bucket, Key=f"{prefix}/new/upload.csv", Body=b"fresh")
        delivered = start(ds, delivery, Includes=_only("/new/upload.csv"))
        done = finished(ds, delivered)
        assert (done["Status"], done["FilesTransferred"]) == ("SUCCESS", 1)
        # the delivery started after the scan and finished while the scan was still listing
        assert describe_execution(ds, scan)["Status"] == "PREPARING"
        landed = state_dir() / "efs" / emulator.account_id("target") / world.fs_id
        assert (
            landed / world.access_point_root.strip("/") / "scan" / unique / "new" / "upload.csv"
        ).read_bytes() == b"fresh"

        # the one-task layout this replaces: the same delivery on the scanning task waits behind the scan
        behind = start(ds, reconcile, Includes=_only("/new/upload.csv"))
        assert describe_execution(ds, behind)["Status"] == "QUEUED"
        assert describe_execution(ds, scan)["Status"] == "PREPARING"

        ds.cancel_task_execution(TaskExecutionArn=scan)
        assert finished(ds, scan)["Status"] == "ERROR"
        assert finished(ds, behind)["Status"] == "SUCCESS"  # queued behind the scan, it ran after it


def test_preparing_takes_longer_the_more_objects_an_execution_lists(emulator, ds, world, clients, unique):
    prefix = f"lake/{unique}"
    _lake(clients, world, prefix, 200)
    source, destination = s3_location(ds, world, prefix), efs_location(ds, world, f"listed/{unique}")
    task = available_task(ds, source, destination)

    with timing(emulator, preparing=0.05, preparing_per_object=0.002):
        full = finished(ds, start(ds, task))
        one = finished(ds, start(ds, task, Includes=_only("/old/0007.csv")))
        # an exclude filter applies after listing: it lists the whole prefix
        excluded = finished(ds, start(ds, task, Excludes=_only("/old/00*")))

    assert [e["Status"] for e in (full, one, excluded)] == ["SUCCESS"] * 3
    # modelled durations (0.05 s + 2 ms per listed object), as DescribeTaskExecution reports them
    assert abs(full["Result"]["PrepareDuration"] - (50 + 2 * 200)) <= 1
    assert abs(one["Result"]["PrepareDuration"] - (50 + 2 * 1)) <= 1
    assert abs(excluded["Result"]["PrepareDuration"] - (50 + 2 * 200)) <= 1
