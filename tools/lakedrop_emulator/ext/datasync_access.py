"""DataSync's access to its locations, decided by the authorization engine as AWS decides it.

- CreateLocationS3 tests access: DataSync assumes the bucket access role (the trust policy sees
  datasync.amazonaws.com acting for the caller's account on the new location) and lists the bucket with
  the caller's own credentials (`location_s3_problem`).
- An execution reads its S3 source as a session of that role: s3:ListBucket (with s3:prefix) on the
  bucket, s3:GetObject on each object, kms:Decrypt through S3 on the key of an SSE-KMS object
  (`S3Source`). The role's policies decide, and the bucket policy (key policy) too across accounts.
- An execution with a manifest reads it first (PREPARING) as a session of the manifest's
  BucketAccessRoleArn: s3:GetObject, s3:GetObjectVersion when a version is named (`read_manifest`).
- It writes its EFS destination as an NFS client: anonymous without a file-system access role, else a
  session of that role; the file-system policy (and the role's policies) decide ClientMount and
  ClientWrite, and ClientRootAccess when it writes as root, i.e. without an access point (`efs_denial`).

A denial raises AccessDenied; datasync.py ends the execution in ERROR with its code and detail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .authz import Decision
from .authz import Principal
from .authz.principals import ANONYMOUS_PRINCIPAL
from .on_behalf import decide
from .on_behalf import denial_text
from .on_behalf import service_session

DATASYNC = "datasync.amazonaws.com"
SESSION_NAME = "AWS-DataSync"


class AccessDenied(PermissionError):
    """A read or write DataSync was refused; `code` is the execution's Result.ErrorCode."""

    code = "AccessDenied"


def _prefix(subdirectory: str) -> str:
    """The key prefix of a location's subdirectory ("" for the whole bucket), as DataSync lists it."""
    sub = (subdirectory or "").strip("/")
    return f"{sub}/" if sub else ""


def _moto_bucket(name: str) -> Any:
    from moto.s3.models import s3_backends

    partition, account = s3_backends.bucket_accounts[name]
    return s3_backends[account][partition].buckets[name]


def _role_session(role_arn: str, location: Any) -> Principal | Decision:
    """DataSync assumes `role_arn` for `location` (aws:SourceArn is the location's ARN: DataSync user guide,
    "Cross-service confused deputy prevention")."""
    account, region = location.arn.split(":")[4], location.arn.split(":")[3]
    session = service_session(role_arn, DATASYNC, account, location.arn, region, SESSION_NAME)
    return session if isinstance(session, Decision) else session.principal


# --- CreateLocationS3 -----------------------------------------------------------------------------------


def location_s3_problem(caller: Principal | None, location: Any) -> str | None:
    """Why DataSync's access test refuses this new S3 location (None: it passes)."""
    role_arn = location.details["S3Config"]["BucketAccessRoleArn"]
    session = _role_session(role_arn, location)
    if isinstance(session, Decision):
        return (
            f"DataSync location access test failed: could not assume bucket access role {role_arn}. "
            f"{denial_text(session)}"
        )
    if caller is None:
        return None  # not an SDK request (in-process callers): nothing to test with
    bucket = _moto_bucket(location.bucket_name)
    listing = {"s3:prefix": _prefix(location.subdirectory)}
    decision = decide("datasync", "CreateLocationS3", caller, "s3:ListBucket", bucket.arn, listing)
    if decision.allowed:
        return None
    return (
        f"DataSync location access test failed: could not perform s3:ListObjectsV2 on bucket "
        f"{location.bucket_name} with the credentials that create the location. {denial_text(decision)}"
    )


# --- reading the S3 source ------------------------------------------------------------------------------


