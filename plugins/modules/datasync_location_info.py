#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
---
module: datasync_location_info
short_description: List AWS DataSync locations with their details
version_added: 0.1.0
description:
  - Lists the DataSync locations of the account and region, optionally filtered, with what DataSync's
    Describe calls leave out filled in from the URI (bucket or file system, subdirectory) and with
    their tags.
  - Amazon S3 and Amazon EFS locations come with their full details, in the shape that
    M(lakedrop.delivery.datasync_location_s3) and M(lakedrop.delivery.datasync_location_efs) return.
    Locations of other types are listed with their ARN, URI, type, subdirectory and tags only.
  - Filters are combined (a location must pass all of them). The URI and type filters are sent to
    C(ListLocations) where DataSync can apply them; every filter is also checked by the module.
author:
  - Lakedrop Delivery Maintainers (@lakedrop)
options:
  location_arns:
    description: Only these locations. ARNs that do not exist are left out of the result, not an error.
    type: list
    elements: str
  location_uri:
    description:
      - Only locations with exactly this URI, for example V(s3://my-bucket/incoming/) or
        V(efs://eu-west-1.fs-0123456789abcdef0/lake/). A trailing C(/) makes no difference.
    type: str
  location_type:
    description:
      - Only locations of this type, the upper-cased scheme of their URI (V(S3), V(EFS), V(NFS),
        V(SMB), V(HDFS), ...). Case does not matter.
    type: str
  bucket:
    description: Only S3 locations of this bucket (a name, a bucket ARN or an S3 access point ARN).
    type: str
  file_system:
    description: Only EFS locations of this file system (an ID or an ARN).
    type: str
  subdirectory:
    description:
      - Only locations with this subdirectory. C(sub/), C(/sub) and C(sub) are the same; V("") is the
        root.
    type: str
  tags:
    description: Only locations that carry all these tags with these values.
    type: dict
extends_documentation_fragment:
  - lakedrop.delivery.lakedrop
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Never changes anything; supports check mode.
"""

EXAMPLES = r"""
- name: All DataSync locations of the account and region
  lakedrop.delivery.datasync_location_info:
  register: all_locations

- name: The EFS locations of one file system
  lakedrop.delivery.datasync_location_info:
    file_system: fs-0123456789abcdef0
  register: efs_locations

- name: The location of a prefix of the source bucket, found by its URI
  lakedrop.delivery.datasync_location_info:
    location_uri: s3://lakedrop-source-data/incoming
  register: source_location

- name: Locations this deployment tagged
  lakedrop.delivery.datasync_location_info:
    location_type: S3
    tags:
      app: lakedrop
  register: tagged_locations
"""

RETURN = r"""
locations:
  description: The locations that pass every filter, ordered by URI.
  returned: always
  type: list
  elements: dict
  contains:
    location_arn:
      description: ARN of the location.
      type: str
      sample: arn:aws:datasync:eu-west-1:222222222222:location/loc-0123456789abcdef0
    location_uri:
      description: DataSync's URI of the location.
      type: str
      sample: s3://lakedrop-source-data/incoming/
    type:
      description: The upper-cased scheme of the URI.
      type: str
      sample: S3
    subdirectory:
      description: The subdirectory, without leading or trailing C(/).
      type: str
      sample: incoming
    tags:
      description: The location's tags.
      type: dict
      sample: {"app": "lakedrop"}
    bucket_name:
      description: S3 only. The bucket, parsed from the URI.
      type: str
      returned: for S3 locations
    bucket_arn:
      description: S3 only. The bucket's ARN, derived from its name.
      type: str
      returned: for S3 locations
    s3_storage_class:
      description: S3 only. Storage class of objects DataSync writes.
      type: str
      returned: for S3 locations
    s3_config:
      description: S3 only. Contains C(bucket_access_role_arn), the role DataSync assumes.
      type: dict
      returned: for S3 locations
    agent_arns:
      description: S3 on Outposts only. The agents.
      type: list
      elements: str
      returned: when the location has agents
    file_system_id:
      description: EFS only. The file system, parsed from the URI.
      type: str
      returned: for EFS locations
      sample: fs-0123456789abcdef0
    file_system_arn:
      description: EFS only. The file system's ARN, derived from the URI and the location ARN's account.
      type: str
      returned: for EFS locations
    ec2_config:
      description: EFS only. Contains C(subnet_arn) and C(security_group_arns).
      type: dict
      returned: for EFS locations
    access_point_arn:
      description: EFS only. The access point, or null.
      type: str
      returned: for EFS locations
    file_system_access_role_arn:
      description: EFS only. The role DataSync assumes to access the file system, or null.
      type: str
      returned: for EFS locations
    in_transit_encryption:
      description: EFS only. V(NONE) or V(TLS1_2).
      type: str
      returned: for EFS locations
    creation_time:
      description: S3 and EFS only. When the location was created.
      type: str
      returned: for S3 and EFS locations
"""

from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import location_info
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run

ARGUMENT_SPEC = dict(
    location_arns=dict(type="list", elements="str"),
    location_uri=dict(type="str"),
    location_type=dict(type="str"),
    bucket=dict(type="str"),
    file_system=dict(type="str"),
    subdirectory=dict(type="str"),
    tags=dict(type="dict"),
)


def main():
    module = AnsibleAWSModule(
        argument_spec=ARGUMENT_SPEC, supports_check_mode=True, mutually_exclusive=[["bucket", "file_system"]]
    )
    run(module, location_info.run, location_info.validate)


if __name__ == "__main__":
    main()
