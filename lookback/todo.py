"""What waits for the city and the firms in the look-back (``portal.todo``): ratings of the
agencies to decide, audits still open; a firm's order to rectify from a spot-check."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from portal.events import cn_date
from portal.roles import Role
from portal.todo import Todo, todo

from .models import AgencyRating, AuditRound, Campaign, SpotCheckOutcome


def pending_ratings(user: Any, campaign: Campaign):
    return AgencyRating.objects.for_user(user).filter(campaign=campaign, decided=False)


def open_audits(user: Any, year: int):
    return AuditRound.objects.for_user(user).filter(year=year, status=AuditRound.Status.OPEN)


@todo(Role.CITY, order=30)
def ratings(user: Any, today: dt.date) -> Todo | None:
    campaign = Campaign.objects.for_user(user).filter(year=today.year).first()
    if campaign is None:
        return None
    return Todo(
        "待处理的评审机构考评", pending_ratings(user, campaign).count(),
        f"{reverse('lookback:ratings', args=[campaign.pk])}?pending=1",
        hint="按县市区考评调整评审机构名单",
    )  # fmt: skip


@todo(Role.CITY, order=40)
def audits(user: Any, today: dt.date) -> Todo:
    return Todo(
        "进行中的抽查审核", open_audits(user, today.year).count(),
        f"{reverse('lookback:audit_list')}?status=open&year={today.year}",
        hint="录入审核结果后完成审核",
    )  # fmt: skip


@todo(Role.ENTERPRISE, order=20)
def spot_check(user: Any, today: dt.date) -> Todo | None:
    outcome = (
        SpotCheckOutcome.objects.filter(
            enterprise_id=user.enterprise_id,
            outcome=SpotCheckOutcome.Outcome.RECTIFY,
            rectify_by__gte=today,
        )
        .order_by("rectify_by")
        .first()
    )
    if outcome is None:
        return None
    return Todo(
        "回头看抽查限期整改", 1, reverse("enterprises:detail", args=[user.enterprise_id]),
        text=f"回头看抽查：限期整改，期限{cn_date(outcome.rectify_by)}", hint=outcome.note,
    )  # fmt: skip
