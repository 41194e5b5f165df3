# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Policy documents given as module arguments: parsed once, compared by meaning (amazon.aws's
compare_policies), so a re-ordered or re-spelled policy is no change."""

import json

from ansible_collections.amazon.aws.plugins.module_utils.policy import compare_policies

from .runner import Failure


def parse(value, option="policy"):
    """`value` (a dict or a JSON string) as a policy document; a Failure names the option otherwise."""
    if isinstance(value, dict):
        document = value
    else:
        try:
            document = json.loads(value)
        except (TypeError, ValueError) as err:
            raise Failure(f"{option} is not valid JSON: {err}") from err
    if not isinstance(document, dict) or not document.get("Statement"):
        raise Failure(f"{option} must be a policy document (an object with a non-empty Statement).")
    return document


def problem(value, option="policy"):
    """The message `parse` raises for `value`, or None when it is a policy document (for `validate`)."""
    try:
        parse(value, option)
    except Failure as err:
        return err.msg
    return None


def differs(current, desired):
    """Whether two documents differ in meaning (None stands for no policy)."""
    if current is None or desired is None:
        return current is not desired
    return compare_policies(current, desired)
