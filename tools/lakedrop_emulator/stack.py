"""The DataSync side of the pipeline, built directly with boto3 on the emulator: what the trigger tests
and the benchmark put a trigger in front of (the roles build the same for real in site.yml)."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .client import Emulator
from .paths import REPO_ROOT as REPO

HANDLER = REPO / "roles/lambda_trigger/files/lakedrop_trigger.py"


def zipped(path: Path = HANDLER, name: str = "lakedrop_trigger.py") -> bytes:
    """A deployment package with one module (the handler by default)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(path, name)
    return buffer.getvalue()


def trust(service: str) -> str:
    statement = {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


@dataclass
class TransferStack:
    bucket: str  # in the source account
    task: str  # DataSync task ARN (target account)
    mount: Path  # the directory standing for the access point's root (/lake) on EFS
    lambda_role: str  # a role Lambda may assume, for the trigger functions
    file_system_id: str
    datasync_role: str  # the source location's bucket access role
    source: str  # the S3 location (prefix) and the EFS location (access point, TLS) of the task
    destination: str
    access_point_arn: str
    ec2_config: dict  # the EFS location's subnet and security group


def transfer_stack(
    emulator: Emulator, name: str, prefix: str, task_options: dict | None = None, network: VpcNetwork | None = None
) -> TransferStack:
    """Bucket `name` (source account); in the target account a DataSync task `name` from its `prefix`
    into an encrypted file system through an access point rooted at /lake, with TLS. With `network`, the file
    system has its mount targets there (efs_access_point) and DataSync uses the network's function group."""
    region, target = emulator.region, emulator.account_id("target")
    emulator.client("s3", "source").create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})
    iam = emulator.client("iam")
    roles = {
        kind: iam.create_role(RoleName=f"{name}-{kind}", AssumeRolePolicyDocument=trust(f"{kind}.amazonaws.com"))[
            "Role"
        ]["Arn"]
        for kind in ("datasync", "lambda")
    }
    grant_datasync_read(emulator, name, roles["datasync"], prefix)
    ec2, efs, ds = emulator.client("ec2"), emulator.client("efs"), emulator.client("datasync")
    if network is None:
        subnet = ec2.describe_subnets()["Subnets"][0]
        sg = ec2.create_security_group(GroupName=name, Description="lakedrop test", VpcId=subnet["VpcId"])["GroupId"]
        fs = efs.create_file_system(CreationToken=name, Encrypted=True)
        efs.create_mount_target(FileSystemId=fs["FileSystemId"], SubnetId=subnet["SubnetId"], SecurityGroups=[sg])
        # As roles/efs_storage makes it: EFS creates the root directory on first mount only with CreationInfo.
        creation = {"OwnerUid": 1000, "OwnerGid": 1000, "Permissions": "0755"}
        ap = efs.create_access_point(
            FileSystemId=fs["FileSystemId"],
            PosixUser={"Uid": 1000, "Gid": 1000},
            RootDirectory={"Path": "/lake", "CreationInfo": creation},
        )
    else:
        made = efs_access_point(emulator, name, network)
        fs = {"FileSystemId": made.file_system_id, "FileSystemArn": made.file_system_arn}
        ap = {"AccessPointArn": made.access_point_arn}
        subnet = ec2.describe_subnets(SubnetIds=network.subnet_ids[:1])["Subnets"][0]
        sg = network.function_group
    source = ds.create_location_s3(
        S3BucketArn=f"arn:aws:s3:::{name}", Subdirectory=prefix, S3Config={"BucketAccessRoleArn": roles["datasync"]}
    )["LocationArn"]
    ec2_config = {
        "SubnetArn": subnet["SubnetArn"],
        "SecurityGroupArns": [f"arn:aws:ec2:{region}:{target}:security-group/{sg}"],
    }
    destination = ds.create_location_efs(
        EfsFilesystemArn=fs["FileSystemArn"],
        AccessPointArn=ap["AccessPointArn"],
        InTransitEncryption="TLS1_2",
        Ec2Config=ec2_config,
    )["LocationArn"]
    extra = {"Options": task_options} if task_options else {}
    task = ds.create_task(SourceLocationArn=source, DestinationLocationArn=destination, Name=name, **extra)["TaskArn"]
    iam.put_role_policy(RoleName=f"{name}-lambda", PolicyName="start-the-task", PolicyDocument=handler_policy(task))
    # The trigger functions' event sources: Lambda polls them as this role (the tests make their queues).
    queues = f"arn:aws:sqs:{region}:{target}:*"
    iam.put_role_policy(RoleName=f"{name}-lambda", PolicyName=CONSUME_QUEUES, PolicyDocument=consume_policy(queues))
    return TransferStack(
        bucket=name,
        task=task,
        mount=emulator.state_path("efs", target, fs["FileSystemId"], "lake"),
        lambda_role=roles["lambda"],
        file_system_id=fs["FileSystemId"],
        datasync_role=roles["datasync"],
        source=source,
        destination=destination,
        access_point_arn=ap["AccessPointArn"],
        ec2_config=ec2_config,
    )


