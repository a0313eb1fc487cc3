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
