# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic of EFS access points: argument checks with messages a person can act on, the module's
return shape, comparison of create-only fields, the Name tag as identity, and the client token."""

import hashlib
import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags

from . import arns
from .changes import Changes

MAX_POSIX_ID = 4294967295  # EFS accepts 0 .. 2**32 - 1 for every uid and gid
MAX_SECONDARY_GIDS = 16
MAX_PATH = 100
MAX_PATH_DEPTH = 4
MAX_TAGS = 50
PATH_FORBIDDEN = set("$#<>;`|&?{}^*\n")
PERMISSIONS_RE = re.compile(r"^[0-7]{3,4}$")
# Letters, digits, spaces and _ . : / = + - @ (AWS's tag pattern; \w stands in for its unicode classes).
TAG_RE = re.compile(r"^[\w\s.:/=+\-@]*$")
GONE = ("deleting", "deleted")


# --- validation (before any call) --------------------------------------------------------------------


def _id_or_arn_problem(value, kind, option, example):
    problem = arns.check(value, kind, option, allow_id=True)
    # Any lowercase word looks like a bucket name to arns; saying so would mislead here.
    if problem and arns.kind_of(value) in (None, "s3_bucket_id"):
        return f"{option} must be an ID such as {example} or {arns.SHAPES[kind][1]}, got {value!r}."
    return problem


def file_system_problem(value, option="file_system"):
    return _id_or_arn_problem(value, "efs_file_system", option, "fs-0123456789abcdef0")


def access_point_id_problem(value, option="access_point_id"):
    return _id_or_arn_problem(value, "efs_access_point", option, "fsap-0123456789abcdef0")


def region_problem(value, region, option):
    """An ARN from another region names a resource this module's client cannot see."""
    if arns.is_arn(value) and region and arns.arn_parts(value)[2] != region:
        return (
            f"{option} {value} is in region {arns.arn_parts(value)[2]}, but the module runs in {region}; "
            f"set region: {arns.arn_parts(value)[2]} or pass a resource of {region}."
        )
    return None


def reference_problems(params, region):
    """Shape, then region, of file_system and access_point_id (both modules)."""
    problems = []
    for option, check in (("file_system", file_system_problem), ("access_point_id", access_point_id_problem)):
        if params.get(option):
            problems.append(check(params[option]) or region_problem(params[option], region, option))
    return problems


def posix_id_problem(value, option):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POSIX_ID:
        return f"{option} must be an integer from 0 to {MAX_POSIX_ID}, got {value!r}."
    return None


def permissions_problem(value, option):
    """EFS wants the mode as a string of 3 or 4 octal digits. YAML reads an unquoted 0755 as the octal
    number 493, so an integer is refused rather than guessed at."""
    if isinstance(value, str):
        if PERMISSIONS_RE.match(value):
            return None
        return f'{option} must be 3 or 4 octal digits (0-7) such as "0755" or "750", got {value!r}.'
    if isinstance(value, int) and not isinstance(value, bool):
        hint = ""
        if 0 <= value <= 0o7777:
            hint = f" (if you wrote {'0' + format(value, 'o')} unquoted, YAML read it as the octal number {value})"
        return (
            f'{option} must be a quoted string such as "0755", got the integer {value}{hint}. Quote the mode: '
            f'permissions: "0755".'
        )
    return f'{option} must be a quoted string of 3 or 4 octal digits such as "0755", got {value!r}.'


