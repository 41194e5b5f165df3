# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every CloudWatch metrics call of the collection's modules (one small function per call)."""

from .common import RETRY
from .common import CloudWatchErrorHandler


@CloudWatchErrorHandler.common_error_handler("read statistics of metric {metric}")
@RETRY
def get_metric_statistics(client, metric, params):
    return client.get_metric_statistics(**params).get("Datapoints", [])
