"""Pure parts of the latency benchmark (benchmarks/latency.py): nearest-rank percentiles with files never
visible, per-delivery rows, pacing, the table, the goal's verdict and what counts as visible (no emulator)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "benchmarks"))  # latency.py imports burst.py, its neighbour
_spec = importlib.util.spec_from_file_location("latency", REPO / "benchmarks/latency.py")
latency = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(latency)


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert latency.percentile(values, 50) == 50.0
    assert latency.percentile(values, 95) == 95.0
    assert latency.percentile(values, 100) == 100.0
    assert latency.percentile([3.0, 1.0, 2.0], 50) == 2.0  # unordered input
    assert latency.percentile([0.4], 95) == 0.4
    assert latency.percentile([], 50) is None


def test_a_file_never_visible_is_slower_than_any():
    visible = [0.1] * 95
    assert latency.percentile([*visible, *[None] * 5], 95) == 0.1  # the 95th of 100 is still a visible one
    assert latency.percentile([*visible[:94], *[None] * 6], 95) is None  # lands on a missing file: unknown
    assert latency.percentile([None, 5.0], 50) == 5.0


def test_summary_counts_visible_files_and_rounds():
    row = latency.summarize("fast", [0.12345, 0.5, None, 1.0])
    assert row == {"path": "fast", "files": 4, "visible": 3, "p50": 0.5, "p95": None, "max": 1.0}
    assert latency.summarize("datasync", [None])["max"] is None


def test_schedule_paces_uploads_evenly():
    assert latency.schedule(4, 2.0, start=10.0) == [10.0, 10.5, 11.0, 11.5]
    assert latency.schedule(0, 4.0) == []
    with pytest.raises(ValueError, match="rate"):
        latency.schedule(3, 0)


def test_table_has_a_row_per_path_and_dashes_for_unknown():
    rows = [
        latency.summarize("fast", [0.3, 0.4, 0.9]),
        latency.summarize("datasync", [70.0, None, None]),
    ]
    lines = latency.table(rows).splitlines()
    assert [cell.strip() for cell in lines[0].split("|")] == ["path", "files", "visible", "p50", "p95", "max"]
    assert [cell.strip() for cell in lines[2].split("|")] == ["fast", "3", "3", "0.400", "0.900", "0.900"]
    assert [cell.strip() for cell in lines[3].split("|")] == ["datasync", "3", "1", "-", "-", "70.000"]
    assert len({len(line) for line in lines}) == 1  # aligned


def test_goal_is_the_fast_paths_p95():
    def rows(p95):
        return [{"path": "fast", "p95": p95}, {"path": "datasync", "p95": 80.0}]

    assert latency.goals(rows(1.9)) == {"fast_p95<=2s": True}
    assert latency.goals(rows(2.5)) == {"fast_p95<=2s": False}
    assert latency.goals(rows(None)) == {"fast_p95<=2s": False}  # too many files never arrived
    assert latency.goals([{"path": "datasync", "p95": 80.0}]) == {"fast_p95<=2s": None}


def test_visible_means_at_the_final_path_with_the_full_size(tmp_path):
    target = tmp_path / "a.csv"
    assert not latency.is_visible(target, 3)
    target.write_bytes(b"ab")
    assert not latency.is_visible(target, 3)  # not all of it yet
    target.write_bytes(b"abc")
    assert latency.is_visible(target, 3)
