"""Security checks of every IAM and resource policy a deployment wrote (docs/security.md).

`collect` reads the policies back from the emulator in both accounts — roles (trust, inline, attached),
the deploying identities' inline policies, buckets, queues, topics, file systems, keys, functions, logs
resource policies — so resources added later are checked without editing the tests. `unread_services`
fails a deployment that writes to a service whose policies `collect` does not read. `problems` runs
parliament (IAM policy linter) and our own assertions on each policy; `ACCEPTED` lists the findings
accepted by design, each with its reason."""

from __future__ import annotations

import json
import re
import warnings
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import arns

with warnings.catch_warnings():  # parliament imports pkg_resources (hence setuptools<81 in requirements.txt)
    warnings.simplefilter("ignore")
    import parliament
    from parliament.cli import is_finding_filtered

# Resource policies that must deny any request not made over TLS (aws:SecureTransport false), by the
# service prefix of the resource they protect.
TLS_ONLY = ("s3", "sqs", "sns", "elasticfilesystem")

# Condition keys that keep an Allow to everyone ("*") from being public, as IAM Access Analyzer and S3's
# "public policy" rules count them (https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status),
# plus EFS's mount-target key (https://docs.aws.amazon.com/efs/latest/ug/access-control-block-public-access.html).
NON_PUBLIC_KEYS = {
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalorgid",
    "aws:userid",
    "kms:calleraccount",
    "elasticfilesystem:accessedviamounttarget",
}

# Services the deployment writes to whose resources carry no resource policy the checks would miss: any
# write operation named *Policy*/*Permission* there means one appeared (e.g. events:PutPermission on a bus).
NO_RESOURCE_POLICY = {
    "sts": "credentials only",
    "ec2": "security groups, no resource policy; the S3 gateway endpoint's policy is read by collect",
    "ecs": "clusters, services and task definitions have no resource policy",
    "datasync": "locations and tasks have no resource policy",
    "cloudwatch": "alarms and metrics have no resource policy",
}
# Services whose resource policies `collect` reads. EventBridge rules have no resource policy, their event
# buses do (events:PutPermission writes it); a rule's targets are authorized by the target's policy
# (lambda:AddPermission, an SNS topic policy), read with the function or the topic.
READ = ("iam", "s3", "sqs", "sns", "efs", "kms", "lambda", "logs", "events")


@dataclass(frozen=True)
class Policy:
    account: str  # "source" / "target"
    where: str  # e.g. "role it1234-ds-q trust", "bucket it1234-source-… policy"
    kind: str  # "identity", "trust" or "resource"
    document: dict = field(hash=False)
    service: str = ""  # resource policies: the IAM prefix of what it protects (s3, sqs, kms, …)
    arn: str = ""  # resource policies: the ARN of what it protects


@dataclass(frozen=True)
class Finding:
    check: str
    where: str
    sid: str
    detail: str

    def __str__(self) -> str:
        return f"{self.check}: {self.where} [{self.sid or '-'}]: {self.detail}"