@dataclass(frozen=True)
class S3Source:
    """The source bucket as the execution's role session reads it."""

    principal: Principal
    bucket: Any  # moto's FakeBucket

    def read_denial(self, key_name: str, version: str | None = None) -> str | None:
        """Why the session may not read this object, or this version of it (None: it may). A version is read
        with s3:GetObjectVersion (S3 user guide, "Retrieving object versions")."""
        object_arn = f"{self.bucket.arn}/{key_name}"
        action = "s3:GetObjectVersion" if version else "s3:GetObject"
        decision = decide("datasync", "ReadObject", self.principal, action, object_arn)
        if not decision.allowed:
            return denial_text(decision)
        return self._decrypt_denial(self.bucket.keys.get(key_name), object_arn)

    def _decrypt_denial(self, key: Any, object_arn: str) -> str | None:
        decision = decrypt_decision(self.principal, self.bucket, key, object_arn, "datasync", "ReadObject")
        return None if decision is None else denial_text(decision)


def decrypt_decision(
    principal: Principal, bucket: Any, key: Any, object_arn: str, service: str, doing: str
) -> Decision | None:
    """S3 decrypts an SSE-KMS object with the reader's permissions: kms:Decrypt through S3, with the bucket
    (S3 Bucket Key) or the object as encryption context (S3 user guide, "Using server-side encryption with AWS
    KMS keys" and "Reducing the cost of SSE-KMS with Amazon S3 Bucket Keys"). None when allowed (or the object
    is not SSE-KMS); the denial otherwise — for DataSync's reads and for a reader's own GetObject alike."""
    if getattr(key, "encryption", None) != "aws:kms":
        return None
    owner, region = bucket.account_id, bucket.region_name
    if not key.kms_key_id:  # the AWS managed key aws/s3: only its own account's principals use it
        if principal.account == owner:
            return None
        why = f"the AWS managed key aws/s3 of {owner} cannot be used from another account"
        return Decision(False, why, f"User: {principal.arn} is not authorized to use the key aws/s3 of {owner}")
    key_arn = _key_arn(key.kms_key_id, owner, region, principal.partition)
    if key_arn is None:
        return Decision(False, f"KMS.NotFoundException: the object's key {key.kms_key_id} does not exist")
    context = bucket.arn if str(key.bucket_key_enabled).lower() == "true" else object_arn
    decision = decide(
        service,
        doing,
        principal,
        "kms:Decrypt",
        key_arn,
        {
            "kms:ViaService": f"s3.{region}.amazonaws.com",
            "kms:CallerAccount": principal.account,
            "kms:EncryptionContext:aws:s3:arn": context,
            "kms:EncryptionContextKeys": ["aws:s3:arn"],
            "aws:ViaAWSService": "true",
        },
    )
    return None if decision.allowed else decision


def _key_arn(key_id: str, owner: str, region: str, partition: str) -> str | None:
    """The ARN of the key an object names (ID, ARN, alias), in the bucket owner's account unless an ARN."""
    from moto.kms.models import kms_backends

    account = key_id.split(":")[4] if key_id.startswith("arn:") else owner
    region = key_id.split(":")[3] if key_id.startswith("arn:") else region
    try:
        resolved = kms_backends[account][region].any_id_to_key_id(key_id)
    except Exception:  # noqa: BLE001 - an unknown key or alias
        return None
    return f"arn:{partition}:kms:{region}:{account}:key/{resolved}"


def s3_source(location: Any) -> S3Source:
    """The execution's session of the location's role, once it has listed the bucket (raises AccessDenied)."""
    role_arn = location.details["S3Config"]["BucketAccessRoleArn"]
    session = _role_session(role_arn, location)
    if isinstance(session, Decision):
        raise AccessDenied(f"DataSync could not assume bucket access role {role_arn}: {denial_text(session)}")
    bucket = _moto_bucket(location.bucket_name)
    prefix = _prefix(location.subdirectory)
    decision = decide("datasync", "ListObjects", session, "s3:ListBucket", bucket.arn, {"s3:prefix": prefix})
    if not decision.allowed:
        raise AccessDenied(f"Listing s3://{location.bucket_name}/{prefix}: {denial_text(decision)}")
    return S3Source(session, bucket)


def readable(source: S3Source, plan: list[Any]) -> tuple[list[Any], list[str]]:
    """The planned objects the session may read, and one line per object it may not."""
    allowed, refused = [], []
    for obj in plan:
        why = source.read_denial(obj.key, getattr(obj, "version", None))
        if why is None:
            allowed.append(obj)
        else:
            refused.append(f"Reading s3://{source.bucket.name}/{obj.key}: {why}")
    return allowed, refused


