"""DataSync filter patterns and task Options: validation, API conversion, and the Options mapping held
against botocore's service model so the module's suboptions cannot drift from the API. No network."""

from __future__ import annotations

import botocore.session
import pytest

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import filters
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import task_options as options

# --- filters ---------------------------------------------------------------------------------------


def test_good_patterns_have_no_problems():
    assert filters.problems(["/incoming/daily*", "/incoming/sub dir/b c.csv"], "includes", include=True) == []
    assert filters.problems(["*.tmp", "*/_temporary", "/a/*/b"], "excludes", include=False) == []
    assert filters.problems(None, "includes", include=True) == []
    assert filters.problems([], "excludes", include=False) == []


@pytest.mark.parametrize(
    ("patterns", "include", "words"),
    [
        (["/a|/b"], True, "includes[0] '/a|/b' contains '|'"),
        (["*.tmp|*.bak"], False, "contains '|'"),
        (["incoming/x"], True, "must start with '/'"),
        (["/data/*.csv"], True, "'*' is a wildcard only at the end"),
        (["*/data"], True, "'*' is a wildcard only at the end"),
        ([""], True, "includes[0] must be a non-empty string"),
        (["/a\x00b"], True, "NUL"),
        (["/ok", "/x" * 51201], True, "DataSync allows at most 102400"),
    ],
)
def test_bad_patterns(patterns, include, words):
    found = filters.problems(patterns, "includes", include=include)
    assert any(words in p for p in found), found


def test_index_names_the_bad_item():
    found = filters.problems(["/ok", "/bad|one"], "includes", include=True)
    assert found == [
        "includes[1] '/bad|one' contains '|', which separates patterns; give each pattern as its own list item."
    ]


def test_exactly_the_limit_is_allowed():
    pattern = "/" + "x" * (filters.MAX_VALUE - 1)
    assert filters.problems([pattern], "excludes", include=False) == []
    assert filters.problems([pattern + "y"], "excludes", include=False)


def test_filter_api_round_trip():
    assert filters.to_api(None) == [] and filters.to_api([]) == []
    assert filters.to_api(["/a", "/b*"]) == [{"FilterType": "SIMPLE_PATTERN", "Value": "/a|/b*"}]
    assert filters.from_api(filters.to_api(["/a", "/b*"])) == ["/a", "/b*"]
    assert filters.from_api(None) == [] and filters.from_api([]) == []
    assert filters.from_api([{"FilterType": "SIMPLE_PATTERN", "Value": "/a||/b|"}, {"Value": "/c"}]) == [
        "/a",
        "/b",
        "/c",
    ]
    assert filters.join(["/a", "/b"]) == "/a|/b"


# --- options ---------------------------------------------------------------------------------------


def test_fields_match_the_service_model():
    model = botocore.session.get_session().get_service_model("datasync").shape_for("Options")
    api_keys = {key for key, _choices in options.FIELDS.values()}
    assert api_keys == set(model.members)
    for _name, (key, choices) in options.FIELDS.items():
        member = model.members[key]
        if choices is None:
            assert member.type_name in ("integer", "long"), key
        else:
            assert choices == member.enum, key


def test_argument_spec_is_generated_from_fields():
    spec = options.argument_spec()
    assert set(spec) == set(options.FIELDS)
    assert spec["bytes_per_second"] == {"type": "int"}
    assert spec["verify_mode"] == {
        "type": "str",
        "choices": ["POINT_IN_TIME_CONSISTENT", "ONLY_FILES_TRANSFERRED", "NONE"],
    }


def test_options_api_conversion():
    assert options.to_api({"verify_mode": "NONE", "bytes_per_second": -1, "mtime": None}) == {
        "VerifyMode": "NONE",
        "BytesPerSecond": -1,
    }
    assert options.to_api(None) == {}
    assert options.from_api({"VerifyMode": "NONE", "ObjectTags": "PRESERVE", "NotYetKnown": "x"}) == {
        "verify_mode": "NONE",
        "object_tags": "PRESERVE",
    }
    assert options.from_api(None) == {}
    every = {name: (5 if choices is None else choices[0]) for name, (_key, choices) in options.FIELDS.items()}
    assert options.from_api(options.to_api(every)) == every


