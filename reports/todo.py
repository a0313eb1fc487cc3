"""What waits for the city and the counties in the reports (``portal.todo``): targets to
accept, documents to accept and those overdue; the county's documents owed and its target."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from portal.roles import Role
from portal.todo import Todo, todo

from .choices import TargetStatus
from .models import CountyTarget
from .selectors import SUBMISSION_QUEUES, submission_queue, targets_to_accept


def _queue(user: Any, queue: str, today: dt.date, hint: str, *, order: str = "") -> Todo:
    count = submission_queue(user=user, queue=queue, year=today.year, today=today).count()
    url = f"{reverse('reports:submissions')}?status={queue}&year={today.year}"
    return Todo(SUBMISSION_QUEUES[queue], count, url, hint=hint)


@todo(Role.CITY, order=10)
def targets(user: Any, today: dt.date) -> Todo:
    return Todo(
        "待审定的年度目标", targets_to_accept(user=user, year=today.year).count(),
        f"{reverse('reports:targets')}?status={TargetStatus.SUBMITTED}&year={today.year}",
        hint="审定或说明理由退回",
    )  # fmt: skip


@todo(Role.CITY, order=20)
def documents(user: Any, today: dt.date) -> Todo:
    return _queue(user, "handed_in", today, "接收或退回县市区上报的材料")


@todo(Role.CITY, order=80)
def overdue(user: Any, today: dt.date) -> Todo:
    return _queue(user, "overdue", today, "已过截止日期仍未上报，督促相关县市区")


@todo(Role.COUNTY, order=50)
def owed(user: Any, today: dt.date) -> Todo:
    return _queue(user, "owed", today, "按时间要求上报市局工商贸科")


@todo(Role.COUNTY, order=60)
def target(user: Any, today: dt.date) -> Todo | None:
    mine = CountyTarget.objects.for_user(user).filter(year=today.year).first()
    if mine is not None and mine.status not in (TargetStatus.DRAFT, TargetStatus.RETURNED):
        return None
    text = (
        f"{today.year}年目标被市局退回，请修改后重新提交"
        if mine is not None and mine.status == TargetStatus.RETURNED
        else f"{today.year}年目标尚未提交市局"
    )
    return Todo("年度目标", 1, reverse("reports:target_edit", args=[today.year]), text=text)
