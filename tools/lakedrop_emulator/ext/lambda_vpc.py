"""A Lambda function in a VPC with an EFS access point, as AWS configures, mounts and routes it.

- Configuration (CreateFunction, UpdateFunctionConfiguration): moto drops FileSystemConfigs, ignores an
  EphemeralStorage update and answers a made-up VpcId; the emulator keeps and answers them. It refuses what
  Lambda refuses: a LocalMountPath outside `^/mnt/[a-zA-Z0-9-_.]+$` (ValidationException), FileSystemConfigs
  without a VPC, an access point that does not exist, an execution role that may not manage the function's
  network interfaces (InvalidParameterValueException) — `config_problem`.
- Mount (each cold start, `mount_plan`): a mount target of the access point's file system in the function's
  VPC, in the AZ of one of its subnets, available; the function's security groups let TCP 2049 out to the
  mount target's groups (or its address) and those let it in from the function's groups (or its subnets);
  the file-system policy allows elasticfilesystem:ClientMount (ClientWrite, else read-only) to the execution
  role through the access point over TLS (Lambda always mounts with TLS). A failure is the invocation's
  error, with Lambda's Invoke error types (botocore's Lambda model): EFSMountConnectivityException (no
  network path), EFSMountFailureException (permissions, configuration). The plan is what
  lambda_worker.py mounts in its own mount namespace, as the access point's POSIX user.
- Egress (`EgressMiddleware`): a request signed with the session keys of a function in a VPC reaches S3
  only through an S3 gateway endpoint on its subnet's route table (explicit association, else the VPC's
  main table) whose policy allows the request; anything else gets no answer (the connection is closed, as
  a packet with no route never comes back). An endpoint policy that refuses answers 403 AccessDenied.
docs/emulator-fidelity.md ("Lambda in a VPC with EFS") lists each rule with its source and test.
"""

from __future__ import annotations

import ipaddress
import json
import re
import socket
import threading
import time
from typing import Any

from . import on_behalf
from .authz import Decision
from .authz import Principal

MOUNT_PATH = re.compile(r"^/mnt/[a-zA-Z0-9-_.]+$")
NFS_PORT = 2049
HTTPS_PORT = 443
# What Lambda needs to attach a function to a VPC (Lambda developer guide, "Giving Lambda functions access
# to resources in an Amazon VPC", execution role permissions), in the order it reports them.
ENI_ACTIONS = ("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface")
CONNECTIVITY = "EFSMountConnectivityException"
FAILURE = "EFSMountFailureException"
TIMEOUT = "EFSMountTimeoutException"
DEFAULT_TMP_MB = 512
# The variable that carries the mount plan to lambda_worker.py (it removes it before importing the handler).
PLAN_VARIABLE = "_LAKEDROP_MOUNT_PLAN"

_LOCK = threading.Lock()
# access key id of a function's execution-role session -> the function's unqualified ARN
_FUNCTION_KEYS: dict[str, str] = {}


class MountError(Exception):
    """The mount Lambda could not make: `error_type` is the Invoke error (botocore's Lambda model)."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


# --- what moto keeps of the configuration ------------------------------------------------------------


def _account_region(arn: str) -> tuple[str, str]:
    parts = arn.split(":")
    return parts[4], parts[3]


def _ec2(account: str, region: str) -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends[account][region]


def _subnets(account: str, region: str, subnet_ids: list[str]) -> list[Any]:
    ec2 = _ec2(account, region)
    by_id = {subnet_id: subnet for zone in ec2.subnets.values() for subnet_id, subnet in zone.items()}
    return [by_id[subnet_id] for subnet_id in subnet_ids if subnet_id in by_id]


def vpc_config(fn: Any) -> dict[str, Any] | None:
    """The function's VpcConfig as Lambda answers it (the VpcId of its subnets), None outside a VPC."""
    config = getattr(fn, "_vpc_config", None) or {}
    subnet_ids = list(config.get("SubnetIds") or [])
    groups = list(config.get("SecurityGroupIds") or [])
    if not subnet_ids and not groups:
        return None
    account, region = _account_region(fn.function_arn)
    subnets = _subnets(account, region, subnet_ids)
    vpc_id = subnets[0].vpc_id if subnets else ""
    return {"SubnetIds": subnet_ids, "SecurityGroupIds": groups, "VpcId": vpc_id, "Ipv6AllowedForDualStack": False}


