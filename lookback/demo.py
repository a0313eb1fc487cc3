"""Demo look-back campaign and audit: the demo year's campaign with a few self-checks in 芝罘区,
the county's ratings of two agencies (the city warns one, citing it), an agency's request to
add an expert and the year's first edition of the dynamic list. The spot-check and audit draws
are the integrity app's demo (``integrity.demo``). Needs the demo logins; idempotent.

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
from portal.roles import Role
from reviews.models import Review
from reviews.selectors.agencies import agencies_reviewed_in
from reviews.services.agencies import agency_list_publish
from reviews.services.agency_profiles import expert_save

from .models import Campaign
from .rules import phase_deadlines
from .selectors import passed_firms
from .services import (
    agency_rating_submit,
    agency_standing_decide_on_ratings,
    campaign_open,
    self_check_record,
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
    _seed_summary(campaign, city=city, county_user=county_user, county=zhifu, today=today)
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


def _seed_summary(campaign, *, city, county_user, county, today) -> None:
    """The county rates one agency (总结) and the city warns another, while the summary phase
    is open; the city publishes the year's dynamic list."""
    worked = agencies_reviewed_in(county_id=county.pk, year=campaign.year).order_by("pk").first()
    if worked is not None and today <= campaign.summary_deadline:
        agency_rating_submit(
            campaign=campaign,
            agency=worked,
            rating="good",
            reason="评审认真，服务规范",
            actor=county_user,
        )
    elsewhere = (
        Review.objects.filter(agency__isnull=False, assigned_at__year=campaign.year)
        .exclude(agency=worked)
        .select_related("agency", "enterprise")
        .order_by("pk")
        .first()
    )
    staff = elsewhere and (
        get_user_model()
        .objects.filter(role=Role.COUNTY, county=elsewhere.enterprise.county_id)
        .order_by("pk")
        .first()
    )
    if staff and today <= campaign.summary_deadline:
        _seed_a_warning(campaign, elsewhere.agency, city=city, county_user=staff)
    _seed_change_request(city)
    agency_list_publish(year=campaign.year, actor=city, note="年度动态名单")


def _seed_a_warning(campaign, agency, *, city, county_user) -> None:
    """The county rates an agency 重收费、轻服务; the city warns it with a deadline, citing it."""
    today = timezone.localdate()
    rating = agency_rating_submit(
        campaign=campaign,
        agency=agency,
        rating="warning",
        reason="评审收费明显高于同类企业，现场评审时间不足半天",
        actor=county_user,
        rectify_by=today + dt.timedelta(days=30),
    )
    agency_standing_decide_on_ratings(
        agency=agency,
        decision="warn",
        reason="县级考评反映重收费、轻服务，予以警告",
        actor=city,
        ratings=[rating],
        problem="fees",
        requirements="按同规模企业收费标准退还多收费用，现场评审不少于一个工作日",
        deadline=today + dt.timedelta(days=5),
    )


def _seed_change_request(city) -> None:
    """The demo agency asks to add an expert (waiting for the city's approval)."""
    agency_user = get_user_model().objects.filter(username="agency").first()
    if agency_user is None or agency_user.agency is None:
        return
    expert_save(
        agency=agency_user.agency,
        actor=agency_user,
        name="郑晓东",
        certificate_no="SD-AQ-9901",
        phone="0535-6609901",
        is_active=True,
        spot_checks=True,
        industries=list(agency_user.agency.industries.all()[:2]),
    )
