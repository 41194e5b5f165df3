"""lakedrop.delivery.datasync_location_info against the emulator: every filter alone and combined, the
shape of S3, EFS and other locations, check mode, the EXAMPLES, bad input, and that it never writes."""

from __future__ import annotations

import uuid

import pytest
import yaml
from support.ansible import run_module
from support.ansible import run_playbook
from support.batch import run_modules

MODULE = "datasync_location_info"


@pytest.fixture(scope="module")
def listed(emulator, source_bucket, datasync_role, efs_env, make_efs_location) -> dict:
    """Two S3, two EFS and one NFS location, all tagged with this module's `suite` tag."""
    ds = emulator.client("datasync")
    suite = uuid.uuid4().hex[:8]

    def tags(kind, **extra):
        return [{"Key": k, "Value": v} for k, v in {"suite": suite, "kind": kind, **extra}.items()]

    def s3(sub, **extra):
        return ds.create_location_s3(
            S3BucketArn=f"arn:aws:s3:::{source_bucket}",
            Subdirectory=sub,
            S3Config={"BucketAccessRoleArn": datasync_role},
            Tags=tags("s3", **extra),
        )["LocationArn"]

    def efs(sub, **extra):
        through = {"AccessPointArn": efs_env["access_point_arn"], "InTransitEncryption": "TLS1_2"}
        return make_efs_location(sub, Tags=tags("efs", **extra), **(through if extra.get("app") else {}))

    agent = f"arn:aws:datasync:{emulator.region}:{emulator.account_id()}:agent/agent-0123456789abcdef0"
    nfs = ds.create_location_nfs(
        ServerHostname="files.example.com",
        Subdirectory=f"/info-{suite}/a",
        OnPremConfig={"AgentArns": [agent]},
        Tags=tags("nfs"),
    )["LocationArn"]
    return {
        "suite": suite,
        "sub": f"info-{suite}",
        "s3_a": s3(f"info-{suite}/a", app="lakedrop"),
        "s3_b": s3(f"info-{suite}/b"),
        "efs_a": efs(f"/info-{suite}/a", app="lakedrop"),
        "efs_b": efs(f"/info-{suite}/b"),
        "nfs": nfs,
    }


def arns_of(result):
    return sorted(location["location_arn"] for location in result["locations"])


def test_shapes_and_check_mode(emulator, listed, source_bucket, datasync_role, efs_location_fields):
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {"tags": {"suite": listed["suite"]}}, check=True)
    assert not result.changed and not result.failed, result.result
    assert arns_of(result) == sorted(listed[k] for k in ("s3_a", "s3_b", "efs_a", "efs_b", "nfs"))
    by_arn = {location["location_arn"]: location for location in result["locations"]}
    uris = [location["location_uri"] for location in result["locations"]]
    assert uris == sorted(uris)

    s3 = by_arn[listed["s3_a"]]
    assert s3["type"] == "S3"
    assert s3["location_uri"] == f"s3://{source_bucket}/{listed['sub']}/a/"
    assert s3["bucket_name"] == source_bucket and s3["bucket_arn"] == f"arn:aws:s3:::{source_bucket}"
    assert s3["subdirectory"] == f"{listed['sub']}/a"
    assert s3["s3_config"] == {"bucket_access_role_arn": datasync_role}
    assert s3["s3_storage_class"] == "STANDARD" and s3["creation_time"]
    assert s3["tags"] == {"suite": listed["suite"], "kind": "s3", "app": "lakedrop"}

    efs = by_arn[listed["efs_a"]]
    assert efs["type"] == "EFS"
    assert {k: efs[k] for k in efs_location_fields} == efs_location_fields  # TLS1_2, the access point's ARN
    assert efs["subdirectory"] == f"{listed['sub']}/a"
    assert by_arn[listed["efs_b"]]["access_point_arn"] is None
    assert by_arn[listed["efs_b"]]["in_transit_encryption"] == "NONE"

    nfs = by_arn[listed["nfs"]]
    assert nfs == {
        "location_arn": listed["nfs"],
        "location_uri": f"nfs://files.example.com/{listed['sub']}/a/",
        "type": "NFS",
        "subdirectory": f"{listed['sub']}/a",
        "tags": {"suite": listed["suite"], "kind": "nfs"},
    }
    assert emulator.writes(mark) == []