def refusal(refused: list[str]) -> AccessDenied:
    """One error for an execution whose files were refused: the first one named, the others counted."""
    more = f" (and {len(refused) - 1} more file(s) refused)" if len(refused) > 1 else ""
    return AccessDenied(refused[0] + more)


# --- reading the manifest ------------------------------------------------------------------------------


class ManifestNotFound(LookupError):
    """The manifest object (or the version named) does not exist (AWS documents no code for this: ours)."""

    code = "ManifestNotFound"


def read_manifest(config: dict, task_arn: str) -> bytes:
    """The manifest's bytes, read as DataSync reads it: a session of the manifest's BucketAccessRoleArn
    (trust policy for datasync.amazonaws.com; aws:SourceArn = the task, unsure: the confused-deputy page
    names locations only), s3:GetObject, or s3:GetObjectVersion when ManifestObjectVersionId is given
    (user guide, "Providing DataSync access to your manifest"); the role's policies and, across accounts,
    the bucket policy decide. Raises AccessDenied or ManifestNotFound."""
    from . import dataplane

    s3 = config["Source"]["S3"]
    role_arn, key, version = s3["BucketAccessRoleArn"], s3["ManifestObjectPath"], s3.get("ManifestObjectVersionId")
    bucket_name = s3["S3BucketArn"].split(":::", 1)[-1]
    where = f"s3://{bucket_name}/{key}" + (f" (version {version})" if version else "")
    _, _, _, region, account, _ = task_arn.split(":", 5)
    session = service_session(role_arn, DATASYNC, account, task_arn, region, SESSION_NAME)
    if isinstance(session, Decision):
        raise AccessDenied(f"DataSync could not assume manifest access role {role_arn}: {denial_text(session)}")
    action = "s3:GetObjectVersion" if version else "s3:GetObject"
    partition = role_arn.split(":")[1]
    decision = decide(
        "datasync", "ReadManifest", session.principal, action, f"arn:{partition}:s3:::{bucket_name}/{key}"
    )
    if not decision.allowed:
        raise AccessDenied(f"Reading manifest {where}: {denial_text(decision)}")
    try:
        obj = dataplane.s3_object(bucket_name, key, version)
    except LookupError as err:
        raise ManifestNotFound(f"Reading manifest {where}: NoSuchBucket: {err}") from err
    if obj is None:
        raise ManifestNotFound(f"Reading manifest {where}: NoSuchKey: the manifest object does not exist")
    return obj.value


# --- writing the EFS destination ------------------------------------------------------------------------


def efs_denial(location: Any, *actions: str) -> None:
    """Raise AccessDenied unless DataSync, as the location's NFS client, may perform `actions` (e.g.
    "elasticfilesystem:ClientMount") on the file system (EFS user guide, "Using IAM to control file
    system data access"; DataSync user guide, "Configuring DataSync transfers with Amazon EFS")."""
    role_arn = location.details.get("FileSystemAccessRoleArn")
    client: Principal | Decision = _role_session(role_arn, location) if role_arn else ANONYMOUS_PRINCIPAL
    if isinstance(client, Decision):
        raise AccessDenied(f"DataSync could not assume file system access role {role_arn}: {denial_text(client)}")
    context = {
        "elasticfilesystem:AccessedViaMountTarget": "true",  # DataSync mounts through a mount target
        "aws:SecureTransport": "true" if location.details.get("InTransitEncryption") == "TLS1_2" else "false",
    }
    if location.details.get("AccessPointArn"):
        context["elasticfilesystem:AccessPointArn"] = location.details["AccessPointArn"]
    for action in actions:
        decision = decide("datasync", "Mount", client, action, location.details["_fs_arn"], context)
        if not decision.allowed:
            raise AccessDenied(f"Mounting {location.uri}: {denial_text(decision)}")


def efs_write_actions(location: Any) -> tuple[str, ...]:
    """Writing needs ClientWrite; without an access point DataSync writes as root (ClientRootAccess)."""
    write = ("elasticfilesystem:ClientWrite",)
    return write if location.details.get("AccessPointArn") else (*write, "elasticfilesystem:ClientRootAccess")