@pytest.mark.parametrize(
    ("given", "kwargs", "words"),
    [
        (
            {"atime": "BEST_EFFORT", "mtime": "NONE"},
            {},
            "atime BEST_EFFORT requires mtime PRESERVE, but it is mtime NONE.",
        ),
        ({"atime": "NONE", "mtime": "PRESERVE"}, {}, "atime NONE requires mtime NONE"),
        ({"preserve_deleted_files": "REMOVE", "transfer_mode": "ALL"}, {}, "cannot be combined with transfer_mode ALL"),
        ({"preserve_devices": "PRESERVE"}, {"destination_type": "EFS"}, "not supported when the destination is an EFS"),
        ({"verify_mode": "POINT_IN_TIME_CONSISTENT"}, {"task_mode": "ENHANCED"}, "does not support verify_mode"),
        ({"mtime": "NONE", "atime": "NONE"}, {"task_mode": "ENHANCED"}, "does not support mtime NONE"),
        ({"bytes_per_second": -5}, {}, "must be -1 (unlimited)"),
        ({"bytes_per_second": 0}, {}, "would stop the transfer"),
        # judged beside the task's current (or default) values, and saying so
        (
            {"mtime": "NONE"},
            {"effective": options.DEFAULTS},
            "atime BEST_EFFORT (the task's current or default value; set options.atime",
        ),
        (
            {"transfer_mode": "ALL"},
            {"effective": {"preserve_deleted_files": "REMOVE"}},
            "preserve_deleted_files REMOVE (the task's",
        ),
        # unknown mode: still wrong in both modes
        ({"atime": "BEST_EFFORT", "mtime": "NONE"}, {"task_mode": None}, "requires mtime PRESERVE"),
    ],
)
def test_option_problems(given, kwargs, words):
    found = options.problems(given, "options", **kwargs)
    assert any(words in p for p in found), found


@pytest.mark.parametrize(
    ("given", "kwargs"),
    [
        ({}, {}),
        (None, {"effective": options.DEFAULTS}),
        ({"atime": "NONE", "mtime": "NONE"}, {}),
        ({"preserve_devices": "PRESERVE"}, {"destination_type": "S3"}),
        ({"preserve_deleted_files": "REMOVE", "transfer_mode": "CHANGED"}, {}),
        ({"verify_mode": "ONLY_FILES_TRANSFERRED"}, {"task_mode": "ENHANCED"}),
        ({"bytes_per_second": -1}, {}),
        ({"bytes_per_second": 1048576, "mtime": None}, {}),
        # unknown mode: fine in ENHANCED, so not refused before the mode is known
        ({"atime": "NONE", "mtime": "PRESERVE"}, {"task_mode": None}),
        # a current task's own (accepted) combination is not the user's problem when they change something else
        ({"log_level": "BASIC"}, {"effective": {"atime": "NONE", "mtime": "PRESERVE"}}),
    ],
)
def test_option_combinations_that_are_fine(given, kwargs):
    assert options.problems(given, "options", **kwargs) == []


def test_option_prefix_is_the_callers():
    (problem,) = options.problems({"bytes_per_second": 0}, "override_options")
    assert problem.startswith("override_options.bytes_per_second")


@pytest.mark.parametrize(("source", "destination", "sides"), [("EFS", "S3", "source"), ("S3", "EFS", "destination")])
def test_preserve_devices_is_refused_with_efs_on_either_side(source, destination, sides):
    (problem,) = options.problems(
        {"preserve_devices": "PRESERVE"}, "options", destination_type=destination, source_type=source
    )
    assert f"is not supported when the {sides} is an EFS location" in problem
