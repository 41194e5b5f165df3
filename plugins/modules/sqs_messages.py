#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: sqs_messages
short_description: Count, receive, delete or release the messages of an SQS queue
version_added: 0.2.0
description:
  - V(counted) reads the queue's approximate depth (visible, in flight, delayed).
  - V(received) receives up to O(max_messages) messages and hides them from other consumers for
    O(visibility_timeout) seconds; each comes with the S3 object keys it carries (an S3 event, an S3 event
    wrapped by SNS, or a Lambda asynchronous-invocation failure record whose request payload is an S3 event).
  - V(deleted) deletes received messages by their receipt handles; V(released) makes them visible again
    at once (visibility timeout 0), so nothing is lost when their processing failed.
  - Used by the runbooks status and replay_failed on the trigger's dead-letter queue.
options:
  queue:
    description: The queue, as its name or its URL.
    type: str
    required: true
  state:
    description: What to do.
    type: str
    choices: [counted, received, deleted, released]
    default: counted
  max_messages:
    description: With V(received), at most this many messages (received ten at a time).
    type: int
    default: 100
  visibility_timeout:
    description: With V(received), seconds the messages stay hidden from other consumers.
    type: int
    default: 300
  receipt_handles:
    description: With V(deleted) or V(released), the receipt handles of received messages.
    type: list
    elements: str
extends_documentation_fragment: [lakedrop.delivery.lakedrop, amazon.aws.common.modules, amazon.aws.region.modules, amazon.aws.boto3]
notes:
  - Supports check mode (receives, deletes and releases nothing). Receiving is reported as a change, since
    it hides the messages for a while.
"""

EXAMPLES = r"""
- name: How many messages wait in the dead-letter queue
  lakedrop.delivery.sqs_messages:
    queue: lakedrop-lake-trigger-dlq
  register: dlq

- name: Take them for an hour
  lakedrop.delivery.sqs_messages:
    queue: lakedrop-lake-trigger-dlq
    state: received
    visibility_timeout: 3600
  register: parked

- name: Delete them once their keys are delivered
  lakedrop.delivery.sqs_messages:
    queue: lakedrop-lake-trigger-dlq
    state: deleted
    receipt_handles: "{{ parked.messages | map(attribute='receipt_handle') | list }}"
"""

RETURN = r"""
queue_url:
  description: The queue's URL.
  returned: always
  type: str
depth:
  description: Approximate numbers of messages (visible, in_flight, delayed).
  returned: with state=counted
  type: dict
messages:
  description:
    - Received messages with message_id, receipt_handle, body, keys (the object keys, decoded), readable
      (whether keys could be read), shape (s3-event, lambda-failure-record, s3-test-event, or why unreadable)
      and receive_count.
  returned: always
  type: list
  elements: dict
failed_handles:
  description: Receipt handles SQS refused to delete or release.
  returned: always
  type: list
  elements: str
"""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import queue_messages
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run_module

ARGUMENT_SPEC = dict(
    queue=dict(type="str", required=True),
    state=dict(type="str", choices=["counted", "received", "deleted", "released"], default="counted"),
    max_messages=dict(type="int", default=100),
    visibility_timeout=dict(type="int", default=300),
    receipt_handles=dict(type="list", elements="str", no_log=False),
)


def main():
    run_module(ARGUMENT_SPEC, queue_messages.run, queue_messages.validate)


if __name__ == "__main__":
    main()
