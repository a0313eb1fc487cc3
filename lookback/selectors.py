"""Reads of the look-back campaign and the audit of results; those that depend on who asks
take the user."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, Q

from enterprises.choices import PASSED_STATUSES
from enterprises.models import County, Enterprise
from enterprises.workflows import PROGRESS_CACHE
from portal import caching
from reviews.models import Certificate

from .models import AgencyRating, Campaign, PhaseReopening, SelfCheck, SpotCheck
from .policies import self_check_method
from .rules import PHASES, chinese_date, phase_closed_reason


def passes_of_year(*, county: County, year: int):
    """The county's firms that passed in ``year``: certificates issued that year, not revoked,
    and those the re-review of that year's results gave (issued when it was done)."""
    return Certificate.objects.filter(
        Q(issued_on__year=year) | Q(review__hold__year=year),
        enterprise__county=county,
        revoked_at__isnull=True,
    ).select_related("review")


def any_passes_of_year(year: int) -> bool:
    """Whether any county has a pass in ``year`` (``passes_of_year``): something to audit."""
    return Certificate.objects.filter(
        Q(issued_on__year=year) | Q(review__hold__year=year), revoked_at__isnull=True
    ).exists()


def passed_firms(county: County):
    """The county's firms that hold a standardization result now."""
    return Enterprise.objects.filter(county=county, status__in=PASSED_STATUSES)


def passed_firms_for(user: Any):
    """The passed firms ``user`` can see, by county and name (the self-check list)."""
    return (
        Enterprise.objects.for_user(user)
        .filter(status__in=PASSED_STATUSES)
        .select_related("county")
        .order_by("county__sort_order", "name")
    )


def self_checks_by_firm(*, campaign: Campaign, firms) -> list[tuple[Enterprise, dict]]:
    """Each firm with its checks of the campaign by method (``{"self": …, "government": …}``)."""
    by_firm: dict[int, dict[str, SelfCheck]] = {}
    for check in SelfCheck.objects.filter(campaign=campaign, enterprise__in=[f.pk for f in firms]):
        by_firm.setdefault(check.enterprise_id, {})[check.method] = check
    return [(firm, by_firm.get(firm.pk, {})) for firm in firms]


def self_check_for(*, campaign: Campaign, enterprise: Enterprise, user: Any) -> SelfCheck:
    """The check ``user`` files for the firm: the stored one, or a new one of the way they
    take part (a firm checks itself, a county inspects)."""
    method = self_check_method(user)
    found = SelfCheck.objects.filter(campaign=campaign, enterprise=enterprise, method=method)
    return found.first() or SelfCheck(campaign=campaign, enterprise=enterprise, method=method)


def own_part(*, campaign: Campaign, user: Any) -> dict[str, Any] | None:
    """A firm user's own part in the campaign: the firm, whether it takes part (it has
    passed) and its own check so far; ``None`` for anyone not of a firm."""
    firm = getattr(user, "enterprise", None)
    if firm is None:
        return None
    check = SelfCheck.objects.filter(
        campaign=campaign, enterprise=firm, method=SelfCheck.Method.SELF
    ).first()
    return {"firm": firm, "takes_part": firm.status in PASSED_STATUSES, "check": check}


def passed_by_county() -> dict[int, int]:
    """Each county's firms holding a result: a count over the whole registry, kept with the
    progress figures and forgotten with them by every change of a firm's standing
    (``enterprises.workflows.forget_progress``), so the look-back's pages and the dashboards
    do not count 200,000 firms on every request."""
    return caching.remember(
        PROGRESS_CACHE,
        "passed_by_county",
        lambda: dict(
            Enterprise.objects.filter(status__in=PASSED_STATUSES)
            .values_list("county")
            .annotate(n=Count("pk"))
            .order_by()
        ),
        timeout=600,
    )


def campaign_progress(*, campaign: Campaign, user: Any) -> list[dict[str, Any]]:
    """Per county in the user's scope: passed firms, self-checks, inspections, ratings, and
    whether the spot-check was drawn. A fixed number of queries whatever the number of firms."""
    counties = list(County.objects.for_user(user))
    passed = passed_by_county()
    checks = Counter()
    for county_id, method, n in (
        SelfCheck.objects.filter(campaign=campaign)
        .values_list("enterprise__county", "method")
        .annotate(n=Count("pk"))
    ):
        checks[county_id, method] = n
    ratings = dict(
        AgencyRating.objects.filter(campaign=campaign).values_list("county").annotate(n=Count("pk"))
    )
    drawn = set(SpotCheck.objects.filter(campaign=campaign).values_list("county", flat=True))
    return [
        {
            "county": county,
            "passed": passed.get(county.pk, 0),
            "self_checked": checks[county.pk, SelfCheck.Method.SELF],
            "inspected": checks[county.pk, SelfCheck.Method.GOVERNMENT],
            "ratings": ratings.get(county.pk, 0),
            "spot_checked": county.pk in drawn,
        }
        for county in counties
    ]


def audit_errors_by_agency(*, year: int | None = None) -> dict[int, int]:
    """How many audited results each agency's reviews got wrong (agency id → firms in error)."""
    from .models import AuditFinding

    findings = AuditFinding.objects.filter(in_error=True, agency__isnull=False)
    if year is not None:
        findings = findings.filter(audit__year=year)
    rows = findings.order_by().values("agency").annotate(errors=Count("pk"))
    return {row["agency"]: row["errors"] for row in rows}


def reopened_until(*, campaign: Campaign, phase: str, county_id: int | None) -> dt.date | None:
    """The latest date to which the city has reopened the phase for the county (for any
    county with ``None``), if it has."""
    reopenings = PhaseReopening.objects.filter(campaign=campaign, phase=phase)
    if county_id is not None:
        reopenings = reopenings.filter(county_id=county_id)
    return max(reopenings.values_list("until", flat=True), default=None)


