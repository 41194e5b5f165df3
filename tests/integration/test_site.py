"""The whole two-account deployment on the emulator: dry run on nothing, converge (a delivery task and a
reconcile task per delivery), files arrive (queued and direct triggers), the upgrade from the one-task
layout with an execution in flight, re-run with changed=0 and zero write calls, dry run on the converged
stack, teardown that leaves nothing behind in either account."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from support import security
from support.ansible import run_playbook

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import names
from lakedrop_emulator.client import DEPLOYER

FAST = {"task_creating": 0.1, "launching": 0.3, "preparing": 0.2, "transferring": 0.2, "verifying": 0.1}


@pytest.fixture(scope="module")
def deployment(emulator):
    name = f"it{uuid.uuid4().hex[:6]}"
    source = emulator.account_id("source")
    extra = {
        "lakedrop_name": name,
        "lakedrop_deliveries": [
            {
                "name": "q",
                "bucket": f"{name}-source-{source}",
                "prefix": "incoming/",
                "efs_path": "/q",
                "container_path": "/data/q",
                "trigger_mode": "queued",
                "batching_window": 1,
            },
            {
                "name": "d",
                "bucket": f"{name}-source-{source}",
                "prefix": "direct/",
                "efs_path": "/d",
                "container_path": "/data/d",
                "trigger_mode": "direct",
            },
            {  # SSE-KMS across accounts, with a key the play creates in account A; deletes reach EFS
                "name": "k",
                "bucket": f"{name}-kms-{source}",
                "prefix": "lake/",
                "efs_path": "/k",
                "container_path": "/data/k",
                "encryption": "aws:kms",
                "batching_window": 1,
                "propagate_deletes": True,
            },
        ],
        "lakedrop_ecs_cluster": name,
        "lakedrop_ecs_service": f"{name}-svc",
        "lakedrop_ecs_family": f"{name}-rstudio",
    }
    previous = emulator.control("POST", "datasync/timing", {})
    emulator.control("POST", "datasync/timing", FAST)
    yield {"name": name, "extra": extra, "bucket": f"{name}-source-{source}", "kms_bucket": f"{name}-kms-{source}"}
    emulator.control("POST", "datasync/timing", {k: previous[k] for k in FAST})


def site(extra, **kwargs):
    return run_playbook("site.yml", inventory="inventories/local", extra_vars=extra, **kwargs)


ADMIN = {"lakedrop_emulator_identity": "admin"}


def as_admin(playbook, extra, **more):
    """What each account's administrator does around a deployment: the stand-in ECS service (tools/standin;
    in AWS the service exists) and the deployer's policy (site.yml itself runs as the deployer)."""
    run = run_playbook(playbook, inventory="inventories/local", extra_vars={**extra, **ADMIN, **more})
    assert run.rc == 0, run.stdout[-4000:]


def standin(extra, state="present"):
    as_admin("tools/standin/ecs_service.yml", extra, standin_state=state)


def wait_for(path, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.5)
    return path.exists()


