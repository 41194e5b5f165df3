# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DataSync tasks: identity, schedule rules, and the conversion of DescribeTask answers to the modules'
snake_case `task`."""

import re

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible.module_utils.common.dict_transformations import snake_dict_to_camel_dict

from . import filters
from . import naming
from . import task_options

# --- identity --------------------------------------------------------------------------------------


def ambiguity_message(name, matches):
    return naming.ambiguity_message(
        f"DataSync tasks are named {name!r}", matches, "Pass task_arn to choose one (and rename or delete the others)"
    )


# --- names -----------------------------------------------------------------------------------------

NAME_RE = re.compile(r"^[a-zA-Z0-9\s+=._:@/-]+$")
NAME_MAX = 256


def name_problem(name, option="name"):
    if name is None:
        return None
    if not name or len(name) > NAME_MAX:
        return f"{option} must be 1 to {NAME_MAX} characters long; it has {len(name)}."
    if not NAME_RE.match(name):
        bad = ", ".join(repr(c) for c in sorted(set(c for c in name if not NAME_RE.match(c))))
        return f"{option} {name!r} may contain only letters, digits, spaces and + = . _ : @ / -; found {bad}."
    return None


# --- schedules -------------------------------------------------------------------------------------
# DataSync takes EventBridge rate() and cron() expressions and refuses anything more frequent than
# once an hour. AWS only answers "invalid" at call time; these checks say why, before any call.

RATE_MINUTES = {"minute": 1, "minutes": 1, "hour": 60, "hours": 60, "day": 1440, "days": 1440}
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
# (label, lowest, highest, names for lowest.., specials allowed)
CRON_FIELDS = (
    ("minutes", 0, 59, None),
    ("hours", 0, 23, None),
    ("day-of-month", 1, 31, None),
    ("month", 1, 12, MONTHS),
    ("day-of-week", 1, 7, WEEKDAYS),
    ("year", 1970, 2199, None),
)
EXAMPLES = "e.g. rate(1 hour), rate(12 hours) or cron(0 2 * * ? *)"


def normalize_expression(expression):
    """Whitespace-insensitive form of a schedule expression, for comparison."""
    text = " ".join((expression or "").split())
    return re.sub(r"\(\s*(.*?)\s*\)$", r"(\1)", text)


def schedule_problems(expression, option="schedule.expression"):
    """Why DataSync would refuse `expression` (empty list when it is fine; "" removes a schedule)."""
    if expression is None:
        return []
    text = normalize_expression(expression)
    if not text:
        return []
    if len(text) > 256:
        return [f"{option} is longer than 256 characters."]
    match = re.match(r"^(rate|cron)\((.*)\)$", text)
    if not match:
        return [f"{option} {expression!r} must be a rate(...) or cron(...) expression ({EXAMPLES})."]
    if match.group(1) == "rate":
        return _rate_problems(match.group(2), expression, option)
    return _cron_problems(match.group(2), expression, option)


def _rate_problems(body, expression, option):
    parts = body.split()
    if len(parts) != 2 or not re.match(r"^[0-9]+$", parts[0]) or parts[1] not in RATE_MINUTES:
        return [
            f"{option} {expression!r} is not a rate expression: use rate(N unit) with a whole number N and a unit "
            f"of minute(s), hour(s) or day(s) ({EXAMPLES})."
        ]
    value, unit = int(parts[0]), parts[1]
    if value < 1:
        return [f"{option} {expression!r}: the interval must be at least 1."]
    singular = unit.rstrip("s")
    if value == 1 and unit != singular:
        return [f"{option} {expression!r}: a rate of 1 takes the singular unit: rate(1 {singular})."]
    if value > 1 and unit == singular:
        return [f"{option} {expression!r}: a rate above 1 takes the plural unit: rate({value} {singular}s)."]
    if value * RATE_MINUTES[unit] < 60:
        return [
            f"{option} {expression!r} would run the task every {value} minute(s); DataSync schedules run at most "
            "once an hour. Use rate(1 hour) or a longer interval."
        ]
    return []


def _cron_problems(body, expression, option):
    fields = body.split()
    if len(fields) != 6:
        return [
            f"{option} {expression!r} must have six fields, cron(minutes hours day-of-month month day-of-week year) "
            f"({EXAMPLES}); it has {len(fields)}."
        ]
    problems = []
    minutes = None
    for (label, low, high, names), text in zip(CRON_FIELDS, fields, strict=True):
        try:
            values = cron_field_values(text, label, low, high, names)
        except ValueError as err:
            problems.append(f"{option} {expression!r}: {err}")
            continue
        if label == "minutes":
            minutes = values
    if (fields[2] == "?") == (fields[4] == "?"):
        problems.append(
            f"{option} {expression!r}: exactly one of day-of-month and day-of-week must be '?' "
            "(e.g. cron(0 2 * * ? *) or cron(0 2 ? * MON *))."
        )
    if minutes is not None and len(minutes) > 1:
        suggestion = f"cron({min(minutes)} {' '.join(fields[1:])})"
        problems.append(
            f"{option} {expression!r} would run the task {len(minutes)} times an hour (minutes field "
            f"{fields[0]!r}); DataSync schedules run at most once an hour. Give the minutes field one value, "
            f"e.g. {suggestion}."
        )
    return problems


def cron_field_values(text, label, low, high, names=None):
    """The set of values a cron field selects; day specials (? L W #) add nothing. ValueError if invalid."""
    if text == "?":
        if label not in ("day-of-month", "day-of-week"):
            raise ValueError(f"'?' is allowed only in day-of-month or day-of-week, not in {label}.")
        return set()
    values = set()
    for item in text.split(","):
        values |= _cron_item(item, label, low, high, names)
    return values


def _cron_item(item, label, low, high, names):
    if not item:
        raise ValueError(f"the {label} field has an empty list item.")
    if label == "day-of-month" and re.match(r"^(L|LW|L-[0-9]+|[0-9]+W)$", item):
        if item.endswith("W") and item[:-1].isdigit():
            _number(item[:-1], label, low, high, names)
        return set()
    if label == "day-of-week" and re.match(r"^(L|[0-9A-Za-z]+L|[0-9A-Za-z]+#[1-5])$", item):
        day = item.split("#")[0].rstrip("L") if item != "L" else None
        if day:
            _number(day, label, low, high, names)
        return set()
    base, _sep, step_text = item.partition("/")
    step = 1
    if _sep:
        if not re.match(r"^[0-9]+$", step_text) or int(step_text) < 1:
            raise ValueError(f"the step in {label} item {item!r} must be a whole number of at least 1.")
        step = int(step_text)
    if base == "*":
        first, last = low, high
    elif "-" in base:
        start, _dash, end = base.partition("-")
        first, last = _number(start, label, low, high, names), _number(end, label, low, high, names)
    else:
        first = _number(base, label, low, high, names)
        last = high if _sep else first  # "5/15" means 5, 20, 35, 50
    if first <= last:
        return set(range(first, last + 1, step))
    # A range that wraps (e.g. hours 22-2) covers the end of the cycle and its start.
    span = list(range(first, high + 1)) + list(range(low, last + 1))
    return set(span[::step])


def _number(text, label, low, high, names):
    if names and text.upper() in names:
        return low + names.index(text.upper())
    if not re.match(r"^[0-9]+$", text):
        extra = f" or {names[0]}-{names[-1]}" if names else ""
        raise ValueError(f"{label} value {text!r} must be a number from {low} to {high}{extra}.")
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f"{label} value {value} is outside {low}-{high}.")
    return value


