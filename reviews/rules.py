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
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from enterprises.choices import Grade

from .choices import ConfirmingLevel

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
