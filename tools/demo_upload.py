"""Upload one object with a nested, space-containing key and wait until DataSync's copy lands in the
directory standing for the containers' mount (make demo's last step)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from lakedrop_emulator.client import Emulator
from lakedrop_emulator.client import state_dir

REPO = Path(__file__).resolve().parents[1]
KEY = time.strftime("incoming/%Y/%m/sales report (final %H%M%S).csv")  # new each run, so arrival is real
BODY = b"region,amount\nnorth,1200\nsouth,950\n"


def main() -> int:
    emulator = Emulator.from_state_file()
    s3 = emulator.client("s3", "source")
    buckets = [b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].startswith("lakedrop-demo-source")]
    if not buckets:
        print("no demo bucket found: did site.yml run?", file=sys.stderr)
        return 1
    bucket = buckets[0]
    efs = emulator.client("efs")
    (fs,) = [f for f in efs.describe_file_systems()["FileSystems"] if f.get("Name") == "lakedrop-demo"]
    root = state_dir() / "efs" / emulator.account_id("target") / fs["FileSystemId"] / "lake"
    mount = state_dir() / "mount"
    mount.mkdir(parents=True, exist_ok=True)
    link = mount / "data-lake"  # stands for /data/lake inside the RStudio container
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(root, target_is_directory=True)

    print(f"uploading s3://{bucket}/{KEY} (account source)")
    started = time.monotonic()
    s3.put_object(Bucket=bucket, Key=KEY, Body=BODY)
    target = link / KEY[len("incoming/") :]
    while time.monotonic() - started < 180:
        if target.exists():
            break
        time.sleep(0.5)
    else:
        print(f"not delivered after 180 s; look at {state_dir() / 'emulator.log'}", file=sys.stderr)
        return 1
    print(f"delivered after {time.monotonic() - started:.1f} s: {target}")
    print(target.read_text().rstrip())
    print(
        f"""
Look around:
  ls -R {os.path.relpath(link, REPO)}              # what the containers see under /data/lake
  cat {os.path.relpath(state_dir() / "emulator.json", REPO)}           # endpoint and the two accounts' keys
  curl -s {emulator.endpoint}/_lakedrop/journal | head -c 2000     # every API call, per account
  curl -s {emulator.endpoint}/_lakedrop/lambda/invocations         # trigger invocations (batching)
  .venv/bin/ansible-playbook -i inventories/local site.yml        # again: changed=0, no write calls
  .venv/bin/ansible-playbook -i inventories/local playbooks/teardown.yml -e lakedrop_teardown_bucket_contents=true
Stop the emulator:  make emulator-stop"""
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
