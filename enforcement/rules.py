"""The notice's rules for enforcement, each in one named place (三（三）执法推进).

“对不具备安全生产条件、拒不开展标准化创建的企业，重点检查从业人员安全教育培训档案、隐患排查
治理工作开展情况、职业危害管理情况、特种作业人员持证上岗、应急预案备案等五个方面，发现违法
行为的，一律按规定上限处罚。” Plain functions on numbers and dates, so the tests read like it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from .choices import CheckPoint

# 执法检查须由两名以上执法人员进行，并出示执法证件（《行政处罚法》）.
MIN_INSPECTORS = 2
# The five points: every inspection records a finding and its evidence on each.
FIVE_POINTS = tuple(CheckPoint)
BELOW_UPPER_LIMIT_NEEDS_REASON = "罚款金额低于规定上限，须记录理由（通知要求一律按规定上限处罚）"
ABOVE_UPPER_LIMIT = "罚款金额不得超过法定上限"
# A case's deadline to correct is reminded 3 days before, on the day, then weekly when overdue.
DEADLINE_DAYS_BEFORE = (3, 0)


def upper_limit(fine_maxima: Iterable[Decimal]) -> Decimal:
    """The penalty's upper limit: the sum of each distinct legal basis' maximum (one fine per
    provision breached, however many times the inspection found it)."""
    return sum(fine_maxima, Decimal(0))


def penalty_problems(amount: Decimal, limit: Decimal, reason: str) -> dict[str, str]:
    """What is wrong with a fine of ``amount`` under ``limit``: a lower fine needs a reason."""
    if amount > limit:
        return {"amount": f"{ABOVE_UPPER_LIMIT}（{limit:,.0f}元）"}
    if amount < limit and not reason.strip():
        return {"below_limit_reason": BELOW_UPPER_LIMIT_NEEDS_REASON}
    return {}


def missing_points(findings: dict[str, tuple[str, str]]) -> list[str]:
    """The five points without a finding or without evidence (their labels)."""
    return [
        point.label
        for point in FIVE_POINTS
        if not (findings.get(point) and all(part.strip() for part in findings[point]))
    ]


def inspectors_problem(inspectors: list[tuple[str, str]]) -> str | None:
    """Two or more inspectors, each with a law-enforcement certificate number."""
    named = [(name.strip(), cert.strip()) for name, cert in inspectors if name.strip()]
    if any(not cert for _, cert in named):
        return "每名执法人员都须填写执法证号"
    if len({cert for _, cert in named}) < MIN_INSPECTORS:
        return f"现场检查须有{MIN_INSPECTORS}名以上执法人员（执法证号不同）"
    return None


def is_overdue(rectify_by: dt.date | None, today: dt.date) -> bool:
    return rectify_by is not None and rectify_by < today
