"""lakedrop.delivery.datasync_location_efs against the emulator: every state, idempotence measured with
the request journal, check and diff mode, in-place updates (access point, role, encryption, subdirectory,
tags), create-only changes, identity by URI/tags/Ec2Config, the EXAMPLES, and bad input."""

from __future__ import annotations

import yaml
from support.ansible import run_module
from support.ansible import run_playbook
from support.batch import run_modules

MODULE = "datasync_location_efs"


def args(efs_env, sub, **extra):
    return {
        "file_system": efs_env["file_system_id"],
        "subdirectory": sub,
        "subnet": efs_env["subnet_ids"][0],
        "security_groups": [efs_env["security_group_id"]],
        **extra,
    }


def uris(emulator, efs_env):
    ds = emulator.client("datasync")
    return {
        loc["LocationArn"]: loc["LocationUri"]
        for loc in ds.list_locations()["Locations"]
        if loc["LocationUri"].startswith(f"efs://{emulator.region}.{efs_env['file_system_id']}/")
    }


def test_lifecycle(emulator, efs_env, efs_extra, efs_location_fields, datasync_role, unique):
    sub = f"/in-{unique}"
    tags = {"Name": f"dst-{unique}", "team": "data"}
    create = args(efs_env, sub, access_point=efs_env["access_point_id"], tags=tags)

    # check mode on nothing: reports the creation (IDs already resolved to ARNs), writes nothing
    mark = emulator.mark()
    result = run_module(emulator, MODULE, create, check=True, diff=True)
    assert result.changed and not result.failed, result.result
    assert result["location"]["location_arn"] is None
    assert result["location"]["access_point_arn"] == efs_env["access_point_arn"]
    assert result["diff"]["after"]["in_transit_encryption"] == "TLS1_2"
    assert emulator.writes(mark) == []
    assert f"in-{unique}/" not in "".join(uris(emulator, efs_env).values())

    # create: encryption omitted + access point -> TLS1_2
    result = run_module(emulator, MODULE, create, diff=True)
    assert result.changed and not result.failed, result.result
    location = result["location"]
    arn = location["location_arn"]
    assert arn.startswith(f"arn:aws:datasync:{emulator.region}:{emulator.account_id()}:location/loc-")
    assert location["location_uri"] == f"efs://{emulator.region}.{efs_env['file_system_id']}/in-{unique}/"
    assert {k: location[k] for k in efs_location_fields} == efs_location_fields  # TLS1_2, the access point's ARN
    assert location["subdirectory"] == f"in-{unique}"
    assert location["file_system_access_role_arn"] is None
    assert location["tags"] == tags
    assert location["creation_time"]
    assert result["replaced"] is False

    # re-run with ARNs instead of IDs and the subdirectory spelled differently: unchanged, zero writes
    mark = emulator.mark()
    same = {
        "file_system": efs_env["file_system_arn"],
        "subdirectory": f"in-{unique}/",
        "subnet": efs_env["subnet_arns"][0],
        "security_groups": [efs_env["security_group_arn"]],
        "access_point": efs_env["access_point_arn"],
        "in_transit_encryption": "TLS1_2",
        "tags": tags,
    }
    result = run_module(emulator, MODULE, same)
    assert not result.changed and not result.failed, result.result
    assert result["location"]["location_arn"] == arn
    assert emulator.writes(mark) == []

    # in place: another access point, a role, tags (check mode first: a diff and no writes); the access
    # point is part of the identity, so changing it in place needs location_arn
    update = args(
        efs_env,
        sub,
        access_point=efs_extra["access_point_arn"],
        file_system_access_role_arn=datasync_role,
        tags={"Name": f"dst-{unique}"},
        location_arn=arn,
    )
    mark = emulator.mark()
    result = run_module(emulator, MODULE, update, check=True, diff=True)
    assert result.changed and not result.failed, result.result
    assert result["diff"]["before"]["access_point_arn"] == efs_env["access_point_arn"]
    assert result["diff"]["after"]["access_point_arn"] == efs_extra["access_point_arn"]
    assert result["diff"]["after"]["file_system_access_role_arn"] == datasync_role
    assert result["location"]["access_point_arn"] == efs_extra["access_point_arn"]
    assert emulator.writes(mark) == []
    result = run_module(emulator, MODULE, update, diff=True)
    assert result.changed and result["location"]["location_arn"] == arn, result.result
    assert result["location"]["access_point_arn"] == efs_extra["access_point_arn"]
    assert result["location"]["file_system_access_role_arn"] == datasync_role
    assert result["location"]["tags"] == {"Name": f"dst-{unique}"}
    assert sorted(emulator.writes(mark)) == ["datasync:UntagResource", "datasync:UpdateLocationEfs"]

    # removing the access point and the role from the arguments clears them; TLS is left as it is
    mark = emulator.mark()
    result = run_module(
        emulator, MODULE, args(efs_env, sub, tags={"Name": f"dst-{unique}"}, location_arn=arn), diff=True
    )
    assert result.changed, result.result
    assert result["diff"]["after"]["access_point_arn"] is None
    assert emulator.writes(mark) == ["datasync:UpdateLocationEfs"]
    described = emulator.client("datasync").describe_location_efs(LocationArn=arn)
    assert "AccessPointArn" not in described and "FileSystemAccessRoleArn" not in described
    assert described["InTransitEncryption"] == "TLS1_2"

    # encryption off, then the subdirectory moves in place when location_arn pins the identity
    result = run_module(emulator, MODULE, args(efs_env, sub, in_transit_encryption="NONE"), diff=True)
    assert result.changed and result["location"]["in_transit_encryption"] == "NONE", result.result
    assert result["diff"]["before"]["in_transit_encryption"] == "TLS1_2"
    moved = args(efs_env, f"in-{unique}/v2", location_arn=arn)
    result = run_module(emulator, MODULE, moved, diff=True)
    assert result.changed and result["location"]["location_arn"] == arn, result.result
    assert result["location"]["location_uri"].endswith(f"/in-{unique}/v2/")
    assert result["diff"]["before"]["subdirectory"] == f"in-{unique}"
    mark = emulator.mark()
    assert not run_module(emulator, MODULE, moved).changed
    assert emulator.writes(mark) == []

    # create-only change (subnet) without permission: clear failure naming current and desired, no writes
    mark = emulator.mark()
    result = run_module(emulator, MODULE, {**moved, "subnet": efs_env["subnet_ids"][1]})
    assert result.failed, result.result
    assert "subnet_arn" in result["msg"] and "allow_replacement" in result["msg"]
    assert efs_env["subnet_arns"][0] in result["msg"] and efs_env["subnet_arns"][1] in result["msg"]
    assert emulator.writes(mark) == []

    # delete (check mode first), then delete again
    absent = {"state": "absent", "file_system": efs_env["file_system_arn"], "subdirectory": f"/in-{unique}/v2/"}
    mark = emulator.mark()
    result = run_module(emulator, MODULE, absent, check=True, diff=True)
    assert result.changed and result["diff"]["before"]["location_arn"] == arn
    assert emulator.writes(mark) == [] and arn in uris(emulator, efs_env)
    result = run_module(emulator, MODULE, absent)
    assert result.changed and arn not in uris(emulator, efs_env)
    mark = emulator.mark()
    result = run_module(emulator, MODULE, absent)
    assert not result.changed and emulator.writes(mark) == []