def path_problem(value, option):
    """AWS's rules for an access point root directory: absolute, at most 100 characters and 4 levels."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.startswith("/"):
        return f"{option} must be an absolute path starting with '/', such as '/lake', got {value!r}."
    if len(value) > MAX_PATH:
        return f"{option} is {len(value)} characters long; EFS allows at most {MAX_PATH}."
    if value == "/":
        return None
    parts = normalize_path(value)[1:].split("/")
    if "" in parts:
        return f"{option} must not contain '//', got {value!r}."
    if len(parts) > MAX_PATH_DEPTH:
        return f"{option} has {len(parts)} levels ({value!r}); EFS allows at most {MAX_PATH_DEPTH} below '/'."
    dotted = [p for p in parts if p.startswith(".")]
    if dotted:
        return f"{option} must not have a component starting with '.', found {dotted[0]!r} in {value!r}."
    bad = sorted(set(value) & PATH_FORBIDDEN)
    if bad:
        return f"{option} must not contain any of $ # < > ; ` | & ? {{ }} ^ * or a newline, found {', '.join(repr(c) for c in bad)}."
    return None


def tags_problems(tags, name):
    problems = []
    if not tags:
        return problems
    if "Name" in tags:
        if name is None:
            problems.append(
                "tags must not set Name: the Name tag identifies the access point, set it with the name option."
            )
        elif tags["Name"] != name:
            problems.append(
                f"tags sets Name to {tags['Name']!r} but name is {name!r}; the Name tag is managed by the "
                "name option, drop Name from tags."
            )
    for key, value in tags.items():
        if key.lower().startswith("aws:"):
            problems.append(f"tags key {key!r} is not allowed: the aws: prefix is reserved for AWS.")
        elif not key or len(key) > 128 or not TAG_RE.match(key):
            problems.append(f"tags key {key!r} must be 1 to 128 letters, digits, spaces or _ . : / = + - @.")
        if not isinstance(value, str) or len(value) > 256 or not TAG_RE.match(value):
            problems.append(
                f"tags value of {key!r} must be a string of at most 256 letters, digits, spaces or _ . : / = + - @."
            )
    if len(set(tags) | {"Name"}) > MAX_TAGS:
        problems.append(f"tags has {len(tags)} entries; an access point can carry at most {MAX_TAGS} including Name.")
    return problems


def validate(params, region=None):
    """Every problem with efs_access_point's arguments; nothing is called before this is empty."""
    problems = []
    problems.extend(reference_problems(params, region))
    if not params["file_system"] and not params["access_point_id"]:
        problems.append("file_system is required unless access_point_id is given.")
    if params["name"] is not None:
        if not params["name"] or len(params["name"]) > 256 or not TAG_RE.match(params["name"]):
            problems.append(
                f"name must be 1 to 256 letters, digits, spaces or _ . : / = + - @ (it is the Name tag), "
                f"got {params['name']!r}."
            )
    elif not params["access_point_id"]:
        problems.append(
            "name is required unless access_point_id is given: the Name tag is how the module finds the "
            "access point again."
        )
    posix_user = params["posix_user"]
    if posix_user:
        for key in ("uid", "gid"):
            problems.append(posix_id_problem(posix_user.get(key), f"posix_user.{key}"))
        gids = posix_user.get("secondary_gids") or []
        if len(gids) > MAX_SECONDARY_GIDS:
            problems.append(
                f"posix_user.secondary_gids has {len(gids)} entries; EFS allows at most {MAX_SECONDARY_GIDS}."
            )
        for gid in gids:
            problems.append(posix_id_problem(gid, "posix_user.secondary_gids entry"))
    root = params["root_directory"]
    if root:
        problems.append(path_problem(root.get("path"), "root_directory.path"))
        info = root.get("creation_info")
        if info:
            for key in ("owner_uid", "owner_gid"):
                problems.append(posix_id_problem(info.get(key), f"root_directory.creation_info.{key}"))
            problems.append(permissions_problem(info.get("permissions"), "root_directory.creation_info.permissions"))
    problems.extend(tags_problems(params["tags"], params["name"]))
    if params["wait_timeout"] < 0:
        problems.append(f"wait_timeout must be 0 or more seconds, got {params['wait_timeout']}.")
    return [p for p in problems if p]


# --- shapes ----------------------------------------------------------------------------------------


def normalize_path(value):
    """`/lake/` and `/lake` are the same directory; AWS accepts only the latter."""
    value = value or "/"
    return value.rstrip("/") or "/"


def canonical_permissions(value):
    """`755` and `0755` are the same mode."""
    return format(int(value, 8), "04o")


def file_system_id(value):
    return arns.resource_id(value) if arns.is_arn(value) else value


def access_point_id(value):
    return arns.resource_id(value) if arns.is_arn(value) else value


