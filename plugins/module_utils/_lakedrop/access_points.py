# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""EFS access points (modules efs_access_point and efs_access_point_info).

Pure functions first (argument checks with messages a person can act on, the return shape, comparison
of create-only fields, the Name tag as identity, the client token; unit-tested without AWS), then the
flows: the only part that calls the API layer (efs_api), through `run(module)` and `run_info(module)`.
`path_problem`, `posix_id_problem`, `permissions_problem` and `normalize_path` are also the roles'
inventory checks: keep their names and meaning.
"""

import hashlib
import json
import re

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict

from . import arns
from . import efs_api
from . import naming
from . import tags
from .changes import Changes
from .changes import creation_diff
from .changes import deletion_diff
from .changes import refuse_replacement
from .changes import replace
from .common import wait_for
from .runner import Failure

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
# The Name tag identifies an access point: purging other tags never removes it.
IDENTITY_TAGS = ("Name",)


# --- pure: validation (before any call) --------------------------------------------------------------


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


def reference_problems(params, region):
    """Shape, then region, of file_system and access_point_id (both modules)."""
    problems = []
    for option, check in (("file_system", file_system_problem), ("access_point_id", access_point_id_problem)):
        if params.get(option):
            problems.append(check(params[option]) or arns.region_problem(params[option], region, option))
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


def tags_problems(given, name):
    """Problems with the tags option; Name may only repeat the name option."""
    problems = []
    if not given:
        return problems
    if "Name" in given:
        if name is None:
            problems.append(
                "tags must not set Name: the Name tag identifies the access point, set it with the name option."
            )
        elif given["Name"] != name:
            problems.append(
                f"tags sets Name to {given['Name']!r} but name is {name!r}; the Name tag is managed by the "
                "name option, drop Name from tags."
            )
    for key, value in given.items():
        if key.lower().startswith("aws:"):
            problems.append(f"tags key {key!r} is not allowed: the aws: prefix is reserved for AWS.")
        elif not key or len(key) > 128 or not TAG_RE.match(key):
            problems.append(f"tags key {key!r} must be 1 to 128 letters, digits, spaces or _ . : / = + - @.")
        if not isinstance(value, str) or len(value) > 256 or not TAG_RE.match(value):
            problems.append(
                f"tags value of {key!r} must be a string of at most 256 letters, digits, spaces or _ . : / = + - @."
            )
    if len(set(given) | {"Name"}) > MAX_TAGS:
        problems.append(f"tags has {len(given)} entries; an access point can carry at most {MAX_TAGS} including Name.")
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


def validate_info(params, region=None):
    """Every problem with efs_access_point_info's arguments."""
    return [p for p in reference_problems(params, region) if p]


# --- pure: shapes ------------------------------------------------------------------------------------


def normalize_path(value):
    """`/lake/` and `/lake` are the same directory; AWS accepts only the latter."""
    value = value or "/"
    return value.rstrip("/") or "/"


def canonical_permissions(value):
    """`755` and `0755` are the same mode."""
    return format(int(value, 8), "04o")


def posix_result(uid, gid, secondary_gids):
    return {"uid": uid, "gid": gid, "secondary_gids": list(secondary_gids or [])}


def to_result(described):
    """An access point description in the modules' snake_case return shape."""
    found_tags = boto3_tag_list_to_ansible_dict(described.get("Tags") or [])
    posix = described.get("PosixUser")
    root = described.get("RootDirectory") or {}
    info = root.get("CreationInfo")
    return {
        "access_point_id": described["AccessPointId"],
        "access_point_arn": described.get("AccessPointArn"),
        "file_system_id": described.get("FileSystemId"),
        # AWS reports the Name tag as Name; the tag is authoritative.
        "name": found_tags.get("Name", described.get("Name")),
        "posix_user": None if posix is None else posix_result(posix["Uid"], posix["Gid"], posix.get("SecondaryGids")),
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
        "tags": found_tags,
    }


def is_live(access_point):
    """Neither being deleted nor gone (works on descriptions and results)."""
    state = access_point.get("LifeCycleState", access_point.get("life_cycle_state"))
    return state not in GONE


def live(results):
    return [r for r in results if is_live(r)]


