# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""An account-level CloudWatch Logs resource policy (module cloudwatchlogs_resource_policy).

Pure functions first (validate, the stored document, result; unit-tested without AWS), then the flow,
the only part that calls the API layer (logs_api), through `run(module)`.
"""

import json

from . import logs_api
from . import policies

# --- pure --------------------------------------------------------------------------------------------


def validate(params, region=None):
    """Every problem with the arguments, as messages; nothing is called before this is empty."""
    if params["state"] != "present" or params["policy"] is None:
        return []  # state=present without policy: required_if refuses it first
    problem = policies.problem(params["policy"])
    return [problem] if problem else []


def desired(params):
    """The document the policy should have; None when it should not exist (a given policy is ignored)."""
    return policies.parse(params["policy"]) if params["state"] == "present" else None


def current_document(described, name):
    """The document of policy `name` among DescribeResourcePolicies entries, or None."""
    for policy in described:
        if policy.get("policyName") == name:
            return json.loads(policy.get("policyDocument") or "{}")
    return None


def result(current, wanted):
    """The module's result; `policy` is the desired document (empty when absent)."""
    after = wanted or {}
    return dict(changed=policies.differs(current, wanted), policy=after, diff=dict(before=current or {}, after=after))


# --- flow: one read, the decision above, one write ---------------------------------------------------


def run(module):
    name = module.params["name"]
    client = module.client("logs")
    wanted = desired(module.params)
    found = result(current_document(logs_api.describe_resource_policies(client), name), wanted)
    if found["changed"] and not module.check_mode:
        if wanted is None:
            logs_api.delete_resource_policy(client, name)
        else:
            logs_api.put_resource_policy(client, name, wanted)
    return found
