# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # Options every lakedrop.delivery resource module shares with the same meaning.
    DOCUMENTATION = r"""
options: {}
notes:
  - Part of the lakedrop.delivery collection; see its README for the deployment these modules serve.
"""

    # Resources with fields AWS cannot change in place.
    REPLACEMENT = r"""
options:
  allow_replacement:
    description:
      - What to do when a field that AWS cannot change in place differs from the existing resource.
      - When V(false), the module fails and names each such field with its current and desired value;
        nothing is changed.
      - When V(true), the module replaces the resource create-before-delete. It creates the new one
        first and deletes the old one only once the new one exists, so when AWS refuses the new resource
        the old one still works. This is the collection's one replacement policy; it applies to every
        module with this option (DataSync S3 and EFS locations, DataSync tasks, EFS access points), all
        of which AWS allows to exist twice side by side. Anything that refers to the old ARN or ID (for
        example a DataSync task using a location) must be updated afterwards.
    type: bool
    default: false
"""

    # Resources whose creation AWS validates against IAM roles and policies.
    PROPAGATION = r"""
options:
  propagation_timeout:
    description:
      - Seconds to keep retrying when AWS rejects a create or update because an IAM role or policy
        written moments earlier has not propagated yet (DataSync tests access when a location is
        created or updated).
    type: int
    default: 120
"""

    # RETURN: the shape of an access point, as efs_access_point returns it. A module's own RETURN entry
    # (access_point) gives description, returned and type; this adds what it contains.
    ACCESS_POINT_RETURN = r"""
access_point:
  contains:
    access_point_id:
      description: ID of the access point (null in check mode when efs_access_point would create it).
      type: str
      sample: fsap-0123456789abcdef0
    access_point_arn:
      description: ARN of the access point.
      type: str
      sample: arn:aws:elasticfilesystem:eu-west-1:222222222222:access-point/fsap-0123456789abcdef0
    file_system_id:
      description: ID of the file system.
      type: str
      sample: fs-0123456789abcdef0
    name:
      description: The C(Name) tag (null when it has none).
      type: str
      sample: lakedrop-delivery
    posix_user:
      description: The enforced POSIX user; null when the access point has none.
      type: dict
      contains:
        uid:
          description: User ID.
          type: int
          sample: 1000
        gid:
          description: Primary group ID.
          type: int
          sample: 1000
        secondary_gids:
          description: Secondary group IDs.
          type: list
          elements: int
          sample: [2000]
    root_directory:
      description: The directory exposed as the access point's root.
      type: dict
      contains:
        path:
          description: Path in the file system.
          type: str
          sample: /lake
        creation_info:
          description: How EFS creates the path if missing; null when the access point has none.
          type: dict
          contains:
            owner_uid:
              description: Owner user ID.
              type: int
              sample: 1000
            owner_gid:
              description: Owner group ID.
              type: int
              sample: 1000
            permissions:
              description: Mode, as octal digits (as AWS stores them).
              type: str
              sample: "0750"
    life_cycle_state:
      description: C(creating), C(available), C(updating), C(deleting), C(deleted) or C(error).
      type: str
      sample: available
    owner_id:
      description: AWS account that owns the access point.
      type: str
      sample: "222222222222"
    tags:
      description: The access point's tags, C(Name) included.
      type: dict
      sample: {"Name": "lakedrop-delivery", "team": "data"}
"""

    # The file system an EFS setting module (policy, lifecycle, throughput mode) works on.
    FILE_SYSTEM = r"""
options:
  file_system:
    description:
      - The file system, as an ID (V(fs-0123456789abcdef0)) or a file system ARN (of the module's region).
        It must exist.
    type: str
    required: true
"""


# efs_access_point_info lists the same shape under access_points: one text, not two copies. Assigned
# outside the class body because ansible-test's yamllint reads each class attribute as a string literal.
ModuleDocFragment.ACCESS_POINTS_RETURN = ModuleDocFragment.ACCESS_POINT_RETURN.replace(
    "\naccess_point:\n", "\naccess_points:\n", 1
)