def ambiguity_message(name, fs_id, ids):
    return naming.ambiguity_message(
        f"access points of {fs_id} are named {name!r}",
        ids,
        "Pass access_point_id to choose one (and delete or rename the others)",
    )


def missing_file_system_message(value, region):
    where = f"in region {region}"
    if arns.is_arn(value):
        where += f" (the ARN names account {arns.arn_parts(value)[3]}; the credentials must be of that account)"
    return f"file_system {value} does not exist {where}. Create it first, or check the ID."


def select(results, fs_id=None, name=None, wanted_tags=None):
    """The results of file system `fs_id`, named `name`, carrying every tag in `wanted_tags` (info module
    filters; None filters nothing)."""
    return [
        r
        for r in results
        if (not fs_id or r["file_system_id"] == fs_id)
        and (name is None or r["tags"].get("Name") == name)
        and all(r["tags"].get(k) == v for k, v in (wanted_tags or {}).items())
    ]


# --- pure: desired state and comparison --------------------------------------------------------------


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


def current_sections(current, wanted):
    """The same sections of an existing access point (a to_result dict), in the same normalized shape."""
    sections = {}
    if "posix_user" in wanted:
        posix = current["posix_user"]
        sections["posix_user"] = None if posix is None else dict(posix, secondary_gids=sorted(posix["secondary_gids"]))
    if "root_directory" in wanted:
        root = current["root_directory"]
        section = {"path": normalize_path(root["path"])}
        if "creation_info" in wanted["root_directory"]:
            info = root["creation_info"]
            section["creation_info"] = (
                None if info is None else dict(info, permissions=canonical_permissions(info["permissions"]))
            )
        sections["root_directory"] = section
    return sections


def plan_tags(current, params):
    """tags.plan for the arguments: the Name tag follows `name`; without `name` it is left alone, and
    without `tags` nothing else changes, so purge_tags can never strip the tag that identifies the
    access point."""
    desired = params["tags"]
    if params["name"] is not None:
        desired = dict(desired or {}, Name=params["name"])
    return tags.plan(current, desired, params["purge_tags"] and params["tags"] is not None, keep=IDENTITY_TAGS)


def compare(current, params, fs_id):
    """(in-place Changes, create-only Changes) between an existing access point and the arguments."""
    in_place, create_only = Changes(), Changes()
    if fs_id:
        create_only.add("file_system_id", current["file_system_id"], fs_id)
    wanted = desired_sections(params)
    have = current_sections(current, wanted)
    for section in wanted:
        create_only.add(section, have[section], wanted[section])
    in_place.add("tags", current["tags"], plan_tags(current["tags"], params)[2])
    return in_place, create_only


def merged_diff(*changes):
    """One diff of several Changes (create-only and in-place fields side by side)."""
    diff = {"before": {}, "after": {}}
    for change in changes:
        part = change.diff()
        diff["before"].update(part["before"])
        diff["after"].update(part["after"])
    return diff


def refuse(access_point_id, create_only):
    """The Failure for create-only changes while allow_replacement is false."""
    refuse_replacement(
        "Access point",
        access_point_id,
        create_only,
        "clients mounting it by ID must then use the new ID",
        why="EFS can only change an access point's tags.",
    )


def desired_result(params, fs_id):
    """What a new access point will look like (check mode reports it without creating)."""
    wanted = desired_sections(params)
    root = wanted.get("root_directory", {"path": "/"})
    info = (params.get("root_directory") or {}).get("creation_info")
    posix = params.get("posix_user")
    return {
        "access_point_id": None,
        "access_point_arn": None,
        "file_system_id": fs_id,
        "name": params["name"],
        "posix_user": None if posix is None else posix_result(posix["uid"], posix["gid"], posix.get("secondary_gids")),
        "root_directory": {"path": root["path"], "creation_info": None if info is None else dict(info)},
        "life_cycle_state": None,
        "owner_id": None,
        "tags": plan_tags({}, params)[2],
    }


def retagged(current, new_tags):
    """What a tag update makes of `current` (check mode reports it without writing)."""
    return dict(current, tags=new_tags, name=new_tags.get("Name", current["name"]))


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
    new_tags = plan_tags({}, params)[2]
    if new_tags:
        create["Tags"] = ansible_dict_to_boto3_tag_list(new_tags)
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
    merged["tags"] = plan_tags(current["tags"], merged)[2]
    return merged


