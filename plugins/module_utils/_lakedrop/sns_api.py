# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every SNS call of the collection's modules (one small function per call)."""

from .common import RETRY
from .common import SNSErrorHandler


@SNSErrorHandler.list_error_handler("get the attributes of SNS topic {topic_arn}", default_value=None)
@RETRY
def get_topic_attributes(client, topic_arn):
    return client.get_topic_attributes(TopicArn=topic_arn)["Attributes"]


@SNSErrorHandler.common_error_handler("set attribute {name} of SNS topic {topic_arn}")
@RETRY
def set_topic_attribute(client, topic_arn, name, value):
    client.set_topic_attributes(TopicArn=topic_arn, AttributeName=name, AttributeValue=value)
