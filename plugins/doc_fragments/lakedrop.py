# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

import re


class ModuleDocFragment:
    # What every lakedrop.delivery module shares.
    DOCUMENTATION = r"""
options: {}
author:
  - Lakedrop Delivery Maintainers (@lakedrop)
notes:
  - Part of the lakedrop.delivery collection; see its README for the deployment these modules serve.
"""

    # Resource modules whose second run with the same arguments writes nothing.
    IDEMPOTENT = r"""
options: {}
notes:
  - Supports check mode and diff mode. A second run with the same arguments makes no write call.
"""

    # Modules that run on the controller as action plugins and only read variables.
    CONTROLLER = r"""
options: {}
attributes:
  check_mode:
    support: full
    description: Reads variables only.
  diff_mode:
    support: none
    description: Changes nothing.
  platform:
    support: full
    platforms: all
    description: Runs on the controller (an action plugin).
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

    # The two DataSync location modules: how a location is pinned.
    LOCATION = r"""
options:
  state:
    description: Whether the location should exist.
    type: str
    choices: [present, absent]
    default: present
  location_arn:
    description:
      - ARN of the location to manage. Pins the identity, so that the subdirectory can be changed in place
        and the bucket or file system compared. The location must exist when given with O(state=present).
    type: str
"""

    # What every EFS setting module (policy, lifecycle, throughput mode) shares: the file system it works
    # on, and how check mode serves to read the setting.
    EFS_SETTING = r"""
