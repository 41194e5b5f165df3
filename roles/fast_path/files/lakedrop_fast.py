# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Placeholder of the fast path's handler (the real one copies small objects into the mounted access point).

It copies nothing: every message is reported as a batch item failure, so SQS moves it to the DataSync
queue on its next receive (the fast queue's redrive policy, maxReceiveCount 1) and the trigger delivers it.
"""


def handler(event, context):
    return {"batchItemFailures": [{"itemIdentifier": r["messageId"]} for r in event.get("Records", [])]}