def test_security_groups_compare_as_a_set(emulator, efs_env, efs_extra, unique):
    groups = [efs_env["security_group_id"], efs_extra["security_group_id"]]
    first = run_module(emulator, MODULE, args(efs_env, f"sg-{unique}", security_groups=groups))
    assert first.changed, first.result
    assert sorted(first["location"]["ec2_config"]["security_group_arns"]) == sorted(
        [efs_env["security_group_arn"], efs_extra["security_group_arn"]]
    )
    mark = emulator.mark()
    reordered = [efs_extra["security_group_arn"], efs_env["security_group_id"]]
    result = run_module(emulator, MODULE, args(efs_env, f"sg-{unique}", security_groups=reordered))
    assert not result.changed and not result.failed, result.result
    assert emulator.writes(mark) == []
    result = run_module(emulator, MODULE, args(efs_env, f"sg-{unique}", security_groups=groups[:1]))
    assert result.failed and "security_group_arns" in result["msg"], result.result
    assert emulator.writes(mark) == []


def test_replacement_when_allowed(emulator, efs_env, unique):
    first = run_module(emulator, MODULE, args(efs_env, f"r-{unique}", tags={"keep": "me"}))
    arn = first["location"]["location_arn"]
    other = args(efs_env, f"r-{unique}", subnet=efs_env["subnet_arns"][1], location_arn=arn, allow_replacement=True)

    mark = emulator.mark()
    result = run_module(emulator, MODULE, other, check=True, diff=True)
    assert result.changed and result["replaced"], result.result
    assert result["diff"]["after"]["ec2_config"]["subnet_arn"] == efs_env["subnet_arns"][1]
    assert emulator.writes(mark) == []

    result = run_module(emulator, MODULE, other)
    assert result.changed and result["replaced"], result.result
    new_arn = result["location"]["location_arn"]
    assert new_arn != arn
    assert result["location"]["ec2_config"]["subnet_arn"] == efs_env["subnet_arns"][1]
    assert result["location"]["tags"] == {"keep": "me"}  # tags carried over when not given
    # created before the old one is deleted
    assert emulator.writes(mark) == ["datasync:CreateLocationEfs", "datasync:DeleteLocation"]
    remaining = uris(emulator, efs_env)
    assert arn not in remaining and new_arn in remaining