def mine(emulator, name):
    """Everything named after this deployment, in both accounts (what teardown must remove)."""
    found = {}
    for account in ("source", "target"):

        def client(service, account=account):
            return emulator.client(service, account)

        found[f"{account}:s3"] = [
            b["Name"] for b in client("s3").list_buckets()["Buckets"] if b["Name"].startswith(name)
        ]
        found[f"{account}:iam"] = [
            r["RoleName"] for r in client("iam").list_roles()["Roles"] if r["RoleName"].startswith(name)
        ]
        found[f"{account}:lambda"] = [
            f["FunctionName"]
            for f in client("lambda").list_functions()["Functions"]
            if f["FunctionName"].startswith(name)
        ]
        found[f"{account}:sqs"] = [u for u in client("sqs").list_queues(QueueNamePrefix=name).get("QueueUrls", [])]
        found[f"{account}:efs"] = [
            f["FileSystemId"]
            for f in client("efs").describe_file_systems()["FileSystems"]
            if f.get("Name", "").startswith(name)
        ]
        tasks = client("datasync").list_tasks()["Tasks"]
        found[f"{account}:datasync"] = [t["TaskArn"] for t in tasks if t.get("Name", "").startswith(name)]
        found[f"{account}:logs"] = [
            g["logGroupName"] for g in client("logs").describe_log_groups()["logGroups"] if name in g["logGroupName"]
        ] + [
            p["policyName"]
            for p in client("logs").describe_resource_policies()["resourcePolicies"]
            if p["policyName"].startswith(name)
        ]
        found[f"{account}:ec2"] = [
            g["GroupName"]
            for g in client("ec2").describe_security_groups()["SecurityGroups"]
            if g["GroupName"].startswith(name)
        ] + [
            e["VpcEndpointId"]
            for e in client("ec2").describe_vpc_endpoints()["VpcEndpoints"]
            if any(t["Key"] == "Name" and t["Value"].startswith(name) for t in e.get("Tags", []))
            and e["State"].lower() not in ("deleted", "deleting")
        ]
        kms = client("kms")
        found[f"{account}:kms"] = [  # a key the play created is scheduled for deletion, not left in use
            a["AliasName"]
            for a in kms.list_aliases()["Aliases"]
            if a["AliasName"].startswith(f"alias/{name}")
            and kms.describe_key(KeyId=a["TargetKeyId"])["KeyMetadata"]["KeyState"] != "PendingDeletion"
        ]
        clusters = client("ecs").describe_clusters(clusters=[name])["clusters"]
        found[f"{account}:ecs"] = [c["clusterName"] for c in clusters if c["status"] == "ACTIVE"] + [
            arn
            for arn in client("ecs").list_task_definitions(familyPrefix=f"{name}-rstudio", status="ACTIVE")[
                "taskDefinitionArns"
            ]
        ]
    return {k: v for k, v in found.items() if v}


