"""The writes of outreach: keyword-only, the acting user, the transaction owned here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from enterprises.models import County, Enterprise
from portal.audit import record_change, save_with_history
from portal.policy import require
from portal.uploads import check_upload, name_for

from .models import (
    Attendance,
    Attendee,
    DispatchItem,
    DispatchMeeting,
    GoodPractice,
    HandScore,
    OutreachEvent,
)
from .workflows import DISPATCH_ITEM, GOOD_PRACTICE

PRACTICE_KINDS = ("pdf", "image", "office")
PRACTICE_MAX_MB = 20


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


# --- 经验做法 ------------------------------------------------------------------------------------


def practice_submit(*, actor: Any, title: str, text: str, attachment: Any = None) -> GoodPractice:
    """A county submits a write-up; an attachment is checked by its content, not its name."""
    require(actor, "submit", GoodPractice)
    practice = GoodPractice(county_id=actor.county_id, title=title, text=text, submitted_by=actor)
    if attachment:
        mime = check_upload(attachment, kinds=PRACTICE_KINDS, max_mb=PRACTICE_MAX_MB)
        attachment.name = name_for(attachment.name, mime)
        practice.attachment = attachment
        practice.original_name = attachment.name[:200]
    with transaction.atomic():
        practice.full_clean()
        practice.save()
        record_change(actor=actor, obj=practice, action="报送经验做法")
    return practice


def practice_feature(*, practice: GoodPractice, actor: Any, featured_on: dt.date) -> GoodPractice:
    """The city features a write-up: it appears on the bulletin of the period of ``featured_on``."""
    return GOOD_PRACTICE.apply(
        practice, "feature", actor=actor, changes={"featured_on": featured_on}
    )


def practice_return(*, practice: GoodPractice, actor: Any, city_note: str) -> GoodPractice:
    return GOOD_PRACTICE.apply(practice, "return", actor=actor, changes={"city_note": city_note})


# --- 一把手工程、资金投入 -------------------------------------------------------------------------


def hand_score_enter(
    *, actor: Any, county: County, year: int, criterion: str, score: int, note: str
) -> HandScore:
    """The city scores a county by hand; a later entry replaces the score, the history keeps
    the old one."""
    require(actor, "score", HandScore)
    with transaction.atomic():
        existing = HandScore.objects.filter(county=county, year=year, criterion=criterion).first()
        if existing:
            return save_with_history(
                existing, actor=actor, action="修改人工评分",
                changes={"score": score, "note": note, "scored_by": actor},
            )  # fmt: skip
        entry = HandScore(
            county=county, year=year, criterion=criterion, score=score, note=note, scored_by=actor
        )
        entry.full_clean()
        entry.save()
        record_change(
            actor=actor, obj=entry, action="录入人工评分", after={"score": score, "note": note}
        )
    return entry
