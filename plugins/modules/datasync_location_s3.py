#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: datasync_location_s3
short_description: Manage AWS DataSync Amazon S3 locations
version_added: 0.1.0
description:
  - Create, update in place, replace (only when allowed) or delete a DataSync location for an S3
    bucket, including a bucket in another AWS account (the location is created with this account's
    credentials and reads the bucket through O(bucket_access_role_arn)).
  - DataSync locations have no name. An existing location is identified by O(location_arn) when given,
    otherwise by its URI (bucket and subdirectory; C(sub/) and C(sub) are the same). When several
    locations share that URI, O(tags) narrow the choice; if it is still ambiguous the module fails and
    lists them.
  - The subdirectory, storage class and bucket access role are changed in place with
    C(UpdateLocationS3). The bucket and agents cannot be changed in place; see O(allow_replacement).
author:
  - Lakedrop Delivery Maintainers (@lakedrop)
options:
  state:
    description: Whether the location should exist.
    type: str
    choices: [present, absent]
    default: present
  bucket:
    description:
      - The bucket, as a name (V(my-bucket)), a bucket ARN (V(arn:aws:s3:::my-bucket)) or an S3 access
        point ARN.
      - Required unless O(location_arn) is given.
    type: str
  subdirectory:
    description:
      - The prefix in the bucket that DataSync reads from or writes to, without C(//), C(/./) or C(/../).
        V("") is the whole bucket. A leading or trailing C(/) makes no difference (C(/incoming) and
        C(incoming/) name the same location; AWS reads a leading one back as C(/incoming/)).
      - With O(location_arn), changing it updates the location in place; without it, a different
        subdirectory names a different location.
    type: str
    default: ""
  bucket_access_role_arn:
    description:
      - The IAM role (in this account) that DataSync assumes to access the bucket. Required to create
        a location.
    type: str
  storage_class:
    description:
      - Storage class of objects DataSync writes when the bucket is a destination. When omitted, AWS's
        default (C(STANDARD)) applies on create and an existing value is left alone.
    type: str
    choices: [STANDARD, STANDARD_IA, ONEZONE_IA, INTELLIGENT_TIERING, GLACIER, DEEP_ARCHIVE, OUTPOSTS, GLACIER_INSTANT_RETRIEVAL]
  agent_arns:
    description: DataSync agents on an Outpost (S3 on Outposts only). Cannot be changed in place.
    type: list
    elements: str
  location_arn:
    description:
      - ARN of the location to manage. Pins the identity so the subdirectory can be changed in place
        and the bucket compared. The location must exist when given with O(state=present).
    type: str
extends_documentation_fragment:
  - lakedrop.delivery.lakedrop
  - lakedrop.delivery.lakedrop.replacement
  - lakedrop.delivery.lakedrop.propagation
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.tags
  - amazon.aws.boto3
notes:
  - Supports check mode and diff mode. A second run with the same arguments makes no write call.
  - For a bucket in another account, its bucket policy must allow O(bucket_access_role_arn) to list
    the bucket and read objects, and allow this account's caller C(s3:ListBucket), because DataSync tests
    access when the location is created. IAM propagation errors are retried for O(propagation_timeout).
"""

EXAMPLES = r"""
- name: Location for the incoming/ prefix of a bucket in the source account
  lakedrop.delivery.datasync_location_s3:
    bucket: lakedrop-source-data
    subdirectory: incoming/
    bucket_access_role_arn: arn:aws:iam::222222222222:role/lakedrop-datasync-source
    tags:
      Name: lakedrop-source
  register: source_location

- name: Move the same location to another prefix, in place
  lakedrop.delivery.datasync_location_s3:
    location_arn: "{{ source_location.location.location_arn }}"
    bucket: lakedrop-source-data
    subdirectory: incoming/v2/
    bucket_access_role_arn: arn:aws:iam::222222222222:role/lakedrop-datasync-source

- name: Remove the location
  lakedrop.delivery.datasync_location_s3:
    state: absent
    bucket: lakedrop-source-data
    subdirectory: incoming/v2/
"""

RETURN = r"""
location:
  description: The location after the module ran (in check mode, what it would be). Empty when absent.
  returned: always
  type: dict
  contains:
    location_arn:
      description: ARN of the location (null when it would be created in check mode).
      type: str
      sample: arn:aws:datasync:eu-west-1:222222222222:location/loc-0123456789abcdef0
    location_uri:
      description: DataSync's URI of the location.
      type: str
      sample: s3://lakedrop-source-data/incoming/
    bucket_name:
      description: The bucket, parsed from the URI (DataSync does not return it).
      type: str
      sample: lakedrop-source-data
    bucket_arn:
      description: The bucket's ARN, derived from its name.
      type: str
      sample: arn:aws:s3:::lakedrop-source-data
    subdirectory:
      description: The prefix, without leading or trailing C(/).
      type: str
      sample: incoming
    s3_storage_class:
      description: Storage class for objects written to the bucket.
      type: str
      sample: STANDARD
    s3_config:
      description: Access configuration.
      type: dict
      contains:
        bucket_access_role_arn:
          description: The role DataSync assumes.
          type: str
    agent_arns:
      description: Outposts agents, when any.
      type: list
      elements: str
    creation_time:
      description: When the location was created.
      type: str
    tags:
      description: The location's tags.
      type: dict
      sample: {"Name": "lakedrop-source"}
replaced:
  description: Whether the location was deleted and created again (O(allow_replacement=true)).
  returned: always
  type: bool
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import location_s3
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run

ARGUMENT_SPEC = dict(
    state=dict(type="str", choices=["present", "absent"], default="present"),
    bucket=dict(type="str"),
    subdirectory=dict(type="str", default=""),
    bucket_access_role_arn=dict(type="str"),
    storage_class=dict(type="str", choices=location_s3.STORAGE_CLASSES),
    agent_arns=dict(type="list", elements="str"),
    location_arn=dict(type="str"),
    allow_replacement=dict(type="bool", default=False),
    propagation_timeout=dict(type="int", default=120),
    tags=dict(type="dict", aliases=["resource_tags"]),
    purge_tags=dict(type="bool", default=True),
)


def main():
    module = AnsibleAWSModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    run(module, location_s3.run, location_s3.validate)


if __name__ == "__main__":
    main()