def datasync_read_statements(bucket: str, prefix: str = "") -> list[dict]:
    """What DataSync needs to read a source bucket (the Sids roles/source_bucket writes): list it within the
    prefix, read its objects under it."""
    bucket_arn = f"arn:aws:s3:::{bucket}"
    listing = {"Sid": "DataSyncListBucket", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn}
    if prefix:
        listing["Condition"] = {"StringLike": {"s3:prefix": [f"{prefix}*"]}}
    read = {
        "Sid": "DataSyncReadObjects",
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:GetObjectTagging", "s3:GetObjectVersion", "s3:GetObjectVersionTagging"],
        "Resource": f"{bucket_arn}/{prefix}*",
    }
    return [listing, read]


def grant_datasync_read(emulator: Emulator, bucket: str, role_arn: str, prefix: str = "") -> None:
    """Let `role_arn` (target account) read the source account's `bucket` under `prefix`, as the roles do:
    its identity policy and the bucket policy (cross-account, both must allow); the bucket policy also
    lets the target account's admin (who creates the locations) list the bucket, which DataSync does with
    the location creator's credentials."""
    statements = datasync_read_statements(bucket, prefix)
    emulator.client("iam").put_role_policy(
        RoleName=role_arn.rsplit("/", 1)[1],
        PolicyName="read-source-bucket",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": statements}),
    )
    for_role = [{**statement, "Principal": {"AWS": role_arn}} for statement in statements]
    emulator.client("s3", "source").put_bucket_policy(
        Bucket=bucket, Policy=json.dumps(bucket_policy(bucket, emulator.identity("target")["user_arn"], for_role))
    )


def bucket_policy(bucket: str, creator: str, statements: list[dict] | None = None) -> dict:
    """A bucket policy holding `statements` and the one that lets `creator` (an account or principal ARN)
    list the bucket, which creating a DataSync location on it needs."""
    creator_lists = {
        "Sid": "LocationCreatorListBucket",
        "Effect": "Allow",
        "Principal": {"AWS": creator},
        "Action": "s3:ListBucket",
        "Resource": f"arn:aws:s3:::{bucket}",
    }
    return {"Version": "2012-10-17", "Statement": [*(statements or []), creator_lists]}


def handler_policy(task_arn: str) -> str:
    """What the trigger's handler calls, as roles/lambda_trigger grants it: start (and describe) the one
    task and follow its executions."""
    statements = [
        {"Effect": "Allow", "Action": ["datasync:StartTaskExecution", "datasync:DescribeTask"], "Resource": task_arn},
        {"Effect": "Allow", "Action": "datasync:DescribeTaskExecution", "Resource": f"{task_arn}/execution/*"},
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def manifest_statements(task_arn: str, bucket: str, datasync_role: str) -> list[dict]:
    """What the handler adds for manifest starts, as roles/lambda_trigger grants it: write manifests, read, list
    and write its pending record, tag and cancel a waiting execution it replaced, pass the DataSync role as the
    manifest's reader."""
    bucket_arn = f"arn:aws:s3:::{bucket}"
    pending = {"StringLike": {"s3:prefix": "pending/*"}}
    passed = {"StringEquals": {"iam:PassedToService": "datasync.amazonaws.com"}}
    executions = f"{task_arn}/execution/*"
    return [
        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"{bucket_arn}/manifests/*"},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"{bucket_arn}/pending/*"},
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn, "Condition": pending},
        {"Effect": "Allow", "Action": ["datasync:CancelTaskExecution", "datasync:TagResource"], "Resource": executions},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": datasync_role, "Condition": passed},
    ]


