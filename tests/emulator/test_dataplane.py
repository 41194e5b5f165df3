"""The emulator's filter matching (DataSync SIMPLE_PATTERN semantics), pure functions."""

from __future__ import annotations

import pytest

from lakedrop_emulator.ext.dataplane import Filter
from lakedrop_emulator.ext.dataplane import SourceObject
from lakedrop_emulator.ext.dataplane import matches
from lakedrop_emulator.ext.dataplane import select


@pytest.mark.parametrize(
    ("value", "path", "selected"),
    [
        ("/2026/a.csv", "/2026/a.csv", True),
        ("/2026/a.csv", "/2026/a.csv.bak", False),
        ("/2026/a.csv", "/a.csv", False),  # a file pattern is anchored at the location's root
        ("/2026", "/2026/11/deep/a.csv", True),  # a folder selects everything under it
        ("/2026/", "/2026/a.csv", True),
        ("/202", "/2026/a.csv", False),  # a folder is a whole path segment, not a prefix
        ("/x|/2026/a.csv", "/2026/a.csv", True),
        ("/sales report (final+1) é.csv", "/sales report (final+1) é.csv", True),
        ("/2026/*.csv", "/2026/a.csv", True),
        ("/2026/*.csv", "/2025/a.csv", False),
        ("*.tmp", "/deep/x.tmp", True),  # exclude style: anywhere
        ("x.tmp", "/deep/x.tmp", True),  # no leading slash: anywhere
        ("x.tmp", "/deep/y.tmp", False),
        ("/a*b/", "/a-to-b/file", True),
        ("", "/a.csv", False),
        (None, "/a.csv", False),
    ],
)
def test_matches(value, path, selected):
    assert matches(value, path) is selected


def test_thousands_of_exact_patterns_select_exactly_their_files():
    paths = [f"/{i % 7}/site {i % 3}/r{i:05d} (v2).csv" for i in range(10_000)]
    wanted = paths[::2]
    chosen = Filter("|".join(wanted))
    assert [p for p in paths if chosen.selects(p)] == wanted
    assert not Filter("").selects("/x") and not Filter("")


def test_select_applies_includes_then_excludes():
    objects = [
        SourceObject(path=p, key=p[1:], size=1, mtime=0.0, body=bytes) for p in ("/a/1.csv", "/a/2.tmp", "/b/3.csv")
    ]
    assert [o.path for o in select(objects, "/a", "*.tmp")] == ["/a/1.csv"]
    assert [o.path for o in select(objects, None, None)] == ["/a/1.csv", "/a/2.tmp", "/b/3.csv"]
    assert select(objects, "|", None) == []  # an include value naming nothing selects nothing
