# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An SQS queue's depth and its messages (module sqs_messages): count them, receive them with the object
keys they carry (runbooks.dead_letter_keys), delete or release (visibility 0) received ones.

Pure functions first (depth, message shape), then the flow (`run(module)`), the only part that calls sqs_api.
"""

from . import runbooks
from . import sqs_api
from .runner import Failure

DEPTH = {
    "ApproximateNumberOfMessages": "visible",
    "ApproximateNumberOfMessagesNotVisible": "in_flight",
    "ApproximateNumberOfMessagesDelayed": "delayed",
}

# --- pure --------------------------------------------------------------------------------------------


def depth(attributes):
    return dict((name, int(attributes.get(key, 0))) for key, name in DEPTH.items())


def message(raw):
    keys, shape = runbooks.dead_letter_keys(raw.get("Body"))
    return {
        "message_id": raw.get("MessageId"),
        "receipt_handle": raw.get("ReceiptHandle"),
        "body": raw.get("Body"),
        "keys": keys or [],
        "readable": keys is not None,
        "shape": shape,
        "receive_count": int((raw.get("Attributes") or {}).get("ApproximateReceiveCount", 0)),
    }


def validate(params, region=None):
    found = []
    if params["state"] in ("deleted", "released") and not params["receipt_handles"]:
        found.append(f"receipt_handles is required with state={params['state']}.")
    if not 1 <= params["max_messages"] <= 1000:
        found.append(f"max_messages must be between 1 and 1000, got {params['max_messages']}.")
    if not 0 <= params["visibility_timeout"] <= 43200:
        found.append(
            f"visibility_timeout must be between 0 and 43200 seconds (SQS's limit), got {params['visibility_timeout']}."
        )
    return found


# --- flow --------------------------------------------------------------------------------------------


def run(module):
    params = module.params
    client = module.client("sqs")
    url = params["queue"] if "://" in params["queue"] else sqs_api.queue_url(client, params["queue"])
    if url is None:
        raise Failure(f"queue {params['queue']!r} does not exist in this account and region.")
    result = dict(changed=False, queue_url=url, messages=[], failed_handles=[])
    if params["state"] == "counted":
        result["depth"] = depth(sqs_api.queue_attributes(client, url, list(DEPTH)))
        return result
    if params["state"] == "received":
        # Received messages stay invisible to others for visibility_timeout: the caller deletes or releases them.
        received = []
        while len(received) < params["max_messages"]:
            count = min(10, params["max_messages"] - len(received))
            page = [] if module.check_mode else sqs_api.receive(client, url, count, params["visibility_timeout"])
            if not page:
                break
            received += [message(m) for m in page]
        result.update(changed=bool(received), messages=received)
        return result
    handles = params["receipt_handles"]
    call = sqs_api.delete_batch if params["state"] == "deleted" else sqs_api.release_batch
    failed = []
    if not module.check_mode:
        for start in range(0, len(handles), 10):
            failed += [handles[start + int(f["Id"])] for f in call(client, url, handles[start : start + 10])]
    result.update(changed=True, failed_handles=failed)
    if failed:
        raise Failure(f"SQS refused {len(failed)} of {len(handles)} message(s) of {url}.", **result)
    return result