def manifest_bucket(emulator: Emulator, stack: TransferStack, name: str) -> dict[str, str]:
    """A manifest bucket `name` in the target account for `stack`'s task, as roles/lambda_trigger builds it
    (TLS only; the DataSync role reads manifests, the trigger role writes them and its pending record).
    Returns the function environment for manifest starts."""
    s3, iam = emulator.client("s3"), emulator.client("iam")
    s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": emulator.region})
    bucket_arn = f"arn:aws:s3:::{name}"
    tls_only = {
        "Sid": "DenyWithoutTLS",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    s3.put_bucket_policy(Bucket=name, Policy=json.dumps({"Version": "2012-10-17", "Statement": [tls_only]}))
    read = {
        "Effect": "Allow",
        "Action": ["s3:GetObject", "s3:GetObjectVersion"],
        "Resource": f"{bucket_arn}/manifests/*",
    }
    iam.put_role_policy(
        RoleName=stack.datasync_role.rsplit("/", 1)[1],
        PolicyName="read-manifests",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [read]}),
    )
    iam.put_role_policy(
        RoleName=stack.lambda_role.rsplit("/", 1)[1],
        PolicyName="manifest-starts",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": manifest_statements(stack.task, name, stack.datasync_role)}
        ),
    )
    return {
        "LAKEDROP_STARTS": "manifest",
        "LAKEDROP_MANIFEST_BUCKET": name,
        "LAKEDROP_MANIFEST_ROLE_ARN": stack.datasync_role,
    }


def queue(emulator: Emulator, name: str, **attributes: object) -> tuple[str, str]:
    """(URL, ARN) of a new queue `name` in the target account."""
    sqs = emulator.client("sqs")
    url = sqs.create_queue(QueueName=name, Attributes={k: str(v) for k, v in attributes.items()})["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]


def trigger_function(
    emulator: Emulator, name: str, stack: TransferStack, timeout: int, environment: dict | None = None, **extra: object
) -> str:
    """The real handler as function `name` in front of `stack`'s task (prefix incoming/); its ARN."""
    variables = {"LAKEDROP_TASK_ARN": stack.task, "LAKEDROP_SOURCE_SUBDIRECTORY": "incoming/", **(environment or {})}
    return emulator.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=stack.lambda_role,
        Handler="lakedrop_trigger.handler",
        Code={"ZipFile": zipped()},
        Timeout=timeout,
        Environment={"Variables": variables},
        **extra,
    )["FunctionArn"]


CONSUME_QUEUES = "consume-queues"


def consume_policy(queue_arn: str) -> str:
    """What Lambda needs, as the execution role, to poll an SQS event source (roles/lambda_trigger grants it)."""
    actions = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": queue_arn}]}
    )


def s3_may_send(queue_arn: str, bucket: str) -> str:
    """A queue policy letting S3 send notifications of `bucket` to the queue (what S3 validates)."""
    statement = {
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": queue_arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": f"arn:aws:s3:::{bucket}"}},
    }
    return json.dumps({"Statement": [statement]})


# --- a function in a VPC with an EFS access point (ext/lambda_vpc.py) ------------------------------------

# What Lambda needs to attach a function to a VPC (AWSLambdaVPCAccessExecutionRole's actions).
VPC_ACCESS_ACTIONS = [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
]


@dataclass
class VpcNetwork:
    vpc_id: str
    subnet_ids: list[str]  # one per Availability Zone, all on `route_table_id`
    route_table_id: str
    function_group: str  # egress TCP 2049 to `efs_group` only (and 443 anywhere, for S3 through the endpoint)
    efs_group: str  # admits TCP 2049 from `function_group`