def schedule_from_api(schedule):
    if not schedule or not schedule.get("ScheduleExpression"):
        return None
    return {"expression": schedule["ScheduleExpression"], "enabled": schedule.get("Status", "ENABLED") == "ENABLED"}


def schedule_to_api(schedule):
    """The UpdateTask/CreateTask Schedule; None (no schedule) becomes an empty expression, which removes it."""
    if not schedule:
        return {"ScheduleExpression": ""}
    return {
        "ScheduleExpression": schedule["expression"].strip(),
        "Status": "ENABLED" if schedule["enabled"] else "DISABLED",
    }


def same_schedule(current, desired):
    if not current or not desired:
        return not current and not desired
    return (
        normalize_expression(current["expression"]) == normalize_expression(desired["expression"])
        and current["enabled"] == desired["enabled"]
    )


# --- task report configuration ---------------------------------------------------------------------


def strip_none(value):
    """Drop None (unset suboptions) recursively, then empty dicts they leave behind."""
    if isinstance(value, dict):
        cleaned = dict((k, strip_none(v)) for k, v in value.items() if v is not None)
        return dict((k, v) for k, v in cleaned.items() if v != {})
    return value


def report_config_to_api(config):
    """snake_case task_report_config (None values = unset) -> the API's TaskReportConfig."""
    return snake_dict_to_camel_dict(strip_none(config or {}), capitalize_first=True)