def test_identity_when_several_share_the_uri(emulator, efs_env, make_efs_location, unique):
    sub = f"dup-{unique}"
    made = [make_efs_location(sub, subnet=i, Tags=[{"Key": "copy", "Value": "same"}]) for i in range(2)]
    mark = emulator.mark()
    # same tags on both: still ambiguous without the network settings -> fails listing both
    absent = {
        "state": "absent",
        "file_system": efs_env["file_system_id"],
        "subdirectory": sub,
        "tags": {"copy": "same"},
    }
    result = run_module(emulator, MODULE, absent)
    assert result.failed and all(arn in result["msg"] for arn in made), result.result
    assert "location_arn" in result["msg"]
    assert emulator.writes(mark) == []
    # the subnet tells them apart
    result = run_module(emulator, MODULE, args(efs_env, sub, subnet=efs_env["subnet_ids"][1], tags={"copy": "same"}))
    assert not result.changed and result["location"]["location_arn"] == made[1], result.result
    assert emulator.writes(mark) == []
    # and so does the security group set, for deletion too
    result = run_module(emulator, MODULE, {**absent, "subnet": efs_env["subnet_arns"][0]})
    assert result.changed and set(uris(emulator, efs_env)) & set(made) == {made[1]}, result.result


def test_access_point_is_part_of_the_identity(emulator, efs_env, efs_extra, unique):
    """Two deliveries into one file system root through two access points are two locations (files land
    under each access point's root); neither run may adopt, and repoint, the other's location."""
    sub = f"ap-{unique}"
    first = run_module(emulator, MODULE, args(efs_env, sub, access_point=efs_env["access_point_id"]))
    second = run_module(emulator, MODULE, args(efs_env, sub, access_point=efs_extra["access_point_id"]))
    assert first.changed and second.changed, (first.result, second.result)
    assert first["location"]["location_arn"] != second["location"]["location_arn"]
    ds = emulator.client("datasync")
    assert (
        ds.describe_location_efs(LocationArn=first["location"]["location_arn"])["AccessPointArn"]
        == efs_env["access_point_arn"]
    )
    mark = emulator.mark()
    again = run_module(emulator, MODULE, args(efs_env, sub, access_point=efs_env["access_point_id"]))
    assert not again.changed and again["location"]["location_arn"] == first["location"]["location_arn"]
    assert emulator.writes(mark) == []
    # by ARN, removal needs nothing else
    gone = run_module(emulator, MODULE, {"state": "absent", "location_arn": second["location"]["location_arn"]})
    assert gone.changed and second["location"]["location_arn"] not in uris(emulator, efs_env)


BAD_INPUT = [
    ({"in_transit_encryption": "NONE", "access_point": "fsap-0123456789abcdef0"}, "requires TLS1_2"),
    (
        {"in_transit_encryption": "NONE", "file_system_access_role_arn": "arn:aws:iam::222222222222:role/r"},
        "in_transit_encryption=NONE cannot be used with file_system_access_role_arn",
    ),
    ({"file_system": "arn:aws:s3:::lakedrop-source"}, "file_system must be an EFS file system ARN or its ID, but"),
    (
        {"access_point": "arn:aws:datasync:eu-west-1:222222222222:location/loc-0123456789abcdef0"},
        "is a DataSync location ARN",
    ),
    ({"security_groups": [f"sg-0{i}" for i in range(6)]}, "1 to 5 security groups"),
    ({"security_groups": []}, "1 to 5 security groups"),
    ({"security_groups": ["sg-0a", "arn:aws:ec2:eu-west-1:222222222222:security-group/sg-0a"]}, "more than once"),
    ({"subdirectory": "data/*.csv"}, "may contain only"),
    ({"subdirectory": "a/../b"}, "must not contain '/../'"),
    ({"subnet": "vpc-0123abcd"}, "subnet must be an EC2 subnet ARN or its ID"),
    ({"subnet": None}, "subnet is required to create"),
    ({"file_system": None}, "file_system is required unless location_arn"),
    ({"file_system": "arn:aws:elasticfilesystem:us-east-1:222222222222:file-system/fs-0123abcd"}, "region us-east-1"),
    ({"file_system_access_role_arn": "arn:aws:iam::222222222222:user/u"}, "must be an IAM role ARN"),
    ({"location_arn": "fs-0123abcd"}, "location_arn must be a DataSync location ARN"),
]