def _keep_configuration() -> None:
    from moto.awslambda.models import LambdaFunction

    original_init = LambdaFunction.__init__
    original_update = LambdaFunction.update_configuration
    original_get = LambdaFunction.get_configuration

    def __init__(self, account_id, spec, *args, **kwargs):
        original_init(self, account_id, spec, *args, **kwargs)
        self.lakedrop_fs_configs = list(spec.get("FileSystemConfigs") or [])

    def update_configuration(self, config_updates):
        if "FileSystemConfigs" in config_updates:
            self.lakedrop_fs_configs = list(config_updates["FileSystemConfigs"] or [])
        if "EphemeralStorage" in config_updates:
            self.ephemeral_storage = int(config_updates["EphemeralStorage"]["Size"])
        return original_update(self, config_updates)

    def get_configuration(self, *args, **kwargs):
        config = original_get(self, *args, **kwargs)
        vpc = vpc_config(self)
        if vpc is None:
            config.pop("VpcConfig", None)
        else:
            config["VpcConfig"] = vpc
        if getattr(self, "lakedrop_fs_configs", None):
            config["FileSystemConfigs"] = [
                {"Arn": c["Arn"], "LocalMountPath": c["LocalMountPath"]} for c in self.lakedrop_fs_configs
            ]
        return config

    LambdaFunction.__init__ = __init__
    LambdaFunction.update_configuration = update_configuration
    LambdaFunction.get_configuration = get_configuration


# --- refusing a configuration (CreateFunction, UpdateFunctionConfiguration) ------------------------------


def _access_point(arn: str) -> Any:
    from moto.efs.models import efs_backends

    account, region = _account_region(arn)
    try:
        return efs_backends[account][region].access_points.get(arn.rsplit("/", 1)[-1])
    except Exception:  # noqa: BLE001 - an account/region moto never saw
        return None


def config_problem(
    function_arn: str, role_arn: str, vpc: dict[str, Any] | None, fs_configs: list[dict[str, Any]]
) -> tuple[str, str] | None:
    """(error code, message) of Lambda's refusal of this configuration, None when it accepts it."""
    for index, config in enumerate(fs_configs, start=1):
        path = str(config.get("LocalMountPath", ""))
        if not MOUNT_PATH.match(path):
            return (
                "ValidationException",
                f"1 validation error detected: Value '{path}' at 'fileSystemConfigs.{index}.member.localMountPath' "
                f"failed to satisfy constraint: Member must satisfy regular expression pattern: {MOUNT_PATH.pattern}",
            )
    in_vpc = bool(vpc and vpc.get("SubnetIds"))
    for config in fs_configs:
        if not in_vpc:
            return (
                "InvalidParameterValueException",
                f"Function must be configured to execute in a VPC to reference access point {config['Arn']}. "
                "Please update the function configuration to include VPC subnets and security groups.",
            )
        if _access_point(config["Arn"]) is None:
            return ("InvalidParameterValueException", f"EFS access point {config['Arn']} not found.")
    if in_vpc:
        session = on_behalf.function_session(role_arn, function_arn)
        if isinstance(session, Decision):
            return ("InvalidParameterValueException", on_behalf.ROLE_NOT_ASSUMABLE)
        account, region = _account_region(function_arn)
        partition = function_arn.split(":")[1]
        for action in ENI_ACTIONS:
            resource = "*" if action.startswith("ec2:Describe") else f"arn:{partition}:ec2:{region}:{account}:*/*"
            if not on_behalf.decide("lambda", "CreateFunction", session.principal, action, resource).allowed:
                return (
                    "InvalidParameterValueException",
                    f"The provided execution role does not have permissions to call {action.split(':')[1]} on EC2",
                )
    return None


