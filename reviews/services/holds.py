"""Holding a county's results of a year back from announcement (the city's audit decides)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from enterprises.models import County
from portal.audit import record_change
from portal.events import emit
from portal.policy import require

from ..events import HOLD_PLACED, HOLD_RELEASED
from ..models import ResultHold


def results_held(*, county: County, year: int) -> ResultHold | None:
    """The active hold on the county's results of the year, if any."""
    return ResultHold.objects.filter(county=county, year=year, released_at__isnull=True).first()


@transaction.atomic
def result_hold_place(*, county: County, year: int, reason: str, actor: Any) -> ResultHold:
    require(actor, "place", ResultHold)
    hold = results_held(county=county, year=year)
    if hold is None:
        hold = ResultHold.objects.create(county=county, year=year, reason=reason)
        record_change(actor=actor, obj=hold, action="暂缓公告", note=reason)
        emit(HOLD_PLACED, hold, actor=actor)
    return hold


@transaction.atomic
def result_hold_release(*, county: County, year: int, actor: Any, note: str) -> ResultHold | None:
    require(actor, "release", ResultHold)
    hold = results_held(county=county, year=year)
    if hold is not None:
        hold.released_at = timezone.now()
        hold.save(update_fields=["released_at"])
        record_change(actor=actor, obj=hold, action="解除暂缓公告", note=note)
        emit(HOLD_RELEASED, hold, actor=actor, note=note)
    return hold


@transaction.atomic
def result_hold_release_one(*, hold: ResultHold, actor: Any, note: str) -> bool:
    """Release this one hold (the one an audit placed) if it is still active. A replay, or a
    hold released already, changes nothing: the release claims the row with a conditional
    UPDATE. Another hold of the same county and year is never touched."""
    now = timezone.now()
    if not ResultHold.objects.filter(pk=hold.pk, released_at__isnull=True).update(released_at=now):
        return False
    hold.released_at = now
    record_change(actor=actor, obj=hold, action="解除暂缓公告", note=note)
    emit(HOLD_RELEASED, hold, actor=actor, note=note)
    return True