def _listed(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _statements(policy: Policy) -> list[dict]:
    return _listed(policy.document.get("Statement"))


def _condition_keys(statement: dict) -> set[str]:
    return {key.lower() for block in (statement.get("Condition") or {}).values() for key in block}


def _principals(statement: dict, kind: str) -> list[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return ["*"] if kind == "AWS" else []
    return [str(p) for p in _listed((principal or {}).get(kind))] if isinstance(principal, dict) else []


# --- parliament ------------------------------------------------------------------------------------


def lint(policy: Policy) -> list[Finding]:
    """parliament's findings (its default auditors, LOW severity and above — what its CLI reports)."""
    linted = parliament.analyze_policy_string(json.dumps(policy.document))
    found = []
    for finding in linted.findings:
        finding = parliament.enhance_finding(finding)
        if not is_finding_filtered(finding, "LOW"):
            sid = ""
            location = finding.location or {}
            named = _listed(location.get("actions"))
            if not named and isinstance(finding.detail, list):  # RESOURCE_MISMATCH names them in its detail
                named = [d["action"] for d in finding.detail if isinstance(d, dict) and "action" in d]
            for statement in _statements(policy):  # name the statement when parliament says which actions
                if any(a in json.dumps(statement.get("Action", "")) for a in named):
                    sid = statement.get("Sid", "")
            found.append(Finding(f"parliament {finding.issue}", policy.where, sid, str(finding.detail)))
    return found


# --- our assertions ----------------------------------------------------------------------------------


def scopable(action: str) -> list[str]:
    """The actions `action` (wildcards allowed) stands for that support resource-level permissions, per
    the Service Authorization Reference data parliament ships."""
    found = []
    for expanded in parliament.expand_action(action, raise_exceptions=False):
        service, name = expanded["service"], expanded["action"]
        for entry in parliament.iam_definition:
            if entry["prefix"] != service:
                continue
            for privilege in entry["privileges"]:
                if privilege["privilege"] == name and any(r["resource_type"] for r in privilege["resource_types"]):
                    found.append(f"{service}:{name}")
    return found


def resource_star(policy: Policy) -> list[Finding]:
    """No Allow on Resource "*" for an action that can be scoped (a key policy's "*" is the key itself)."""
    if policy.service == "kms":
        return []
    found = []
    for statement in _statements(policy):
        if statement.get("Effect") != "Allow" or "*" not in _listed(statement.get("Resource")):
            continue
        actions = sorted({a for action in _listed(statement.get("Action")) for a in scopable(action)})
        found += [Finding("resource-star", policy.where, statement.get("Sid", ""), action) for action in actions]
    return found


def service_principals(policy: Policy) -> list[Finding]:
    """A service principal is allowed only for this account's and this resource's requests
    (aws:SourceAccount and aws:SourceArn: the confused-deputy guard,
    https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html)."""
    found = []
    for statement in _statements(policy):
        if statement.get("Effect") != "Allow" or not _principals(statement, "Service"):
            continue
        missing = {"aws:sourceaccount", "aws:sourcearn"} - _condition_keys(statement)
        if missing:
            found.append(
                Finding(
                    "service-principal-unbound",
                    policy.where,
                    statement.get("Sid", ""),
                    f"{_principals(statement, 'Service')} without {sorted(missing)}",
                )
            )
    return found


ROOT = re.compile(r"^(?:arn:[^:]+:iam::(\d{12}):root|(\d{12}))$")


def account_roots(policy: Policy, known_role_accounts: set[str]) -> list[Finding]:
    """No Allow to an account root (every identity of that account its IAM policies let in) in an account
    where the deployment's own roles are known: name the role."""
    found = []
    for statement in _statements(policy):
        if statement.get("Effect") != "Allow":
            continue
        for principal in _principals(statement, "AWS"):
            match = ROOT.match(principal)
            if match and (match.group(1) or match.group(2)) in known_role_accounts:
                found.append(Finding("account-root", policy.where, statement.get("Sid", ""), principal))
    return found


def public(policy: Policy) -> list[Finding]:
    """No Allow to everyone ("*") without a condition that makes it non-public (parliament accepts it)."""
    found = []
    for statement in _statements(policy):
        if statement.get("Effect") == "Allow" and "*" in _principals(statement, "AWS"):
            if not _condition_keys(statement) & NON_PUBLIC_KEYS:
                found.append(Finding("public", policy.where, statement.get("Sid", ""), "Principal * unconditioned"))
    return found


def _denies_insecure_transport(statement: dict, service: str, arn: str) -> bool:
    actions = _listed(statement.get("Action"))
    # SNS's own pattern for TLS-only topics denies SNS:Publish without aws:SecureTransport (SNS developer guide,
    # "Enforce encryption of data in transit", https://docs.aws.amazon.com/sns/latest/dg/sns-security-best-practices.html)
    denied = {"*", f"{service}:*"} | ({"sns:publish"} if service == "sns" else set())
    resources = _listed(statement.get("Resource"))
    needed = [arn, f"{arn}/*"] if service == "s3" else [arn]
    secure = {k.lower(): v for k, v in (statement.get("Condition") or {}).get("Bool", {}).items()}
    return (
        statement.get("Effect") == "Deny"
        and "*" in _principals(statement, "AWS")
        and any(action.lower() in denied for action in actions)
        and all(r in resources or "*" in resources for r in needed)
        and [str(v).lower() for v in _listed(secure.get("aws:securetransport"))] == ["false"]
    )


def tls_only(policy: Policy) -> list[Finding]:
    """Buckets, queues, topics and file systems deny every request not made over TLS."""
    if policy.kind != "resource" or policy.service not in TLS_ONLY:
        return []
    if any(_denies_insecure_transport(s, policy.service, policy.arn) for s in _statements(policy)):
        return []
    return [Finding("tls-only", policy.where, "", f"no Deny of {policy.service}:* when aws:SecureTransport is false")]


def _denies_all_but(statement: dict, actions: set[str], resource: str, principal_arn: str) -> bool:
    """A Deny to everyone of `actions` (each, or a wildcard covering it) on `resource` unless the caller's
    principal ARN is `principal_arn` (a role session's principal ARN is its role's)."""
    denied = {a.lower() for a in _listed(statement.get("Action"))}
    covered = all(
        a.lower() in denied or any(d.endswith("*") and a.lower().startswith(d[:-1]) for d in denied) for a in actions
    )
    unless = {k.lower(): v for k, v in (statement.get("Condition") or {}).get("ArnNotEquals", {}).items()}
    return (
        statement.get("Effect") == "Deny"
        and "*" in _principals(statement, "AWS")
        and covered
        and resource in _listed(statement.get("Resource"))
        and _listed(unless.get("aws:principalarn")) == [principal_arn]
    )


def manifest_bucket(policy: Policy, reader: str, writer: str) -> list[Finding]:
    """A trigger's manifest bucket (issue 11): only the DataSync role (`reader`) reads manifests, only the
    trigger's role (`writer`) writes them and reads or writes the pending records, whatever an identity
    policy of the account allows."""
    needed = {
        "manifests read by the DataSync role only": ({"s3:GetObject", "s3:GetObjectVersion"}, "manifests/*", reader),
        "manifests written by the trigger only": ({"s3:PutObject"}, "manifests/*", writer),
        "pending records read by the trigger only": ({"s3:GetObject", "s3:GetObjectVersion"}, "pending/*", writer),
        "pending records written by the trigger only": ({"s3:PutObject"}, "pending/*", writer),
    }
    return [
        Finding("manifest-principals", policy.where, "", what)
        for what, (actions, under, principal) in needed.items()
        if not any(_denies_all_but(s, actions, f"{policy.arn}/{under}", principal) for s in _statements(policy))
    ]


def bucket_settings(s3, bucket: str) -> list[str]:
    """A bucket of the deployment is encrypted by default, blocks every kind of public access and has ACLs
    disabled (BucketOwnerEnforced), whichever role made it."""
    found = []
    try:
        rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    except s3.exceptions.ClientError:
        rules = []
    if not any(r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") for r in rules):
        found.append(f"encryption: bucket {bucket} has no default encryption")
    try:
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    except s3.exceptions.ClientError:
        block = {}
    names = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
    if not all(block.get(n) for n in names):
        found.append(f"public-access-block: bucket {bucket} blocks only {sorted(n for n in names if block.get(n))}")
    try:
        ownership = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"][0]["ObjectOwnership"]
    except (s3.exceptions.ClientError, KeyError, IndexError):
        ownership = None
    if ownership != "BucketOwnerEnforced":
        found.append(f"acls: bucket {bucket} has object ownership {ownership} (not BucketOwnerEnforced)")
    return found


def buckets(emulator, name: str) -> list[str]:
    """`bucket_settings` of every bucket named after deployment `name`, in both accounts."""
    found = []
    for account in ("source", "target"):
        s3 = emulator.client("s3", account)
        for bucket in s3.list_buckets()["Buckets"]:
            if bucket["Name"].startswith(name):
                found += bucket_settings(s3, bucket["Name"])
    return found


# Findings accepted by design: (check, where pattern, Sid[, detail]) -> why. Keep each narrow and explained.
ACCEPTED: dict[tuple[str, ...], str] = {
    # Lambda checks a VPC function's execution role for the network-interface actions on "all resource IDs" of
    # the account and Region (Lambda developer guide, VPC access: "include all resource IDs, for example
    # arn:aws:ec2:us-west-2:123456789012:*/*"); parliament wants one resource type per action.
    (
        "parliament RESOURCE_MISMATCH",
        r"role .*-fast-role inline lakedrop-fast",
        "NetworkInterfacesInTheVpc",
    ): "Lambda checks the ENI actions on every resource ID of the account and Region",
    # The deployer writes the source bucket's policy (phase 2): whoever writes a bucket policy could grant
    # itself the objects. Accepted and said in docs/deployer-policy.md (as tests/integration/test_deployer_policy.py).
    (
        "parliament RESOURCE_POLICY_PRIVILEGE_ESCALATION",
        r"user .* inline .*-deployer",
        "",
    ): "deployer writes bucket policies",
    # A key policy must let the account administer the key, or the key becomes unmanageable; AWS's default
    # key policy does the same (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam).
    ("account-root", r"key .*", "AccountAdministersTheKey"): "key administration through IAM policies",
    # In a key policy, Resource "*" means "this KMS key" and nothing else
    # (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html#key-policy-elements):
    # parliament reads it as every resource.
    ("parliament RESOURCE_STAR", r"key .*", ""): "a key policy's '*' is the key",
    # parliament lints every document as an identity policy; a trust policy has no Resource by definition
    # (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
    ("parliament MALFORMED", r"role .* trust", ""): "a trust policy has no Resource",
    # Lambda's statement IDs allow '-' and '_' (AddPermission StatementId: ([a-zA-Z0-9-_]+),
    # https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html); parliament applies IAM's Sid rule.
    ("parliament INVALID_SID", r"function .*", ""): "Lambda statement IDs may hold '-'",
    # Whoever creates the file system (the deploying identity, not a role the deployment knows) has EFS
    # create its grant on the key; only through EFS in this region for this account, as AWS's managed key
    # aws/elasticfilesystem allows every principal of the account
    # (https://docs.aws.amazon.com/efs/latest/ug/EFSKMSKeyPolicy.html).
    ("account-root", r"key .*", "UseThroughEfsOnly"): "the file system's creator uses the key through EFS only",
    # community.aws.efs finds the file system by CreationToken and efs_info lists them: DescribeFileSystems
    # without FileSystemId, which IAM authorizes on "*" (its file-system resource type names one ID).
    (
        "resource-star",
        r"user .* inline .*-deployer",
        "ReadTheAccount",
        "elasticfilesystem:DescribeFileSystems",
    ): "the deployer finds file systems by creation token",
}


def accepted(finding: Finding) -> bool:
    """An ACCEPTED key matches: same check, `where` pattern, Sid (or "" for any), detail (when given) equal."""
    return any(
        check == finding.check
        and re.fullmatch(where, finding.where)
        and sid in ("", finding.sid)
        and detail in ([], [finding.detail])
        for check, where, sid, *detail in ACCEPTED
    )


def problems(policies: list[Policy]) -> list[str]:
    """Every finding on `policies` that is not accepted by design."""
    role_accounts = {
        m.group(1) for p in policies if p.kind == "trust" for m in [re.search(r"::(\d{12}):role/", p.arn)] if m
    }
    found = []
    for policy in policies:
        found += lint(policy) if _statements(policy) else []
        found += resource_star(policy) + service_principals(policy) + account_roots(policy, role_accounts)
        found += public(policy) + tls_only(policy)
    return [str(f) for f in found if not accepted(f)]


def unread_services(writes: list[str]) -> list[str]:
    """Services the deployment wrote to (`service:Operation`, from the emulator's journal) whose resource
    policies `collect` does not read: add a reader (or a reason to NO_RESOURCE_POLICY)."""
    unread = set()
    for write in writes:
        service, _, operation = write.partition(":")
        if service in READ:
            continue
        if service not in NO_RESOURCE_POLICY or re.search("Policy|Permission", operation):
            unread.add(write)
    return sorted(unread)


# --- reading them back from the emulator -------------------------------------------------------------


def _json(value: Any) -> dict:
    return json.loads(value) if isinstance(value, str) else value


def _iam(client, account: str, name: str) -> list[Policy]:
    found = []
    for role in client.get_paginator("list_roles").paginate().build_full_result()["Roles"]:
        if not role["RoleName"].startswith(name):
            continue
        role_name, arn = role["RoleName"], role["Arn"]
        trust = client.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
        found.append(Policy(account, f"role {role_name} trust", "trust", _json(trust), arn=arn))
        for policy_name in client.list_role_policies(RoleName=role_name)["PolicyNames"]:
            document = client.get_role_policy(RoleName=role_name, PolicyName=policy_name)["PolicyDocument"]
            found.append(Policy(account, f"role {role_name} inline {policy_name}", "identity", _json(document)))
        for attached in client.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]:
            found.append(_managed(client, account, f"role {role_name} attached", attached["PolicyArn"]))
    for user in client.list_users()["Users"]:  # the deploying identity's policy for this deployment
        for policy_name in client.list_user_policies(UserName=user["UserName"])["PolicyNames"]:
            if policy_name.startswith(name):
                document = client.get_user_policy(UserName=user["UserName"], PolicyName=policy_name)["PolicyDocument"]
                where = f"user {user['UserName']} inline {policy_name}"
                found.append(Policy(account, where, "identity", _json(document)))
    for managed in client.list_policies(Scope="Local")["Policies"]:
        if managed["PolicyName"].startswith(name):
            found.append(_managed(client, account, "managed", managed["Arn"]))
    return found


def _managed(client, account: str, where: str, arn: str) -> Policy:
    version = client.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"]
    document = client.get_policy_version(PolicyArn=arn, VersionId=version)["PolicyVersion"]["Document"]
    return Policy(account, f"{where} {arn}", "identity", _json(document))


def _resource(account, service, what, arn, document) -> Policy:
    """A resource policy; a resource without one gets an empty document (tls_only then reports it)."""
    return Policy(account, f"{what} policy", "resource", _json(document or {"Statement": []}), service, arn)


def write(policies: list[Policy], path) -> None:
    """What was checked, for a reader (the integration test leaves it in the emulator's state dir)."""
    path.write_text(json.dumps([p.__dict__ for p in policies], indent=1), encoding="utf-8")


def collect(emulator, name: str) -> list[Policy]:
    """Every policy of the resources named after deployment `name`, in both accounts."""
    found: list[Policy] = []
    for account in ("source", "target"):

        def client(service, account=account):
            return emulator.client(service, account)

        found += _iam(client("iam"), account, name)
        key_ids = set()
        s3 = client("s3")
        for bucket in s3.list_buckets()["Buckets"]:
            if bucket["Name"].startswith(name):
                arn = arns.bucket_arn(bucket["Name"], emulator.region)
                try:
                    document = s3.get_bucket_policy(Bucket=bucket["Name"])["Policy"]
                except s3.exceptions.ClientError:  # NoSuchBucketPolicy
                    document = None
                found.append(_resource(account, "s3", f"bucket {bucket['Name']}", arn, document))
                try:
                    rules = s3.get_bucket_encryption(Bucket=bucket["Name"])["ServerSideEncryptionConfiguration"]
                except s3.exceptions.ClientError:
                    rules = {"Rules": []}
                key_ids |= {r["ApplyServerSideEncryptionByDefault"].get("KMSMasterKeyID") for r in rules["Rules"]} - {
                    None
                }
        sqs = client("sqs")
        for url in sqs.list_queues(QueueNamePrefix=name).get("QueueUrls", []):
            names = ["Policy", "QueueArn", "KmsMasterKeyId"]
            attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=names)["Attributes"]
            arn = attributes["QueueArn"]
            found.append(_resource(account, "sqs", f"queue {arn}", arn, attributes.get("Policy")))
            key_ids.add(attributes.get("KmsMasterKeyId"))
        sns = client("sns")
        for topic in sns.list_topics()["Topics"]:
            arn = topic["TopicArn"]
            if arn.split(":")[-1].startswith(name):
                attributes = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
                found.append(_resource(account, "sns", f"topic {arn}", arn, attributes.get("Policy")))
                key_ids.add(attributes.get("KmsMasterKeyId"))  # its key's policy lets the publishers use it
        events = client("events")
        for bus in events.list_event_buses()["EventBuses"]:
            # a bus named after the deployment, or the default bus once events:PutPermission gave it a policy
            document = events.describe_event_bus(Name=bus["Name"]).get("Policy")
            if document and (bus["Name"].startswith(name) or bus["Name"] == "default"):
                found.append(_resource(account, "events", f"event bus {bus['Arn']}", bus["Arn"], document))
        efs = client("efs")
        for fs in efs.describe_file_systems()["FileSystems"]:
            if fs.get("Name", "").startswith(name):
                try:
                    document = efs.describe_file_system_policy(FileSystemId=fs["FileSystemId"])["Policy"]
                except efs.exceptions.PolicyNotFound:
                    document = None
                what = f"file system {fs['FileSystemArn']}"
                found.append(_resource(account, "elasticfilesystem", what, fs["FileSystemArn"], document))
                key_ids.add(fs.get("KmsKeyId"))
        kms = client("kms")
        key_ids |= {
            a["TargetKeyId"] for a in kms.list_aliases()["Aliases"] if a["AliasName"].startswith(f"alias/{name}")
        }
        for key_id in sorted(k for k in key_ids if k):
            try:
                metadata = kms.describe_key(KeyId=key_id)["KeyMetadata"]
            except kms.exceptions.NotFoundException:  # another account's key (by ARN), or alias/aws/sns
                continue  # (an AWS managed key moto does not create)
            arn = metadata["Arn"]
            if metadata.get("KeyManager") == "AWS":
                continue  # an AWS managed key (aws/elasticfilesystem, ...): AWS writes its policy, not us
            if arn.split(":")[4] != emulator.account_id(account) or any(p.arn == arn for p in found):
                continue  # another account's key, or one already read (by alias and by ARN)
            document = kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"]
            found.append(_resource(account, "kms", f"key {arn}", arn, document))
        functions = client("lambda")
        for function in functions.list_functions()["Functions"]:
            if function["FunctionName"].startswith(name):
                try:
                    document = functions.get_policy(FunctionName=function["FunctionName"])["Policy"]
                except functions.exceptions.ResourceNotFoundException:
                    continue  # no resource policy: nobody else may invoke it
                what = f"function {function['FunctionArn']}"
                found.append(_resource(account, "lambda", what, function["FunctionArn"], document))
        for policy in client("logs").describe_resource_policies()["resourcePolicies"]:
            if policy["policyName"].startswith(name):
                what = f"logs resource policy {policy['policyName']}"
                found.append(_resource(account, "logs", what, "", policy["policyDocument"]))
        # the S3 gateway endpoint the fast path created (Name tag <name>-s3): its policy is a resource policy too
        for endpoint in client("ec2").describe_vpc_endpoints()["VpcEndpoints"]:
            tags = {t["Key"]: t["Value"] for t in endpoint.get("Tags", [])}
            if tags.get("Name", "").startswith(name) and endpoint["State"].lower() not in ("deleted", "deleting"):
                arn = f"arn:{arns.partition_of(emulator.region)}:ec2:{emulator.region}:{emulator.account_id(account)}"
                arn += f":vpc-endpoint/{endpoint['VpcEndpointId']}"
                what = f"vpc endpoint {endpoint['VpcEndpointId']}"
                found.append(_resource(account, "ec2", what, arn, endpoint.get("PolicyDocument")))
    return found