def result(changed, access_point, replaced=False, diff=None):
    found = dict(changed=changed, access_point=access_point, replaced=replaced)
    if diff is not None:
        found["diff"] = diff
    return found


# --- flow: reads, the plan above, writes -------------------------------------------------------------

WAIT_INTERVAL = 2


def resolve_file_system(module, client):
    """The file system's ID; None when not given, or missing with state=absent (a Failure otherwise)."""
    value = module.params["file_system"]
    if not value:
        return None
    fs_id = arns.id_of(value)
    if efs_api.describe_file_system(client, fs_id):
        return fs_id
    if module.params.get("state") == "absent":
        return None
    raise Failure(missing_file_system_message(value, module.region))


def read(client, access_point_id):
    described = efs_api.describe_access_point(client, access_point_id)
    return to_result(described) if described else None


def list_results(client, fs_id):
    return [to_result(d) for d in efs_api.describe_access_points(client, file_system_id=fs_id)]


def find(client, params, fs_id):
    """The existing live access point (result shape) or None; a Failure when its name is ambiguous."""
    if params["access_point_id"]:
        current = read(client, arns.id_of(params["access_point_id"]))
        return current if current and is_live(current) else None
    if not fs_id:
        return None
    matches = naming.named(live(list_results(client, fs_id)), params["name"], key="name")
    return naming.single(matches, lambda m: ambiguity_message(params["name"], fs_id, [x["access_point_id"] for x in m]))


def wait_until(module, client, ap_id, done, advice, created=False):
    """Poll the access point until `done(description or None)`; a Failure when wait_timeout runs out
    (after a create, with changed=True and the access point as it is)."""
    timeout = module.params["wait_timeout"]
    value, finished = wait_for(lambda: efs_api.describe_access_point(client, ap_id), done, timeout, WAIT_INTERVAL)
    if not finished:
        extra = dict(changed=True, access_point=to_result(value)) if created else {}
        raise Failure(
            f"Access point {ap_id} is still {value.get('LifeCycleState')} after {timeout} seconds; raise "
            f"wait_timeout, or set wait=false{advice}.",
            **extra,
        )
    return value


def wait_available(module, client, described):
    if described.get("LifeCycleState") == "available" or not module.params["wait"]:
        return described
    ap_id = described["AccessPointId"]
    value = wait_until(
        module, client, ap_id, lambda d: not d or d.get("LifeCycleState") != "creating", " and check it later", True
    )
    if not value or value.get("LifeCycleState") != "available":
        state = value.get("LifeCycleState") if value else "gone"
        raise Failure(f"Access point {ap_id} did not become available: it is {state}.")
    return value


def wait_deleted(module, client, ap_id):
    if module.params["wait"]:
        wait_until(module, client, ap_id, lambda d: not d or d.get("LifeCycleState") == "deleted", "")


def create(module, client, params, fs_id):
    """Create the access point described by `params`; in check mode, predict it."""
    if module.check_mode:
        return desired_result(params, fs_id)
    token = client_token(fs_id, params["name"], params)
    created = efs_api.create_access_point(client, create_params(params, fs_id, token))
    if created.get("AlreadyExists"):
        earlier = efs_api.describe_access_point(client, created["AccessPointId"])
        if earlier and is_live(earlier) and to_result(earlier)["name"] == params["name"]:
            # The same create, made moments ago by a retried or concurrent run: adopt it.
            created = earlier
            to_set, to_remove, _tags = plan_tags(to_result(earlier)["tags"], params)
            tags.apply(efs_api, client, earlier["AccessPointId"], to_set, to_remove)
        else:
            # The token names an access point that is gone or was renamed: a token of its own frees it.
            token = client_token(fs_id, params["name"], params, salt=created["AccessPointId"])
            created = efs_api.create_access_point(client, create_params(params, fs_id, token))
            if created.get("AlreadyExists"):
                raise Failure(
                    f"EFS refused the client token {token}: access point {created['AccessPointId']} "
                    "already used it. Delete that access point or pick another name."
                )
    return to_result(wait_available(module, client, created))


def delete(module, client, ap_id):
    if module.check_mode:
        return
    efs_api.delete_access_point(client, ap_id)
    wait_deleted(module, client, ap_id)


