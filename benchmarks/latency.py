"""Upload-to-visible latency of small files, fast path against DataSync, in one run (`make bench`;
`python benchmarks/burst.py --scenario latency`).

Two deliveries side by side on the emulator, each a fresh source bucket and DataSync task (S3 -> EFS through
an access point) behind the manifest trigger, exactly as burst.py's `manifest` mode builds them (its Setup):

- `fast`: the fast path of issue 12's contract in front of it: S3 notifies `<base>-fast-events` (no
  batching window, visibility 30 s, redrive to the DataSync queue with maxReceiveCount 1), the fast function
  `<base>-fast` (role `<base>-fast-role`, roles/fast_path/files/lakedrop_fast.py, timeout 30, memory 256,
  batch size 10, ReportBatchItemFailures) in the mount target's subnet with security group `<base>-lambda`,
  the access point mounted at /mnt/lakedrop, an S3 gateway endpoint limited to the bucket on the subnet's
  route tables;
- `datasync`: the fast path off: S3 notifies the DataSync queue directly (the role's 20 s batching window).

The same small files (`--size` bytes, burst.py's key mix: nested folders, spaces, unicode) are uploaded to
both, paced (`--rate` per second and per delivery, one PutObject to each delivery per tick), `--files` of
them. Each file's latency runs from its PutObject's answer to the moment it is at its final path in the
emulator's EFS tree with its full size (polled every `--poll` seconds). DataSync's phases keep AWS's
proportions as burst.py sets them (burst.TIMING: launch 30 s + prepare 20 s, then transfer, verify) — not
shrunk, or DataSync would look as fast as the fast path for the wrong reason.

Reported per delivery: files, visible within the window, p50, p95 and max (seconds; nearest rank over all
files, a file never visible counting as slower than any: a percentile landing on one reads "-"), and the goal
of issue 12 (fast path p95 at most 2 s on the emulator) met or MISSED. Per-file latencies go to
`--json` (default `<state>/latency.json`).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import burst

from lakedrop_emulator.client import Emulator
from lakedrop_emulator.client import state_dir
from lakedrop_emulator.stack import REPO
from lakedrop_emulator.stack import VPC_ACCESS_ACTIONS
from lakedrop_emulator.stack import bucket_policy
from lakedrop_emulator.stack import consume_policy
from lakedrop_emulator.stack import datasync_read_statements
from lakedrop_emulator.stack import s3_may_send
from lakedrop_emulator.stack import trust
from lakedrop_emulator.stack import zipped

FAST_HANDLER = REPO / "roles/fast_path/files/lakedrop_fast.py"
MOUNT_PATH = "/mnt/lakedrop"
PATHS = ("fast", "datasync")
GOAL_P95_SECONDS = 2.0
FAST_MAX_BYTES = 16 * 1024 * 1024  # lakedrop_fast_path_max_bytes' default
# the contract's mapping: batches of 10, no batching window, partial batch responses
FAST_MAPPING = {
    "BatchSize": 10,
    "MaximumBatchingWindowInSeconds": 0,
    "FunctionResponseTypes": ["ReportBatchItemFailures"],
}


# --- pure parts (tests/unit/test_bench_latency.py) --------------------------------------------------


def percentile(values: list[float | None], q: float) -> float | None:
    """The nearest-rank q-th percentile (0 < q <= 100) of `values`; None stands for a file never visible,
    slower than any, so a percentile that lands on one is None (unknown), as is that of no values."""
    if not values:
        return None
    ordered = sorted(values, key=lambda v: math.inf if v is None else v)
    return ordered[max(1, math.ceil(q / 100 * len(ordered))) - 1]


def summarize(path: str, latencies: list[float | None]) -> dict:
    """One delivery's row: files, visible, p50, p95, max (seconds, 3 decimals; max over visible files)."""
    seen = [v for v in latencies if v is not None]

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 3)

    return {
        "path": path,
        "files": len(latencies),
        "visible": len(seen),
        "p50": rounded(percentile(latencies, 50)),
        "p95": rounded(percentile(latencies, 95)),
        "max": rounded(max(seen)) if seen else None,
    }


def schedule(count: int, rate: float, start: float = 0.0) -> list[float]:
    """When each of `count` uploads is due at `rate` per second (the first at `start`)."""
    if rate <= 0:
        raise ValueError(f"rate must be positive, got {rate}")
    return [start + i / rate for i in range(count)]


