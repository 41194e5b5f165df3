"""KMS calls that name a key by its key ARN, which moto 5.2.5 answered with a 500.

The API accepts a key ID or a key ARN wherever KeyId names a key. moto validated either, then looked the
key up by the raw value in DisableKey, EnableKey, ScheduleKeyDeletion and CancelKeyDeletion
(KeyError -> 500), so amazon.aws.kms_key could not remove or disable a key (it passes the ARN).
ScheduleKeyDeletion and CancelKeyDeletion also echoed the caller's KeyId; AWS answers the key ARN, and
ScheduleKeyDeletion adds KeyState and PendingWindowInDays.

The AWS managed keys moto creates on first use of a reserved alias (alias/aws/elasticfilesystem when EFS
encrypts without a KmsKeyId, alias/aws/s3, ...) answered KeyManager CUSTOMER; AWS answers AWS for them
(DescribeKey KeyMetadata.KeyManager: "The manager of the KMS key. KMS keys in your Amazon Web Services
account are either customer managed or Amazon Web Services managed").
"""

from __future__ import annotations

import json
from typing import Any

RESOLVED = ("disable_key", "enable_key", "cancel_key_deletion", "schedule_key_deletion")


def install() -> None:
    from moto.kms.models import KmsBackend
    from moto.kms.responses import KmsResponse

    def resolving(method: Any) -> Any:
        def wrapper(self: Any, key_id: str, *args: Any, **kwargs: Any) -> Any:
            return method(self, self.get_key_id(key_id), *args, **kwargs)

        wrapper.__name__ = method.__name__
        wrapper.__doc__ = method.__doc__
        return wrapper

    for name in RESOLVED:
        setattr(KmsBackend, name, resolving(getattr(KmsBackend, name)))

    generate_default_keys = KmsBackend._generate_default_keys

    def aws_managed(self: Any, alias_name: str) -> str | None:
        key_id = generate_default_keys(self, alias_name)
        if key_id is not None:
            self.keys[key_id].key_manager = "AWS"
        return key_id

    KmsBackend._generate_default_keys = aws_managed

    def schedule_key_deletion(self: Any) -> str:
        key_id = self._get_param("KeyId")
        window = self._get_param("PendingWindowInDays")
        window = 30 if window is None else window
        self._validate_cmk_id(key_id)
        deletion_date = self.kms_backend.schedule_key_deletion(key_id, window)
        key = self.kms_backend.keys[self.kms_backend.get_key_id(key_id)]
        answer = {
            "KeyId": key.arn,
            "DeletionDate": deletion_date,
            "KeyState": key.key_state,
            "PendingWindowInDays": window,
        }
        return json.dumps({k: v for k, v in answer.items() if v is not None})

    def cancel_key_deletion(self: Any) -> str:
        key_id = self._get_param("KeyId")
        self._validate_cmk_id(key_id)
        self.kms_backend.cancel_key_deletion(key_id)
        return json.dumps({"KeyId": self.kms_backend.keys[self.kms_backend.get_key_id(key_id)].arn})

    KmsResponse.schedule_key_deletion = schedule_key_deletion
    KmsResponse.cancel_key_deletion = cancel_key_deletion