def replace_access_point(module, client, current, fs_id):
    """Create-before-delete (changes.replace). The new access point keeps what the arguments omit; its
    create-only sections differ, so its client token does too. When the old one cannot be deleted the
    Failure says that the new one exists."""
    params = with_current(module.params, current)
    old = current["access_point_id"]
    new = {}

    def create_new():
        new.update(create(module, client, params, fs_id or current["file_system_id"]))
        return new

    def delete_old():
        try:
            delete(module, client, old)
        except (Failure, AnsibleAWSError) as err:
            raise Failure(
                f"Created access point {new['access_point_id']} to replace {old}, but deleting {old} failed: {err} "
                f"Until {old} is gone both are named {params['name']!r}; delete it, then run again.",
                changed=True,
                access_point=new,
                replaced=True,
            ) from err

    return replace(create_new, delete_old, module.check_mode)


def check_pinned(module, current, fs_id):
    """With access_point_id and state=absent, refuse to delete an access point other arguments contradict."""
    params = module.params
    if params["name"] is not None and current["name"] != params["name"]:
        raise Failure(
            f"Access point {current['access_point_id']} is named {current['name']!r}, not {params['name']!r}; "
            "refusing to delete it. Fix name or access_point_id."
        )
    if params["file_system"] and fs_id != current["file_system_id"]:
        raise Failure(
            f"Access point {current['access_point_id']} belongs to {current['file_system_id']}, not "
            f"{params['file_system']}; refusing to delete it."
        )


def check_rename(module, client, current):
    """A rename must not give the access point a name another access point of the file system has."""
    name = module.params["name"]
    if name is None or current["name"] == name:
        return
    others = [
        r
        for r in live(list_results(client, current["file_system_id"]))
        if r["access_point_id"] != current["access_point_id"]
    ]
    taken = [r["access_point_id"] for r in naming.named(others, name, key="name")]
    if taken:
        raise Failure(
            f"Cannot rename {current['access_point_id']} to {name!r}: {', '.join(taken)} of "
            f"{current['file_system_id']} already has that name, and names must identify one access point."
        )


def ensure_absent(module, client, current, fs_id):
    if not current:
        return result(False, {})
    if module.params["access_point_id"]:
        check_pinned(module, current, fs_id)
    delete(module, client, current["access_point_id"])
    return result(True, {}, diff=deletion_diff(current))


def ensure_present(module, client, current, fs_id):
    params = module.params
    if not current:
        if params["access_point_id"]:
            raise Failure(
                f"access_point_id {params['access_point_id']} does not exist; omit it (and give file_system "
                "and name) to create a new access point."
            )
        access_point = create(module, client, params, fs_id)
        return result(True, access_point, diff=creation_diff(access_point))
    in_place, create_only = compare(current, params, fs_id)
    if create_only.changed:
        if not params["allow_replacement"]:
            refuse(current["access_point_id"], create_only)
        access_point = replace_access_point(module, client, current, fs_id)
        return result(True, access_point, replaced=True, diff={"before": current, "after": access_point})
    diff = merged_diff(create_only, in_place)
    if not in_place.changed:
        return result(False, current, diff=diff)
    check_rename(module, client, current)
    to_set, to_remove, new_tags = plan_tags(current["tags"], params)
    if module.check_mode:
        return result(True, retagged(current, new_tags), diff=diff)
    tags.apply(efs_api, client, current["access_point_id"], to_set, to_remove)
    return result(True, read(client, current["access_point_id"]), diff=diff)


def run(module):
    client = module.client("efs")
    fs_id = resolve_file_system(module, client)
    current = find(client, module.params, fs_id)
    if module.params["state"] == "absent":
        return ensure_absent(module, client, current, fs_id)
    return ensure_present(module, client, current, fs_id)


def run_info(module):
    """efs_access_point_info: one access point by ID, those of a file system, or all, filtered."""
    params = module.params
    client = module.client("efs")
    fs_id = resolve_file_system(module, client)
    if params["access_point_id"]:
        described = efs_api.describe_access_points(client, access_point_id=arns.id_of(params["access_point_id"]))
    else:
        described = efs_api.describe_access_points(client, file_system_id=fs_id)
    found = select([to_result(d) for d in described], fs_id, params["name"], params["tags"])
    return dict(changed=False, access_points=found)
