"""The two sides of a cross-account SSE-KMS read: key policy and role policy from one set of conditions."""

from __future__ import annotations

import pytest

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import kms_grants

ROLE = "arn:aws:iam::222222222222:role/lakedrop-demo-lake-datasync"
OTHER = "arn:aws:iam::222222222222:role/other"
KEY = "arn:aws:kms:eu-west-1:111111111111:key/0e6a6b2b-2c55-4a39-8b0d-5d1e4c5b6f70"


def test_both_sides_share_the_conditions():
    key = kms_grants.key_policy("111111111111", [ROLE], "eu-west-1", "lake-data")
    role = kms_grants.role_policy(KEY, "eu-west-1", "lake-data")
    assert key["Statement"][0]["Principal"] == {"AWS": "arn:aws:iam::111111111111:root"}
    assert (
        key["Statement"][1]["Condition"]
        == role["Statement"][0]["Condition"]
        == {
            "StringEquals": {"kms:ViaService": "s3.eu-west-1.amazonaws.com"},
            "StringLike": {"kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::lake-data", "arn:aws:s3:::lake-data/*"]},
        }
    )
    assert role["Statement"][0]["Resource"] == KEY and role["Statement"][0]["Action"] == "kms:Decrypt"


def test_partition_follows_the_region():
    key = kms_grants.key_policy("111111111111", [ROLE], "cn-north-1", "lake-data")
    assert key["Statement"][0]["Principal"]["AWS"].startswith("arn:aws-cn:iam::")
    assert key["Statement"][1]["Condition"]["StringEquals"]["kms:ViaService"] == "s3.cn-north-1.amazonaws.com"


@pytest.mark.parametrize(
    ("statement", "missing"),
    [
        ({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:Decrypt", "Resource": "*"}, [OTHER]),
        ({"Effect": "Allow", "Principal": {"AWS": [ROLE, OTHER]}, "Action": ["kms:Decrypt"]}, []),
        ({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222222222222:root"}, "Action": "kms:*"}, []),
        ({"Effect": "Allow", "Principal": {"AWS": "222222222222"}, "Action": "kms:Decrypt"}, []),
        ({"Effect": "Allow", "Principal": "*", "Action": "kms:Decrypt"}, []),
        ({"Effect": "Deny", "Principal": {"AWS": ROLE}, "Action": "kms:Decrypt"}, [ROLE, OTHER]),
        ({"Effect": "Allow", "Principal": {"AWS": ROLE}, "Action": "kms:Encrypt"}, [ROLE, OTHER]),
    ],
)
def test_missing_grants(statement, missing):
    assert kms_grants.missing_grants({"Statement": [statement]}, [ROLE, OTHER]) == missing
