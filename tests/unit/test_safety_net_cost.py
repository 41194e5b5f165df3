"""The safety net's cost model (tools/safety_net_cost.py) and the README table it prints."""

from __future__ import annotations

from pathlib import Path

import pytest
import safety_net_cost as cost

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize(("objects", "lists"), [(0, 0), (1, 1), (999, 1), (1000, 1), (1001, 2), (10**6, 1000)])
def test_one_scan_lists_in_pages_of_1000_and_heads_every_object(objects, lists):
    scan = cost.scan(objects)
    assert (scan.lists, scan.heads, scan.gets, scan.gb_copied) == (lists, objects, 0, 0.0)


def test_cost_of_one_scan_at_the_published_prices():
    # 10^6 objects: 1,000 LIST at $0.005/1,000 + 10^6 HEAD at $0.0004/1,000, nothing copied
    assert cost.scan(10**6).cost == pytest.approx(0.005 + 0.4)
    # what it finds missing is read (GET) and copied (DataSync Basic per GB)
    assert cost.scan(10**6, missed=1000, missed_gb=2.0).cost == pytest.approx(0.405 + 0.0004 + 2 * 0.0125)


def test_monthly_cost_is_hourly_scans_by_default():
    assert cost.monthly(10**4) == pytest.approx(cost.scan(10**4).cost * 730)
    assert cost.monthly(10**8, 30) == pytest.approx(40.5 * 30)


def test_the_readme_table_is_the_models_output():
    assert cost.markdown_table() in README.read_text(encoding="utf-8")