def _refuse_configurations() -> None:
    from moto.awslambda.exceptions import InvalidParameterValueException
    from moto.awslambda.exceptions import LambdaClientError
    from moto.awslambda.models import LambdaFunction
    from moto.awslambda.models import LambdaStorage

    def refuse(problem: tuple[str, str] | None) -> None:
        if problem is None:
            return
        code, message = problem
        if code == "InvalidParameterValueException":
            raise InvalidParameterValueException(message)
        raise LambdaClientError(code, message)

    original_put = LambdaStorage.put_function
    original_update = LambdaFunction.update_configuration

    def put_function(self, fn):
        refuse(config_problem(fn.function_arn, fn.role, fn._vpc_config, getattr(fn, "lakedrop_fs_configs", [])))
        return original_put(self, fn)

    def update_configuration(self, config_updates):
        vpc = config_updates["VpcConfig"] if "VpcConfig" in config_updates else self._vpc_config
        fs = config_updates.get("FileSystemConfigs", getattr(self, "lakedrop_fs_configs", []))
        refuse(config_problem(self.function_arn, config_updates.get("Role") or self.role, vpc, fs or []))
        return original_update(self, config_updates)

    LambdaStorage.put_function = put_function
    LambdaFunction.update_configuration = update_configuration


# --- the mount, at each cold start ---------------------------------------------------------------------


def _covers(rule: Any, port: int) -> bool:
    protocol = (rule.ip_protocol or "").lower()
    if protocol in ("-1", "all"):
        return True
    if protocol not in ("tcp", "6"):
        return False
    return rule.from_port is not None and rule.from_port <= port <= rule.to_port


def _cidr_holds(rule: Any, network: str) -> bool:
    cidr = (rule.ip_range or {}).get("CidrIp")
    if not cidr:
        return False
    try:
        return ipaddress.ip_network(network, strict=False).subnet_of(ipaddress.ip_network(cidr, strict=False))
    except (ValueError, TypeError):
        return False


def _referenced(rule: Any) -> str | None:
    return (rule.source_group or {}).get("GroupId")


def _groups(ec2: Any, group_ids: list[str]) -> list[Any]:
    found = []
    for group_id in group_ids:
        group = ec2.get_security_group_from_id(group_id)
        if group is not None:
            found.append(group)
    return found


def nfs_path_open(ec2: Any, function_groups: list[str], function_cidrs: list[str], mount_target: Any) -> bool:
    """Security groups are stateful: the function's groups must let TCP 2049 out to the mount target, and the
    mount target's groups let it in from the function (VPC user guide, "Security group rules")."""
    target_groups = set(mount_target.security_groups or [])
    out = any(
        _covers(rule, NFS_PORT)
        and (_referenced(rule) in target_groups or _cidr_holds(rule, f"{mount_target.ip_address}/32"))
        for group in _groups(ec2, function_groups)
        for rule in group.egress_rules
    )
    inbound = any(
        _covers(rule, NFS_PORT)
        and (_referenced(rule) in set(function_groups) or any(_cidr_holds(rule, cidr) for cidr in function_cidrs))
        for group in _groups(ec2, list(target_groups))
        for rule in group.ingress_rules
    )
    return out and inbound


def https_to_s3_open(ec2: Any, function_groups: list[str], region: str) -> bool:
    """The function's groups let HTTPS (TCP 443) out to S3: to anywhere, or to S3's managed prefix list (what a
    gateway endpoint's route names; VPC user guide, "Control access to services using gateway endpoints")."""

    def to_s3(rule: Any) -> bool:
        if _cidr_holds(rule, "0.0.0.0/0"):
            return True
        prefix_list = getattr(rule, "prefix_list_id", None)
        found = getattr(ec2, "managed_prefix_lists", {}).get(prefix_list) if prefix_list else None
        return found is not None and found.prefix_list_name == f"com.amazonaws.{region}.s3"

    return any(
        _covers(rule, HTTPS_PORT) and to_s3(rule)
        for group in _groups(ec2, function_groups)
        for rule in group.egress_rules
    )


