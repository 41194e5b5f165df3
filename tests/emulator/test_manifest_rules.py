"""The manifest rules of ext/datasync_rules.py, without a server: the CSV as DataSync reads it, the key a
path names, what a start with a manifest may not hold, and queueing's notion of "the same settings"."""

from __future__ import annotations

import csv
import io

import pytest

from lakedrop_emulator.ext import datasync_rules as rules
from lakedrop_emulator.ext.datasync import filter_signature


def contract_csv(rows) -> bytes:
    """What the trigger writes (the contract: csv module, QUOTE_MINIMAL, lineterminator "\\n")."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def test_paths_with_commas_quotes_line_breaks_and_non_ascii_are_read_back_exactly():
    paths = ["plain.csv", "a,b.csv", 'quo"te.csv', "line\nbreak.csv", "résumé/ß.csv", "pipe|star*.csv", " sp ace"]
    assert rules.parse_manifest(contract_csv([[p] for p in paths])) == [(p, None) for p in paths]


def test_the_second_field_is_the_version_id():
    data = contract_csv([["a.csv", "v1"], ["b,c.csv", "v2"], ["d.csv"], ["e.csv", ""]])
    assert rules.parse_manifest(data) == [("a.csv", "v1"), ("b,c.csv", "v2"), ("d.csv", None), ("e.csv", None)]


def test_blank_lines_and_crlf_are_tolerated_and_repeats_read_once():
    assert rules.parse_manifest(b"a.csv\r\n\r\nb.csv\na.csv\n\na.csv,v1\n") == [
        ("a.csv", None),
        ("b.csv", None),
        ("a.csv", "v1"),
    ]


@pytest.mark.parametrize(
    "data, why",
    [
        (b"a.csv,v1,extra\n", "3 fields"),
        (b"\xff\xfe.csv\n", "not UTF-8"),
        (b'"unterminated.csv\n', "not valid CSV"),
        (b",v1\n", "no path"),
    ],
)
def test_what_makes_a_manifest_unusable(data, why):
    with pytest.raises(rules.ManifestProblem, match=why) as err:
        rules.parse_manifest(data)
    assert err.value.code == "InvalidManifest"


@pytest.mark.parametrize(
    "path, subdirectory, key",
    [
        ("a.csv", "incoming", "incoming/a.csv"),
        ("a.csv", "/incoming/", "incoming/a.csv"),
        ("deep/a.csv", "", "deep/a.csv"),
        ("/a.csv", "incoming/", "incoming//a.csv"),  # a leading "/" is kept: it names another key
    ],
)
def test_a_path_is_relative_to_the_locations_subdirectory(path, subdirectory, key):
    assert rules.manifest_key(path, subdirectory) == key


def manifest(**source) -> dict:
    role = "arn:aws:iam::123456789012:role/r"
    return {"Source": {"S3": {"ManifestObjectPath": "m.csv", "BucketAccessRoleArn": role, **source}}}


def test_what_a_start_with_a_manifest_may_not_hold():
    assert rules.manifest_start_problem({"ManifestConfig": manifest()}) is None
    assert rules.manifest_start_problem({"ManifestConfig": {}}) is None  # empty: no manifest
    assert rules.manifest_start_problem({"ManifestConfig": {"Action": "TRANSFER"}})[0] == "ValidationException"
    no_role = {"Source": {"S3": {"ManifestObjectPath": "m.csv"}}}
    assert rules.manifest_start_problem({"ManifestConfig": no_role})[0] == "ValidationException"
    for filters in ("Includes", "Excludes"):
        with_filter = {"ManifestConfig": manifest(), filters: [{"FilterType": "SIMPLE_PATTERN", "Value": "/a"}]}
        assert rules.manifest_start_problem(with_filter)[0] == "InvalidRequestException"


def test_executions_with_different_manifests_are_different_settings():
    bucket = {"S3BucketArn": "arn:aws:s3:::b"}
    one, other = (
        manifest(**bucket),
        {"Source": {"S3": {**manifest(**bucket)["Source"]["S3"], "ManifestObjectPath": "n"}}},
    )
    versioned = manifest(**bucket, ManifestObjectVersionId="v1")
    assert filter_signature(None, None, one) == filter_signature([], [], manifest(**bucket))
    assert len({filter_signature(None, None, m) for m in (None, one, other, versioned)}) == 4
    assert rules.manifest_location(one) == "s3://b/m.csv"
    assert rules.manifest_location(versioned) == "s3://b/m.csv?versionId=v1"
    assert rules.manifest_location(None) is None
