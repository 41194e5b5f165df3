# -*- coding: utf-8 -*-
# Copyright: lakedrop.delivery contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""DataSync task schedules: expression rules checked before any call, conversion to and from the API,
and what the `schedule` argument asks of an existing schedule."""

import re

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


# --- the schedule argument -------------------------------------------------------------------------


def desired_schedule(spec, current):
    """The schedule the `schedule` argument asks for ({expression, enabled}, or None for none). Without an
    expression it enables or disables the `current` schedule."""
    expression = spec["expression"]
    if expression is None:
        expression = current["expression"] if current else ""
    if not expression.strip():
        return None
    return {"expression": expression.strip(), "enabled": spec["enabled"]}


def expression_problem(spec, current):
    """A message when the argument gives no expression and there is no `current` schedule to switch."""
    if spec is not None and spec["expression"] is None and not current:
        return "schedule.expression is required: the task has no schedule yet to enable or disable."
    return None


def disabled_by_service_warning(task, spec, changing, check_mode):
    """A warning when DataSync disabled the schedule of `task` itself (quoting its reason), else None."""
    if not task["schedule_disabled_by_service"]:
        return None
    details = task["schedule_details"] or {}
    said = (
        f"DataSync disabled the schedule of task {task['task_arn']} itself (at {details.get('status_update_time')}): "
        f"{details.get('disabled_reason')!r}."
    )
    if spec is None:
        return f"{said} Set schedule.enabled=true to re-enable it once the cause is fixed."
    if changing and spec["enabled"]:
        verb = "would be re-enabled (check mode)" if check_mode else "was re-enabled"
        return f"{said} The schedule {verb} as requested; fix the cause or DataSync will disable it again."
    return None
