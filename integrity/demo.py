"""Demo integrity: the demo year's audit sample of 芝罘区 and the spot-check of every county
drawn by public lot (frozen the day before, drawn on the lottery's day), the experts of 芝罘区's
spot-check frozen and waiting for their public value; the nightly signals and the revocation
candidates of the demo's accidents. Needs the demo logins; idempotent."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from enterprises.models import County
from lookback.models import Campaign, SpotCheck
from lookback.selectors import passes_of_year

from .models import Draw
from .services.candidates import candidates_sweep
from .services.draws import draw_freeze, draw_perform
from .services.signals import signals_compute

LOTTERY = "中国福利彩票双色球开奖号码（演示）"


def _drawn(draw: Draw, *, city, value: str) -> Draw:
    """The demo's draws were frozen yesterday for today's public value."""
    today = timezone.localdate()
    Draw.objects.filter(pk=draw.pk).update(
        frozen_at=timezone.now() - dt.timedelta(days=1), public_value_date=today
    )
    draw.refresh_from_db()
    return draw_perform(draw=draw, actor=city, public_value=value)


def seed_draws(year: int) -> bool:
    if Draw.objects.filter(year=year).exists():
        return False
    city = get_user_model().objects.get(username="city")
    later = timezone.localdate() + dt.timedelta(days=1)
    zhifu = County.objects.get(code="370602")
    if passes_of_year(county=zhifu, year=year).exists():
        audit = draw_freeze(
            kind=Draw.Kind.AUDIT, year=year, actor=city, county=zhifu,
            public_value_source=LOTTERY, public_value_date=later,
        )  # fmt: skip
        _drawn(audit, city=city, value="03 08 14 21 27 30 + 06")
    campaign = Campaign.objects.filter(year=year).first()
    if campaign is None or timezone.localdate() > campaign.spot_check_deadline:
        return True  # no campaign, or its spot-check phase is closed (a past year)
    counties = list(County.objects.order_by("sort_order", "code"))
    try:
        spot = draw_freeze(
            kind=Draw.Kind.SPOT_CHECK, year=year, actor=city, campaign=campaign,
            counties=counties, size=3, public_value_source=LOTTERY, public_value_date=later,
        )  # fmt: skip
    except ValidationError:  # a demo without passed firms has nothing to spot-check
        return True
    _drawn(spot, city=city, value="05 09 16 22 28 33 + 12")
    check = SpotCheck.objects.filter(campaign=campaign, county=zhifu).first()
    if check is not None:
        try:
            draw_freeze(
                kind=Draw.Kind.EXPERTS, year=year, actor=city, spot_check=check, size=3,
                public_value_source=LOTTERY, public_value_date=later,
            )  # fmt: skip
        except ValidationError:  # a demo whose expert pool is too small draws none
            pass
    return True


def seed_candidates(year: int) -> int:
    """A fatal accident this spring at a graded firm of the demo county: a candidate."""
    from enterprises.models import Accident, Enterprise
    from enterprises.services import accident_save
    from reviews.models import Certificate

    county_user = get_user_model().objects.get(username="county")
    firm = (
        Enterprise.objects.filter(county=county_user.county)
        .exclude(certificate_no="")
        .order_by("pk")
        .first()
    )
    if firm is not None and not Accident.objects.filter(enterprise=firm).exists():
        issued = Certificate.objects.get(number=firm.certificate_no).issued_on
        accident_save(
            enterprise=firm,
            actor=county_user,
            occurred_on=max(issued, timezone.localdate() - dt.timedelta(days=7)),
            deaths=1,
            injuries=2,
            description="检修时未执行能量隔离，一名维修工被卷入设备死亡（演示）",
        )
    return candidates_sweep()


def seed_integrity(year: int) -> bool:
    drew = seed_draws(year)
    made = seed_candidates(year)
    signals_compute()
    return drew or bool(made)
