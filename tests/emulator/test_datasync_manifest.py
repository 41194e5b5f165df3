"""Executions started with a manifest (ManifestConfig): what StartTaskExecution refuses, DataSync reading
the manifest as its BucketAccessRoleArn, copying exactly the listed objects (and versions), the errors of a
missing or unreadable manifest and of a listed object that is gone, queueing by manifest, cancelling.
See docs/emulator-fidelity.md, "Manifests"."""

from __future__ import annotations

import csv
import io
import json
import uuid

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from support.polling import wait_for

from lakedrop_emulator.stack import transfer_stack
from lakedrop_emulator.stack import trust


@pytest.fixture
def stack(emulator, fast_datasync):
    """A task of its own (incoming/ of a source bucket -> an access point), and a manifest bucket in the
    target account readable by a manifest role as the contract's DataSync role reads it."""
    name = f"mf-{uuid.uuid4().hex[:8]}"
    transfer = transfer_stack(emulator, name, "incoming/")
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket=f"{name}-manifests", CreateBucketConfiguration={"LocationConstraint": emulator.region})
    transfer.manifest_bucket = f"{name}-manifests"
    transfer.manifest_role = manifest_role(emulator, f"{name}-manifest", transfer.manifest_bucket)
    return transfer


def manifest_role(emulator, name: str, bucket: str, actions=("s3:GetObject", "s3:GetObjectVersion")) -> str:
    iam = emulator.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust("datasync.amazonaws.com"))["Role"]["Arn"]
    statement = {"Effect": "Allow", "Action": list(actions), "Resource": f"arn:aws:s3:::{bucket}/manifests/*"}
    iam.put_role_policy(
        RoleName=name,
        PolicyName="read-manifests",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )
    return arn


def put_sources(emulator, stack, *keys: str) -> dict[str, str]:
    """Upload incoming/<key> for each key; their version IDs (if the bucket keeps versions)."""
    s3 = emulator.client("s3", "source")
    return {
        key: s3.put_object(Bucket=stack.bucket, Key=f"incoming/{key}", Body=f"body of {key}".encode()).get("VersionId")
        for key in keys
    }