def to_result(described):
    """An access point description in the module's snake_case return shape."""
    tags = boto3_tag_list_to_ansible_dict(described.get("Tags") or [])
    posix = described.get("PosixUser")
    root = described.get("RootDirectory") or {}
    info = root.get("CreationInfo")
    return {
        "access_point_id": described["AccessPointId"],
        "access_point_arn": described.get("AccessPointArn"),
        "file_system_id": described.get("FileSystemId"),
        # AWS reports the Name tag as Name; the tag is authoritative.
        "name": tags.get("Name", described.get("Name")),
        "posix_user": None
        if posix is None
        else {
            "uid": posix["Uid"],
            "gid": posix["Gid"],
            "secondary_gids": list(posix.get("SecondaryGids") or []),
        },
        "root_directory": {
            "path": root.get("Path") or "/",
            "creation_info": None
            if info is None
            else {
                "owner_uid": info["OwnerUid"],
                "owner_gid": info["OwnerGid"],
                "permissions": info["Permissions"],
            },
        },
        "life_cycle_state": described.get("LifeCycleState"),
        "owner_id": described.get("OwnerId"),
        "tags": tags,
    }


def is_live(access_point):
    """Neither being deleted nor gone (works on descriptions and results)."""
    state = access_point.get("LifeCycleState", access_point.get("life_cycle_state"))
    return state not in GONE


def named(results, name):
    """The live access points (results) whose Name tag is `name`."""
    return [r for r in results if is_live(r) and r["tags"].get("Name") == name]


def ambiguity_message(name, fs_id, ids):
    return (
        f"{len(ids)} access points of {fs_id} are named {name!r}: {', '.join(sorted(ids))}. Pass access_point_id "
        "to choose one (and delete or rename the others); the module never guesses."
    )


def select(results, tags):
    """Results carrying every tag in `tags` (info module filter)."""
    if not tags:
        return results
    return [r for r in results if all(r["tags"].get(k) == v for k, v in tags.items())]


# --- desired state and comparison ----------------------------------------------------------------


def desired_sections(params):
    """The create-only sections the arguments manage, normalized; omitted sections are left alone."""
    sections = {}
    posix = params.get("posix_user")
    if posix is not None:
        sections["posix_user"] = {
            "uid": posix["uid"],
            "gid": posix["gid"],
            "secondary_gids": sorted(posix.get("secondary_gids") or []),
        }
    root = params.get("root_directory")
    if root is not None:
        section = {"path": normalize_path(root.get("path"))}
        info = root.get("creation_info")
        if info is not None:
            section["creation_info"] = {
                "owner_uid": info["owner_uid"],
                "owner_gid": info["owner_gid"],
                "permissions": canonical_permissions(info["permissions"]),
            }
        sections["root_directory"] = section
    return sections


def current_sections(result, wanted):
    """The same sections of an existing access point (a to_result dict), in the same normalized shape."""
    sections = {}
    if "posix_user" in wanted:
        posix = result["posix_user"]
        sections["posix_user"] = None if posix is None else dict(posix, secondary_gids=sorted(posix["secondary_gids"]))
    if "root_directory" in wanted:
        root = result["root_directory"]
        section = {"path": normalize_path(root["path"])}
        if "creation_info" in wanted["root_directory"]:
            info = root["creation_info"]
            section["creation_info"] = (
                None if info is None else dict(info, permissions=canonical_permissions(info["permissions"]))
            )
        sections["root_directory"] = section
    return sections


def differences(before, after, prefix=""):
    """`field: current -> desired` for every leaf that differs, with dotted option names."""
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key in after:
            found.extend(differences(before.get(key), after[key], f"{prefix}.{key}" if prefix else key))
        return found
    return [] if before == after else [f"{prefix}: {before!r} -> {after!r}"]


def tag_plan(current, tags, purge, name):
    """(tags to set, keys to remove, resulting tags). Name follows `name`; without `name` it is left alone,
    so purge_tags can never strip the tag that identifies the access point."""
    desired = dict(tags or {})
    if name is not None:
        desired["Name"] = name
    if tags is None:
        purge = False
    to_set, to_remove = compare_aws_tags(current, desired, purge_tags=purge)
    to_set = dict(sorted(to_set.items()))  # compare_aws_tags goes through sets; keep requests stable
    to_remove = sorted(k for k in to_remove if name is not None or k != "Name")
    result = dict(current)
    result.update(to_set)
    for key in to_remove:
        result.pop(key, None)
    return to_set, to_remove, result