def vpc_network(emulator: Emulator, name: str, cidr: str = "10.42.0.0/16") -> VpcNetwork:
    """A VPC with two subnets (two AZs) explicitly on one route table, and the function's and the file
    system's security groups, as the fast path's network is built."""
    ec2 = emulator.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    base = cidr.split(".")
    zones = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]][:2]
    subnets = [
        ec2.create_subnet(VpcId=vpc_id, CidrBlock=f"{base[0]}.{base[1]}.{index}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for index, zone in enumerate(zones)
    ]
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    for subnet in subnets:
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    function_group = ec2.create_security_group(GroupName=f"{name}-lambda", Description="function", VpcId=vpc_id)[
        "GroupId"
    ]
    efs_group = ec2.create_security_group(GroupName=f"{name}-efs", Description="file system", VpcId=vpc_id)["GroupId"]
    everywhere = [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    ec2.revoke_security_group_egress(GroupId=function_group, IpPermissions=everywhere)
    nfs = {"IpProtocol": "tcp", "FromPort": 2049, "ToPort": 2049}
    ec2.authorize_security_group_egress(
        GroupId=function_group,
        IpPermissions=[
            {**nfs, "UserIdGroupPairs": [{"GroupId": efs_group}]},
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        ],
    )
    ec2.authorize_security_group_ingress(
        GroupId=efs_group, IpPermissions=[{**nfs, "UserIdGroupPairs": [{"GroupId": function_group}]}]
    )
    return VpcNetwork(vpc_id, subnets, table, function_group, efs_group)


@dataclass
class EfsAccessPoint:
    file_system_id: str
    file_system_arn: str
    access_point_arn: str
    directory: Path  # the access point's root directory on the emulator's EFS (what DataSync writes)


def efs_access_point(
    emulator: Emulator,
    name: str,
    network: VpcNetwork,
    root: str = "/lake",
    uid: int = 1000,
    gid: int = 1000,
    permissions: str = "0755",
    mount_targets: bool = True,
) -> EfsAccessPoint:
    """A file system with a mount target in each of `network`'s subnets (its EFS group), and an access point
    rooted at `root` with POSIX user `uid`:`gid` (the root directory made with that owner on first mount)."""
    efs = emulator.client("efs")
    fs = efs.create_file_system(CreationToken=name, Encrypted=True)
    if mount_targets:
        for subnet in network.subnet_ids:
            efs.create_mount_target(
                FileSystemId=fs["FileSystemId"], SubnetId=subnet, SecurityGroups=[network.efs_group]
            )
    creation = {"OwnerUid": uid, "OwnerGid": gid, "Permissions": permissions}
    ap = efs.create_access_point(
        FileSystemId=fs["FileSystemId"],
        PosixUser={"Uid": uid, "Gid": gid},
        RootDirectory={"Path": root, "CreationInfo": creation},
    )
    directory = emulator.state_path("efs", emulator.account_id("target"), fs["FileSystemId"], root.strip("/"))
    return EfsAccessPoint(fs["FileSystemId"], fs["FileSystemArn"], ap["AccessPointArn"], directory)


def s3_gateway_endpoint(emulator: Emulator, network: VpcNetwork, policy: dict | None = None) -> str:
    """An S3 gateway endpoint on `network`'s route table (full access without `policy`); its ID."""
    extra = {"PolicyDocument": json.dumps(policy)} if policy else {}
    return emulator.client("ec2").create_vpc_endpoint(
        VpcId=network.vpc_id,
        ServiceName=f"com.amazonaws.{emulator.region}.s3",
        VpcEndpointType="Gateway",
        RouteTableIds=[network.route_table_id],
        **extra,
    )["VpcEndpoint"]["VpcEndpointId"]


def vpc_role(emulator: Emulator, name: str, vpc_access: bool = True, statements: list[dict] | None = None) -> str:
    """An execution role Lambda may assume, with VPC_ACCESS_ACTIONS (unless not `vpc_access`) and `statements`."""
    iam = emulator.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust("lambda.amazonaws.com"))["Role"]["Arn"]
    granted = [{"Effect": "Allow", "Action": VPC_ACCESS_ACTIONS, "Resource": "*"}] if vpc_access else []
    granted += statements or []
    if granted:
        document = json.dumps({"Version": "2012-10-17", "Statement": granted})
        iam.put_role_policy(RoleName=name, PolicyName="function", PolicyDocument=document)
    return arn


def vpc_function(
    emulator: Emulator,
    name: str,
    role_arn: str,
    network: VpcNetwork,
    handler: Path,
    access_point_arn: str | None = None,
    mount_path: str = "/mnt/lakedrop",
    **extra: object,
) -> str:
    """Function `name` running `handler` (module `<file stem>.handler`) in `network`'s subnets and function
    group, with the access point mounted at `mount_path` when given; its ARN."""
    configs = (
        {"FileSystemConfigs": [{"Arn": access_point_arn, "LocalMountPath": mount_path}]} if access_point_arn else {}
    )
    return emulator.client("lambda").create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=role_arn,
        Handler=f"{handler.stem}.handler",
        Code={"ZipFile": zipped(handler, handler.name)},
        VpcConfig={"SubnetIds": network.subnet_ids, "SecurityGroupIds": [network.function_group]},
        **configs,
        **{"Timeout": 30, **extra},
    )["FunctionArn"]


