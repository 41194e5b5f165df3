#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
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
extends_documentation_fragment: [lakedrop.delivery.lakedrop, amazon.aws.common.modules, amazon.aws.region.modules, amazon.aws.boto3]
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
  description:
    - The locations that pass every filter, ordered by URI.
    - S3 and EFS locations in the shape that M(lakedrop.delivery.datasync_location_s3) and
      M(lakedrop.delivery.datasync_location_efs) return, with their C(type); other locations with what
      every location has.
extends_documentation_fragment: [lakedrop.delivery.lakedrop.locations_return]
"""

from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop import location_info
from ansible_collections.lakedrop.delivery.plugins.module_utils._lakedrop.runner import run_module

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
    run_module(ARGUMENT_SPEC, location_info.run, location_info.validate, mutually_exclusive=[["bucket", "file_system"]])


if __name__ == "__main__":
    main()
