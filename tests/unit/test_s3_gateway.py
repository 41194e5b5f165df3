"""The S3 gateway endpoint of the fast functions' subnets: route tables, endpoints found, their policies."""

from __future__ import annotations

import json

import pytest

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import s3_gateway

BUCKET = "arn:aws:s3:::lake-data"
ACCOUNT = "222222222222"
TABLES = [
    {"route_table_id": "rtb-main", "associations": [{"main": True}], "routes": []},
    {
        "route_table_id": "rtb-a",
        "associations": [{"main": False, "subnet_id": "subnet-a"}],
        "routes": [{"gateway_id": "vpce-1", "destination_prefix_list_id": "pl-s3"}, {"gateway_id": "local"}],
    },
]


def endpoint(policy=None, tables=("rtb-a",), state="available", service="com.amazonaws.eu-west-1.s3"):
    return {
        "vpc_endpoint_id": "vpce-1",
        "service_name": service,
        "vpc_endpoint_type": "Gateway",
        "state": state,
        "route_table_ids": list(tables),
        "policy_document": json.dumps(
            policy or {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}
        ),
    }


def plan(endpoints, subnets=("subnet-a", "subnet-b")):
    return s3_gateway.plan(list(subnets), TABLES, endpoints, [BUCKET], "eu-west-1", ACCOUNT)


def test_a_subnet_without_its_own_route_table_uses_the_main_one():
    assert s3_gateway.route_tables_of(["subnet-a", "subnet-b"], TABLES) == {"subnet-a": "rtb-a", "subnet-b": "rtb-main"}


def test_the_default_endpoint_policy_covers_one_table_and_the_other_needs_one():
    found = plan([endpoint()])
    assert found["route_table_ids"] == ["rtb-a", "rtb-main"] and found["uncovered"] == ["rtb-main"]
    assert found["endpoint_ids"] == ["vpce-1"] and found["problems"] == [] and found["prefix_list_ids"] == ["pl-s3"]


def test_nothing_found_means_an_endpoint_for_every_table_with_the_limited_policy():
    found = plan([endpoint(state="deleted"), endpoint(service="com.amazonaws.eu-west-1.dynamodb")])
    assert found["uncovered"] == ["rtb-a", "rtb-main"] and found["endpoint_ids"] == []
    (statement,) = found["policy"]["Statement"]
    assert statement["Resource"] == [BUCKET, f"{BUCKET}/*"]
    assert statement["Action"] == ["s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"]
    assert statement["Condition"] == {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}
    # the policy the play creates passes the check the play applies to a found one
    assert s3_gateway.missing_reads(found["policy"], [BUCKET], ACCOUNT) == []
    assert s3_gateway.missing_reads(found["policy"], [BUCKET], "333333333333") != []


@pytest.mark.parametrize(
    "statements",
    [
        [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}],
        [
            {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "Principal": "*", "Action": "s3:Get*", "Resource": f"{BUCKET}/*"},
        ],
        [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceVpc": "vpc-1"}},
            }
        ],
    ],
)
def test_a_found_endpoint_that_does_not_allow_the_reads_is_a_problem_with_the_statement_to_add(statements):
    found = plan([endpoint({"Statement": statements})])
    assert (
        len(found["problems"]) == 1
        and "S3 gateway endpoint vpce-1 (route tables rtb-a) does not allow" in found["problems"][0]
    )
    assert "s3:GetObject arn:aws:s3:::lake-data/*" in found["problems"][0]
    assert found["statement"]["Sid"] == s3_gateway.SID


def test_service_name_of_a_china_region():
    assert s3_gateway.service_name("cn-north-1") == "cn.com.amazonaws.cn-north-1.s3"


def test_route_tables_that_serve_other_subnets_are_shared():
    """Creating a limited endpoint on the main table, or on one other subnets use, would cut their S3 traffic."""
    tables = [
        *TABLES,
        {"route_table_id": "rtb-b", "associations": [{"subnet_id": "subnet-b"}, {"subnet_id": "subnet-x"}]},
    ]
    found = s3_gateway.plan(["subnet-a", "subnet-b", "subnet-c"], tables, [], [BUCKET], "eu-west-1", ACCOUNT)
    assert found["uncovered"] == ["rtb-a", "rtb-b", "rtb-main"]
    shared = dict(found["shared"])
    assert set(shared) == {"rtb-b", "rtb-main"}  # rtb-a serves subnet-a alone
    assert "subnet-x" in shared["rtb-b"] and "main route table" in shared["rtb-main"]
    # a table that already has an endpoint is used as it is: nothing is created there, nothing shared
    assert dict(plan([endpoint(tables=("rtb-a", "rtb-main"))])["shared"]) == {}