def invoke(lam, function: str, event: dict) -> dict:
    """The function's answer to `event` (a synchronous Invoke with the `lam` client); AssertionError on a
    function error, naming it."""
    reply = lam.invoke(FunctionName=function, Payload=json.dumps(event).encode())
    body = json.loads(reply["Payload"].read())
    assert "FunctionError" not in reply, body
    return body


# --- the fast path (roles/fast_path): S3 -> fast queue -> VPC function writing into EFS ---------------------

FAST_HANDLER = REPO / "roles/fast_path/files/lakedrop_fast.py"


@dataclass
class FastStack:
    transfer: TransferStack  # the DataSync side (its task, roles, the directory both paths write)
    bucket: str
    mount: Path  # the access point's root directory: what DataSync and the fast function write
    fast_function: str  # ARN
    fast_role: str  # ARN
    fast_queue: str  # URLs
    deletes_queue: str
    trigger_queue: str  # the DataSync trigger's queue, where the fast queue redrives what it does not copy
    trigger_dlq: str
    fast_mappings: list[str]  # UUIDs of the fast function's two SQS mappings
    endpoint: str  # the S3 gateway endpoint's ID


def fast_read_statements(bucket: str, prefix: str) -> list[dict]:
    """What the fast function reads in the source bucket, as roles/fast_path grants it: objects under the
    prefix, and listing within it (so a missing key answers 404, not 403)."""
    bucket_arn = f"arn:aws:s3:::{bucket}"
    return [
        {
            "Sid": "FastPathReadObjects",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:GetObjectVersion"],
            "Resource": f"{bucket_arn}/{prefix}*",
        },
        {
            "Sid": "FastPathListBucket",
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": bucket_arn,
            "Condition": {"StringLike": {"s3:prefix": [f"{prefix}*"]}},
        },
    ]


