"""The writes of outreach: keyword-only, the acting user, the transaction owned here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from enterprises.models import Enterprise
from portal.audit import record_change
from portal.policy import require

from .models import Attendance, Attendee, OutreachEvent


def event_record(
    *,
    actor: Any,
    kind: str,
    title: str,
    held_on: dt.date,
    place: str,
    organiser: str,
    firms: list[Enterprise],
    people: list[tuple[str, str]],
    note: str = "",
) -> OutreachEvent:
    """A county's event with the firms of its county that took part and the people who came."""
    require(actor, "record", OutreachEvent)
    outside = [f.name for f in firms if f.county_id != actor.county_id]
    if outside:
        raise ValidationError({"firms": "只能登记本县市区的企业：" + "、".join(outside)})
    event = OutreachEvent(
        county_id=actor.county_id, kind=kind, title=title, held_on=held_on, place=place,
        organiser=organiser, note=note, created_by=actor,
    )  # fmt: skip
    with transaction.atomic():
        event.full_clean()
        event.save()
        Attendance.objects.bulk_create(Attendance(event=event, enterprise=f) for f in firms)
        Attendee.objects.bulk_create(
            Attendee(event=event, name=name, post=post) for name, post in people
        )
        record_change(
            actor=actor, obj=event, action="录入推进活动",
            note=f"{event.get_kind_display()}，参加企业{len(firms)}家、人员{len(people)}人",
        )  # fmt: skip
    return event