def _mount_denial(principal: Principal, fs_arn: str, access_point_arn: str, action: str) -> Decision:
    context = {
        "elasticfilesystem:AccessedViaMountTarget": "true",
        "elasticfilesystem:AccessPointArn": access_point_arn,
        "aws:SecureTransport": "true",  # Lambda mounts with TLS, always
    }
    return on_behalf.decide("lambda", "MountFileSystem", principal, action, fs_arn, context)


def _root_directory(access_point: Any, fs_id: str, account: str) -> tuple[str, int, int]:
    """The access point's root directory, made as EFS makes it on first mount (efs_access_points.root_directory:
    CreationInfo's owner and permissions; without CreationInfo a missing root fails the mount: EFS user guide,
    "Creating the root directory for an access point"). Returns (path, uid, gid) of its POSIX user."""
    from .. import paths
    from . import efs_access_points

    fs_root = paths.efs_root() / account / fs_id
    path = ((access_point.root_directory or {}).get("Path") or "/").strip("/")
    if not (fs_root / path).exists() and efs_access_points.creation_info(access_point) is None:
        raise MountError(
            FAILURE,
            f"The root directory {access_point.root_directory.get('Path', '/')} of access point "
            f"{access_point.access_point_arn} does not exist and the access point has no CreationInfo.",
        )
    directory = efs_access_points.root_directory(fs_root, access_point)
    uid, gid = efs_access_points.posix_user(access_point) or (0, 0)
    return str(directory), uid, gid


def mount_plan(snap: dict[str, Any], principal: Principal) -> dict[str, Any] | None:
    """What the worker mounts for this cold start (None without FileSystemConfigs), or MountError."""
    from moto.efs.models import efs_backends

    configs = snap.get("fs_configs") or []
    if not configs:
        return None
    vpc = snap.get("vpc") or {}
    account, region = _account_region(snap["arn"])
    ec2 = _ec2(account, region)
    subnets = _subnets(account, region, list(vpc.get("SubnetIds") or []))
    zones = {subnet.availability_zone for subnet in subnets}
    cidrs = [subnet.cidr_block for subnet in subnets]
    groups = list(vpc.get("SecurityGroupIds") or [])
    mounts = []
    uid = gid = 0
    for config in configs:
        arn = config["Arn"]
        access_point = _access_point(arn)
        if access_point is None:
            raise MountError(FAILURE, f"The function could not mount access point {arn}: it does not exist.")
        ap_account, ap_region = _account_region(arn)
        fs = efs_backends[ap_account][ap_region].file_systems_by_id.get(access_point.file_system_id)
        if fs is None:
            raise MountError(FAILURE, f"The file system of access point {arn} does not exist.")
        vpc_id = subnets[0].vpc_id if subnets else None
        targets = [
            mt
            for mt in efs_backends[ap_account][ap_region].mount_targets_by_id.values()
            if mt.file_system_id == fs.file_system_id and mt.vpc_id == vpc_id and mt._subnet.availability_zone in zones
        ]
        usable = [mt for mt in targets if mt.life_cycle_state == "available" and nfs_path_open(ec2, groups, cidrs, mt)]
        # Lambda runs the function in any of its subnets: each of their zones needs a usable mount target.
        uncovered = sorted(zones - {mt._subnet.availability_zone for mt in usable})
        if not usable or uncovered:
            why = (
                "no mount target of the file system is in the function's VPC and Availability Zones"
                if not targets
                else "no available mount target admits NFS (TCP 2049) from the function's security groups"
                if not usable
                else f"no usable mount target in Availability Zone(s) {', '.join(uncovered)} of the function's subnets"
            )
            raise MountError(
                CONNECTIVITY,
                f"The function couldn't connect to the Amazon EFS file system with access point {arn}: {why}. "
                "Check your network configuration and try again.",
            )
        mount = _mount_denial(principal, fs.file_system_arn, arn, "elasticfilesystem:ClientMount")
        if not mount.allowed:
            raise MountError(
                FAILURE,
                f"The function could not mount the file system with access point {arn}: {on_behalf.denial_text(mount)}",
            )
        write = _mount_denial(principal, fs.file_system_arn, arn, "elasticfilesystem:ClientWrite").allowed
        source, uid, gid = _root_directory(access_point, fs.file_system_id, ap_account)
        mounts.append({"source": source, "target": config["LocalMountPath"], "read_only": not write})
    return {"mounts": mounts, "uid": uid, "gid": gid, "tmp_mb": int(snap.get("ephemeral_mb") or DEFAULT_TMP_MB)}


