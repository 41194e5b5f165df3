# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The maximum concurrency of a Lambda SQS event source mapping (module lambda_event_source_scaling).

Pure functions first (validate, the mapping's cap, compare, result; unit-tested without AWS), then the
flow, the only part that calls the API layer (lambda_api), through `run(module)`.
"""

from . import lambda_api
from .changes import Changes
from .runner import Failure

# Lambda's limits of ScalingConfig.MaximumConcurrency
LOWEST, HIGHEST = 2, 1000

# --- pure --------------------------------------------------------------------------------------------


def validate(params, region=None):
    """Every problem with the arguments, as messages; nothing is called before this is empty."""
    cap = params["maximum_concurrency"]
    if cap is not None and not LOWEST <= cap <= HIGHEST:
        return [
            f"maximum_concurrency must be between {LOWEST} and {HIGHEST} (Lambda's limits), not {cap}; omit it to "
            "remove the cap."
        ]
    return []


def current_cap(mapping):
    """The mapping's MaximumConcurrency, or None when it has no cap."""
    return (mapping.get("ScalingConfig") or {}).get("MaximumConcurrency")


def compare(current, params, enabled=None):
    """`enabled`: whether the mapping is on now (compared only when params ask for a state)."""
    changes = Changes()
    if caps(params):
        changes.add("maximum_concurrency", current, params["maximum_concurrency"])
    if params.get("enabled") is not None:
        changes.add("enabled", enabled, params["enabled"])
    return changes


def caps(params):
    """Whether the run sets the cap: always, except when only `enabled` is given (the cap is then kept)."""
    return params["maximum_concurrency"] is not None or params.get("enabled") is None


def is_enabled(mapping):
    """Whether the mapping polls (or is about to): the runbooks pause_trigger and resume_trigger switch it."""
    return mapping.get("State") in ("Enabled", "Enabling", "Updating", "Creating")


def single_mapping(mappings, params):
    """The one mapping from the queue to the function; a Failure for none or several."""
    if len(mappings) != 1:
        raise Failure(
            f"Expected one event source mapping from {params['event_source_arn']} to {params['function_name']}, "
            f"found {len(mappings)}; create it with amazon.aws.lambda_event first."
        )
    return mappings[0]


def result(uuid, changes):
    """The module's result: the cap after the run (in check mode, what it would be)."""
    return dict(changed=changes.changed, uuid=uuid, diff=changes.diff(), **changes.diff()["after"])


# --- flow: one read, the comparison above, one write -------------------------------------------------


def run(module):
    params = module.params
    client = module.client("lambda")
    mappings = lambda_api.list_event_source_mappings(client, params["function_name"], params["event_source_arn"])
    if not mappings and module.check_mode:
        # The mapping would be created earlier in the same run: report the cap it would get.
        return result(None, compare(None, params))
    mapping = single_mapping(mappings, params)
    changes = compare(current_cap(mapping), params, is_enabled(mapping))
    if changes.changed and not module.check_mode:
        lambda_api.update_event_source_scaling(
            client, mapping["UUID"], params["maximum_concurrency"], params.get("enabled"), caps(params)
        )
    return result(mapping["UUID"], changes)