def write_manifest(emulator, stack, rows, name: str | None = None) -> str:
    """The contract's CSV (csv module, QUOTE_MINIMAL, "\\n") under manifests/; its key."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([r] if isinstance(r, str) else r for r in rows)
    key = f"manifests/{name or uuid.uuid4().hex}.csv"
    emulator.client("s3").put_object(Bucket=stack.manifest_bucket, Key=key, Body=out.getvalue().encode())
    return key


def manifest_config(stack, key: str, role: str | None = None, **more) -> dict:
    source = {
        "ManifestObjectPath": key,
        "BucketAccessRoleArn": role or stack.manifest_role,
        "S3BucketArn": f"arn:aws:s3:::{stack.manifest_bucket}",
        **more,
    }
    return {"Action": "TRANSFER", "Format": "CSV", "Source": {"S3": source}}


def start(emulator, stack, key: str, **more) -> str:
    config = manifest_config(stack, key, **more)
    return emulator.client("datasync").start_task_execution(TaskArn=stack.task, ManifestConfig=config)[
        "TaskExecutionArn"
    ]


def finished(emulator, arn: str) -> dict:
    ds = emulator.client("datasync")
    return wait_for(
        lambda: (d := ds.describe_task_execution(TaskExecutionArn=arn))["Status"] in ("SUCCESS", "ERROR") and d
    )


def delivered(stack) -> dict[str, bytes]:
    return {str(p.relative_to(stack.mount)): p.read_bytes() for p in stack.mount.rglob("*") if p.is_file()}


def _code(err) -> str:
    return err.value.response["Error"]["Code"]


# --- copying exactly the listed objects -------------------------------------------------------------------

# (a key with a line break: the emulator's HTTP routing refuses it; the CSV side is in test_manifest_rules.py)
AWKWARD = ["a,b.csv", 'quote"d.csv', "pipe|star*.csv", "résumé.csv", "deep/c.csv"]


def test_copies_exactly_the_listed_objects_and_deletes_nothing(emulator, stack):
    put_sources(emulator, stack, "plain.csv", "other.csv", "deep/other.csv", "pipe|star-wider.csv", *AWKWARD)
    stack.mount.mkdir(parents=True, exist_ok=True)
    (stack.mount / "kept.txt").write_bytes(b"already there")  # a manifest never deletes at the destination
    done = finished(emulator, start(emulator, stack, write_manifest(emulator, stack, ["plain.csv", *AWKWARD])))
    assert done["Status"] == "SUCCESS", done["Result"]
    assert delivered(stack) == {"kept.txt": b"already there"} | {
        key: f"body of {key}".encode() for key in ["plain.csv", *AWKWARD]
    }
    assert done["FilesTransferred"] == 1 + len(AWKWARD)
    assert done["ManifestConfig"]["Source"]["S3"]["BucketAccessRoleArn"] == stack.manifest_role


def test_a_listed_version_is_the_one_copied(emulator, stack):
    emulator.client("s3", "source").put_bucket_versioning(
        Bucket=stack.bucket, VersioningConfiguration={"Status": "Enabled"}
    )
    first = put_sources(emulator, stack, "v.csv")["v.csv"]
    s3 = emulator.client("s3", "source")
    s3.put_object(Bucket=stack.bucket, Key="incoming/v.csv", Body=b"newer")
    gone = put_sources(emulator, stack, "deleted.csv")["deleted.csv"]
    s3.delete_object(Bucket=stack.bucket, Key="incoming/deleted.csv")  # a delete marker hides the current one
    done = finished(
        emulator, start(emulator, stack, write_manifest(emulator, stack, [["v.csv", first], ["deleted.csv", gone]]))
    )
    assert done["Status"] == "SUCCESS", done["Result"]
    assert delivered(stack) == {"v.csv": b"body of v.csv", "deleted.csv": b"body of deleted.csv"}


def test_listed_objects_that_do_not_exist_are_per_file_errors_and_the_others_are_copied(emulator, stack):
    put_sources(emulator, stack, "here.csv", "folder/inside.csv")
    rows = ["here.csv", "gone.csv", "/here.csv", "folder/", ["here.csv", "no-such-version"]]
    done = finished(emulator, start(emulator, stack, write_manifest(emulator, stack, rows)))
    assert done["Status"] == "ERROR"
    assert done["Result"]["PrepareStatus"] == "SUCCESS"
    assert done["Result"]["TransferStatus"] == "ERROR"
    assert done["Result"]["ErrorCode"] == "ManifestFileDoesNotExist"
    assert "gone.csv" in done["Result"]["ErrorDetail"] and "(and 3 more)" in done["Result"]["ErrorDetail"]
    assert done["FilesTransferred"] == 1
    assert delivered(stack) == {"here.csv": b"body of here.csv"}  # never the folder's contents


# --- reading the manifest ---------------------------------------------------------------------------------


def test_a_missing_manifest_fails_preparing(emulator, stack):
    done = finished(emulator, start(emulator, stack, "manifests/never-written.csv"))
    assert (done["Status"], done["Result"]["PrepareStatus"]) == ("ERROR", "ERROR")
    assert done["Result"]["ErrorCode"] == "ManifestNotFound"
    assert "manifests/never-written.csv" in done["Result"]["ErrorDetail"]


@pytest.mark.parametrize("how", ["no read permission", "bucket policy denies", "role does not trust datasync"])
def test_an_unreadable_manifest_fails_preparing_and_copies_nothing(emulator, stack, how):
    put_sources(emulator, stack, "x.csv")
    key = write_manifest(emulator, stack, ["x.csv"])
    role = stack.manifest_role
    if how == "no read permission":
        role = manifest_role(
            emulator, f"{stack.manifest_bucket}-nothing", stack.manifest_bucket, actions=("s3:ListBucket",)
        )
    elif how == "role does not trust datasync":
        role = manifest_role(emulator, f"{stack.manifest_bucket}-untrusting", stack.manifest_bucket)
        emulator.client("iam").update_assume_role_policy(
            RoleName=role.rsplit("/", 1)[1], PolicyDocument=trust("lambda.amazonaws.com")
        )
    else:  # the contract's bucket policy: only the DataSync role may read manifests/*, here someone else
        deny = {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:GetObject*",
            "Resource": f"arn:aws:s3:::{stack.manifest_bucket}/manifests/*",
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": stack.datasync_role}},
        }
        emulator.client("s3").put_bucket_policy(
            Bucket=stack.manifest_bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [deny]})
        )
    done = finished(emulator, start(emulator, stack, key, role=role))
    assert (done["Status"], done["Result"]["PrepareStatus"]) == ("ERROR", "ERROR")
    assert done["Result"]["ErrorCode"] == "AccessDenied"
    assert delivered(stack) == {}


def test_a_manifest_version_is_read_with_get_object_version(emulator, stack):
    emulator.client("s3").put_bucket_versioning(
        Bucket=stack.manifest_bucket, VersioningConfiguration={"Status": "Enabled"}
    )
    put_sources(emulator, stack, "old.csv", "new.csv")
    key = write_manifest(emulator, stack, ["old.csv"], name="versioned")
    s3 = emulator.client("s3")
    version = s3.list_object_versions(Bucket=stack.manifest_bucket, Prefix=key)["Versions"][0]["VersionId"]
    write_manifest(emulator, stack, ["new.csv"], name="versioned")  # the latest version lists another object
    only_get = manifest_role(emulator, f"{stack.manifest_bucket}-get", stack.manifest_bucket, actions=("s3:GetObject",))
    refused = finished(emulator, start(emulator, stack, key, role=only_get, ManifestObjectVersionId=version))
    assert refused["Result"]["ErrorCode"] == "AccessDenied"
    assert "s3:GetObjectVersion" in refused["Result"]["ErrorDetail"]
    done = finished(emulator, start(emulator, stack, key, ManifestObjectVersionId=version))
    assert done["Status"] == "SUCCESS", done["Result"]
    assert delivered(stack) == {"old.csv": b"body of old.csv"}


def test_an_invalid_manifest_fails_preparing(emulator, stack):
    key = "manifests/three-fields.csv"
    emulator.client("s3").put_object(Bucket=stack.manifest_bucket, Key=key, Body=b"a.csv,1,extra\n")
    done = finished(emulator, start(emulator, stack, key))
    assert (done["Status"], done["Result"]["ErrorCode"]) == ("ERROR", "InvalidManifest")


# --- StartTaskExecution ---------------------------------------------------------------------------------


def test_a_manifest_with_filters_is_refused(emulator, stack):
    with pytest.raises(ClientError) as err:
        emulator.client("datasync").start_task_execution(
            TaskArn=stack.task,
            ManifestConfig=manifest_config(stack, "manifests/m.csv"),
            Includes=[{"FilterType": "SIMPLE_PATTERN", "Value": "/a.csv"}],
        )
    assert _code(err) == "InvalidRequestException"


@pytest.mark.parametrize("drop", ["Source", "BucketAccessRoleArn"])
def test_a_manifest_without_its_access_role_is_a_validation_exception(emulator, stack, drop):
    config = manifest_config(stack, "manifests/m.csv")
    if drop == "Source":
        del config["Source"]
    else:
        del config["Source"]["S3"]["BucketAccessRoleArn"]
    unvalidated = emulator.client("datasync", parameter_validation=False)  # an SDK refuses it before sending
    with pytest.raises(ClientError) as err:
        unvalidated.start_task_execution(TaskArn=stack.task, ManifestConfig=config)
    assert (_code(err), err.value.response["ResponseMetadata"]["HTTPStatusCode"]) == ("ValidationException", 400)


def test_starting_with_a_manifest_needs_pass_role_on_its_access_role(emulator, stack):
    """Model StartTaskExecution.ManifestConfig: "your caller identity ... must have the iam:PassRole
    permission"."""
    iam = emulator.client("iam")
    account = emulator.account_id("target")
    caller = iam.create_role(
        RoleName=f"{stack.manifest_bucket}-starter",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": account}, "Action": "sts:AssumeRole"}],
            }
        ),
    )["Role"]
    start_only = {"Effect": "Allow", "Action": "datasync:StartTaskExecution", "Resource": stack.task}
    iam.put_role_policy(
        RoleName=caller["RoleName"],
        PolicyName="start",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [start_only]}),
    )
    key = write_manifest(emulator, stack, ["p.csv"])
    session = emulator.role_session(caller["Arn"])
    ds = session.client("datasync", endpoint_url=emulator.endpoint, config=Config(retries={"total_max_attempts": 1}))
    with pytest.raises(ClientError) as err:
        ds.start_task_execution(TaskArn=stack.task, ManifestConfig=manifest_config(stack, key))
    assert _code(err) == "AccessDeniedException" and "iam:PassRole" in str(err.value)
    pass_role = {
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": stack.manifest_role,
        "Condition": {"StringEquals": {"iam:PassedToService": "datasync.amazonaws.com"}},
    }
    iam.put_role_policy(
        RoleName=caller["RoleName"],
        PolicyName="start",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [start_only, pass_role]}),
    )
    wait_for(lambda: _started(ds, stack, key))


