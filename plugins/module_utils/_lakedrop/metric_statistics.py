# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""One CloudWatch metric over the last minutes, as one figure per statistic (module
cloudwatch_metric_statistics): a single period covering the whole window, so percentiles are those of every
sample in it. No datapoint means no data, never a failure.

Pure functions first (the request, the figures), then the flow (`run(module)`).
"""

import datetime

from . import cloudwatch_api

# --- pure --------------------------------------------------------------------------------------------


def request(params, now):
    minutes = params["minutes"]
    query = {
        "Namespace": params["namespace"],
        "MetricName": params["metric_name"],
        "Dimensions": [{"Name": k, "Value": str(v)} for k, v in sorted((params["dimensions"] or {}).items())],
        "StartTime": now - datetime.timedelta(minutes=minutes),
        "EndTime": now,
        "Period": minutes * 60,
    }
    optional = (("statistics", "Statistics"), ("extended_statistics", "ExtendedStatistics"), ("unit", "Unit"))
    query.update((api, params[name]) for name, api in optional if params[name])
    return query


def figures(datapoints, params):
    """{statistic: value or None}: Sum added, Maximum/Minimum their extreme, others from the newest point."""
    found = {}
    newest = sorted(datapoints, key=lambda d: d["Timestamp"])[-1:] if datapoints else []
    for name in params["statistics"] or []:
        values = [d[name] for d in datapoints if name in d]
        if not values:
            found[name] = None
        elif name in ("Sum", "SampleCount"):
            found[name] = sum(values)
        elif name == "Maximum":
            found[name] = max(values)
        elif name == "Minimum":
            found[name] = min(values)
        else:
            found[name] = values[-1]
    for name in params["extended_statistics"] or []:
        values = [(d.get("ExtendedStatistics") or {}).get(name) for d in newest]
        found[name] = values[0] if values and values[0] is not None else None
    return found


def validate(params, region=None):
    found = []
    if not 1 <= params["minutes"] <= 1440:
        found.append(f"minutes must be between 1 and 1440, got {params['minutes']}.")
    if not params["statistics"] and not params["extended_statistics"]:
        found.append("statistics or extended_statistics: give at least one.")
    for name in params["extended_statistics"] or []:
        if not (name.startswith("p") and name[1:].replace(".", "", 1).isdigit()):
            found.append(f"extended_statistics {name!r} must be a percentile such as p50 or p99.9.")
    return found


# --- flow --------------------------------------------------------------------------------------------


def run(module):
    params = module.params
    now = datetime.datetime.now(datetime.UTC)
    datapoints = cloudwatch_api.get_metric_statistics(
        module.client("cloudwatch"), params["metric_name"], request(params, now)
    )
    values = figures(datapoints, params)
    return dict(changed=False, datapoints=len(datapoints), statistics=values, has_data=bool(datapoints))
