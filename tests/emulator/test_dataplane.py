"""The emulator's data plane, pure functions: filter matching (DataSync SIMPLE_PATTERN semantics), which
objects a location covers, and which files a transfer copies."""

from __future__ import annotations

import os

import pytest

from lakedrop_emulator.ext.dataplane import Filter
from lakedrop_emulator.ext.dataplane import SourceObject
from lakedrop_emulator.ext.dataplane import matches
from lakedrop_emulator.ext.dataplane import needs_transfer
from lakedrop_emulator.ext.dataplane import relative_path
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


def test_relative_path_names_files_under_the_subdirectory_only():
    assert relative_path("incoming/a/b c.csv", "incoming/") == "/a/b c.csv"
    assert relative_path("incoming/a/b c.csv", "/incoming") == "/a/b c.csv"  # the API takes a leading "/" too
    assert relative_path("outside.txt", "incoming") is None
    assert relative_path("incoming/folder/", "incoming") is None  # a folder placeholder, not a file


@pytest.mark.parametrize(
    ("options", "size", "mtime", "copied"),
    [
        ({"TransferMode": "CHANGED"}, 1, 100.0, False),  # same size and mtime: unchanged
        ({"TransferMode": "CHANGED"}, 2, 100.0, True),
        ({"TransferMode": "CHANGED"}, 1, 200.0, True),
        ({"TransferMode": "CHANGED", "Mtime": "NONE"}, 1, 200.0, False),  # mtime not compared when not kept
        ({"TransferMode": "ALL"}, 1, 100.0, True),
        ({"TransferMode": "ALL", "OverwriteMode": "NEVER"}, 2, 200.0, False),  # never overwrite what is there
    ],
)
def test_needs_transfer_follows_transfer_and_overwrite_modes(tmp_path, options, size, mtime, copied):
    existing = tmp_path / "a.csv"
    existing.write_bytes(b"x")
    os.utime(existing, (100.0, 100.0))
    source = SourceObject(path="/a.csv", key="a.csv", size=size, mtime=mtime, body=bytes)
    assert needs_transfer(source, existing, options) is copied
    assert needs_transfer(source, tmp_path / "new.csv", options) is True  # absent: always copied
