#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: cloudwatch_metric_statistics
short_description: Statistics of one CloudWatch metric over the last minutes
version_added: 0.2.0
description:
  - Reads one metric with C(GetMetricStatistics) over the last O(minutes), as a single period, and returns
    one figure per statistic (for example V(Sum) of C(AWS/Lambda) C(Errors), or V(p50) and V(p95) of a latency).
  - When the metric has no datapoint in the window the figures are V(null) and RV(has_data) is V(false);
    that is not a failure.
options:
  namespace:
    description: The metric's namespace, for example V(AWS/Lambda).
    type: str
    required: true
  metric_name:
    description: The metric's name, for example V(Errors).
    type: str
    required: true
  dimensions:
    description: The metric's dimensions, name to value.
    type: dict
  minutes:
    description: The window, ending now (1 to 1440).
    type: int
    default: 60
  statistics:
    description: Plain statistics.
    type: list
    elements: str
    choices: [SampleCount, Average, Sum, Minimum, Maximum]
  extended_statistics:
    description: Percentiles, for example V(p50) and V(p95).
    type: list
    elements: str
  unit:
    description: Only datapoints with this unit (for example V(Seconds)).
    type: str
extends_documentation_fragment: [lakedrop.delivery.lakedrop, amazon.aws.common.modules, amazon.aws.region.modules, amazon.aws.boto3]
notes:
  - Supports check mode (it only reads).
"""

EXAMPLES = r"""
- name: Errors of the trigger function in the last hour
  lakedrop.delivery.cloudwatch_metric_statistics:
    namespace: AWS/Lambda
    metric_name: Errors
    dimensions:
      FunctionName: lakedrop-lake-trigger
    statistics: [Sum]

- name: Delivery latency of the last day
  lakedrop.delivery.cloudwatch_metric_statistics:
    namespace: LakeDrop
    metric_name: DeliveryLatency
    dimensions:
      Delivery: lake
    minutes: 1440
    unit: Seconds
    extended_statistics: [p50, p95]
"""

RETURN = r"""
statistics:
  description: Each statistic asked for, with its value over the window (null without data).
  returned: always
  type: dict
datapoints:
  description: How many datapoints CloudWatch returned.
  returned: always
  type: int
has_data:
  description: Whether the metric has any datapoint in the window.
  returned: always
  type: bool
"""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import metric_statistics
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run_module

ARGUMENT_SPEC = dict(
    namespace=dict(type="str", required=True),
    metric_name=dict(type="str", required=True),
    dimensions=dict(type="dict"),
    minutes=dict(type="int", default=60),
    statistics=dict(type="list", elements="str", choices=["SampleCount", "Average", "Sum", "Minimum", "Maximum"]),
    extended_statistics=dict(type="list", elements="str"),
    unit=dict(type="str"),
)


def main():
    run_module(ARGUMENT_SPEC, metric_statistics.run, metric_statistics.validate)


if __name__ == "__main__":
    main()