def test_bad_input_fails_before_any_call(emulator, efs_env):
    mark = emulator.mark()
    results = run_modules(emulator, MODULE, [{**args(efs_env, "bad"), **bad} for bad, _ in BAD_INPUT])
    for (bad, message), result in zip(BAD_INPUT, results, strict=True):
        assert result.get("failed") and message in result["msg"], (bad, result.result)
    assert emulator.calls(mark) == []


def test_missing_resources_fail_before_any_write(emulator, efs_env, efs_extra, unique):
    cases = [
        ({"file_system": "fs-0123456789abcdef0"}, "file_system fs-0123456789abcdef0 does not exist"),
        ({"subnet": "subnet-0123456789abcdef0"}, "subnet subnet-0123456789abcdef0 does not exist"),
        (
            {"security_groups": [efs_env["security_group_id"], "sg-0123456789abcdef0"]},
            "security_groups: sg-0123456789abcdef0 does not exist",
        ),
        ({"access_point": "fsap-0123456789abcdef0"}, "access_point fsap-0123456789abcdef0 does not exist"),
        (
            {"access_point": efs_extra["other_access_point_id"]},
            f"belongs to file system {efs_extra['other_file_system_id']}, not {efs_env['file_system_id']}",
        ),
    ]
    before = uris(emulator, efs_env)
    mark = emulator.mark()
    results = run_modules(emulator, MODULE, [{**args(efs_env, f"m-{unique}"), **bad} for bad, _ in cases])
    for (bad, message), result in zip(cases, results, strict=True):
        assert result.get("failed") and message in result["msg"], (bad, result.result)
    assert emulator.writes(mark) == []
    assert uris(emulator, efs_env) == before


def test_subnet_without_mount_target_surfaces_the_aws_error(emulator, efs_env, efs_extra, unique):
    before = uris(emulator, efs_env)
    result = run_module(
        emulator, MODULE, args(efs_env, f"nomt-{unique}", subnet=efs_extra["subnet_without_mount_target_id"])
    )
    assert result.failed, result.result
    assert result["msg"].startswith("Failed to create EFS location")
    assert "no mount target" in result["msg"]
    assert uris(emulator, efs_env) == before


def test_examples(emulator, efs_env, example_tasks, unique):
    """Every EXAMPLES task, in order, with the fixture's real IDs."""
    from ansible_collections.lakedrop.delivery.plugins.modules import datasync_location_efs

    real_names = {
        "fs-0123456789abcdef0": efs_env["file_system_id"],
        "subnet-0123456789abcdef0": efs_env["subnet_ids"][0],
        "subnet-0fedcba9876543210": efs_env["subnet_ids"][1],
        "sg-0123456789abcdef0": efs_env["security_group_id"],
        "fsap-0123456789abcdef0": efs_env["access_point_id"],
        "/incoming": f"/ex-{unique}",
    }
    tasks = example_tasks(datasync_location_efs, real_names)
    assert len(tasks) == 4
    playbook = emulator.state_path("tmp", f"examples-efs-{unique}.yml")
    playbook.parent.mkdir(parents=True, exist_ok=True)
    checks = [
        {
            "ansible.builtin.assert": {
                "that": [
                    "destination_location.location.in_transit_encryption == 'TLS1_2'",
                    "moved_location.replaced",
                    "moved_location.location.access_point_arn is none",
                ]
            }
        },
    ]
    play = [
        {"hosts": "localhost", "gather_facts": False, "connection": "local", "tasks": tasks[:3] + checks + tasks[3:]}
    ]
    playbook.write_text(yaml.safe_dump(play, sort_keys=False))
    run = run_playbook(playbook, env=emulator.env())
    assert run.rc == 0, run.stdout + run.stderr
    assert run.total("failed") == 0 and run.total("changed") == 4, run.stdout
    assert not [u for u in uris(emulator, efs_env).values() if f"/ex-{unique}/" in u]