def fast_paths(emulator, name, bucket, kms_bucket):
    """The fast path read back: queued deliveries q and k have one (on by default; k with deletes), direct d has
    none; each function is in the mount targets' subnets with the Lambda group and mounts its access point; the
    queues hand over to DataSync; the notifications point at the fast queues; the subnets reach S3 through a
    gateway endpoint limited to the source buckets; the buckets let the fast roles read."""
    target, region = emulator.account_id("target"), emulator.region
    aws_lambda, sqs, ec2 = (emulator.client(s, "target") for s in ("lambda", "sqs", "ec2"))
    efs = emulator.client("efs", "target")
    (fs,) = [f for f in efs.describe_file_systems()["FileSystems"] if f.get("Name") == name]
    subnets = sorted(m["SubnetId"] for m in efs.describe_mount_targets(FileSystemId=fs["FileSystemId"])["MountTargets"])
    groups = {
        g["GroupName"]: g for g in ec2.describe_security_groups()["SecurityGroups"] if g["GroupName"].startswith(name)
    }
    lambda_group, efs_group = groups[f"{name}-lambda"], groups[f"{name}-efs"]
    assert lambda_group["GroupId"] in [p["GroupId"] for r in efs_group["IpPermissions"] for p in r["UserIdGroupPairs"]]
    egress = {
        (r.get("FromPort"), tuple(p["GroupId"] for p in r["UserIdGroupPairs"]), bool(r["PrefixListIds"]))
        for r in lambda_group["IpPermissionsEgress"]
    }
    assert egress == {(2049, (efs_group["GroupId"],), False), (443, (), True)}, egress
    access_points = {
        a["Name"]: a["AccessPointArn"]
        for a in efs.describe_access_points(FileSystemId=fs["FileSystemId"])["AccessPoints"]
    }
    notifications = emulator.client("s3", "source").get_bucket_notification_configuration
    for delivery, deletes in (("q", False), ("k", True)):
        found = names.delivery(name, delivery, region, target)
        fast, trigger = found["fast"], found["trigger_names"]
        config = aws_lambda.get_function_configuration(FunctionName=fast["function"])
        assert (config["Handler"], config["Timeout"], config["MemorySize"]) == ("lakedrop_fast.handler", 30, 256)
        assert sorted(config["VpcConfig"]["SubnetIds"]) == subnets
        assert config["VpcConfig"]["SecurityGroupIds"] == [lambda_group["GroupId"]]
        assert config["FileSystemConfigs"] == [
            {"Arn": access_points[found["access_point"]], "LocalMountPath": "/mnt/lakedrop"}
        ]
        variables = config["Environment"]["Variables"]
        assert variables["LAKEDROP_MAX_BYTES"] == "16777216" and variables["LAKEDROP_MOUNT_PATH"] == "/mnt/lakedrop"
        assert variables["LAKEDROP_PROPAGATE_DELETES"] == ("true" if deletes else "false")
        mappings = aws_lambda.list_event_source_mappings(FunctionName=fast["function"])["EventSourceMappings"]
        wanted = {fast["queue_arn"]} | ({fast["deletes_queue_arn"]} if deletes else set())
        assert {m["EventSourceArn"] for m in mappings} == wanted
        for mapping in mappings:
            assert mapping["BatchSize"] == 10 and mapping.get("MaximumBatchingWindowInSeconds", 0) == 0
            assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        url = sqs.get_queue_url(QueueName=fast["queue"])["QueueUrl"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        assert attributes["VisibilityTimeout"] == "30"
        assert json.loads(attributes["RedrivePolicy"]) == {
            "deadLetterTargetArn": trigger["queue_arn"],
            "maxReceiveCount": 1,
        }
        configuration = notifications(Bucket=kms_bucket if delivery == "k" else bucket)
        by_id = {c["Id"]: c for c in configuration.get("QueueConfigurations", [])}
        assert by_id[found["notification_id"]]["QueueArn"] == fast["queue_arn"]
        assert (fast["deletes_notification_id"] in by_id) is deletes
        if deletes:
            assert by_id[fast["deletes_notification_id"]]["QueueArn"] == fast["deletes_queue_arn"]
            assert by_id[fast["deletes_notification_id"]]["Events"] == ["s3:ObjectRemoved:*"]
    direct = names.delivery(name, "d", region, target)
    assert direct["fast"]["function"] not in [f["FunctionName"] for f in aws_lambda.list_functions()["Functions"]]
    # the S3 gateway endpoint on the subnets' route tables, its policy limited to the source buckets
    endpoints = [
        e
        for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]
        if e["ServiceName"].endswith(f"{region}.s3") and e["State"].lower() not in ("deleted", "deleting")
    ]
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [fs_vpc(ec2, subnets[0])]}])["RouteTables"]
    (endpoint,) = [e for e in endpoints if set(e["RouteTableIds"]) & {t["RouteTableId"] for t in tables}]
    (statement,) = json.loads(endpoint["PolicyDocument"])["Statement"]
    buckets = sorted({f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{kms_bucket}"})
    assert sorted(statement["Resource"]) == sorted(buckets + [f"{b}/*" for b in buckets])
    # the source buckets let the fast roles list and read their prefixes
    s3 = emulator.client("s3", "source")
    readers = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"]
    (read,) = [s for s in readers if s.get("Sid") == "ReadersReadObjects"]
    assert read["Principal"]["AWS"] in (
        names.delivery(name, "q", region, target)["fast"]["role_arn"],
        [names.delivery(name, "q", region, target)["fast"]["role_arn"]],
    )


def fs_vpc(ec2, subnet):
    return ec2.describe_subnets(SubnetIds=[subnet])["Subnets"][0]["VpcId"]


def upgrade_from_one_task(emulator, deployment, mount):
    """Delivery q back as earlier releases deployed it - one task carrying the schedule, no reconcile task -
    with an execution in flight; site.yml creates the reconcile task before it removes the delivery task's
    schedule (never a moment without a safety net), the execution finishes, a new upload still arrives."""
    extra, name = deployment["extra"], deployment["name"]
    ds = emulator.client("datasync", "target")
    tasks = {t.get("Name"): t["TaskArn"] for t in ds.list_tasks()["Tasks"]}
    delivery_task = tasks[f"{name}-q"]
    ds.delete_task(TaskArn=tasks[f"{name}-q-reconcile"])
    ds.update_task(TaskArn=delivery_task, Schedule={"ScheduleExpression": "rate(1 hour)"})
    # a launch that outlasts the run, so the execution is in flight while site.yml changes its task
    emulator.control("POST", "datasync/timing", {"launching": 3600})
    in_flight = ds.start_task_execution(
        TaskArn=delivery_task, Includes=[{"FilterType": "SIMPLE_PATTERN", "Value": "/nested dir"}]
    )["TaskExecutionArn"]

    mark = emulator.mark()
    run = site(extra)
    assert run.rc == 0, run.stdout[-4000:]
    assert ds.describe_task_execution(TaskExecutionArn=in_flight)["Status"] == "LAUNCHING"  # untouched
    datasync_writes = [w for w in emulator.writes(mark, by=DEPLOYER) if w.startswith("datasync:")]
    assert datasync_writes.index("datasync:CreateTask") < datasync_writes.index("datasync:UpdateTask"), datasync_writes
    tasks = {t.get("Name"): t["TaskArn"] for t in ds.list_tasks()["Tasks"]}
    assert tasks[f"{name}-q"] == delivery_task  # the trigger's task is kept, not replaced
    assert "Schedule" not in ds.describe_task(TaskArn=delivery_task)
    assert ds.describe_task(TaskArn=tasks[f"{name}-q-reconcile"])["Schedule"]["ScheduleExpression"] == "rate(1 hour)"

    emulator.control("POST", "datasync/timing", FAST)
    deadline = time.monotonic() + 60
    while ds.describe_task_execution(TaskExecutionArn=in_flight)["Status"] not in ("SUCCESS", "ERROR"):
        assert time.monotonic() < deadline, "the execution in flight never finished"
        time.sleep(0.5)
    assert ds.describe_task_execution(TaskExecutionArn=in_flight)["Status"] == "SUCCESS"
    s3 = emulator.client("s3", "source")
    s3.put_object(Bucket=deployment["bucket"], Key="incoming/after upgrade/new.csv", Body=b"u")
    assert wait_for(mount / "q" / "after upgrade" / "new.csv"), "an upload after the upgrade never arrived"


@pytest.mark.slow
def test_site_lifecycle(emulator, deployment):
    extra, name = deployment["extra"], deployment["name"]

    # 1. without the deployer policy the deployer may not even create DataSync's roles (phase 1)
    mark = emulator.mark()
    run = site(extra)
    assert run.rc != 0 and "is not authorized to perform: iam:" in run.stdout, run.stdout[-4000:]
    assert emulator.writes(mark) == []

    # 2. the administrator attaches the deployer's policy; a dry run on nothing completes, says what it
    #    would create, writes nothing
    as_admin("playbooks/deployer_policy.yml", extra, lakedrop_deployer_policy_attach_to="user/lakedrop-deployer")
    mark = emulator.mark()
    run = site(extra, check=True, diff=True)
    assert run.rc == 0, run.stdout[-4000:]
    assert emulator.writes(mark) == []
    assert "Would create DataSync task" in run.stdout

    # 3. converge from nothing as the deployer
    converged_from = emulator.mark()
    standin(extra)
    run = site(extra)
    assert run.rc == 0, run.stdout[-4000:]
    assert run.total("failed") == 0 and run.total("changed") > 0
    # per delivery a delivery task without a schedule and a reconcile task with it (issue 13)
    ds = emulator.client("datasync", "target")
    tasks = {t.get("Name"): ds.describe_task(TaskArn=t["TaskArn"]) for t in ds.list_tasks()["Tasks"]}
    for delivery in ("q", "d", "k"):
        task, scan = tasks[f"{name}-{delivery}"], tasks[f"{name}-{delivery}-reconcile"]
        assert "Schedule" not in task and scan["Schedule"]["ScheduleExpression"] == "rate(1 hour)"
        assert (scan["SourceLocationArn"], scan["DestinationLocationArn"]) == (
            task["SourceLocationArn"],
            task["DestinationLocationArn"],
        )
        assert scan["Options"]["TransferMode"] == "CHANGED"
        trigger = emulator.client("lambda", "target").get_function_configuration(
            FunctionName=f"{name}-{delivery}-trigger"
        )
        assert trigger["Environment"]["Variables"]["LAKEDROP_TASK_ARN"] == task["TaskArn"]
    fast_paths(emulator, name, deployment["bucket"], deployment["kms_bucket"])

    # 4. uploads reach the directory standing for the containers' mount: queued and direct triggers
    (fs_id,) = mine(emulator, name)["target:efs"]
    mount = emulator.state_path("efs", emulator.account_id("target"), fs_id)
    s3 = emulator.client("s3", "source")
    s3.put_object(Bucket=deployment["bucket"], Key="incoming/nested dir/naïve file (1).csv", Body=b"q")
    s3.put_object(Bucket=deployment["bucket"], Key="direct/a b/c+d.csv", Body=b"d")
    s3.put_object(Bucket=deployment["bucket"], Key="elsewhere/ignored.csv", Body=b"x")
    s3.put_object(Bucket=deployment["kms_bucket"], Key="lake/encrypted.csv", Body=b"k")
    assert (
        s3.head_object(Bucket=deployment["kms_bucket"], Key="lake/encrypted.csv")["ServerSideEncryption"] == "aws:kms"
    )
    assert wait_for(mount / "q" / "nested dir" / "naïve file (1).csv"), "queued upload never arrived"
    assert wait_for(mount / "k" / "encrypted.csv"), "SSE-KMS upload never arrived"
    assert wait_for(mount / "d" / "a b" / "c+d.csv"), "direct upload never arrived"
    assert not list(mount.rglob("ignored.csv"))

    # 5. upgrade from the one-task layout of earlier releases (issue 13), with an execution in flight
    upgrade_from_one_task(emulator, deployment, mount)

    # 6. re-run: every task ok, changed=0, zero write calls in either account
    mark = emulator.mark()
    run = site(extra)
    assert run.rc == 0, run.stdout[-4000:]
    assert run.total("changed") == 0, [line for line in run.stdout.splitlines() if line.startswith("changed")]
    assert emulator.writes(mark, by=DEPLOYER) == []

    # 7. dry run on the converged stack tells the truth: nothing to change
    mark = emulator.mark()
    run = site(extra, check=True, diff=True)
    assert run.rc == 0 and run.total("changed") == 0, run.stdout[-4000:]
    assert emulator.writes(mark, by=DEPLOYER) == []

    # 8. every policy of the deployment, read back from both accounts, passes the checks of docs/security.md
    policies = security.collect(emulator, name)
    security.write(policies, emulator.state_path("security-policies.json"))
    assert security.unread_services(emulator.writes(converged_from)) == []
    kinds = {"trust", "identity", "s3", "sqs", "elasticfilesystem", "kms", "lambda", "logs"}
    assert {p.service or p.kind for p in policies} >= kinds
    assert security.problems(policies) == []
    # every bucket is encrypted, private, without ACLs; each delivery's manifest bucket (manifest starts, the
    # default) lets only its DataSync role read manifests and only its trigger write them and its pending records
    assert security.buckets(emulator, name) == []
    by_arn = {p.arn: p for p in policies if p.service == "s3"}
    for delivery in ("q", "d", "k"):
        found = names.delivery(name, delivery, emulator.region, emulator.account_id("target"))
        trigger = found["trigger_names"]
        policy = by_arn[trigger["manifest_bucket_arn"]]
        assert security.manifest_bucket(policy, found["datasync_role_arn"], trigger["role_arn"]) == [], delivery

    # 9. teardown (bucket contents too) leaves nothing this deployment created
    run = run_playbook(
        "playbooks/teardown.yml",
        inventory="inventories/local",
        extra_vars={**extra, "lakedrop_teardown_bucket_contents": True},
    )
    assert run.rc == 0, run.stdout[-4000:]
    standin(extra, "absent")
    assert mine(emulator, name) == {}


def test_bad_inventory_fails_before_any_write_in_either_account(emulator, unique):
    """What a new user writes: a relative efs_path, a bucket with capitals, a misspelt setting. Every
    problem is named as the inventory names it, and nothing is written in either account."""
    extra = {
        "lakedrop_name": f"bad{unique[:6]}",
        "lakedrop_deliveries": [
            {"name": "lake", "bucket": "Lake-Data", "prefix": "incoming/", "efs_path": "lake", "container_path": "/d"},
            {"name": "lake", "bucket": "lake-data", "prefix": "in*", "efs_path": "/b", "container_path": "/e"},
        ],
        "lakedrop_trigger_batching_windw": 5,
    }
    mark = emulator.mark()
    run = site(extra)
    assert run.rc != 0
    for expected in (
        "lakedrop_deliveries[0].efs_path must be an absolute path",
        "lakedrop_deliveries[0].bucket must follow S3's bucket naming rules",
        "lakedrop_deliveries[1].prefix must be a plain prefix",
        "lakedrop_trigger_batching_windw is not a setting; did you mean lakedrop_trigger_batching_window?",
        "nothing was changed in either account",
    ):
        assert expected in run.stdout, run.stdout[-4000:]
    assert emulator.writes(mark, by=DEPLOYER) == []