def plan_environment(plan: dict[str, Any] | None) -> dict[str, str]:
    return {PLAN_VARIABLE: json.dumps(plan)} if plan else {}


# --- egress from a function in a VPC ------------------------------------------------------------------


def remember_keys(access_key: str, function_arn: str) -> None:
    """The function's requests are those signed with its execution-role session (lambda_runner issues it)."""
    with _LOCK:
        _FUNCTION_KEYS[access_key] = function_arn


def _function(arn: str) -> Any:
    from moto.awslambda.models import lambda_backends

    account, region = _account_region(arn)
    try:
        return lambda_backends[account][region].get_function(arn)
    except Exception:  # noqa: BLE001 - deleted
        return None


def _route_table(ec2: Any, subnet: Any) -> Any:
    """The subnet's explicitly associated route table, else its VPC's main table (VPC user guide, "Route tables")."""
    main = None
    for table in ec2.route_tables.values():
        if table.vpc_id != subnet.vpc_id:
            continue
        if subnet.id in table._associations.values():
            return table
        if table.main_association_id is not None:
            main = table
    return main


def _s3_endpoints(ec2: Any, subnet: Any, region: str) -> list[Any]:
    table = _route_table(ec2, subnet)
    if table is None:
        return []
    return [
        endpoint
        for endpoint in ec2.vpc_end_points.values()
        if endpoint.vpc_id == subnet.vpc_id
        and endpoint.service_name.endswith(f".{region}.s3")
        and (endpoint.vpc_endpoint_type or "Gateway").lower() == "gateway"
        and endpoint.state == "available"
        and table.id in (endpoint.route_table_ids or [])
    ]


def _endpoint_allows(endpoint: Any, principal: Principal, call: Any) -> Decision:
    """The endpoint policy as one more policy that must allow (VPC user guide, "Control access to VPC endpoints
    using endpoint policies"): every check of the request, no Deny, an Allow for each."""
    from .authz import actions
    from .authz import resources as resources_
    from .authz.engine import _understood
    from .authz.engine import request_context
    from .authz.middleware import _where
    from .authz.policy import Request
    from .authz.policy import evaluate

    checks, _ = actions.checks(call.service, call.operation or "", actions.parameters(call), _where(call))
    for check in checks:
        for arn in [check.resources] if isinstance(check.resources, str) else list(check.resources) or ["*"]:
            resource = resources_.lookup(arn, check.action)
            keys = request_context(principal, {"aws:RequestedRegion": call.region, **check.context}, resource)
            keys["aws:sourcevpce"] = endpoint.id
            keys["aws:sourcevpc"] = endpoint.vpc_id
            request = Request(principal, check.action, arn, keys, _understood(resource.tags is not None))
            outcome = evaluate(endpoint.policy_document, request, resource_policy=True)
            if outcome.denies or not outcome.allows:
                why = "with an explicit deny" if outcome.denies else "because no VPC endpoint policy allows"
                message = (
                    f"User: {principal.arn} is not authorized to perform: {check.action} on resource: {arn} "
                    f"{why} the {check.action} action"
                    if not outcome.denies
                    else f"User: {principal.arn} is not authorized to perform: {check.action} on resource: {arn} "
                    "with an explicit deny in a VPC endpoint policy"
                )
                reason = f"the policy of VPC endpoint {endpoint.id} does not allow {check.action} on {arn}"
                return Decision(False, reason, message, check.action, arn, principal.arn)
    return Decision(True, f"allowed by the policy of VPC endpoint {endpoint.id}")


