#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: lambda_event_source_scaling
short_description: Cap the concurrency of an AWS Lambda SQS event source mapping
version_added: 0.1.0
description:
  - Sets or removes C(ScalingConfig.MaximumConcurrency) of the event source mapping between an SQS
    queue and a Lambda function, so a burst of messages becomes a few large batches instead of many
    concurrent invocations.
  - The mapping itself is managed with M(amazon.aws.lambda_event), which has no option for this
    setting and leaves it alone; this module changes nothing else.
author:
  - Lakedrop Delivery Maintainers (@lakedrop)
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
      - Omit (or V(null)) to remove the cap.
    type: int
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Supports check mode and diff mode. A second run with the same arguments makes no write call.
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
  returned: always
  type: int
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.changes import Changes
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.common import RETRY
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.common import LambdaErrorHandler


@LambdaErrorHandler.common_error_handler("list event source mappings of {function_name}")
@RETRY
def list_mappings(client, function_name, event_source_arn):
    paginator = client.get_paginator("list_event_source_mappings")
    result = paginator.paginate(FunctionName=function_name, EventSourceArn=event_source_arn).build_full_result()
    return result.get("EventSourceMappings", [])


@LambdaErrorHandler.common_error_handler("update event source mapping {uuid}")
@RETRY
def update_scaling(client, uuid, maximum_concurrency):
    scaling = {"MaximumConcurrency": maximum_concurrency} if maximum_concurrency else {}
    client.update_event_source_mapping(UUID=uuid, ScalingConfig=scaling)


def current_cap(mapping):
    return (mapping.get("ScalingConfig") or {}).get("MaximumConcurrency")


def validate(params):
    cap = params["maximum_concurrency"]
    if cap is not None and not 2 <= cap <= 1000:
        return [
            f"maximum_concurrency must be between 2 and 1000 (Lambda's limits), not {cap}; omit it to remove the cap."
        ]
    return []


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            function_name=dict(type="str", required=True),
            event_source_arn=dict(type="str", required=True),
            maximum_concurrency=dict(type="int"),
        ),
        supports_check_mode=True,
    )
    problems = validate(module.params)
    if problems:
        module.fail_json(msg=" ".join(problems), problems=problems)
    client = module.client("lambda")
    try:
        mappings = list_mappings(client, module.params["function_name"], module.params["event_source_arn"])
        if not mappings and module.check_mode:
            # The mapping would be created earlier in the same run: report the cap it would get.
            module.exit_json(
                changed=module.params["maximum_concurrency"] is not None,
                uuid=None,
                maximum_concurrency=module.params["maximum_concurrency"],
            )
        if len(mappings) != 1:
            module.fail_json(
                msg=f"Expected one event source mapping from {module.params['event_source_arn']} to "
                f"{module.params['function_name']}, found {len(mappings)}; create it with amazon.aws.lambda_event first."
            )
        mapping = mappings[0]
        changes = Changes()
        changes.add("maximum_concurrency", current_cap(mapping), module.params["maximum_concurrency"])
        if changes.changed and not module.check_mode:
            update_scaling(client, mapping["UUID"], module.params["maximum_concurrency"])
    except AnsibleAWSError as err:
        module.fail_json_aws_error(err)
    result = dict(
        changed=changes.changed, uuid=mapping["UUID"], maximum_concurrency=module.params["maximum_concurrency"]
    )
    if module._diff:
        result["diff"] = changes.diff()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