def _started(ds, stack, key) -> bool:
    try:
        ds.start_task_execution(TaskArn=stack.task, ManifestConfig=manifest_config(stack, key))
    except ClientError:
        return False
    return True


# --- queueing and cancelling ---------------------------------------------------------------------------------


def test_different_manifests_queue_and_the_same_manifest_is_refused_while_it_waits(emulator, stack):
    ds = emulator.client("datasync")
    put_sources(emulator, stack, "1.csv", "2.csv")
    first_key, second_key = write_manifest(emulator, stack, ["1.csv"]), write_manifest(emulator, stack, ["2.csv"])
    emulator.control("POST", "datasync/faults", {"hold_launching": 1})
    try:
        first = start(emulator, stack, first_key)
        second = start(emulator, stack, second_key)
        with pytest.raises(ClientError) as err:
            start(emulator, stack, second_key)
        assert _code(err) == "InvalidRequestException" and "same filters and manifest" in str(err.value)
        assert [(e["arn"], e["status"], e["manifest"]) for e in emulator.datasync_active(stack.task)] == [
            (first, "LAUNCHING", f"s3://{stack.manifest_bucket}/{first_key}"),
            (second, "QUEUED", f"s3://{stack.manifest_bucket}/{second_key}"),
        ]
    finally:
        emulator.control("POST", "datasync/faults", {"hold_launching": 0})
    ds.cancel_task_execution(TaskExecutionArn=first)
    assert finished(emulator, second)["Status"] == "SUCCESS"
    assert delivered(stack) == {"2.csv": b"body of 2.csv"}


