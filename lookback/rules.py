"""The notice's numbers for the audit of results and the look-back campaign, in one place.

- 市里将对各县市区当年达标企业按不低于10%的比例进行抽查审核 (rounded up: at least one firm);
- 对上报的评估情况和抽查审核结果误差率≥30%的，重新进行评审。经再次审核合格后，方可允许公告评定结果;
- 回头看抽查：每个县市区随机抽查企业3-5家;
- 回头看总结：对“重收费、轻服务”的评审机构给予警告，限期整改；屡改屡犯、弄虚作假的予以清除;
- 回头看三阶段截止：自查自纠 6月30日前，总结 8月30日前，抽查 10月20日前。
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

AUDIT_SAMPLE_SHARE = Decimal("0.10")
AUDIT_ERROR_RATE_LIMIT = Decimal("0.30")
AUDIT_SCORE_TOLERANCE = Decimal(10)  # points; configurable per audit round
SPOT_CHECK_MIN, SPOT_CHECK_MAX = 3, 5


def audit_sample_size(passed: int) -> int:
    """At least 10% of the county's passes of the year, rounded up."""
    if passed <= 0:
        return 0
    return min(passed, math.ceil(passed * AUDIT_SAMPLE_SHARE))


def error_rate(in_error: int, sampled: int) -> Decimal:
    return Decimal(in_error) / Decimal(sampled) if sampled else Decimal(0)


def requires_re_review(in_error: int, sampled: int) -> bool:
    return sampled > 0 and error_rate(in_error, sampled) >= AUDIT_ERROR_RATE_LIMIT


def phase_deadlines(year: int) -> dict[str, dt.date]:
    return {
        "self_check": dt.date(year, 6, 30),
        "summary": dt.date(year, 8, 30),
        "spot_check": dt.date(year, 10, 20),
    }


# The three phases in their order, and what each is called on a page.
PHASES = {"self_check": "自查自纠", "summary": "总结", "spot_check": "抽查"}
# Those who still owe a phase's input are reminded this many days before its deadline.
PHASE_REMINDER_DAYS_BEFORE = (7, 1)


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def phase_closed_reason(
    phase: str, deadline: dt.date, today: dt.date, *, reopened_until: dt.date | None = None
) -> str | None:
    """Each phase accepts input until its deadline (the day itself included); after it, only
    while the city has reopened the phase for the county."""
    if today <= deadline or (reopened_until is not None and today <= reopened_until):
        return None
    return (
        f"“回头看”{PHASES[phase]}阶段已于{chinese_date(deadline)}截止，不再接受填报；"
        "确需补报的，请联系市局为本县市区重新开放该阶段"
    )


def phases_in_order(deadlines: dict[str, dt.date]) -> str | None:
    """自查自纠, 总结, 抽查 follow one another: a deadline before the one of the phase before it
    is refused."""
    names = list(PHASES)
    for before, after in zip(names, names[1:], strict=False):
        if deadlines[after] < deadlines[before]:
            return f"{PHASES[after]}截止日期不能早于{PHASES[before]}截止日期"
    return None