def test_filters(emulator, listed, source_bucket, efs_env, unique):
    suite, sub, region = {"suite": listed["suite"]}, listed["sub"], emulator.region
    fs_host = f"{region}.{efs_env['file_system_id']}"
    cases = [
        ({"location_arns": [listed["s3_a"], listed["efs_b"]]}, ["s3_a", "efs_b"]),
        ({"location_uri": f"s3://{source_bucket}/{sub}/a"}, ["s3_a"]),  # no trailing slash: same URI
        ({"location_uri": f"efs://{fs_host}/{sub}/b/"}, ["efs_b"]),
        ({"location_uri": f"efs://{fs_host}/{sub}/"}, []),  # exact, not a prefix
        ({"location_type": "efs", "tags": suite}, ["efs_a", "efs_b"]),
        ({"location_type": "NFS", "tags": suite}, ["nfs"]),
        ({"bucket": f"arn:aws:s3:::{source_bucket}", "subdirectory": f"/{sub}/b/"}, ["s3_b"]),
        ({"bucket": source_bucket, "tags": suite}, ["s3_a", "s3_b"]),
        ({"file_system": efs_env["file_system_arn"], "tags": suite}, ["efs_a", "efs_b"]),
        ({"file_system": efs_env["file_system_id"], "subdirectory": f"{sub}/a"}, ["efs_a"]),
        ({"subdirectory": f"{sub}/a", "tags": suite}, ["s3_a", "efs_a", "nfs"]),
        ({"tags": {**suite, "app": "lakedrop"}}, ["s3_a", "efs_a"]),
        ({"location_type": "S3", "tags": {**suite, "app": "lakedrop"}}, ["s3_a"]),
        ({"bucket": f"no-such-bucket-{unique}"}, []),
        ({"location_arns": [listed["nfs"]], "location_type": "S3"}, []),
    ]
    mark = emulator.mark()
    results = run_modules(emulator, MODULE, [filters for filters, _ in cases])
    for (filters, expected), result in zip(cases, results, strict=True):
        assert not result.get("failed") and not result.get("changed"), (filters, result.result)
        assert arns_of(result) == sorted(listed[k] for k in expected), filters
    assert emulator.writes(mark) == []


def test_bad_input_fails_before_any_call(emulator):
    cases = [
        (
            {"location_arns": ["arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/fs-0123abcd"]},
            "location_arns[0] must be a DataSync location ARN, but",
        ),
        ({"location_uri": "lakedrop-source/incoming"}, "location_uri must look like SCHEME://HOST/"),
        ({"bucket": "b", "file_system": "fs-0123abcd"}, "mutually exclusive: bucket|file_system"),
        ({"file_system": "arn:aws:s3:::lakedrop-source"}, "is an S3 bucket ARN"),
        ({"bucket": "fs-0123abcd0123abcd"}, "is a bare efs file system ID"),
    ]
    mark = emulator.mark()
    results = run_modules(emulator, MODULE, [bad for bad, _ in cases])
    for (bad, message), result in zip(cases, results, strict=True):
        assert result.get("failed") and message in result["msg"], (bad, result.result)
    assert emulator.calls(mark) == []


def test_examples(emulator, listed, source_bucket, efs_env, example_tasks, unique):
    """Every EXAMPLES task with the fixture's real names, and what each registered."""
    from ansible_collections.lakedrop.delivery.plugins.modules import datasync_location_info

    real_names = {
        "fs-0123456789abcdef0": efs_env["file_system_id"],
        "lakedrop-source-data/incoming": f"{source_bucket}/{listed['sub']}/a",
    }
    tasks = example_tasks(datasync_location_info, real_names)
    assert len(tasks) == 4
    checks = {
        "ansible.builtin.assert": {
            "that": [
                f"'{listed['nfs']}' in all_locations.locations | map(attribute='location_arn')",
                f"'{listed['efs_b']}' in efs_locations.locations | map(attribute='location_arn')",
                "efs_locations.locations | map(attribute='type') | unique == ['EFS']",
                f"source_location.locations | map(attribute='location_arn') == ['{listed['s3_a']}']",
                f"'{listed['s3_a']}' in tagged_locations.locations | map(attribute='location_arn')",
                f"'{listed['efs_a']}' not in tagged_locations.locations | map(attribute='location_arn')",
            ]
        }
    }
    playbook = emulator.state_path("tmp", f"examples-info-{unique}.yml")
    playbook.parent.mkdir(parents=True, exist_ok=True)
    playbook.write_text(yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": [*tasks, checks]}]))
    mark = emulator.mark()
    run = run_playbook(playbook, env=emulator.env())
    assert run.rc == 0 and run.total("failed") == 0, run.stdout + run.stderr
    assert emulator.writes(mark) == []
