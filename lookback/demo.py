"""Demo look-back campaign and audit: the demo year's campaign with a few self-checks in 芝罘区,
the county's rating of one agency and the city's spot-check draw there, and an open audit of
芝罘区's passes of the year. Needs the demo logins; idempotent.

The demo lives in the present: the campaign keeps the notice's calendar (6月30日, 8月30日,
10月20日) while it is still ahead; once the year is past it, the demo's three phases are placed in
the weeks ahead of today, so the campaign runs today, its input is accepted and the morning job
reminds those who still owe it. A past year (``--year 2016``) keeps the notice's dates, and the
phases closed by then get no demo input (it would be refused today)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from enterprises.models import County
from reviews.models import ReviewAgency

from .models import AuditRound, Campaign
from .rules import phase_deadlines
from .selectors import passed_firms, passes_of_year
from .services import (
    agency_rating_submit,
    audit_start,
    campaign_open,
    self_check_record,
    spot_check_draw,
)


def seed_lookback(year: int) -> bool:
    if Campaign.objects.filter(year=year).exists():
        return False
    users = get_user_model().objects
    city, county_user = users.get(username="city"), users.get(username="county")
    today = timezone.localdate()
    campaign = campaign_open(year=year, actor=city, deadlines=demo_deadlines(year, today))
    zhifu = County.objects.get(code="370602")
    if today <= campaign.self_check_deadline:
        _seed_self_checks(campaign, county_user=county_user, county=zhifu)
    _seed_summary_and_spot_check(
        campaign, city=city, county_user=county_user, county=zhifu, today=today
    )
    if passes_of_year(county=zhifu, year=year).exists() and not AuditRound.objects.exists():
        audit_start(county=zhifu, year=year, actor=city, seed=f"demo{year}")
    return True


# The demo's phases when the notice's calendar is behind today: ends in 1, 2 and 3 weeks.
DEMO_PHASE_WEEKS = {"self_check": 1, "summary": 2, "spot_check": 3}


def demo_deadlines(year: int, today: dt.date) -> dict[str, dt.date]:
    """The notice's dates while they are all ahead (or for a past year); otherwise the weeks
    ahead of today, kept within the year."""
    notice = phase_deadlines(year)
    if year != today.year or today <= notice["self_check"]:
        return notice
    year_end = dt.date(year, 12, 31)
    return {
        phase: min(today + dt.timedelta(weeks=weeks), year_end)
        for phase, weeks in DEMO_PHASE_WEEKS.items()
    }


def _seed_self_checks(campaign, *, county_user, county) -> None:
    """Three of the county's passed firms inspected, one with a finding."""
    for number, firm in enumerate(passed_firms(county).order_by("pk")[:3]):
        self_check_record(
            campaign=campaign,
            enterprise=firm,
            actor=county_user,
            system_built=True,
            runs_daily=number != 1,
            agency_performed=True,
            problems="" if number != 1 else "隐患排查台账未按月更新",
            rectification="" if number != 1 else "限期一个月补齐台账",
        )


def _seed_summary_and_spot_check(campaign, *, city, county_user, county, today) -> None:
    """The county rates one agency (总结); the city draws its spot-check (抽查), each while its
    phase is open."""
    agency = ReviewAgency.objects.for_user(county_user).order_by("pk").first()
    if agency is not None and today <= campaign.summary_deadline:
        agency_rating_submit(
            campaign=campaign,
            agency=agency,
            rating="good",
            reason="评审认真，服务规范",
            actor=county_user,
        )
    if passed_firms(county).exists() and today <= campaign.spot_check_deadline:
        spot_check_draw(campaign=campaign, county=county, actor=city, seed=f"demo{campaign.year}")
