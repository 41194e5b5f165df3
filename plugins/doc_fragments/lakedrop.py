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
      - When V(true), the module replaces the resource, create-before-delete; it creates the new one
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