options:
  file_system:
    description:
      - The file system, as an ID (V(fs-0123456789abcdef0)) or a file system ARN (of the module's region).
        It must exist.
    type: str
    required: true
notes:
  - Run in check mode with the expected arguments, the module changes nothing and C(changed) says whether the
    file system's setting differs from them, which makes it a check of the file system.
"""

    # The options of a DataSync task (datasync_task's O(options)); OVERRIDE_OPTIONS below gives the same
    # text for datasync_task_execution's O(override_options). A module's own entry gives its description
    # and type; this adds the suboptions.
    TASK_OPTIONS = r"""
options:
  options:
    suboptions:
      verify_mode:
        description: How DataSync checks data integrity after the transfer.
        type: str
        choices: [POINT_IN_TIME_CONSISTENT, ONLY_FILES_TRANSFERRED, NONE]
      overwrite_mode:
        description: Whether DataSync overwrites files at the destination.
        type: str
        choices: [ALWAYS, NEVER]
      atime:
        description: Whether to preserve access times. V(BEST_EFFORT) needs O(options.mtime=PRESERVE), V(NONE) needs O(options.mtime=NONE).
        type: str
        choices: [NONE, BEST_EFFORT]
      mtime:
        description: Whether to preserve modification times. V(NONE) needs O(options.atime=NONE).
        type: str
        choices: [NONE, PRESERVE]
      uid:
        description: How file owner user IDs are copied.
        type: str
        choices: [NONE, INT_VALUE, NAME, BOTH]
      gid:
        description: How file owner group IDs are copied.
        type: str
        choices: [NONE, INT_VALUE, NAME, BOTH]
      preserve_deleted_files:
        description:
          - Whether files deleted at the source are kept (V(PRESERVE)) or removed (V(REMOVE)) at the destination.
          - V(REMOVE) cannot go with O(options.transfer_mode=ALL).
        type: str
        choices: [PRESERVE, REMOVE]
      preserve_devices:
        description: Whether to copy device and special files. V(PRESERVE) is not supported with an EFS destination.
        type: str
        choices: [NONE, PRESERVE]
      posix_permissions:
        description: Whether to copy POSIX permissions.
        type: str
        choices: [NONE, PRESERVE]
      bytes_per_second:
        description: Bandwidth limit in bytes per second; V(-1) is unlimited.
        type: int
      task_queueing:
        description: Whether an execution queues while another execution of the task runs.
        type: str
        choices: [ENABLED, DISABLED]
      log_level:
        description: What DataSync writes to the task's CloudWatch log group.
        type: str
        choices: ["OFF", BASIC, TRANSFER]
      transfer_mode:
        description: Copy only changed data (V(CHANGED)) or everything (V(ALL)).
        type: str
        choices: [CHANGED, ALL]
      security_descriptor_copy_flags:
        description: SMB security descriptors to copy.
        type: str
        choices: [NONE, OWNER_DACL, OWNER_DACL_SACL]
      object_tags:
        description: Whether to copy object tags between object storage locations.
        type: str
        choices: [PRESERVE, NONE]
      object_metadata:
        description: Whether to copy object metadata between object storage locations.
        type: str
        choices: [PRESERVE, NONE]
"""

    # RETURN: what a module with O(allow_replacement) says of a replacement.
    REPLACEMENT_RETURN = r"""
replaced:
  description: Whether a new resource replaced the old one (O(allow_replacement=true)).
  returned: always
  type: bool
"""

    # RETURN: the file system an EFS setting module worked on.
    FILE_SYSTEM_RETURN = r"""
file_system_id:
  description: ID of the file system.
  returned: always
  type: str
  sample: fs-0123456789abcdef0
"""

    # RETURN: an access point, as efs_access_point returns it (efs_access_point_info lists it as
    # ACCESS_POINTS_RETURN). The module's own RETURN entry (access_point) says what it is; this gives its shape.
    ACCESS_POINT_RETURN = r"""
access_point:
  returned: always
  type: dict
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

    # RETURN: a task, as datasync_task returns it (datasync_task_info lists it as TASKS_RETURN).
    TASK_RETURN = r"""
task:
  returned: always
  type: dict
  contains:
    task_arn:
      description: ARN of the task (null in check mode when datasync_task would create it).
      type: str
      sample: arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0
    name:
      description: The task's name.
      type: str
      sample: lakedrop-s3-to-efs
    status:
      description: C(AVAILABLE), C(CREATING), C(QUEUED), C(RUNNING) or C(UNAVAILABLE).
      type: str
      sample: AVAILABLE
    source_location_arn:
      description: The source location.
      type: str
    destination_location_arn:
      description: The destination location.
      type: str
    cloudwatch_log_group_arn:
      description: The log group, or null.
      type: str
    options:
      description: All of the task's options as DataSync reports them (snake_case keys, as in O(lakedrop.delivery.datasync_task#module:options)).
      type: dict
      sample: {"verify_mode": "ONLY_FILES_TRANSFERRED", "overwrite_mode": "ALWAYS", "log_level": "BASIC"}
    includes:
      description: Include patterns, one per item.
      type: list
      elements: str
      sample: ["/incoming/daily*"]
    excludes:
      description: Exclude patterns, one per item.
      type: list
      elements: str
      sample: ["*.tmp", "*/_temporary"]
    schedule:
      description: The schedule, or null when the task has none.
      type: dict
      contains:
        expression:
          description: The rate or cron expression.
          type: str
          sample: cron(5 * * * ? *)
        enabled:
          description: Whether the schedule is active.
          type: bool
    schedule_details:
      description: DataSync's account of the schedule's status, or null.
      type: dict
      contains:
        disabled_by:
          description: C(USER) or C(SERVICE) (DataSync disabled it after repeated failures), when disabled.
          type: str
        disabled_reason:
          description: Why it is disabled.
          type: str
        status_update_time:
          description: When the status last changed.
          type: str
    schedule_disabled_by_service:
      description: Whether DataSync itself disabled the schedule (it stays disabled until re-enabled).
      type: bool
    task_mode:
      description: C(BASIC) or C(ENHANCED).
      type: str
    task_report_config:
      description: Task report settings (snake_case keys, as in O(lakedrop.delivery.datasync_task#module:task_report_config)), or null.
      type: dict
    creation_time:
      description: When the task was created.
      type: str
    current_task_execution_arn:
      description: The execution running now, if any.
      type: str
    error_code:
      description: Why the task is unavailable, if it is.
      type: str
    error_detail:
      description: Details of the error code.
      type: str
    tags:
      description: The task's tags.
      type: dict
      sample: {"project": "lakedrop"}
"""

    # RETURN: a task execution, as datasync_task_execution returns it (datasync_task_execution_info lists it as
    # EXECUTIONS_RETURN).
    EXECUTION_RETURN = r"""
execution:
  returned: always
  type: dict
  contains:
    task_execution_arn:
      description: ARN of the execution.
      type: str
      sample: arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0/execution/exec-0123456789abcdef0
    task_arn:
      description: ARN of its task.
      type: str
      sample: arn:aws:datasync:eu-west-1:222222222222:task/task-0123456789abcdef0
    status:
      description: C(QUEUED), C(LAUNCHING), C(PREPARING), C(TRANSFERRING), C(VERIFYING), C(CANCELLING), C(SUCCESS) or C(ERROR).
      type: str
      sample: SUCCESS
    task_mode:
      description: C(BASIC) or C(ENHANCED).
      type: str
    includes:
      description: The include patterns of the execution.
      type: list
      elements: str
      sample: ["/releases/2024-06/"]
    excludes:
      description: The exclude patterns of the execution.
      type: list
      elements: str
    options:
      description: The options the execution runs with (the task's, with the overrides applied), snake_case.
      type: dict
      sample: {"verify_mode": "NONE", "transfer_mode": "ALL"}
    start_time:
      description: When the execution was started.
      type: str
    launch_time:
      description: When DataSync began running it (after any queueing).
      type: str
    end_time:
      description: When it finished.
      type: str
    result:
      description: DataSync's result of each phase.
      type: dict
      contains:
        prepare_status:
          description: C(PENDING), C(SUCCESS) or C(ERROR).
          type: str
        transfer_status:
          description: C(PENDING), C(SUCCESS) or C(ERROR).
          type: str
        verify_status:
          description: C(PENDING), C(SUCCESS) or C(ERROR).
          type: str
        error_code:
          description: DataSync's error code when the execution failed (C(OpCancelled) when cancelled).
          type: str
        error_detail:
          description: DataSync's explanation of the error.
          type: str
        prepare_duration:
          description: Milliseconds spent preparing.
          type: int
        transfer_duration:
          description: Milliseconds spent transferring.
          type: int
        verify_duration:
          description: Milliseconds spent verifying.
          type: int
        total_duration:
          description: Milliseconds from launch to end.
          type: int
    counters:
      description:
        - DataSync's counters, snake_case; which appear depends on the task mode.
      type: dict
      sample: {"estimated_files_to_transfer": 2, "files_transferred": 2, "bytes_transferred": 3, "bytes_written": 3,
               "files_verified": 2, "files_skipped": 0, "files_deleted": 0}
    tags:
      description: The execution's tags (C(lakedrop:run-id) among them when O(lakedrop.delivery.datasync_task_execution#module:run_id) was given).
      type: dict
      sample: {"lakedrop:run-id": "release-2024-06"}
"""


# Fragments made of the ones above or of the pieces below. They are assigned outside the class body because
# ansible-test's yamllint reads each class attribute as a string literal.


def _renamed(fragment, old, new):
    """`fragment` with its first top-level key `old` renamed to `new`."""
    return fragment.replace(f"\n{old}:\n", f"\n{new}:\n", 1)


def _listed(fragment, old, new):
    """`fragment`, whose `old` is a dict returned always, with a list `new` of such dicts instead."""
    single = f"\n{old}:\n  returned: always\n  type: dict\n"
    return fragment.replace(single, f"\n{new}:\n  returned: always\n  type: list\n  elements: dict\n", 1)


# The info modules list what the resource modules return: one text, not two copies.
ModuleDocFragment.ACCESS_POINTS_RETURN = _listed(ModuleDocFragment.ACCESS_POINT_RETURN, "access_point", "access_points")
ModuleDocFragment.TASKS_RETURN = _listed(ModuleDocFragment.TASK_RETURN, "task", "tasks")
ModuleDocFragment.EXECUTIONS_RETURN = _listed(ModuleDocFragment.EXECUTION_RETURN, "execution", "executions")
# datasync_task_execution overrides the same options for one execution.
ModuleDocFragment.OVERRIDE_OPTIONS = _renamed(
    ModuleDocFragment.TASK_OPTIONS, "  options", "  override_options"
).replace("O(options.", "O(override_options.")

# The entries of a DataSync location (`contains` of datasync_location_s3's and datasync_location_efs's
# location, of datasync_location_info's locations): those of every location, then those of S3 and EFS ones.
_LOCATION = r"""
    location_arn:
      description: ARN of the location (null in check mode when the location module would create it).
      type: str
      sample: arn:aws:datasync:eu-west-1:222222222222:location/loc-0123456789abcdef0
    location_uri:
      description: DataSync's URI of the location, for example C(s3://lakedrop-source-data/incoming/) or
        C(efs://eu-west-1.fs-0123456789abcdef0/incoming/).
      type: str
    tags:
      description: The location's tags.
      type: dict
      sample: {"Name": "lakedrop-source"}
    subdirectory:
      description: The subdirectory (an S3 prefix, an EFS directory), without leading or trailing C(/).
      type: str
      sample: incoming
"""
_CREATED = r"""
    creation_time:
      description: When the location was created (null in check mode when the location module would create it).
      type: str
"""
_S3_LOCATION = r"""
    bucket_name:
      description: The bucket, parsed from the URI (DataSync does not return it).
      type: str
      sample: lakedrop-source-data
    bucket_arn:
      description: The bucket's ARN, derived from its name.
      type: str
      sample: arn:aws:s3:::lakedrop-source-data
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
"""
_EFS_LOCATION = r"""
    file_system_id:
      description: The file system, parsed from the URI (DataSync does not return it).
      type: str
      sample: fs-0123456789abcdef0
    file_system_arn:
      description: The file system's ARN, derived from the URI's region and file system ID and the
        location ARN's account.
      type: str
      sample: arn:aws:elasticfilesystem:eu-west-1:222222222222:file-system/fs-0123456789abcdef0
    ec2_config:
      description: Where DataSync mounts the file system from.
      type: dict
      contains:
        subnet_arn:
          description: The subnet's ARN.
          type: str
          sample: arn:aws:ec2:eu-west-1:222222222222:subnet/subnet-0123456789abcdef0
        security_group_arns:
          description: The security groups' ARNs.
          type: list
          elements: str
          sample: ["arn:aws:ec2:eu-west-1:222222222222:security-group/sg-0123456789abcdef0"]
    access_point_arn:
      description: The access point's ARN, or null.
      type: str
      sample: arn:aws:elasticfilesystem:eu-west-1:222222222222:access-point/fsap-0123456789abcdef0
    file_system_access_role_arn:
      description: The role DataSync assumes to access the file system, or null.
      type: str
    in_transit_encryption:
      description: V(NONE) or V(TLS1_2).
      type: str
      sample: TLS1_2
"""
_TYPE = r"""
    type:
      description: The upper-cased scheme of the URI (V(S3), V(EFS), V(NFS), ...).
      type: str
      sample: S3
"""


def _returned(entries, returned):
    """`entries` (of a `contains`) each with `returned: <returned>`."""
    return re.sub(r"(?m)^(    \w+:)$", rf"\1\n      returned: {returned}", entries)


# What datasync_location_s3 and datasync_location_efs return (REPLACEMENT_RETURN besides).
_RESULT = r"""
location:
  description: The location after the module ran (in check mode, what it would be). Empty when absent.
  returned: always
  type: dict
  contains:"""
ModuleDocFragment.LOCATION_S3_RETURN = _RESULT + _LOCATION + _CREATED + _S3_LOCATION
ModuleDocFragment.LOCATION_EFS_RETURN = _RESULT + _LOCATION + _CREATED + _EFS_LOCATION
ModuleDocFragment.LOCATIONS_RETURN = (
    "\nlocations:\n  returned: always\n  type: list\n  elements: dict\n  contains:"
    + _LOCATION
    + _TYPE
    + _returned(_CREATED, "for S3 and EFS locations")
    + _returned(_S3_LOCATION, "for S3 locations")
    + _returned(_EFS_LOCATION, "for EFS locations")
)
