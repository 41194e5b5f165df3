# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One place that decides `changed` and builds `diff` (in the spirit of community.docker's
DifferenceTracker): modules record each managed field's before/after, nothing else compares."""


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


def creation_diff(desired):
    return {"before": {}, "after": desired}


def deletion_diff(current):
    return {"before": current, "after": {}}
