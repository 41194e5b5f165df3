# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DataSync task `Options`: the module's snake_case fields, their API names and enums, and the
combinations the DataSync guide documents as invalid — checked before any call."""

# option name -> (API key, allowed values or None for integers)
FIELDS = {
    "verify_mode": ("VerifyMode", ["POINT_IN_TIME_CONSISTENT", "ONLY_FILES_TRANSFERRED", "NONE"]),
    "overwrite_mode": ("OverwriteMode", ["ALWAYS", "NEVER"]),
    "atime": ("Atime", ["NONE", "BEST_EFFORT"]),
    "mtime": ("Mtime", ["NONE", "PRESERVE"]),
    "uid": ("Uid", ["NONE", "INT_VALUE", "NAME", "BOTH"]),
    "gid": ("Gid", ["NONE", "INT_VALUE", "NAME", "BOTH"]),
    "preserve_deleted_files": ("PreserveDeletedFiles", ["PRESERVE", "REMOVE"]),
    "preserve_devices": ("PreserveDevices", ["NONE", "PRESERVE"]),
    "posix_permissions": ("PosixPermissions", ["NONE", "PRESERVE"]),
    "bytes_per_second": ("BytesPerSecond", None),
    "task_queueing": ("TaskQueueing", ["ENABLED", "DISABLED"]),
    "log_level": ("LogLevel", ["OFF", "BASIC", "TRANSFER"]),
    "transfer_mode": ("TransferMode", ["CHANGED", "ALL"]),
    "security_descriptor_copy_flags": ("SecurityDescriptorCopyFlags", ["NONE", "OWNER_DACL", "OWNER_DACL_SACL"]),
    "object_tags": ("ObjectTags", ["PRESERVE", "NONE"]),
    "object_metadata": ("ObjectMetadata", ["PRESERVE", "NONE"]),
}


def argument_spec():
    """The `options` suboptions, generated so the spec and the API mapping cannot drift apart."""
    spec = {}
    for name, (_key, choices) in FIELDS.items():
        spec[name] = {"type": "int"} if choices is None else {"type": "str", "choices": choices}
    return spec


def to_api(options):
    """snake_case options (None = not managed) -> the API's Options dict."""
    return dict((FIELDS[name][0], value) for name, value in (options or {}).items() if value is not None)


def from_api(api_options):
    keys = dict((key, name) for name, (key, _choices) in FIELDS.items())
    return dict((keys[key], value) for key, value in (api_options or {}).items() if key in keys)


# Values DataSync documents as the defaults of a new basic-mode task: a create is judged against them.
DEFAULTS = {
    "atime": "BEST_EFFORT",
    "mtime": "PRESERVE",
    "preserve_deleted_files": "PRESERVE",
    "preserve_devices": "NONE",
    "transfer_mode": "CHANGED",
}


def problems(options, option="options", task_mode="BASIC", destination_type=None, effective=None, source_type=None):
    """Invalid combinations, per the DataSync guide. `effective` is the merged view (current task
    options, or DEFAULTS for a new task, overlaid with the desired ones) so a change is judged with
    what it will sit beside. `task_mode=None` (not known yet) skips the mode-specific rules."""
    given = dict((k, v) for k, v in (options or {}).items() if v is not None)
    merged = dict((k, v) for k, v in (effective or {}).items() if v is not None)
    merged.update(given)

    def show(name):
        """`name VALUE`, saying where VALUE comes from when the user did not set it."""
        if name in given:
            return f"{name} {merged[name]}"
        return f"{name} {merged[name]} (the task's current or default value; set {option}.{name} to change it)"

    found = []
    bps = merged.get("bytes_per_second")
    if bps is not None and bps < -1:
        found.append(f"{option}.bytes_per_second must be -1 (unlimited) or a positive number of bytes, not {bps}.")
    if bps == 0:
        found.append(f"{option}.bytes_per_second 0 would stop the transfer; use -1 for unlimited.")
    atime, mtime = merged.get("atime"), merged.get("mtime")
    concerned = set(given) & {"atime", "mtime"} or not effective
    # BEST_EFFORT with mtime NONE is wrong in either mode (ENHANCED refuses mtime NONE outright).
    if task_mode in ("BASIC", None) and concerned and atime == "BEST_EFFORT" and mtime == "NONE":
        found.append(f"{option}: {show('atime')} requires mtime PRESERVE, but it is {show('mtime')}.")
    if task_mode == "BASIC" and concerned:
        if atime == "NONE" and mtime == "PRESERVE":
            found.append(f"{option}: {show('atime')} requires mtime NONE, but it is {show('mtime')}.")
    if merged.get("preserve_deleted_files") == "REMOVE" and merged.get("transfer_mode") == "ALL":
        if set(given) & {"preserve_deleted_files", "transfer_mode"} or not effective:
            found.append(f"{option}: {show('preserve_deleted_files')} cannot be combined with {show('transfer_mode')}.")
    # botocore's Options.PreserveDevices: "PRESERVE ... currently isn't supported for Amazon EFS" (either side).
    efs_sides = [side for side, kind in (("source", source_type), ("destination", destination_type)) if kind == "EFS"]
    if efs_sides and merged.get("preserve_devices") == "PRESERVE":
        found.append(
            f"{option}: {show('preserve_devices')} is not supported when the {' and the '.join(efs_sides)} "
            f"{'is an EFS location' if len(efs_sides) == 1 else 'are EFS locations'}."
        )
    if task_mode == "ENHANCED":
        if merged.get("verify_mode") == "POINT_IN_TIME_CONSISTENT":
            found.append(
                f"{option}: task_mode ENHANCED does not support {show('verify_mode')}; use ONLY_FILES_TRANSFERRED or NONE."
            )
        if mtime == "NONE":
            found.append(f"{option}: task_mode ENHANCED does not support {show('mtime')}.")
    return found
