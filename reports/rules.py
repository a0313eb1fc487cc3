"""The notice's rules for deadlines, reminders and progress, each in one named place.

Everything here is plain arithmetic on dates and counts, so the tests read like the notice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

# 标准化建设方案、“回头看”活动方案和“回头看”工作总结请分别于3月30日前、4月30日前、9月15日前报市局。
DEFAULT_SUBMISSION_KINDS = [
    # code, name, month, day
    ("standardization_plan", "标准化建设方案", 3, 30),
    ("lookback_plan", "“回头看”活动方案", 4, 30),
    ("lookback_summary", "“回头看”工作总结", 9, 15),
]

# A submission is reminded 7, 3 and 1 days before its deadline and on the day ...
SUBMISSION_DAYS_BEFORE = (7, 3, 1, 0)
# ... and once overdue, the day after and then every week.
OVERDUE_EVERY_DAYS = 7
# A nonconformity's rectification deadline: 3 days before, on the day, then overdue (weekly).
NONCONFORMITY_DAYS_BEFORE = (3, 0)
# A grade is valid three years; re-review is applied for in the last three months:
# the certificate's expiry is reminded 90 and 30 days ahead.
CERTIFICATE_DAYS_BEFORE = (90, 30)
# A creation-list target date passing with the firm not yet self-assessed: the day after.
LIST_TARGET_DAYS_AFTER = 1


def reminder_step(due_on: dt.date, today: dt.date, days_before: Sequence[int]) -> int | None:
    """Which reminder is due today for a deadline, as days before it (negative: overdue).

    ``None`` when no reminder is due. Overdue reminders come the day after the deadline and
    then every ``OVERDUE_EVERY_DAYS`` days."""
    left = (due_on - today).days
    if left in days_before:
        return left
    if left < 0 and (-left - 1) % OVERDUE_EVERY_DAYS == 0:
        return left
    return None


def overdue_dates(today: dt.date, *, weeks: int) -> list[dt.date]:
    """Deadlines whose overdue reminder falls today: yesterday, 8 days ago, 15, ..."""
    return [today - dt.timedelta(days=1 + OVERDUE_EVERY_DAYS * w) for w in range(weeks)]


def due_dates_for(today: dt.date, days_before: Sequence[int], *, overdue_weeks: int) -> list:
    """Every deadline date that has some reminder due today (for one indexed query)."""
    ahead = [today + dt.timedelta(days=n) for n in days_before]
    return ahead + overdue_dates(today, weeks=overdue_weeks)


def step_label(step: int) -> str:
    if step > 0:
        return f"还有{step}天到期"
    if step == 0:
        return "今天到期"
    return f"已逾期{-step}天"


def expected_by_timetable(
    milestones: Sequence[tuple[dt.date, int]], today: dt.date, *, year: int
) -> int:
    """Firms that should have passed by ``today`` by the county's timetable.

    Milestones are (date, cumulative passed); between them the count grows in a straight line
    from 0 on 1 January, so a county halfway to a milestone should be halfway there."""
    previous_date, previous_count = dt.date(year, 1, 1), 0
    for due_on, count in sorted(milestones):
        if today >= due_on:
            previous_date, previous_count = due_on, count
            continue
        span = (due_on - previous_date).days
        done = (today - previous_date).days
        return previous_count + round((count - previous_count) * done / span) if span else count
    return previous_count


def project_to_year_end(passed: int, today: dt.date, *, year: int) -> int:
    """Firms passed by 31 December if the pace so far (passed per elapsed day) holds."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    elapsed = (min(today, end) - start).days + 1
    if elapsed <= 0:
        return 0
    total = (end - start).days + 1
    return round(passed * total / elapsed)


def rate(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def goal_minimum(base: int, pass_percent: int) -> int:
    """The fewest firms a county must aim to pass in a year: the city's goal for the year
    (e.g. 2016: 50%) applied to the county's base, its small/micro firms in the registry (the
    notice's 2万 is the city's sum of them), rounded up: half of 15 firms is 8."""
    return -(-base * pass_percent // 100)