def fast_path_stack(
    emulator: Emulator,
    name: str,
    max_bytes: int = 4096,
    versioned: bool = False,
    timeout: int = 10,
    propagate_deletes: bool = True,
    **function_extra: object,
) -> FastStack:
    """One delivery as site.yml builds it with the fast path on (prefix incoming/): the DataSync task and its
    trigger (filters starts) on `<name>-trigger-events`; S3 notifies ObjectCreated to `<name>-fast-events`
    (no batching window, redrive to the trigger's queue after one receive) and ObjectRemoved to
    `<name>-fast-deletes` (redrive to `<name>-trigger-dlq`); the real fast handler in the file system's VPC
    with the access point mounted at /mnt/lakedrop, S3 reached through a gateway endpoint."""
    prefix = "incoming/"
    network = vpc_network(emulator, name)
    transfer = transfer_stack(emulator, name, prefix, network=network)
    s3 = emulator.client("s3", "source")
    if versioned:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    sqs, lam = emulator.client("sqs"), emulator.client("lambda")
    dlq_url, dlq_arn = queue(emulator, f"{name}-trigger-dlq")
    trigger_url, trigger_arn = queue(
        emulator,
        f"{name}-trigger-events",
        VisibilityTimeout=60,
        RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}),
    )
    fast_url, fast_arn = queue(
        emulator,
        f"{name}-fast-events",
        VisibilityTimeout=timeout,
        RedrivePolicy=json.dumps({"deadLetterTargetArn": trigger_arn, "maxReceiveCount": 1}),
    )
    deletes_url, deletes_arn = queue(
        emulator,
        f"{name}-fast-deletes",
        VisibilityTimeout=timeout,
        RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}),
    )
    for url, arn in ((fast_url, fast_arn), (deletes_url, deletes_arn)):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": s3_may_send(arn, name)})
    trigger = trigger_function(
        emulator, f"{name}-trigger", transfer, timeout=30, environment={"LAKEDROP_STARTS": "filters"}
    )
    lam.create_event_source_mapping(
        EventSourceArn=trigger_arn,
        FunctionName=trigger,
        BatchSize=100,
        MaximumBatchingWindowInSeconds=1,
        FunctionResponseTypes=["ReportBatchItemFailures"],
    )
    consume = json.loads(consume_policy(f"arn:aws:sqs:{emulator.region}:{emulator.account_id('target')}:{name}-fast-*"))
    role = vpc_role(
        emulator, f"{name}-fast-role", statements=[*fast_read_statements(name, prefix), *consume["Statement"]]
    )
    # The bucket policy (cross-account: both sides must allow) names the DataSync role and the fast role.
    readers = [
        *({**s, "Principal": {"AWS": transfer.datasync_role}} for s in datasync_read_statements(name, prefix)),
        *({**s, "Principal": {"AWS": role}} for s in fast_read_statements(name, prefix)),
    ]
    s3.put_bucket_policy(
        Bucket=name, Policy=json.dumps(bucket_policy(name, emulator.identity("target")["user_arn"], readers))
    )
    endpoint = s3_gateway_endpoint(emulator, network)
    environment = {
        "LAKEDROP_MOUNT_PATH": "/mnt/lakedrop",
        "LAKEDROP_SOURCE_BUCKET": name,
        "LAKEDROP_SOURCE_SUBDIRECTORY": prefix,
        "LAKEDROP_MAX_BYTES": str(max_bytes),
        "LAKEDROP_PROPAGATE_DELETES": "true" if propagate_deletes else "false",
    }
    function = vpc_function(
        emulator,
        f"{name}-fast",
        role,
        network,
        FAST_HANDLER,
        access_point_arn=transfer.access_point_arn,
        Timeout=timeout,
        Environment={"Variables": environment},
        **function_extra,
    )
    mappings = [
        lam.create_event_source_mapping(
            EventSourceArn=arn, FunctionName=function, BatchSize=10, FunctionResponseTypes=["ReportBatchItemFailures"]
        )["UUID"]
        for arn in (fast_arn, deletes_arn)
    ]
    events = [{"QueueArn": fast_arn, "Events": ["s3:ObjectCreated:*"], "Filter": _prefix_filter(prefix)}]
    if propagate_deletes:
        events.append({"QueueArn": deletes_arn, "Events": ["s3:ObjectRemoved:*"], "Filter": _prefix_filter(prefix)})
    s3.put_bucket_notification_configuration(Bucket=name, NotificationConfiguration={"QueueConfigurations": events})
    return FastStack(
        transfer=transfer,
        bucket=name,
        mount=transfer.mount,
        fast_function=function,
        fast_role=role,
        fast_queue=fast_url,
        deletes_queue=deletes_url,
        trigger_queue=trigger_url,
        trigger_dlq=dlq_url,
        fast_mappings=mappings,
        endpoint=endpoint,
    )


def _prefix_filter(prefix: str) -> dict:
    return {"Key": {"FilterRules": [{"Name": "prefix", "Value": prefix}]}}
