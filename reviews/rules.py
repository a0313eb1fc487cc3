"""The notice's rules on review agencies (评审机构), in one place.

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

from .choices import AgencyStanding

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
