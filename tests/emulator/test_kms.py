"""KMS calls that name a key by its ARN (the API accepts a key ID or a key ARN wherever KeyId is a key).

moto 5.2.5 looked a key up by the raw KeyId in ScheduleKeyDeletion, CancelKeyDeletion, DisableKey and
EnableKey, so a key ARN (what amazon.aws.kms_key sends when it removes a key) answered 500.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from lakedrop_emulator.ext.shapes import assert_output_matches


@pytest.fixture
def key(clients, unique):
    kms = clients("kms", "source")
    return assert_output_matches("kms", "CreateKey", kms.create_key(Description=f"lakedrop-{unique}"))["KeyMetadata"]


@pytest.mark.parametrize("by", ["KeyId", "Arn"])
def test_disable_enable_by_id_or_arn(clients, key, by):
    kms = clients("kms", "source")
    kms.disable_key(KeyId=key[by])
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"
    kms.enable_key(KeyId=key[by])
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Enabled"


@pytest.mark.parametrize("by", ["KeyId", "Arn"])
def test_schedule_and_cancel_deletion_by_id_or_arn(clients, key, by):
    kms = clients("kms", "source")
    scheduled = assert_output_matches(
        "kms", "ScheduleKeyDeletion", kms.schedule_key_deletion(KeyId=key[by], PendingWindowInDays=7)
    )
    assert scheduled["KeyId"] == key["Arn"]  # AWS answers the key ARN whatever the caller named
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
    cancelled = assert_output_matches("kms", "CancelKeyDeletion", kms.cancel_key_deletion(KeyId=key[by]))
    assert cancelled["KeyId"] == key["Arn"]
    assert kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "Disabled"


def test_unknown_key_arn_is_not_found(clients, emulator):
    kms = clients("kms", "source")
    arn = f"arn:aws:kms:{emulator.region}:{emulator.account_id('source')}:key/00000000-0000-0000-0000-000000000000"
    with pytest.raises(ClientError) as err:
        kms.schedule_key_deletion(KeyId=arn, PendingWindowInDays=7)
    assert err.value.response["Error"]["Code"] == "NotFoundException"


def test_a_reserved_alias_names_an_aws_managed_key(clients):
    kms = clients("kms", "target")
    managed = kms.describe_key(KeyId="alias/aws/elasticfilesystem")["KeyMetadata"]  # created on first use
    assert managed["KeyManager"] == "AWS"
    assert kms.create_key()["KeyMetadata"]["KeyManager"] == "CUSTOMER"