COLUMNS = ("path", "files", "visible", "p50", "p95", "max")


def table(rows: list[dict]) -> str:
    """A fixed-width table of the rows (seconds for p50/p95/max; "-" for unknown)."""

    def cell(row: dict, column: str) -> str:
        value = row.get(column)
        return "-" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))

    widths = {c: max(len(c), *(len(cell(r, c)) for r in rows)) for c in COLUMNS}
    lines = [" | ".join(c.ljust(widths[c]) for c in COLUMNS), "-+-".join("-" * widths[c] for c in COLUMNS)]
    lines += [" | ".join(cell(r, c).ljust(widths[c]) for c in COLUMNS) for r in rows]
    return "\n".join(lines)


def goals(rows: list[dict]) -> dict[str, bool | None]:
    """Issue 12's latency goal: True met, False missed, None not measured (no fast row, or its p95 unknown
    because more than 5% of its files never became visible: missed)."""
    fast = next((r for r in rows if r["path"] == "fast"), None)
    if fast is None:
        return {f"fast_p95<={GOAL_P95_SECONDS:g}s": None}
    return {f"fast_p95<={GOAL_P95_SECONDS:g}s": fast["p95"] is not None and fast["p95"] <= GOAL_P95_SECONDS}


def is_visible(path: Path, size: int) -> bool:
    """The file is at its final path with its full size (the fast path and DataSync rename into place)."""
    try:
        return path.stat().st_size == size
    except OSError:
        return False


# --- the deliveries ---------------------------------------------------------------------------------