def egress(call: Any) -> tuple[str, Decision | None] | None:
    """How a request of a function in a VPC fares: None (not such a request, or routed and allowed),
    ("drop", None) for no route, ("deny", decision) when the endpoint policy refuses it."""
    if not call.access_key:
        return None
    with _LOCK:
        function_arn = _FUNCTION_KEYS.get(call.access_key)
    if function_arn is None:
        return None
    fn = _function(function_arn)
    vpc = vpc_config(fn) if fn is not None else None
    if not vpc or not vpc["SubnetIds"]:
        return None
    if call.service != "s3":
        return ("drop", None)
    account, region = _account_region(function_arn)
    ec2 = _ec2(account, region)
    from .authz import from_access_key

    principal = from_access_key(call.access_key, call.session_token, call.region or region)
    if principal is None:
        return None
    if not https_to_s3_open(ec2, list(vpc.get("SecurityGroupIds") or []), region):
        return ("drop", None)  # its security groups let no HTTPS out to S3
    refused: Decision | None = None
    # Lambda places the function in any of its subnets: each must route S3 the same way for a fair answer,
    # so the first subnet decides (the project's functions use subnets of one route table).
    for subnet in _subnets(account, region, vpc["SubnetIds"])[:1]:
        for endpoint in _s3_endpoints(ec2, subnet, region):
            decision = _endpoint_allows(endpoint, principal, call)
            if decision.allowed:
                return None
            refused = decision
    return ("deny", refused) if refused is not None else ("drop", None)


class EgressMiddleware:
    """Between the journal and the authorization layer: a function's request with no route is dropped."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        from ..journal import CALL
        from .authz.middleware import Verdict
        from .authz.middleware import refusal

        call = environ.get(CALL)
        verdict = egress(call) if call is not None and call.service else None
        if verdict is None:
            return self.app(environ, start_response)
        kind, decision = verdict
        if kind == "deny":
            return refusal(call, Verdict(False, "AccessDenied", decision))(environ, start_response)
        sock = environ.get("werkzeug.socket")
        if sock is not None:  # no answer at all: botocore sees the connection end (no long hang)
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        raise ConnectionAbortedError("no route from the function's VPC")


# DescribeVpcEndpoints keeps listing a deleted endpoint "for a period" (state Deleted), then forgets it
# (openshift/hypershift#9517 relies on it); the period's length is not documented: this many seconds here.
DELETED_ENDPOINT_VISIBLE_SECONDS = 5.0


def _forget_deleted_endpoints() -> None:
    from moto.ec2.models.vpcs import VPCBackend

    delete, describe = VPCBackend.delete_vpc_endpoints, VPCBackend.describe_vpc_endpoints

    def delete_vpc_endpoints(self: Any, vpce_ids: list[str] | None = None) -> None:
        delete(self, vpce_ids)
        for vpce_id in vpce_ids or []:
            endpoint = self.vpc_end_points.get(vpce_id)
            if endpoint is not None and not hasattr(endpoint, "lakedrop_deleted_at"):
                endpoint.lakedrop_deleted_at = time.time()

    def describe_vpc_endpoints(self: Any, vpc_end_point_ids: Any = None, filters: Any = None) -> Any:
        now = time.time()
        for vpce_id, endpoint in list(self.vpc_end_points.items()):
            if now - getattr(endpoint, "lakedrop_deleted_at", now) > DELETED_ENDPOINT_VISIBLE_SECONDS:
                self.vpc_end_points.pop(vpce_id, None)
        return describe(self, vpc_end_point_ids, filters)

    VPCBackend.delete_vpc_endpoints = delete_vpc_endpoints
    VPCBackend.describe_vpc_endpoints = describe_vpc_endpoints


def install() -> None:
    _keep_configuration()
    _refuse_configurations()
    _forget_deleted_endpoints()
