"""The yearly evaluation of the counties (年终目标考核): pluggable criteria with weights set by
the city. ("Assessment" in this portal means only a firm's self-assessment, 自评.)

A criterion is a function registered under a code; it returns, for every county, a value
between 0 and 1 (1 = fully met), or ``None`` when there is nothing to measure (no goal, no
deadline passed, no passed firm, no closed audit): that scores nothing, never full marks, and
the page says so. A county's score on it is value × weight; its total is the sum. Later
criteria register themselves the same way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count

from enforcement import selectors as enforcement_selectors
from enterprises.choices import PASSED_STATUSES
from enterprises.models import County, Enterprise
from lookback.models import AuditRound, SelfCheck
from outreach import selectors as outreach_selectors

from .models import CityGoal, EvaluationCriterion
from .rules import goal_minimum
from .selectors import CountyProgress, county_progress, rank

# (year, day, every county's progress) -> {county id: value between 0 and 1, or None}
CriterionFn = Callable[[int, dt.date, list[CountyProgress]], dict[int, float | None]]
CRITERIA: dict[str, tuple[str, CriterionFn]] = {}
# The notice's default weighting, used when the city has set none for the year.
DEFAULT_WEIGHTS = {"targets_met": Decimal("60"), "timeliness": Decimal("40")}
# The weights of a year's criteria add up to a hundred points (年终考核 is scored out of 100).
WEIGHTS_TOTAL = Decimal(100)


def criterion(code: str, label: str) -> Callable[[CriterionFn], CriterionFn]:
    def register(fn: CriterionFn) -> CriterionFn:
        CRITERIA[code] = (label, fn)
        return fn

    return register


@criterion("targets_met", "目标完成情况（达标的小微企业数/全市目标折算的本地最低数）")
def targets_met(year: int, today: dt.date, progress: list[CountyProgress]) -> dict:
    """Against the city's goal, not the county's own proposal: a low target earns nothing."""
    goal = CityGoal.objects.filter(year=year).first()
    values: dict[int, float | None] = {}
    for p in progress:
        minimum = goal_minimum(p.base, goal.pass_percent) if goal else 0
        values[p.county.pk] = min(p.base_passed / minimum, 1.0) if minimum else None
    return values


@criterion("timeliness", "材料上报及时性（按时上报/应上报）")
def timeliness(year: int, today: dt.date, progress: list[CountyProgress]) -> dict[int, float]:
    values = {}
    for p in progress:
        due = p.on_time + p.late + p.missing
        # A late document counts half: it was done, not on time.
        values[p.county.pk] = (p.on_time + 0.5 * p.late) / due if due else None
    return values


@criterion("audit_accuracy", "抽查审核准确率（1 − 误差率，取当年最近一次审核）")
def audit_accuracy(year: int, today: dt.date, progress: list[CountyProgress]) -> dict[int, float]:
    rates = {}
    for county_id, rate in (
        AuditRound.objects.filter(year=year, status=AuditRound.Status.CLOSED)
        .order_by("county", "closed_at")
        .values_list("county", "error_rate")
    ):
        rates[county_id] = rate  # the latest closed audit wins
    return {
        p.county.pk: (1.0 - float(rates[p.county.pk]))
        if rates.get(p.county.pk) is not None
        else None
        for p in progress
    }


@criterion("lookback_work", "“回头看”自查自纠覆盖率（已自查或排查的达标企业/达标企业）")
def lookback_work(year: int, today: dt.date, progress: list[CountyProgress]) -> dict[int, float]:
    checked = dict(
        SelfCheck.objects.filter(campaign__year=year)
        .values_list("enterprise__county")
        .annotate(n=Count("enterprise", distinct=True))
    )
    passed = dict(
        Enterprise.objects.filter(status__in=PASSED_STATUSES)
        .values_list("county")
        .annotate(n=Count("pk"))
    )
    return {
        p.county.pk: min(checked.get(p.county.pk, 0) / passed[p.county.pk], 1.0)
        if passed.get(p.county.pk)
        else None
        for p in progress
    }


@criterion("enforcement_inspected", "拒不创建企业执法检查率（已检查/当年登记的拒不创建企业）")
def enforcement_inspected(
    year: int, today: dt.date, progress: list[CountyProgress]
) -> dict[int, float | None]:
    shares = enforcement_selectors.refusers_inspected_share(year)
    return {p.county.pk: shares.get(p.county.pk) for p in progress}


@criterion("enforcement_settled", "违法行为处罚复查到位率（已处罚并复查/发现违法的案件）")
def enforcement_settled(
    year: int, today: dt.date, progress: list[CountyProgress]
) -> dict[int, float | None]:
    shares = enforcement_selectors.violations_settled_share(year)
    return {p.county.pk: shares.get(p.county.pk) for p in progress}


@criterion("outreach_reach", "宣传培训覆盖率（参加培训或接受上门指导的创建名单企业/创建名单企业）")
def outreach_reach(
    year: int, today: dt.date, progress: list[CountyProgress]
) -> dict[int, float | None]:
    shares = outreach_selectors.reach_share(year)
    return {p.county.pk: shares.get(p.county.pk) for p in progress}


def _hand_scored(code: str) -> CriterionFn:
    """A criterion the city scores by hand (0–100 with a note, ``outreach.HandScore``): a
    county without an entry scores nothing, and the page says so."""

    def values(year: int, today: dt.date, progress: list[CountyProgress]) -> dict:
        scores = outreach_selectors.hand_score_values(year, code)
        return {p.county.pk: scores.get(p.county.pk) for p in progress}

    return values


criterion("hand_leadership", "一把手工程（市局人工评分）")(_hand_scored("leadership"))
criterion("hand_funding", "资金投入（市局人工评分）")(_hand_scored("funding"))


@dataclass
class CountyScore:
    county: County
    parts: list[dict] = field(default_factory=list)
    total: float = 0.0
    rank: int = 0


def weights_for(year: int) -> dict[str, Decimal]:
    stored = {c.code: c.weight for c in EvaluationCriterion.objects.filter(year=year)}
    return {code: w for code, w in stored.items() if code in CRITERIA} or dict(DEFAULT_WEIGHTS)


def evaluate(*, user: Any, year: int, today: dt.date | None = None) -> list[CountyScore]:
    """The score of every county ``user`` may see, with its breakdown, ranked (best first)."""
    today = today or dt.date(year, 12, 31)
    weights = weights_for(year)
    progress = county_progress(user=user, year=year, today=today)
    values = {code: CRITERIA[code][1](year, today, progress) for code in weights}
    scores = []
    for county in (p.county for p in progress):
        score = CountyScore(county=county)
        for code, weight in weights.items():
            value = values[code].get(county.pk)
            points = round(value * float(weight), 1) if value is not None else 0.0
            score.parts.append(
                {"code": code, "label": CRITERIA[code][0], "weight": float(weight),
                 "value": round(value * 100, 1) if value is not None else None,
                 "points": points}
            )  # fmt: skip
        score.total = round(sum(part["points"] for part in score.parts), 1)
        scores.append(score)
    rank(scores, key=lambda s: (s.total,))
    return sorted(scores, key=lambda s: (s.rank, s.county.sort_order))
