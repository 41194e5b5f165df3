"""community.aws.efs and efs_info, run for real (`ansible -m`) against the emulator."""

from __future__ import annotations

from support.ansible import run_module


def test_community_efs_converges_idempotently_and_efs_info_reads_it(emulator, clients, unique):
    ec2, efs = clients("ec2"), clients("efs")
    key = clients("kms").create_key(Description=f"efs-module-{unique}")["KeyMetadata"]
    subnet = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])["Subnets"][0]
    first_group = ec2.create_security_group(GroupName=f"efs-a-{unique}", Description="nfs", VpcId=subnet["VpcId"])
    second_group = ec2.create_security_group(GroupName=f"efs-b-{unique}", Description="nfs", VpcId=subnet["VpcId"])
    name = f"efs-module-{unique}"
    args = {
        "name": name,
        "state": "present",
        "tags": {"Name": name, "team": "data"},
        "encrypt": True,
        "kms_key_id": key["KeyId"],
        "transition_to_ia": "30",
        "targets": [{"subnet_id": subnet["SubnetId"], "security_groups": [first_group["GroupId"]]}],
    }

    created = run_module(emulator, "community.aws.efs", args)
    assert not created.failed, created.result
    assert created.changed
    fs = created["efs"]
    assert fs["kms_key_id"] == key["Arn"]
    assert {t["key"]: t["value"] for t in fs["tags"]} == {"Name": name, "team": "data"}
    assert [t["security_groups"] for t in fs["mount_targets"]] == [[first_group["GroupId"]]]
    fs_id = fs["file_system_id"]
    lifecycle = efs.describe_lifecycle_configuration(FileSystemId=fs_id)["LifecyclePolicies"]
    assert lifecycle == [{"TransitionToIA": "AFTER_30_DAYS"}]

    mark = emulator.mark()
    again = run_module(emulator, "community.aws.efs", args)
    assert not again.failed, again.result
    assert not again.changed
    assert emulator.writes(mark, "target") == []

    changed_args = {
        **args,
        "tags": {"team": "ops"},  # purges Name, changes team
        "throughput_mode": "provisioned",
        "provisioned_throughput_in_mibps": 16.0,
        "targets": [{"subnet_id": subnet["SubnetId"], "security_groups": [second_group["GroupId"]]}],
    }
    mark = emulator.mark()
    updated = run_module(emulator, "community.aws.efs", changed_args)
    assert not updated.failed, updated.result
    assert updated.changed
    assert set(emulator.writes(mark, "target")) == {
        "efs:DeleteTags",
        "efs:CreateTags",
        "efs:UpdateFileSystem",
        "efs:ModifyMountTargetSecurityGroups",
    }

    info = run_module(emulator, "community.aws.efs_info", {"name": name})
    assert not info.failed, info.result
    [described] = info["efs"]
    assert described["file_system_id"] == fs_id
    assert described["tags"] == {"team": "ops"}
    assert (described["throughput_mode"], described["provisioned_throughput_in_mibps"]) == ("provisioned", 16.0)
    assert [t["security_groups"] for t in described["mount_targets"]] == [[second_group["GroupId"]]]

    removed = run_module(emulator, "community.aws.efs", {"name": name, "state": "absent"})
    assert not removed.failed, removed.result
    assert removed.changed
    assert efs.describe_file_systems(CreationToken=name)["FileSystems"] == []
    assert run_module(emulator, "community.aws.efs", {"name": name, "state": "absent"}).changed is False
