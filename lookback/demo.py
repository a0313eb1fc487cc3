"""Demo look-back campaign: the demo year's campaign with a few self-checks in 芝罘区 and the
county's rating of one agency. The spot-check and audit draws are the integrity app's demo
(``integrity.demo``). Needs the demo logins; idempotent."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from enterprises.models import County
from reviews.models import ReviewAgency

from .models import Campaign
from .selectors import passed_firms
from .services import agency_rating_submit, campaign_open, self_check_record


def seed_lookback(year: int) -> bool:
    if Campaign.objects.filter(year=year).exists():
        return False
    users = get_user_model().objects
    city, county_user = users.get(username="city"), users.get(username="county")
    campaign = campaign_open(year=year, actor=city)
    zhifu = County.objects.get(code="370602")
    for number, firm in enumerate(passed_firms(zhifu).order_by("pk")[:3]):
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
    _seed_summary(campaign, county_user=county_user)
    return True


def _seed_summary(campaign, *, county_user) -> None:
    """The county rates one agency (总结)."""
    agency = ReviewAgency.objects.for_user(county_user).order_by("pk").first()
    if agency is not None:
        agency_rating_submit(
            campaign=campaign,
            agency=agency,
            rating="good",
            reason="评审认真，服务规范",
            actor=county_user,
        )
