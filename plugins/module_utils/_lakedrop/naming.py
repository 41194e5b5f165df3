# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Identity by name. AWS lets several tasks, locations or access points share a name; a module that
finds more than one never guesses, it lists them and says how to choose."""

from .runner import Failure


def named(entries, name, key="Name"):
    """The entries whose `key` is exactly `name`."""
    return [entry for entry in entries if entry.get(key) == name]


def ambiguity_message(what, matches, choose):
    """`what`: e.g. "DataSync tasks are named 'x'"; `matches`: the IDs or ARNs; `choose`: how to pick one."""
    return f"{len(matches)} {what}: {', '.join(sorted(matches))}. {choose}; the module never guesses."


def single(matches, message):
    """The only match, or None when there is none; more than one raises the Failure `message(matches)`."""
    if len(matches) > 1:
        raise Failure(message(matches))
    return matches[0] if matches else None
