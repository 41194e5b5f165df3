"""What the safety-net scan costs: the requests one CHANGED scan of a prefix makes and their monthly price.

`python tools/safety_net_cost.py` prints the README's table (tests/unit/test_safety_net_cost.py checks the
README holds exactly this output, so no number there is typed by hand). Dev tool, not in the collection.

The request model (one scan of N objects, S3 source, nothing missed): LIST pages of 1,000 keys
(ListObjectsV2's maximum), one HEAD per object to compare its metadata with the destination, a GET only for
an object that differs (none when every upload was delivered), and DataSync Basic mode's charge per GB
copied (none when nothing is copied; Basic mode has no per-execution charge).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# USD, us-east-1, S3 Standard: https://aws.amazon.com/s3/pricing/ ("PUT, COPY, POST, LIST requests" and
# "GET, SELECT, and all other requests", per 1,000); HEAD is one of "all other requests".
LIST_PER_1000 = 0.005
GET_PER_1000 = 0.0004
# https://aws.amazon.com/datasync/pricing/ (Basic mode; shared/reference/aws-facts.md)
DATASYNC_BASIC_PER_GB = 0.0125
KEYS_PER_LIST = 1000  # ListObjectsV2 MaxKeys
HOURS_PER_MONTH = 730  # AWS's pricing convention
# DataSync quota (user guide, Quotas): a Basic-mode execution between AWS services handles up to 25 million items
MAX_ITEMS_PER_EXECUTION = 25_000_000


@dataclass(frozen=True)
class Scan:
    objects: int
    lists: int
    heads: int
    gets: int
    gb_copied: float

    @property
    def cost(self) -> float:
        return (
            self.lists * LIST_PER_1000 / 1000
            + (self.heads + self.gets) * GET_PER_1000 / 1000
            + self.gb_copied * DATASYNC_BASIC_PER_GB
        )


def scan(objects: int, missed: int = 0, missed_gb: float = 0.0) -> Scan:
    """The requests of one scan of `objects` objects, `missed` of which (`missed_gb` in all) it copies."""
    return Scan(objects, math.ceil(objects / KEYS_PER_LIST), objects, missed, missed_gb)


def monthly(objects: int, scans_per_month: float = HOURS_PER_MONTH) -> float:
    """USD a month for the scans alone (nothing missed) at `scans_per_month` (hourly by default)."""
    return scan(objects).cost * scans_per_month


def _money(value: float) -> str:
    return f"${value:,.2f}" if value >= 0.01 else f"${value:.5f}"


def markdown_table(sizes=(10**4, 10**6, 10**8)) -> str:
    rows = [
        "| objects under the prefix | LIST requests per scan | HEAD requests per scan | cost per scan | per month, hourly | per month, daily |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for n in sizes:
        one = scan(n)
        note = " ¹" if n > MAX_ITEMS_PER_EXECUTION else ""
        rows.append(
            f"| {n:,}{note} | {one.lists:,} | {one.heads:,} | {_money(one.cost)} | {_money(monthly(n))} "
            f"| {_money(monthly(n, 30))} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
