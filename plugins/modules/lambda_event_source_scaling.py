#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: lambda_event_source_scaling
short_description: Cap the concurrency of an AWS Lambda SQS event source mapping
version_added: 0.1.0
description:
  - Sets or removes C(ScalingConfig.MaximumConcurrency) of the event source mapping between an SQS
    queue and a Lambda function, so a burst of messages becomes a few large batches instead of many
    concurrent invocations.
  - The mapping itself is managed with M(amazon.aws.lambda_event), which has no option for this
    setting and leaves it alone; this module changes nothing else, except whether the mapping is
    enabled when O(enabled) is given.
options:
  function_name:
    description: Name or ARN of the function.
    type: str
    required: true
  event_source_arn:
    description: ARN of the SQS queue the mapping reads.
    type: str
    required: true
  maximum_concurrency:
    description:
      - Highest number of concurrent invocations the mapping may make, V(2) to V(1000).
      - Omit (or V(null)) to remove the cap - unless only O(enabled) is given, which keeps the cap.
    type: int
  enabled:
    description:
      - Whether the mapping polls its queue. V(false) pauses it (messages wait in the queue, whose
        retention period keeps them); V(true) resumes it. Omit to leave it as it is.
      - The runbooks pause_trigger and resume_trigger use it. M(amazon.aws.lambda_event) enables a
        mapping again when site.yml runs.
    type: bool
    version_added: 0.2.0
extends_documentation_fragment: [lakedrop.delivery.lakedrop, lakedrop.delivery.lakedrop.idempotent, amazon.aws.common.modules,
  amazon.aws.region.modules, amazon.aws.boto3]
notes:
  - In check mode, a mapping that does not exist yet (it would be created by an earlier task of the
    same run) is reported as a change rather than an error.
"""

EXAMPLES = r"""
- name: Map the queue to the function
  amazon.aws.lambda_event:
    function_name: lakedrop-trigger
    event_source: sqs
    source_params:
      source_arn: arn:aws:sqs:eu-west-1:222222222222:lakedrop-trigger-events
      batch_size: 10000
      maximum_batching_window_in_seconds: 20
      function_response_types: [ReportBatchItemFailures]

- name: At most two concurrent batches
  lakedrop.delivery.lambda_event_source_scaling:
    function_name: lakedrop-trigger
    event_source_arn: arn:aws:sqs:eu-west-1:222222222222:lakedrop-trigger-events
    maximum_concurrency: 2
"""

RETURN = r"""
uuid:
  description: Identifier of the event source mapping.
  returned: always
  type: str
maximum_concurrency:
  description: The cap after the module ran (null when none).
  returned: unless only O(enabled) is given
  type: int
enabled:
  description: Whether the mapping is enabled after the module ran.
  returned: when O(enabled) is given
  type: bool
"""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import event_source_scaling
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run_module

ARGUMENT_SPEC = dict(
    function_name=dict(type="str", required=True),
    event_source_arn=dict(type="str", required=True),
    maximum_concurrency=dict(type="int"),
    enabled=dict(type="bool"),
)


def main():
    run_module(ARGUMENT_SPEC, event_source_scaling.run, event_source_scaling.validate)


if __name__ == "__main__":
    main()