def compare(current, params, fs_id):
    """(in-place Changes, create-only Changes) between an existing access point and the arguments."""
    in_place, create_only = Changes(), Changes()
    if fs_id:
        create_only.add("file_system_id", current["file_system_id"], fs_id)
    wanted = desired_sections(params)
    have = current_sections(current, wanted)
    for section in wanted:
        create_only.add(section, have[section], wanted[section])
    _set, _remove, tags = tag_plan(current["tags"], params["tags"], params["purge_tags"], params["name"])
    in_place.add("tags", current["tags"], tags)
    return in_place, create_only


def replacement_message(access_point_id, create_only):
    diff = create_only.diff(only_changed=True)
    details = "; ".join(differences(diff["before"], diff["after"]))
    return (
        f"Access point {access_point_id} cannot be changed in place ({details}). EFS can only change an access "
        "point's tags; set allow_replacement=true to delete it and create it again (clients mounting it by ID "
        "must then use the new ID)."
    )


def desired_result(params, fs_id):
    """What a new access point will look like (check mode reports it without creating)."""
    wanted = desired_sections(params)
    root = wanted.get("root_directory", {"path": "/"})
    info = (params.get("root_directory") or {}).get("creation_info")
    posix = params.get("posix_user")
    _set, _remove, tags = tag_plan({}, params["tags"], True, params["name"])
    return {
        "access_point_id": None,
        "access_point_arn": None,
        "file_system_id": fs_id,
        "name": params["name"],
        "posix_user": None
        if posix is None
        else {
            "uid": posix["uid"],
            "gid": posix["gid"],
            "secondary_gids": list(posix.get("secondary_gids") or []),
        },
        "root_directory": {"path": root["path"], "creation_info": None if info is None else dict(info)},
        "life_cycle_state": None,
        "owner_id": None,
        "tags": tags,
    }


def client_token(fs_id, name, params, salt=None):
    """A deterministic ClientToken: a create retried with the same arguments can never make a second
    access point. The create-only sections are part of it, so a replacement (which changes them) gets a
    new token; `salt` (the ID an earlier token already names) sets a token free after a deletion."""
    material = json.dumps([fs_id, name, desired_sections(params), salt], sort_keys=True)
    return "lakedrop-" + hashlib.sha256(material.encode("utf-8")).hexdigest()[:48]


def create_params(params, fs_id, token):
    create = {"ClientToken": token, "FileSystemId": fs_id}
    wanted = desired_sections(params)
    if "posix_user" in wanted:
        posix = params["posix_user"]
        create["PosixUser"] = {"Uid": posix["uid"], "Gid": posix["gid"]}
        if posix.get("secondary_gids"):
            create["PosixUser"]["SecondaryGids"] = list(posix["secondary_gids"])
    if "root_directory" in wanted:
        create["RootDirectory"] = {"Path": wanted["root_directory"]["path"]}
        info = params["root_directory"].get("creation_info")
        if info is not None:
            create["RootDirectory"]["CreationInfo"] = {
                "OwnerUid": info["owner_uid"],
                "OwnerGid": info["owner_gid"],
                "Permissions": info["permissions"],
            }
    _set, _remove, tags = tag_plan({}, params["tags"], True, params["name"])
    if tags:
        create["Tags"] = ansible_dict_to_boto3_tag_list(tags)
    return create


def with_current(params, current):
    """The arguments with the sections they omit taken from `current`, so a replacement keeps what the
    arguments leave alone (a new root directory keeps the old POSIX user, the Name and the tags)."""
    merged = dict(params)
    if params.get("posix_user") is None and current["posix_user"] is not None:
        merged["posix_user"] = dict(current["posix_user"])
    root = dict(params["root_directory"]) if params.get("root_directory") is not None else None
    if root is None:
        root = {"path": current["root_directory"]["path"]}
    if root.get("creation_info") is None and current["root_directory"]["creation_info"] is not None:
        root["creation_info"] = dict(current["root_directory"]["creation_info"])
    merged["root_directory"] = root
    if merged.get("name") is None:
        merged["name"] = current["name"]
    _set, _remove, merged["tags"] = tag_plan(
        current["tags"], params.get("tags"), params.get("purge_tags", True), merged["name"]
    )
    return merged
