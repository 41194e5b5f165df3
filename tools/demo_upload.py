"""make demo's last step: a small upload arrives through the fast path (the VPC function copies it straight
into EFS), a large one through DataSync, then a delete of the small one is propagated. Each shows its time
and which path carried it (the delivery task's executions are counted before and after)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from lakedrop_emulator.client import Emulator
from lakedrop_emulator.client import state_dir

REPO = Path(__file__).resolve().parents[1]
STAMP = time.strftime("%H%M%S")  # new keys each run, so arrival is real
SMALL_KEY = f"incoming/{time.strftime('%Y/%m')}/sales report (final {STAMP}).csv"
SMALL_BODY = b"region,amount\nnorth,1200\nsouth,950\n"
LARGE_KEY = f"incoming/{time.strftime('%Y/%m')}/sensor dump {STAMP}.bin"
LARGE_SIZE = 16 * 1024 * 1024 + 1  # one byte above the default fast-path limit (16 MiB)
WAIT = 180


def executions(datasync, task_name: str) -> int:
    tasks = [t["TaskArn"] for t in datasync.list_tasks()["Tasks"] if t.get("Name") == task_name]
    return sum(len(datasync.list_task_executions(TaskArn=arn)["TaskExecutions"]) for arn in tasks)


def wait_for(check, what: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < WAIT:
        if check():
            return time.monotonic() - started
        time.sleep(0.2)
    raise SystemExit(f"{what} not seen after {WAIT} s; look at {state_dir() / 'emulator.log'}")


def main() -> int:
    emulator = Emulator.from_state_file()
    s3 = emulator.client("s3", "source")
    buckets = [b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith("lakedrop-demo-source")]
    if not buckets:
        print("no demo bucket found: did site.yml run?", file=sys.stderr)
        return 1
    bucket = buckets[0]
    efs = emulator.client("efs")
    datasync = emulator.client("datasync")
    (fs,) = [f for f in efs.describe_file_systems()["FileSystems"] if f.get("Name") == "lakedrop-demo"]
    root = state_dir() / "efs" / emulator.account_id("target") / fs["FileSystemId"] / "lake"
    mount = state_dir() / "mount"
    mount.mkdir(parents=True, exist_ok=True)
    link = mount / "data-lake"  # stands for /data/lake inside the RStudio container
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(root, target_is_directory=True)

    def deliver(key: str, body: bytes) -> None:
        before = executions(datasync, "lakedrop-demo-lake")
        print(f"uploading s3://{bucket}/{key} ({len(body):,} bytes)")
        s3.put_object(Bucket=bucket, Key=key, Body=body)
        target = link / key[len("incoming/") :]
        took = wait_for(lambda: target.exists() and target.stat().st_size == len(body), "the delivery")
        ran = executions(datasync, "lakedrop-demo-lake") - before
        path = "the fast path (no DataSync execution)" if ran == 0 else f"DataSync ({ran} execution)"
        print(f"  delivered after {took:.1f} s through {path}: {target.relative_to(REPO)}")

    deliver(SMALL_KEY, SMALL_BODY)
    print((link / SMALL_KEY[len("incoming/") :]).read_text().rstrip())
    deliver(LARGE_KEY, os.urandom(LARGE_SIZE))

    small = link / SMALL_KEY[len("incoming/") :]
    print(f"deleting s3://{bucket}/{SMALL_KEY} (the delivery propagates deletes)")
    s3.delete_object(Bucket=bucket, Key=SMALL_KEY)
    took = wait_for(lambda: not small.exists(), "the removal")
    print(f"  removed from EFS after {took:.1f} s")
    print(
        f"""
Look around:
  ls -R {os.path.relpath(link, REPO)}              # what the containers see under /data/lake
  cat {os.path.relpath(state_dir() / "emulator.json", REPO)}           # endpoint and the two accounts' keys
  curl -s {emulator.endpoint}/_lakedrop/journal | head -c 2000     # every API call, per account
  curl -s {emulator.endpoint}/_lakedrop/lambda/invocations         # trigger and fast-path invocations
  .venv/bin/ansible-playbook -i inventories/local site.yml        # again: changed=0, no write calls
  .venv/bin/ansible-playbook -i inventories/local playbooks/teardown.yml -e lakedrop_teardown_bucket_contents=true
Stop the emulator:  make emulator-stop"""
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
