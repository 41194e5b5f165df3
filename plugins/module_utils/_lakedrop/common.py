# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Retries, error handlers and waiting, declared once for every API call of the collection."""

import random
import sys
import time

try:
    import botocore
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.errors import AWSErrorHandler
from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.retries import AWSRetry

# amazon.aws retries "Throttling"; DataSync and EFS answer "ThrottlingException"/"TooManyRequests".
THROTTLING_CODES = ["ThrottlingException", "TooManyRequests", "ServiceUnavailableException"]
# Reads, updates, deletes and creates that carry a client token are safe to repeat after an
# InternalException (the first attempt may have succeeded on the server).
RETRY = AWSRetry.jittered_backoff(
    retries=8, delay=1, max_delay=20, catch_extra_error_codes=[*THROTTLING_CODES, "InternalException"]
)
# Calls that are not idempotent (creates without a client token, starting an execution): a retry after
# InternalException could make a second resource, so only refusals (throttling) are retried.
CREATE_RETRY = AWSRetry.jittered_backoff(retries=8, delay=1, max_delay=20, catch_extra_error_codes=THROTTLING_CODES)


class LakedropError(AnsibleAWSError):
    """An AWS error, raised by the error handlers of the API layer (`fail_json_aws_error` reports it)."""


def error_message_contains(code, *fragments):
    """An except-clause type matching ClientError `code` whose message contains any fragment."""
    exc = sys.exc_info()[1]
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        message = error.get("Message", "").lower()
        if error.get("Code") == code and any(f.lower() in message for f in fragments):
            return botocore.exceptions.ClientError
    return type("NeverEverRaisedException", (Exception,), {})


class DataSyncErrorHandler(AWSErrorHandler):
    """DataSync reports a missing resource as InvalidRequestException with a message saying so."""

    _CUSTOM_EXCEPTION = LakedropError

    @classmethod
    def _is_missing(cls):
        return error_message_contains("InvalidRequestException", "not found", "does not exist")


class _CodedErrorHandler(AWSErrorHandler):
    """A service that reports a missing resource with error codes of its own (MISSING)."""

    _CUSTOM_EXCEPTION = LakedropError
    MISSING = ()

    @classmethod
    def _is_missing(cls):
        return is_boto3_error_code(list(cls.MISSING))


class EFSErrorHandler(_CodedErrorHandler):
    MISSING = ("AccessPointNotFound", "FileSystemNotFound", "MountTargetNotFound")


class LambdaErrorHandler(_CodedErrorHandler):
    MISSING = ("ResourceNotFoundException",)


class LogsErrorHandler(_CodedErrorHandler):
    MISSING = ("ResourceNotFoundException",)


class SQSErrorHandler(_CodedErrorHandler):
    MISSING = ("AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist")


class CloudWatchErrorHandler(_CodedErrorHandler):
    MISSING = ("ResourceNotFound",)


class SNSErrorHandler(_CodedErrorHandler):
    MISSING = ("NotFound",)


# DataSync tests access when a location is created; a role or bucket policy written moments earlier
# may not have propagated (IAM is eventually consistent), which surfaces as InvalidRequestException.
PROPAGATION_FRAGMENTS = ("assume", "access test failed", "propagat", "not authorized", "access denied")


def retry_propagation(call, timeout=120, sleep=time.sleep, clock=time.monotonic):
    """Run `call()`; retry with jittered backoff while AWS reports IAM propagation errors."""
    deadline = clock() + timeout
    delay = 2.0
    while True:
        try:
            return call()
        except botocore.exceptions.ClientError as err:
            error = err.response.get("Error", {})
            message = error.get("Message", "").lower()
            transient = error.get("Code") == "InvalidRequestException" and any(
                f in message for f in PROPAGATION_FRAGMENTS
            )
            if not transient or clock() + delay > deadline:
                raise
        sleep(delay * random.uniform(0.5, 1.0))  # noqa: S311 - jitter, not crypto
        delay = min(delay * 2, 20.0)


def wait_for(read, done, timeout, interval, sleep=time.sleep, clock=time.monotonic):
    """Poll `read()` until `done(value)` is true; returns (value, True) or (last value, False) on timeout."""
    deadline = clock() + timeout
    value = read()
    while not done(value):
        if clock() >= deadline:
            return value, False
        sleep(max(0.0, min(interval, deadline - clock())))
        value = read()
    return value, True
