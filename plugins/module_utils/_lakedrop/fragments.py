# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The argument specs of the options that doc fragments document (those of plugins/doc_fragments/lakedrop.py,
and amazon.aws.tags). A module that extends one of these fragments adds the matching spec to its ARGUMENT_SPEC,
so that each such option is written once, like its text."""

# lakedrop.delivery.lakedrop.location
LOCATION = dict(
    state=dict(type="str", choices=["present", "absent"], default="present"),
    location_arn=dict(type="str"),
)
# lakedrop.delivery.lakedrop.efs_setting
EFS_SETTING = dict(file_system=dict(type="str", required=True))
# lakedrop.delivery.lakedrop.replacement
REPLACEMENT = dict(allow_replacement=dict(type="bool", default=False))
# lakedrop.delivery.lakedrop.propagation
PROPAGATION = dict(propagation_timeout=dict(type="int", default=120))
# amazon.aws.tags
TAGS = dict(tags=dict(type="dict", aliases=["resource_tags"]), purge_tags=dict(type="bool", default=True))
