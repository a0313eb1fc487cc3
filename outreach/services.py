"""The writes of outreach: keyword-only, the acting user, the transaction owned here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from enterprises.models import County, Enterprise
from portal.audit import record_change
from portal.policy import require

from .models import Attendance, Attendee, DispatchItem, DispatchMeeting, OutreachEvent
from .workflows import DISPATCH_ITEM


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


def dispatch_hold(
    *,
    actor: Any,
    title: str,
    held_on: dt.date,
    counties: list[County],
    issues: str,
    items: list[tuple[County, str, dt.date]],
) -> DispatchMeeting:
    """定期调度: the city records the meeting, the counties present and the items handed out."""
    require(actor, "hold", DispatchMeeting)
    if not items:
        raise ValidationError("调度会议须至少布置一项调度事项")
    meeting = DispatchMeeting(title=title, held_on=held_on, issues=issues, created_by=actor)
    with transaction.atomic():
        meeting.full_clean()
        meeting.save()
        meeting.counties.set(counties)
        for owner, task, due_on in items:
            item = DispatchItem(meeting=meeting, owner=owner, task=task, due_on=due_on)
            item.full_clean()
            item.save()
        record_change(
            actor=actor, obj=meeting, action="录入调度会议", note=f"调度事项{len(items)}项"
        )
    return meeting


def dispatch_item_complete(
    *, item: DispatchItem, actor: Any, done_note: str, done_on: dt.date
) -> DispatchItem:
    """The owner county closes an item with what was done."""
    changes = {"done_note": done_note, "done_on": done_on}
    return DISPATCH_ITEM.apply(item, "complete", actor=actor, changes=changes)
