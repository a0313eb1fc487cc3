"""The procedure around a result, as the notice and the national rules have it (one place).

- Who confirms which grade (the confirming level, 确认层级): small/micro 达标 by the county;
  三级 by the city (设区的市); 二级 and 一级 are decided by the province and the nation, so the
  city recommends them upward (推荐上报) and nothing is issued locally. The city may set
  another level per grade (``settings.REVIEW_CONFIRMING_LEVELS``).
- A failed result is closed by the level that would have confirmed the grade applied for; a
  failure is never recommended upward: the city closes it.
- 公示 before 公告: the confirming level publishes a 公示 whose objection period runs for
  ``settings.PUBLICITY_WORKING_DAYS`` working days (default 5) after the day of publication;
  the 公告 may list a firm only after that period has passed with no objection to it open or
  upheld. (Working days are Monday to Friday: the portal keeps no holiday calendar.)

On review agencies (评审机构):
- 对“重收费、轻服务”的评审机构给予警告，限期整改；屡改屡犯、弄虚作假的予以清除;
- 动态梳理评审单位名单: the city keeps a dated list of every agency's standing;
- 取消资格 (弄虚作假) is not reinstated in the year it was decided;
- 清除 is reinstated only by an explicit decision of the city with its reason, never by a
  later rating;
- a county rates only the agencies that reviewed in its county that year;
- the agency is reminded once, this many days before its warning's deadline.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from enterprises.choices import Grade

from .choices import AgencyStanding, ConfirmingLevel

CONFIRMING_LEVELS = {
    Grade.PASS: ConfirmingLevel.COUNTY,
    Grade.LEVEL3: ConfirmingLevel.CITY,
    Grade.LEVEL2: ConfirmingLevel.RECOMMEND,
    Grade.LEVEL1: ConfirmingLevel.RECOMMEND,
}


def confirming_levels() -> dict[str, str]:
    """The level per grade: the defaults above, as the city's setting overrides them."""
    levels = {str(grade): str(level) for grade, level in CONFIRMING_LEVELS.items()}
    for grade, level in (getattr(settings, "REVIEW_CONFIRMING_LEVELS", None) or {}).items():
        if grade not in Grade.values or level not in ConfirmingLevel.values:
            raise ValueError(f"REVIEW_CONFIRMING_LEVELS: {grade!r} -> {level!r}")
        levels[grade] = level
    return levels


def decisive_grade(*, result: str, applied_grade: str) -> str:
    """The grade whose level decides: the result, or for a failure the grade applied for
    (small/micro firms apply for 达标)."""
    return result or applied_grade or Grade.PASS


def confirming_level(*, result: str, applied_grade: str = "") -> str:
    """Who confirms a result of ``result`` (``""``: 未达标) for a firm that applied for
    ``applied_grade``."""
    level = confirming_levels()[decisive_grade(result=result, applied_grade=applied_grade)]
    if not result and level == ConfirmingLevel.RECOMMEND:
        return ConfirmingLevel.CITY
    return level


def grades_confirmed_by(level: str) -> list[str]:
    """The grades ``level`` confirms (or, for RECOMMEND, recommends upward)."""
    return [grade for grade, one in confirming_levels().items() if one == level]


PUBLICITY_WORKING_DAYS = 5


def publicity_working_days() -> int:
    return int(getattr(settings, "PUBLICITY_WORKING_DAYS", PUBLICITY_WORKING_DAYS))


def objection_period_end(published_on: dt.date, days: int | None = None) -> dt.date:
    """The last day objections are received: the ``days``-th working day after publication."""
    days = publicity_working_days() if days is None else days
    day, counted = published_on, 0
    while counted < days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return day


WARNING_REMINDER_DAYS_BEFORE = 7


def reinstatement_refusal(standing: str, since: dt.date | None, today: dt.date) -> str | None:
    """Why an agency off the list may not be put back today (``None``: it may)."""
    if standing == AgencyStanding.DISQUALIFIED and since is not None and since.year == today.year:
        return f"取消资格的评审机构当年（{since.year}年）不得恢复"
    return None


def is_repeat(problem: str, earlier_problems_this_year: list[str]) -> bool:
    """屡改屡犯: warned again for the same problem within the year."""
    return problem in earlier_problems_this_year


def warning_reminder_due(deadline: dt.date, today: dt.date) -> bool:
    """The one reminder is due from this many days before the deadline until the day before
    it (sent once, whichever morning the job first sees it)."""
    return today < deadline <= today + dt.timedelta(days=WARNING_REMINDER_DAYS_BEFORE)
