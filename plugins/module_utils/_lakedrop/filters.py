# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DataSync include/exclude filters: users give lists of patterns; the API wants one SIMPLE_PATTERN
rule whose value joins them with `|` (at most 102,400 characters)."""

MAX_VALUE = 102400
SEPARATOR = "|"


def problems(patterns, option, include):
    """Messages for every pattern DataSync would refuse or misread; empty when all are fine."""
    found = []
    if patterns is None:
        return found
    for index, pattern in enumerate(patterns):
        where = f"{option}[{index}]"
        if not isinstance(pattern, str) or not pattern:
            found.append(f"{where} must be a non-empty string.")
            continue
        if SEPARATOR in pattern:
            found.append(
                f"{where} {pattern!r} contains '|', which separates patterns; give each pattern as its own list item."
            )
        if "\x00" in pattern:
            found.append(f"{where} contains a NUL character.")
        if include and not pattern.startswith("/"):
            found.append(
                f"{where} {pattern!r} must start with '/': include patterns are paths relative to the source location."
            )
        if include and "*" in pattern[:-1]:
            found.append(f"{where} {pattern!r}: '*' is a wildcard only at the end of an include pattern.")
    value = join(patterns)
    if len(value) > MAX_VALUE:
        found.append(f"{option} joined with '|' is {len(value)} characters; DataSync allows at most {MAX_VALUE}.")
    return found


def join(patterns):
    return SEPARATOR.join(patterns or [])


def to_api(patterns):
    """The FilterList DataSync expects ([] clears the filter)."""
    if not patterns:
        return []
    return [{"FilterType": "SIMPLE_PATTERN", "Value": join(patterns)}]


def from_api(rules):
    """The list of patterns a FilterList carries."""
    patterns = []
    for rule in rules or []:
        patterns.extend(p for p in rule.get("Value", "").split(SEPARATOR) if p)
    return patterns
