# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One place that decides `changed` and builds `diff` (in the spirit of community.docker's
DifferenceTracker): modules record each managed field's before/after, nothing else compares. Also the
one replacement policy of the collection (see the `replacement` documentation fragment)."""

from .runner import Failure


class Changes:
    def __init__(self):
        self._before = {}
        self._after = {}
        self._changed = []

    def add(self, name, before, after):
        """Record a managed field. Returns True when it differs."""
        self._before[name] = before
        self._after[name] = after
        if before != after:
            self._changed.append(name)
            return True
        return False

    @classmethod
    def of(cls, names, before, after):
        """The fields `names` recorded from dict `before` to dict `after`."""
        changes = cls()
        for name in names:
            changes.add(name, before[name], after[name])
        return changes

    @property
    def changed(self):
        return bool(self._changed)

    @property
    def names(self):
        return list(self._changed)

    def diff(self, only_changed=False):
        names = self._changed if only_changed else list(self._after)
        return {
            "before": dict((n, self._before[n]) for n in names),
            "after": dict((n, self._after[n]) for n in names),
        }

    def details(self):
        """`field: current -> desired` for every changed leaf, dotted (`root_directory.path: ...`)."""
        diff = self.diff(only_changed=True)
        return differences(diff["before"], diff["after"])


def differences(before, after, prefix=""):
    """`name: before -> after` for every leaf of `after` that differs from `before`."""
    if isinstance(before, dict) and isinstance(after, dict):
        found = []
        for key in after:
            found.extend(differences(before.get(key), after[key], f"{prefix}.{key}" if prefix else key))
        return found
    return [] if before == after else [f"{prefix}: {before!r} -> {after!r}"]


def creation_diff(desired):
    return {"before": {}, "after": desired}


def deletion_diff(current):
    return {"before": current, "after": {}}


# --- replacement -----------------------------------------------------------------------------------
# Every replaceable resource of the collection (S3 and EFS locations, tasks, access points) can exist
# twice side by side, so the policy is create-before-delete: when AWS refuses the new resource, the old
# one still works. A resource that could not exist twice would delete first; none does today.


def refuse_replacement(what, ident, create_only, consequence, why=""):
    """The Failure for create-only fields that differ while allow_replacement is false."""
    raise Failure(
        f"{what} {ident} cannot be changed in place ({'; '.join(create_only.details())}).{' ' + why if why else ''} "
        f"Set allow_replacement=true to create a new one and then delete this one; {consequence}."
    )


def replace(create, delete, check_mode):
    """Create-before-delete: `create()` (which in check mode only predicts), then `delete()` unless in check mode."""
    new = create()
    if not check_mode:
        delete()
    return new