def phase_closed(*, campaign: Campaign, phase: str, county_id: int, today: dt.date) -> str | None:
    """Why the county's input to the phase is refused today, or ``None`` while it is open."""
    deadline = campaign.deadline_of(phase)
    if today <= deadline:
        return None
    until = reopened_until(campaign=campaign, phase=phase, county_id=county_id)
    return phase_closed_reason(phase, deadline, today, reopened_until=until)


def phase_states(*, campaign: Campaign, county_id: int | None, today: dt.date) -> dict:
    """Each phase for the campaign pages: whether it takes input today (from the county of
    the user; from any county for the city) and the words to say so."""
    states = {}
    for phase, label in PHASES.items():
        deadline = campaign.deadline_of(phase)
        until = (
            reopened_until(campaign=campaign, phase=phase, county_id=county_id)
            if today > deadline
            else None
        )
        is_open = phase_closed_reason(phase, deadline, today, reopened_until=until) is None
        if today <= deadline:
            words = f"进行中，{chinese_date(deadline)}截止"
        elif is_open:
            words = f"已由市局重新开放至{chinese_date(until)}"
        else:
            words = f"已于{chinese_date(deadline)}截止"
        states[phase] = {"label": label, "open": is_open, "words": words}
    return states


# --- 抽查总体: each passed firm with what the self-check and the summary found -----------------

THREE_POINTS = {
    "system_built": "管理体系未建立",
    "runs_daily": "日常管理未正常运行",
    "agency_performed": "评审机构未认真履职",
}
RATINGS_WITH_FINDINGS = (AgencyRating.Rating.WARNING, AgencyRating.Rating.REMOVAL)


def _check_words(check: SelfCheck | None) -> str:
    if check is None:
        return ""
    failed = [words for field, words in THREE_POINTS.items() if not getattr(check, field)]
    return "；".join([*failed, *([check.problems.strip()] if check.problems.strip() else [])])


def spot_check_findings(*, campaign: Campaign, firms) -> dict[int, dict[str, Any]]:
    """What the campaign found at each firm before the spot-check (根据自查自纠和总结情况):

    - ``self`` and ``government``: the firm's own self-check and the county's inspection
      (``None`` when not done; else the points answered 否 and the problems written, "" when
      all is well);
    - ``summary``: the county's latest rating, in the 总结 phase, of the agency that reviewed the
      firm's current result (``None`` when the county did not rate it);
    - ``found``: whether any of them found a problem (the self-check or inspection answered 否
      or wrote a problem, or the agency was rated 警告 or 建议清除): the 第1层 of the draw.

    Four queries whatever the number of firms."""
    firms = list(firms)
    ids = [f.pk for f in firms]
    checks: dict[int, dict[str, SelfCheck]] = {}
    for check in SelfCheck.objects.filter(campaign=campaign, enterprise__in=ids):
        checks.setdefault(check.enterprise_id, {})[check.method] = check
    agency_of = dict(
        Certificate.objects.filter(
            enterprise__in=ids, revoked_at__isnull=True, review__agency__isnull=False
        )
        .order_by("issued_on", "pk")
        .values_list("enterprise", "review__agency")
    )
    ratings: dict[tuple[int, int], AgencyRating] = {}
    for rating in (
        AgencyRating.objects.filter(campaign=campaign, agency__in=set(agency_of.values()))
        .select_related("agency")
        .order_by("sequence", "pk")
    ):
        ratings[(rating.county_id, rating.agency_id)] = rating  # the latest one stays
    found: dict[int, dict[str, Any]] = {}
    for firm in firms:
        own = checks.get(firm.pk, {})
        self_check, inspection = own.get("self"), own.get("government")
        rating = ratings.get((firm.county_id, agency_of.get(firm.pk)))
        summary = None
        if rating is not None:
            summary = {
                "agency": rating.agency.name,
                "rating": rating.get_rating_display(),
                "reason": rating.reason,
                "found": rating.rating in RATINGS_WITH_FINDINGS,
            }
        words = {"self": self_check, "government": inspection}
        found[firm.pk] = {
            **{
                method: None if check is None else {"words": _check_words(check)}
                for method, check in words.items()
            },
            "summary": summary,
            "found": any(_check_words(c) for c in words.values())
            or bool(summary and summary["found"]),
        }
    return found


def spot_check_population_by_county(
    *, campaign: Campaign, user: Any, county_id: int | None = None
) -> list[dict[str, Any]]:
    """The spot-check's population as ``user`` sees it: per county, its passed firms in the two
    strata of the draw (with findings, without) and whether it was drawn; the firms themselves,
    each with its findings and those with findings first, only for ``county_id``."""
    firms = list(passed_firms_for(user).order_by("county__sort_order", "credit_code"))
    findings = spot_check_findings(campaign=campaign, firms=firms)
    drawn = set(SpotCheck.objects.filter(campaign=campaign).values_list("county", flat=True))
    counties: dict[int, dict[str, Any]] = {}
    for firm in firms:
        row = counties.setdefault(
            firm.county_id,
            {"county": firm.county, "drawn": firm.county_id in drawn, "passed": 0,
             "with_findings": 0, "rows": []},
        )  # fmt: skip
        row["passed"] += 1
        row["with_findings"] += findings[firm.pk]["found"]
        if firm.county_id == county_id:
            row["rows"].append((firm, findings[firm.pk]))
    for county in counties.values():
        county["without_findings"] = county["passed"] - county["with_findings"]
        county["rows"].sort(key=lambda r: not r[1]["found"])
    return list(counties.values())