def report_config_from_api(config):
    return camel_dict_to_snake_dict(config) if config else None


def contains(current, desired):
    """Whether every field set in `desired` has that value in `current` (AWS fills in the rest).
    S3 subdirectories compare without leading/trailing '/'."""
    if isinstance(desired, dict):
        if not isinstance(current, dict):
            return False
        return all(contains(current.get(key), value) for key, value in desired.items())
    if isinstance(desired, str) and isinstance(current, str):
        return desired.strip("/") == current.strip("/")
    return current == desired


# --- log groups ------------------------------------------------------------------------------------


def same_log_group(current, desired):
    """`…:log-group:NAME` and `…:log-group:NAME:*` name the same log group; None and "" mean none."""

    def norm(arn):
        arn = arn or ""
        return arn[:-2] if arn.endswith(":*") else arn

    return norm(current) == norm(desired)


# --- DescribeTask -> module return -----------------------------------------------------------------


def location_type(uri):
    """EFS, S3, NFS, SMB, … from a LocationUri's scheme."""
    match = re.match(r"^([a-z0-9-]+)://", uri or "")
    return match.group(1).upper() if match else None


def task_from_api(described, tags):
    """A DescribeTask answer (plus tags) in the modules' snake_case shape."""
    details = described.get("ScheduleDetails") or None
    schedule_details = None
    if details:
        schedule_details = {
            "disabled_by": details.get("DisabledBy"),
            "disabled_reason": details.get("DisabledReason"),
            "status_update_time": _time(details.get("StatusUpdateTime")),
        }
    schedule = schedule_from_api(described.get("Schedule"))
    return {
        "task_arn": described.get("TaskArn"),
        "name": described.get("Name"),
        "status": described.get("Status"),
        "source_location_arn": described.get("SourceLocationArn"),
        "destination_location_arn": described.get("DestinationLocationArn"),
        "cloudwatch_log_group_arn": described.get("CloudWatchLogGroupArn") or None,
        "options": task_options.from_api(described.get("Options")),
        "includes": filters.from_api(described.get("Includes")),
        "excludes": filters.from_api(described.get("Excludes")),
        "schedule": schedule,
        "schedule_details": schedule_details,
        "schedule_disabled_by_service": bool(
            schedule and not schedule["enabled"] and (details or {}).get("DisabledBy") == "SERVICE"
        ),
        "task_mode": described.get("TaskMode") or "BASIC",
        "task_report_config": report_config_from_api(described.get("TaskReportConfig")),
        "creation_time": _time(described.get("CreationTime")),
        "current_task_execution_arn": described.get("CurrentTaskExecutionArn"),
        "error_code": described.get("ErrorCode"),
        "error_detail": described.get("ErrorDetail"),
        "tags": tags or {},
    }


def _time(value):
    return None if value is None else str(value)
