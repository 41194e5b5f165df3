#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
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
options:
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
extends_documentation_fragment: [lakedrop.delivery.lakedrop, lakedrop.delivery.lakedrop.location, lakedrop.delivery.lakedrop.idempotent,
  lakedrop.delivery.lakedrop.replacement, lakedrop.delivery.lakedrop.propagation, amazon.aws.common.modules,
  amazon.aws.region.modules, amazon.aws.tags, amazon.aws.boto3]
notes:
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
extends_documentation_fragment: [lakedrop.delivery.lakedrop.location_s3_return, lakedrop.delivery.lakedrop.replacement_return]
"""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import fragments
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import location_s3
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run_module

ARGUMENT_SPEC = dict(
    bucket=dict(type="str"),
    subdirectory=dict(type="str", default=""),
    bucket_access_role_arn=dict(type="str"),
    storage_class=dict(type="str", choices=location_s3.STORAGE_CLASSES),
    agent_arns=dict(type="list", elements="str"),
    **fragments.LOCATION,
    **fragments.REPLACEMENT,
    **fragments.PROPAGATION,
    **fragments.TAGS,
)


def main():
    run_module(ARGUMENT_SPEC, location_s3.run, location_s3.validate)


if __name__ == "__main__":
    main()
