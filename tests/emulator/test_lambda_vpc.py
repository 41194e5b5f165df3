"""Egress of a Lambda function in a VPC (ext/lambda_vpc.py): S3 only through a gateway endpoint on its subnets'
route table whose policy allows the request; anything else gets no answer (a connection error)."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from lakedrop_emulator.stack import invoke
from lakedrop_emulator.stack import s3_gateway_endpoint
from lakedrop_emulator.stack import vpc_function
from lakedrop_emulator.stack import vpc_network
from lakedrop_emulator.stack import vpc_role

PROBE = Path(__file__).parent / "handlers" / "efs_probe.py"
CONNECTION_ERRORS = {"ConnectionClosedError", "EndpointConnectionError", "ReadTimeoutError", "ConnectTimeoutError"}


@pytest.fixture(scope="module")
def world(emulator):
    name = f"vpc-{uuid.uuid4().hex[:8]}"
    bucket = f"{name}-data"
    s3 = emulator.client("s3")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": emulator.region})
    s3.put_object(Bucket=bucket, Key="incoming/a.csv", Body=b"a,1\n")
    reads = {
        "Effect": "Allow",
        "Action": ["s3:ListBucket", "s3:GetObject"],
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
    }
    role = vpc_role(
        emulator, f"{name}-role", statements=[reads, {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}]
    )
    return {"name": name, "bucket": bucket, "role": role}


@pytest.fixture(scope="module")
def lam(emulator):
    return emulator.client("lambda", retries={"max_attempts": 1, "mode": "standard"})


def function_in(emulator, world, cidr: str) -> tuple[str, object]:
    name = f"{world['name']}-{uuid.uuid4().hex[:6]}"
    network = vpc_network(emulator, name, cidr=cidr)
    return vpc_function(emulator, name, world["role"], network, PROBE), network


def test_without_an_endpoint_s3_is_unreachable(emulator, world, lam):
    function, _network = function_in(emulator, world, "10.71.0.0/16")
    answer = invoke(lam, function, {"op": "s3_list", "bucket": world["bucket"]})
    assert answer.get("error") in CONNECTION_ERRORS, answer


def test_s3_through_the_gateway_endpoint_other_services_unreachable(emulator, world, lam):
    function, network = function_in(emulator, world, "10.72.0.0/16")
    s3_gateway_endpoint(emulator, network)
    assert invoke(lam, function, {"op": "s3_list", "bucket": world["bucket"]}) == {"keys": ["incoming/a.csv"]}
    answer = invoke(lam, function, {"op": "sqs"})
    assert answer.get("error") in CONNECTION_ERRORS, answer


def test_security_groups_must_let_https_out_to_s3(emulator, world, lam):
    """With the endpoint in place, a function whose groups allow no TCP 443 out (only NFS) gets no answer from
    S3; a rule to S3's managed prefix list is enough."""
    function, network = function_in(emulator, world, "10.74.0.0/16")
    s3_gateway_endpoint(emulator, network)
    ec2 = emulator.client("ec2")
    https_anywhere = {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
    ec2.revoke_security_group_egress(GroupId=network.function_group, IpPermissions=[https_anywhere])
    answer = invoke(lam, function, {"op": "s3_list", "bucket": world["bucket"]})
    assert answer.get("error") in CONNECTION_ERRORS, answer

    (s3_list,) = ec2.describe_managed_prefix_lists(
        Filters=[{"Name": "prefix-list-name", "Values": [f"com.amazonaws.{emulator.region}.s3"]}]
    )["PrefixLists"]
    to_s3 = {
        "IpProtocol": "tcp",
        "FromPort": 443,
        "ToPort": 443,
        "PrefixListIds": [{"PrefixListId": s3_list["PrefixListId"]}],
    }
    ec2.authorize_security_group_egress(GroupId=network.function_group, IpPermissions=[to_s3])
    assert invoke(lam, function, {"op": "s3_list", "bucket": world["bucket"]}) == {"keys": ["incoming/a.csv"]}


def test_endpoint_on_another_route_table_does_not_count(emulator, world, lam):
    function, network = function_in(emulator, world, "10.73.0.0/16")
    ec2 = emulator.client("ec2")
    other = ec2.create_route_table(VpcId=network.vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_vpc_endpoint(
        VpcId=network.vpc_id, ServiceName=f"com.amazonaws.{emulator.region}.s3", RouteTableIds=[other]
    )
    answer = invoke(lam, function, {"op": "s3_list", "bucket": world["bucket"]})
    assert answer.get("error") in CONNECTION_ERRORS, answer


def test_endpoint_policy_must_allow_the_request(emulator, world, lam):
    function, network = function_in(emulator, world, "10.74.0.0/16")
    bucket_arn = f"arn:aws:s3:::{world['bucket']}"
    only_listing = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": bucket_arn}],
    }
    s3_gateway_endpoint(emulator, network, only_listing)
    assert invoke(lam, function, {"op": "s3_list", "bucket": world["bucket"]}) == {"keys": ["incoming/a.csv"]}
    refused = invoke(lam, function, {"op": "s3_get", "bucket": world["bucket"], "key": "incoming/a.csv"})
    assert "(AccessDenied)" in refused["message"], refused
    assert "because no VPC endpoint policy allows the s3:GetObject action" in refused["message"]


def test_functions_outside_a_vpc_reach_every_service(emulator, world, lam):
    name = f"{world['name']}-{uuid.uuid4().hex[:6]}"
    from lakedrop_emulator.stack import zipped

    function = lam.create_function(
        FunctionName=name,
        Runtime="python3.12",
        Role=world["role"],
        Handler="efs_probe.handler",
        Code={"ZipFile": zipped(PROBE, PROBE.name)},
        Timeout=30,
    )["FunctionArn"]
    assert invoke(lam, function, {"op": "s3_list", "bucket": world["bucket"]}) == {"keys": ["incoming/a.csv"]}
    assert invoke(lam, function, {"op": "sqs"}) == {"reached": True}


def test_a_deleted_endpoint_is_listed_for_a_period_then_forgotten(emulator, world):
    """DescribeVpcEndpoints shows a deleted endpoint (state deleted) for a while, then no more — so a
    re-deployment after a teardown can create the endpoint again (amazon.aws.ec2_vpc_endpoint matches a listed
    deleted one)."""
    network = vpc_network(emulator, f"{world['name']}-gone", cidr="10.75.0.0/16")
    endpoint = s3_gateway_endpoint(emulator, network)
    ec2 = emulator.client("ec2")
    ec2.delete_vpc_endpoints(VpcEndpointIds=[endpoint])
    listed = {e["VpcEndpointId"]: e["State"].lower() for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]}
    assert listed[endpoint] == "deleted"
    time.sleep(6)  # the emulator's period (DELETED_ENDPOINT_VISIBLE_SECONDS, 5 s)
    assert endpoint not in {e["VpcEndpointId"] for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]}
