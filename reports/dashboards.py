"""Reads of the city's and the counties' dashboards: the year's list by industry and size, the
weekly trend from the snapshots with the year-end projection, the look-back's phases, the
audits' error rates and the agencies' ranking. Each is one query (or a fixed few) whatever the
number of firms, and scoped to the user; ``county`` narrows a city user's view to one county
(the drill-down). The per-county progress itself is ``selectors.county_progress``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.urls import reverse

from enterprises.choices import LIST_STAGES, SizeClass
from enterprises.models import County, CreationListEntry, Industry
from lookback.models import AuditRound, Campaign
from lookback.selectors import audit_errors_by_agency, campaign_progress
from portal.roles import CITY_WIDE_ROLES, Role
from reviews.models import Review

from . import rules
from .models import ProgressRow
from .selectors import city_cross


@dataclass
class Slice:
    """The year's list of one industry or one size class: listed and passed, with links."""

    label: str
    listed: int
    passed: int
    listed_url: str
    passed_url: str

    @property
    def rate(self) -> float:
        return rules.rate(self.passed, self.listed)


def list_url(year: int, county: County | None = None, **filters: Any) -> str:
    """The creation list behind a figure (``enterprises.selectors.creation_list`` filters)."""
    params = {"year": year, **({"county": county.pk} if county else {}), **filters}
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{reverse('enterprises:creation_list')}?{query}"


def _entries(user: Any, year: int, county: County | None) -> QuerySet:
    qs = CreationListEntry.objects.for_user(user).filter(year=year)
    return qs.filter(enterprise__county=county) if county else qs


def _cross(user: Any, year: int, county: County | None) -> list[dict]:
    """Listed and passed by industry × size: one scan of the year's lists serves both tables.
    The city and the counties, whose scope is whole counties, read the city-wide figures kept
    in the cache (``selectors.city_cross``) for their counties: no query at all."""
    if user.role in CITY_WIDE_ROLES or (user.role == Role.COUNTY and user.county_id):
        wanted = {county.pk} if county else None
        if user.role == Role.COUNTY:
            wanted = {user.county_id} & wanted if wanted is not None else {user.county_id}
        return [
            row for row in city_cross(year)
            if wanted is None or row["enterprise__county"] in wanted
        ]  # fmt: skip
    passed = Q(enterprise__status__in=LIST_STAGES["passed"])
    return list(
        _entries(user, year, county)
        .values("enterprise__industry", "enterprise__size")
        .annotate(listed=Count("pk"), passed=Count("pk", filter=passed))
        .order_by()
    )


def _sum_by(rows: list[dict], field: str) -> dict[Any, dict[str, int]]:
    totals: dict[Any, dict[str, int]] = {}
    for row in rows:
        total = totals.setdefault(row[field], {"listed": 0, "passed": 0})
        total["listed"] += row["listed"]
        total["passed"] += row["passed"]
    return totals


def breakdowns(
    *, user: Any, year: int, county: County | None = None
) -> tuple[list[Slice], list[Slice]]:
    """The year's list by industry (in the industries' order) and by size class: two queries."""
    rows = _cross(user, year, county)
    by_industry, by_size = _sum_by(rows, "enterprise__industry"), _sum_by(rows, "enterprise__size")
    industries = [
        Slice(
            industry.name,
            by_industry[industry.pk]["listed"],
            by_industry[industry.pk]["passed"],
            list_url(year, county, industry=industry.pk),
            list_url(year, county, industry=industry.pk, stage="passed"),
        )  # fmt: skip
        for industry in Industry.objects.filter(pk__in=list(by_industry))
    ]
    sizes = [
        Slice(
            label,
            by_size[value]["listed"],
            by_size[value]["passed"],
            list_url(year, county, size=value),
            list_url(year, county, size=value, stage="passed"),
        )  # fmt: skip
        for value, label in SizeClass.choices
        if value in by_size
    ]
    return industries, sizes


@dataclass
class Trend:
    """The weekly snapshots' totals, and where the pace so far leads by 31 December."""

    dates: list[str]
    passed: list[int]
    expected: list[int]
    target: int
    projected: int

    @property
    def chart(self) -> dict[str, Any]:
        return {
            "dates": self.dates, "passed": self.passed, "expected": self.expected,
            "target": self.target, "projected": self.projected,
        }  # fmt: skip


def weekly_trend(
    *, user: Any, year: int, today: dt.date, county: County | None = None, passed_now: int = 0
) -> Trend:
    """One query over the year's snapshots (``ProgressSnapshot``), scoped like their rows."""
    rows = ProgressRow.objects.for_user(user).filter(snapshot__year=year)
    if county is not None:
        rows = rows.filter(county=county)
    weeks = list(
        rows.values("snapshot__taken_on")
        .annotate(passed=Sum("passed"), expected=Sum("expected_today"), target=Sum("target"))
        .order_by("snapshot__taken_on")
    )
    return Trend(
        dates=[f"{w['snapshot__taken_on']:%-m月%-d日}" for w in weeks],
        passed=[w["passed"] or 0 for w in weeks],
        expected=[w["expected"] or 0 for w in weeks],
        target=(weeks[-1]["target"] or 0) if weeks else 0,
        projected=rules.project_to_year_end(passed_now, today, year=year),
    )


def lookback_status(*, user: Any, year: int, county: County | None = None) -> dict | None:
    """The year's look-back: its phases' deadlines and, per county, how far each has come."""
    campaign = Campaign.objects.for_user(user).filter(year=year).first()
    if campaign is None:
        return None
    rows = campaign_progress(campaign=campaign, user=user)
    if county is not None:
        rows = [r for r in rows if r["county"].pk == county.pk]
    phases = [
        ("自查自纠", campaign.self_check_deadline),
        ("总结考评", campaign.summary_deadline),
        ("市级抽查", campaign.spot_check_deadline),
    ]
    return {"campaign": campaign, "phases": phases, "rows": rows}


def audit_rates(*, user: Any, year: int, county: County | None = None) -> list[AuditRound]:
    """The year's audits of results (抽查审核) with their error rates: one query."""
    qs = AuditRound.objects.for_user(user).filter(year=year).select_related("county")
    return list(qs.filter(county=county) if county else qs)


@dataclass
class AgencyStanding:
    name: str
    concluded: int
    passed: int
    audit_errors: int
    rank: int = 0
    agency_id: int = 0  # its page: the performance record behind the figures

    @property
    def pass_rate(self) -> float:
        return rules.rate(self.passed, self.concluded)


def agency_ranking(*, user: Any, year: int, county: County | None = None) -> list[AgencyStanding]:
    """The agencies by the share of their concluded reviews that passed, with the firms the
    city's audit found in error: two queries."""
    reviews = Review.objects.for_user(user).filter(concluded_at__year=year, agency__isnull=False)
    if county is not None:
        reviews = reviews.filter(enterprise__county=county)
    rows = (
        reviews.values("agency", "agency__name")
        .annotate(concluded=Count("pk"), passed=Count("pk", filter=~Q(result="")))
        .order_by("agency__name")
    )
    errors = audit_errors_by_agency(year=year)
    standings = [
        AgencyStanding(
            r["agency__name"],
            r["concluded"],
            r["passed"],
            errors.get(r["agency"], 0),
            agency_id=r["agency"],
        )
        for r in rows
    ]
    rules_rank(standings)
    return sorted(standings, key=lambda s: s.rank)


def rules_rank(standings: list[AgencyStanding]) -> None:
    from .selectors import rank

    rank(standings, key=lambda s: (s.pass_rate, -s.audit_errors, s.concluded))