def fast_path(emulator: Emulator, setup: burst.Setup) -> str:
    """The contract's fast path in front of `setup` (burst's manifest pipeline): queue, function, role,
    network; answers the fast queue's ARN (S3 is pointed at it by `notify`)."""
    if not FAST_HANDLER.exists():
        raise SystemExit(f"{FAST_HANDLER.relative_to(REPO)} is missing: the fast path's handler (issue 12) is needed")
    base, region, target = setup.name, emulator.region, emulator.account_id("target")
    iam, sqs, lam, ec2, efs = (emulator.client(s) for s in ("iam", "sqs", "lambda", "ec2", "efs"))
    redrive = json.dumps({"deadLetterTargetArn": setup.queue_arn, "maxReceiveCount": 1})
    url = sqs.create_queue(
        QueueName=f"{base}-fast-events", Attributes={"VisibilityTimeout": "30", "RedrivePolicy": redrive}
    )["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": s3_may_send(queue_arn, setup.bucket)})

    # network: the mount target's subnet, a group of the function's admitted by the file system's on 2049
    target_mount = efs.describe_mount_targets(FileSystemId=setup.transfer.file_system_id)["MountTargets"][0]
    efs_groups = efs.describe_mount_target_security_groups(MountTargetId=target_mount["MountTargetId"])
    subnet = ec2.describe_subnets(SubnetIds=[target_mount["SubnetId"]])["Subnets"][0]
    group = ec2.create_security_group(GroupName=f"{base}-lambda", Description="lakedrop fast", VpcId=subnet["VpcId"])
    nfs = {"IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049}
    for efs_group in efs_groups["SecurityGroups"]:
        ec2.authorize_security_group_ingress(
            GroupId=efs_group, IpPermissions=[{**nfs, "UserIdGroupPairs": [{"GroupId": group["GroupId"]}]}]
        )
    tables = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet["SubnetId"]]}])
    tables = (
        tables["RouteTables"]
        or ec2.describe_route_tables(
            Filters=[{"Name": "vpc-id", "Values": [subnet["VpcId"]]}, {"Name": "association.main", "Values": ["true"]}]
        )["RouteTables"]
    )
    bucket_arn = f"arn:aws:s3:::{setup.bucket}"
    endpoint_policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": [bucket_arn, f"{bucket_arn}/*"]}
        ],
    }
    ec2.create_vpc_endpoint(
        VpcEndpointType="Gateway",
        VpcId=subnet["VpcId"],
        ServiceName=f"com.amazonaws.{region}.s3",
        RouteTableIds=[t["RouteTableId"] for t in tables],
        PolicyDocument=json.dumps(endpoint_policy),
    )

    # the role: logs, network interfaces, its queue, the source objects, the file system through the access point
    role = iam.create_role(RoleName=f"{base}-fast-role", AssumeRolePolicyDocument=trust("lambda.amazonaws.com"))
    role_arn = role["Role"]["Arn"]
    log_group = f"arn:aws:logs:{region}:{target}:log-group:/aws/lambda/{base}-fast"
    reads = [
        {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": bucket_arn,
            "Condition": {"StringLike": {"s3:prefix": [f"{burst.PREFIX}*"]}},
        },
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
            "Resource": f"{bucket_arn}/{burst.PREFIX}*",
        },
    ]
    statements = [
        {"Effect": "Allow", "Action": "logs:CreateLogGroup", "Resource": log_group},
        {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": f"{log_group}:*"},
        {"Effect": "Allow", "Action": VPC_ACCESS_ACTIONS, "Resource": "*"},
        *reads,
        {
            "Effect": "Allow",
            "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
            "Resource": f"arn:aws:elasticfilesystem:{region}:{target}:file-system/{setup.transfer.file_system_id}",
            "Condition": {"StringEquals": {"elasticfilesystem:AccessPointArn": setup.transfer.access_point_arn}},
        },
    ]
    iam.put_role_policy(
        RoleName=f"{base}-fast-role",
        PolicyName="fast-path",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
    )
    iam.put_role_policy(RoleName=f"{base}-fast-role", PolicyName="fast-queue", PolicyDocument=consume_policy(queue_arn))
    # the source bucket policy grants the fast role what it grants the DataSync role (cross-account: both must allow)
    granted = [
        *(
            {**s, "Principal": {"AWS": setup.transfer.datasync_role}}
            for s in datasync_read_statements(setup.bucket, burst.PREFIX)
        ),
        *({**s, "Principal": {"AWS": role_arn}} for s in reads),
    ]
    emulator.client("s3", "source").put_bucket_policy(
        Bucket=setup.bucket,
        Policy=json.dumps(bucket_policy(setup.bucket, emulator.identity("target")["user_arn"], granted)),
    )

    function = lam.create_function(
        FunctionName=f"{base}-fast",
        Runtime="python3.12",
        Role=role_arn,
        Handler="lakedrop_fast.handler",
        Code={"ZipFile": zipped(FAST_HANDLER, "lakedrop_fast.py")},
        Timeout=30,
        MemorySize=256,
        VpcConfig={"SubnetIds": [subnet["SubnetId"]], "SecurityGroupIds": [group["GroupId"]]},
        FileSystemConfigs=[{"Arn": setup.transfer.access_point_arn, "LocalMountPath": MOUNT_PATH}],
        Environment={
            "Variables": {
                "LAKEDROP_MOUNT_PATH": MOUNT_PATH,
                "LAKEDROP_SOURCE_BUCKET": setup.bucket,
                "LAKEDROP_SOURCE_SUBDIRECTORY": burst.PREFIX,
                "LAKEDROP_MAX_BYTES": str(FAST_MAX_BYTES),
                "LAKEDROP_PROPAGATE_DELETES": "false",
            }
        },
    )["FunctionArn"]
    lam.create_event_source_mapping(EventSourceArn=queue_arn, FunctionName=function, **FAST_MAPPING)
    return queue_arn


class Delivery:
    """One delivery: burst's manifest pipeline (DataSync side), with or without the fast path in front."""

    def __init__(self, emulator: Emulator, path: str, files: int) -> None:
        self.path = path
        self.setup = burst.Setup(emulator, "manifest", files)
        queue_arn = fast_path(emulator, self.setup) if path == "fast" else self.setup.queue_arn
        emulator.client("s3", "source").put_bucket_notification_configuration(
            Bucket=self.setup.bucket,
            NotificationConfiguration={
                "QueueConfigurations": [
                    {
                        "Id": f"{self.setup.name}-{path}",
                        "QueueArn": queue_arn,
                        "Events": ["s3:ObjectCreated:*"],
                        "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": burst.PREFIX}]}},
                    }
                ]
            },
        )

    def destination(self, key: str) -> Path:
        return self.setup.mount / key[len(burst.PREFIX) :]


class Watcher(threading.Thread):
    """Polls the EFS tree for the files uploaded and not yet visible; records when each appears."""

    def __init__(self, interval: float) -> None:
        super().__init__(daemon=True)
        self.interval, self.lock, self.stopping = interval, threading.Lock(), threading.Event()
        self.pending: dict[tuple[str, str], tuple[Path, int, float]] = {}
        self.latency: dict[tuple[str, str], float] = {}

    def expect(self, path: str, key: str, where: Path, size: int, uploaded: float) -> None:
        with self.lock:
            self.pending[(path, key)] = (where, size, uploaded)

    def outstanding(self) -> int:
        with self.lock:
            return len(self.pending)

    def run(self) -> None:
        while not self.stopping.wait(self.interval):
            with self.lock:
                waiting = list(self.pending.items())
            for name, (where, size, uploaded) in waiting:
                if is_visible(where, size):
                    seen = time.monotonic()
                    with self.lock:
                        self.pending.pop(name, None)
                        self.latency[name] = seen - uploaded

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def measure(emulator: Emulator, paths: list[str], files: int, rate: float, size: int, window: float, poll: float):
    deliveries = [Delivery(emulator, path, files) for path in paths]
    keys = burst.burst_keys(files, seed=12)
    body = (b"lakedrop,latency\n" * (size // 17 + 1))[:size]
    watcher = Watcher(poll)
    watcher.start()
    clients = {d.path: emulator.client("s3", "source", max_pool_connections=16) for d in deliveries}

    def put(delivery: Delivery, key: str) -> None:
        clients[delivery.path].put_object(Bucket=delivery.setup.bucket, Key=key, Body=body)
        watcher.expect(delivery.path, key, delivery.destination(key), size, time.monotonic())

    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        for key, due in zip(keys, schedule(files, rate, began), strict=True):
            time.sleep(max(0.0, due - time.monotonic()))
            for delivery in deliveries:
                pool.submit(put, delivery, key)
    deadline = time.monotonic() + window
    while watcher.outstanding() and time.monotonic() < deadline:
        time.sleep(1.0)
    watcher.stop()
    for delivery in deliveries:
        delivery.setup.close()
    return {d.path: [watcher.latency.get((d.path, key)) for key in keys] for d in deliveries}, time.monotonic() - began


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", choices=["latency"], default="latency")
    parser.add_argument("--paths", nargs="+", choices=PATHS, default=list(PATHS))
    parser.add_argument("--files", type=int, default=200, help="uploads per delivery (at least 200 for the goal)")
    parser.add_argument("--rate", type=float, default=4.0, help="uploads per second and per delivery")
    parser.add_argument("--size", type=int, default=2048, help="bytes per file")
    parser.add_argument("--window", type=float, default=600.0, help="seconds to wait after the last upload")
    parser.add_argument("--poll", type=float, default=0.05, help="seconds between looks at the EFS tree")
    parser.add_argument("--json", default=str(state_dir() / "latency.json"))
    args = parser.parse_args(argv)
    emulator = Emulator.from_state_file()
    previous = emulator.control("POST", "datasync/timing", {})
    emulator.control("POST", "datasync/timing", burst.TIMING)
    try:
        print(
            f"... {args.files} uploads of {args.size} bytes at {args.rate:g}/s to {', '.join(args.paths)}", flush=True
        )
        latencies, seconds = measure(emulator, args.paths, args.files, args.rate, args.size, args.window, args.poll)
    finally:
        emulator.control("POST", "datasync/timing", {k: previous[k] for k in burst.TIMING})
    rows = [summarize(path, latencies[path]) for path in args.paths]
    print()
    print(table(rows))
    verdicts = goals(rows)
    for name, ok in verdicts.items():
        print(f"  {'not measured' if ok is None else 'met' if ok else 'MISSED'}  {name}")
    payload = {
        "scenario": "latency",
        "timing": burst.TIMING,
        "batching_window_seconds": burst.BATCHING_WINDOW,
        "files": args.files,
        "rate_per_second": args.rate,
        "size_bytes": args.size,
        "window_seconds": args.window,
        "seconds": round(seconds, 1),
        "results": rows,
        "latencies": latencies,
        "goals": verdicts,
    }
    return burst.write_results(Path(args.json), payload, verdicts)


if __name__ == "__main__":
    sys.exit(main())
