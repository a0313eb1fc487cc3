"""The scoring and grading rules of the programme, in one place.

Sources: the notice (烟安监〔2016〕6号) and the national rules it relies on (see DOMAIN.md):
- points are deducted item by item and an item never goes below zero;
- items that do not apply (空项) leave the denominator:
  score = earned / (total − not-applicable points) × 100, to one decimal;
- a failed veto item (否决项) fails the firm whatever its score; a veto item fails when any of
  its points are deducted;
- small and micro firms pass (达标) at 60 or more and cannot hold a grade;
- graded firms: 一级 at 90 or more, 二级 at 75, 三级 at 60;
- deaths in accidents in the year before cap the grade: 一级 needs none, 二级 at most one,
  三级 at most two; the final grade is the lower of the score's and the accidents';
- a grade (or 达标) is valid for three years; re-review is applied for in the last three months.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from enterprises.choices import Grade

SMALL_MICRO_PASS_SCORE = Decimal(60)
GRADE_THRESHOLDS = (
    (Decimal(90), Grade.LEVEL1),
    (Decimal(75), Grade.LEVEL2),
    (Decimal(60), Grade.LEVEL3),
)
MAX_DEATHS_FOR_GRADE = {Grade.LEVEL1: 0, Grade.LEVEL2: 1, Grade.LEVEL3: 2}
GRADE_ORDER = (Grade.LEVEL1, Grade.LEVEL2, Grade.LEVEL3)  # best first
VALIDITY_YEARS = 3
RE_REVIEW_WINDOW_MONTHS = 3
# Self-assessment and review scores differing by more than this are highlighted.
LARGE_GAP_POINTS = Decimal(2)
# A review total above the firm's own by more than this (points; the city may set
# REVIEW_SCORE_GAP_POINTS) needs the team's explanation, as does an item whose deductions
# differ by more than this share of its points.
REVIEW_SCORE_GAP_POINTS = Decimal(15)
ITEM_GAP_SHARE = Decimal("0.5")


@dataclass(frozen=True)
class ItemResult:
    """One scored item: its full points, points deducted, whether it applies, veto flag."""

    points: Decimal
    deducted: Decimal = Decimal(0)
    not_applicable: bool = False
    is_veto: bool = False

    @property
    def earned(self) -> Decimal:
        return max(Decimal(self.points) - Decimal(self.deducted), Decimal(0))

    @property
    def veto_failed(self) -> bool:
        return self.is_veto and not self.not_applicable and Decimal(self.deducted) > 0


@dataclass(frozen=True)
class Score:
    earned: Decimal
    applicable_points: Decimal
    value: Decimal | None  # None when nothing applies
    veto_failed: bool


def one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def compute_score(items: Iterable[ItemResult]) -> Score:
    items = list(items)
    applicable = [item for item in items if not item.not_applicable]
    earned = sum((item.earned for item in applicable), Decimal(0))
    possible = sum((Decimal(item.points) for item in applicable), Decimal(0))
    value = one_decimal(earned / possible * 100) if possible else None
    return Score(earned, possible, value, any(item.veto_failed for item in items))


def grade_by_score(score: Decimal | None, *, small_micro: bool) -> Grade | None:
    if score is None:
        return None
    if small_micro:
        return Grade.PASS if score >= SMALL_MICRO_PASS_SCORE else None
    for threshold, grade in GRADE_THRESHOLDS:
        if score >= threshold:
            return grade
    return None


def application_pass_mark(*, small_micro: bool, applied_grade: str = "") -> Decimal:
    """The self-assessment score a firm needs to apply: 60 for small and micro firms; for a
    graded firm the threshold of the grade it applies for (三级's when it names none)."""
    if small_micro:
        return SMALL_MICRO_PASS_SCORE
    thresholds = {grade: threshold for threshold, grade in GRADE_THRESHOLDS}
    return thresholds.get(applied_grade, thresholds[Grade.LEVEL3])


def review_exceeds_self_assessment(
    review_score: Decimal | None, own_score: Decimal | None, limit: Decimal
) -> bool:
    """The review's total is above the firm's own by more than ``limit`` points."""
    if review_score is None or own_score is None:
        return False
    return Decimal(review_score) - Decimal(own_score) > limit


def item_differs_by_half(points: Decimal, review_deducted: Decimal, own_deducted: Decimal) -> bool:
    """The agency's and the firm's deductions on one item differ by more than half its points."""
    return abs(Decimal(review_deducted) - Decimal(own_deducted)) > Decimal(points) * ITEM_GAP_SHARE


def grade_allowed_by_accidents(deaths: int) -> Grade | None:
    """The best grade a firm may hold with ``deaths`` in the year before; None if none."""
    for grade in GRADE_ORDER:
        if deaths <= MAX_DEATHS_FOR_GRADE[grade]:
            return grade
    return None


def final_result(
    score: Score, *, small_micro: bool, deaths_in_year_before: int = 0
) -> Grade | None:
    """The result a review concludes with: a grade, 达标, or None (未达标)."""
    if score.veto_failed:
        return None
    by_score = grade_by_score(score.value, small_micro=small_micro)
    if by_score is None or small_micro:
        return by_score
    cap = grade_allowed_by_accidents(deaths_in_year_before)
    if cap is None:
        return None
    return max(by_score, cap, key=GRADE_ORDER.index)  # the lower of the two


def validity_end(issued_on: dt.date) -> dt.date:
    """Three years from issue, the day before the anniversary."""
    try:
        anniversary = issued_on.replace(year=issued_on.year + VALIDITY_YEARS)
    except ValueError:  # 29 February
        anniversary = issued_on.replace(year=issued_on.year + VALIDITY_YEARS, day=28)
    return anniversary - dt.timedelta(days=1)


def re_review_window_opens(valid_until: dt.date) -> dt.date:
    """Re-review is applied for in the last three months of validity."""
    month = valid_until.month - RE_REVIEW_WINDOW_MONTHS
    year = valid_until.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, min(valid_until.day, calendar.monthrange(year, month)[1]))
