# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The S3 gateway endpoint the fast functions reach S3 through (role efs_storage, filter s3_gateway_plan).

A function in a VPC has no internet access: it reaches S3 through a gateway endpoint on its subnets' route
tables (a subnet without an explicit association uses the VPC's main route table). S3 accepts one gateway
endpoint per route table, so the play uses the ones it finds and creates one only for route tables that have
none. A found endpoint's policy must let the fast functions read the source buckets; the play never edits an
endpoint it did not create (others' traffic goes through it) and prints the statement to add instead.
Pure functions over what amazon.aws.ec2_vpc_route_table_info and ec2_vpc_endpoint_info return.
"""

import fnmatch
import json

# What the fast function asks S3 for: GetObject (of a version too) and, so that a missing key answers 404
# rather than 403, ListBucket (S3 GetObject permissions). HeadObject is authorized as GetObject.
READS = ("s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket")
SID = "LakedropFastPathReadsSourceBuckets"
GONE = ("deleted", "deleting", "failed", "rejected", "expired")


def service_name(region):
    """The S3 endpoint service of `region` (com.amazonaws.<region>.s3; the China regions prefix cn.)."""
    return f"{'cn.' if region.startswith('cn-') else ''}com.amazonaws.{region}.s3"


def route_tables_of(subnet_ids, route_tables):
    """{subnet: route table ID}: its explicit association, else the VPC's main route table."""
    main, explicit = None, {}
    for table in route_tables:
        for association in table.get("associations") or []:
            if association.get("main"):
                main = table["route_table_id"]
            elif association.get("subnet_id"):
                explicit[association["subnet_id"]] = table["route_table_id"]
    return {subnet: explicit.get(subnet, main) for subnet in subnet_ids}


def statement(bucket_arns, account):
    """The endpoint policy statement the fast functions need: read the source buckets, principals of the
    target account only."""
    resources = sorted(set(bucket_arns) | {f"{b}/*" for b in bucket_arns})
    return {
        "Sid": SID,
        "Effect": "Allow",
        "Principal": "*",
        "Action": list(READS),
        "Resource": resources,
        "Condition": {"StringEquals": {"aws:PrincipalAccount": str(account)}},
    }


def policy(bucket_arns, account):
    """The policy of an endpoint the play creates: that statement only (S3 from these subnets reaches only
    the source buckets)."""
    return {"Version": "2012-10-17", "Statement": [statement(bucket_arns, account)]}


def _listed(value):
    return value if isinstance(value, list) else [value]


def _matches(patterns, value):
    return any(fnmatch.fnmatchcase(value.lower(), str(p).lower()) for p in _listed(patterns))


def _everyone(principal):
    return principal == "*" or (isinstance(principal, dict) and _listed(principal.get("AWS")) == ["*"])


def _applies(stmt, action, resource):
    if "NotAction" in stmt or "NotResource" in stmt or not _everyone(stmt.get("Principal", "*")):
        return False
    return _matches(stmt.get("Action", []), action) and _matches(stmt.get("Resource", []), resource)


def _condition_holds(condition, account):
    """Only what the check can decide: no condition, or aws:PrincipalAccount equal to the target account."""
    if not condition:
        return True
    if list(condition) != ["StringEquals"] or [k.lower() for k in condition["StringEquals"]] != [
        "aws:principalaccount"
    ]:
        return None  # unknown: not counted
    return str(account) in [str(v) for v in _listed(next(iter(condition["StringEquals"].values())))]


def allows(document, action, resource, account):
    """Whether an endpoint policy lets the target account's principals do `action` on `resource`: an
    unconditional Deny refuses; an Allow counts when its condition is one the check can decide (conditional
    Denies are not evaluated)."""
    allowed = False
    for stmt in _listed(document.get("Statement", [])):
        if not _applies(stmt, action, resource):
            continue
        if stmt.get("Effect") == "Deny" and not stmt.get("Condition"):
            return False
        if stmt.get("Effect") == "Allow" and _condition_holds(stmt.get("Condition"), account):
            allowed = True
    return allowed


def missing_reads(document, bucket_arns, account):
    """`action resource` pairs the policy does not allow."""
    found = []
    for bucket in bucket_arns:
        for action in READS:
            resource = bucket if action == "s3:ListBucket" else f"{bucket}/lakedrop-check"
            if not allows(document, action, resource, account):
                found.append(f"{action} {resource if action == 's3:ListBucket' else bucket + '/*'}")
    return found


def shared(table_ids, subnet_ids, route_tables):
    """Route tables among `table_ids` that also serve subnets other than `subnet_ids` (the VPC's main table
    serves every subnet without its own): an endpoint limited to the source buckets there would cut those
    subnets' other S3 traffic (an ECR image pull reads S3 too). [(route table ID, why)]."""
    found = []
    mine = set(subnet_ids)
    for table in route_tables:
        if table["route_table_id"] not in table_ids:
            continue
        associations = table.get("associations") or []
        others = sorted(a["subnet_id"] for a in associations if a.get("subnet_id") and a["subnet_id"] not in mine)
        if any(a.get("main") for a in associations):
            found.append((table["route_table_id"], "the VPC's main route table (every subnet without its own uses it)"))
        elif others:
            found.append((table["route_table_id"], f"also the route table of subnets {', '.join(others)}"))
    return found


def _document(value):
    if isinstance(value, str):
        return json.loads(value) if value.strip() else {}
    return value or {}


def plan(subnet_ids, route_tables, endpoints, bucket_arns, region, account):
    """What the play does about the S3 gateway endpoint of `subnet_ids`: `route_table_ids` (theirs),
    `uncovered` (those without an S3 gateway endpoint: create one there), `endpoint_ids` (the ones found),
    `shared` (uncovered route tables that serve other subnets too), `problems` (a found endpoint whose policy
    does not let the fast functions read), `statement` (what to add),
    `policy` (for a new endpoint) and `prefix_list_ids` (S3's prefix list in their routes, for the fast
    functions' security group)."""
    tables = route_tables_of(subnet_ids, route_tables)
    table_ids = sorted(set(t for t in tables.values() if t))
    wanted = service_name(region)
    mine = [
        e
        for e in endpoints
        if e.get("service_name") == wanted
        and e.get("vpc_endpoint_type", "Gateway") == "Gateway"
        and str(e.get("state", "available")).lower() not in GONE
        and set(e.get("route_table_ids") or []) & set(table_ids)
    ]
    covered = set(t for e in mine for t in e.get("route_table_ids") or [])
    problems = []
    for endpoint in mine:
        missing = missing_reads(_document(endpoint.get("policy_document")), bucket_arns, account)
        if missing:
            problems.append(
                f"S3 gateway endpoint {endpoint['vpc_endpoint_id']} (route tables "
                f"{', '.join(sorted(set(endpoint.get('route_table_ids') or []) & set(table_ids)))}) does not allow "
                f"{'; '.join(missing)}"
            )
    endpoint_ids = sorted(e["vpc_endpoint_id"] for e in mine)
    prefix_lists = sorted(
        set(
            r["destination_prefix_list_id"]
            for t in route_tables
            if t["route_table_id"] in table_ids
            for r in t.get("routes") or []
            if r.get("destination_prefix_list_id") and r.get("gateway_id") in endpoint_ids
        )
    )
    return {
        "route_table_ids": table_ids,
        "unassociated_subnets": sorted(s for s, t in tables.items() if not t),
        "uncovered": [t for t in table_ids if t not in covered],
        # where creating one would route others' S3 traffic through it (efs_storage stops unless allowed)
        "shared": [
            list(found) for found in shared([t for t in table_ids if t not in covered], subnet_ids, route_tables)
        ],
        "endpoint_ids": endpoint_ids,
        "problems": problems,
        "statement": statement(bucket_arns, account),
        "policy": policy(bucket_arns, account),
        "prefix_list_ids": prefix_lists,
    }