def test_a_cancelled_queued_execution_never_launches_and_the_next_one_proceeds(emulator, stack):
    ds = emulator.client("datasync")
    put_sources(emulator, stack, "run.csv", "cancel.csv", "next.csv")
    keys = [write_manifest(emulator, stack, [name]) for name in ("run.csv", "cancel.csv", "next.csv")]
    emulator.control("POST", "datasync/faults", {"hold_launching": 1})
    try:
        running, cancelled, following = (start(emulator, stack, key) for key in keys)
        ds.cancel_task_execution(TaskExecutionArn=cancelled)
        at_once = ds.describe_task_execution(TaskExecutionArn=cancelled)
        assert (at_once["Status"], at_once["Result"]["ErrorCode"]) == ("ERROR", "OpCancelled")
    finally:
        emulator.control("POST", "datasync/faults", {"hold_launching": 0})
    ds.cancel_task_execution(TaskExecutionArn=running)  # the held one: LAUNCHING -> CANCELLING -> ERROR
    assert finished(emulator, running)["Result"]["ErrorCode"] == "OpCancelled"
    assert finished(emulator, following)["Status"] == "SUCCESS"
    assert "LaunchTime" not in ds.describe_task_execution(TaskExecutionArn=cancelled)
    assert delivered(stack) == {"next.csv": b"body of next.csv"}


def test_cancelling_while_preparing_copies_nothing(emulator, stack):
    ds = emulator.client("datasync")
    put_sources(emulator, stack, "p.csv")
    previous = emulator.control("POST", "datasync/timing", {})
    emulator.control("POST", "datasync/timing", {"preparing": 2.0})
    try:
        arn = start(emulator, stack, write_manifest(emulator, stack, ["p.csv"]))
        wait_for(lambda: ds.describe_task_execution(TaskExecutionArn=arn)["Status"] == "PREPARING")
        ds.cancel_task_execution(TaskExecutionArn=arn)
        assert ds.describe_task_execution(TaskExecutionArn=arn)["Status"] == "CANCELLING"
        done = finished(emulator, arn)
    finally:
        emulator.control("POST", "datasync/timing", {"preparing": previous["preparing"]})
    assert (done["Status"], done["Result"]["ErrorCode"]) == ("ERROR", "OpCancelled")
    assert delivered(stack) == {}
