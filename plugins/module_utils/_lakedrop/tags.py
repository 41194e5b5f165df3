# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tags with amazon.aws's `tags`/`purge_tags` semantics, planned once for every resource."""

from ansible_collections.amazon.aws.plugins.module_utils.tagging import compare_aws_tags


def plan(current, desired, purge, keep=()):
    """(tags to set, keys to remove, resulting tags). `desired=None` leaves the tags alone; keys in `keep`
    (a tag that identifies the resource) are never removed by purging."""
    current = dict(current or {})
    if desired is None:
        return {}, [], current
    to_set, to_remove = compare_aws_tags(current, desired, purge_tags=purge)
    to_set = dict(sorted(to_set.items()))  # compare_aws_tags goes through sets; keep requests stable
    to_remove = sorted(k for k in to_remove if k not in keep)
    result = dict(current)
    result.update(to_set)
    for key in to_remove:
        result.pop(key, None)
    return to_set, to_remove, result


def apply(api, client, resource, to_set, to_remove):
    """Write a plan with `api.untag_resource` and `api.tag_resource` (removals first). True when it wrote."""
    if to_remove:
        api.untag_resource(client, resource, to_remove)
    if to_set:
        api.tag_resource(client, resource, to_set)
    return bool(to_set or to_remove)


def ensure(api, client, resource, current, desired, purge):
    """Plan and write in one step; returns (changed, resulting tags)."""
    to_set, to_remove, result = plan(current, desired, purge)
    return apply(api, client, resource, to_set, to_remove), result
