"""Objections to a 公示 (异议): received by the issuing county during the objection period and
decided by it (``reviews.workflows.announcements.OBJECTION``): upheld, the result goes back for
review; dismissed, with the reason. A 公告 lists a firm only when its 公示 has passed with no
objection to it open or upheld (``reviews.selectors.announcements``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal.audit import record_change, snapshot
from portal.events import emit
from portal.policy import require

from ..choices import AnnouncementStatus
from ..events import OBJECTION_FILED
from ..models import Announcement, Certificate, Objection
from ..workflows.announcements import OBJECTION

FIELDS = ["certificate", "objector", "content", "received_on", "status"]


def objection_record(
    *,
    announcement: Announcement,
    actor: Any,
    certificate: Certificate,
    objector: str,
    content: str,
    received_on: dt.date | None = None,
    contact: str = "",
) -> Objection:
    """登记异议 on one listed firm, while the 公示 is out and its period has not ended; the
    confirming level of the objected result is told (``reviews.objection_filed``)."""
    require(actor, "record_objection", announcement)
    today = timezone.localdate()
    received_on = received_on or today
    errors = _problems(announcement, certificate, objector, content, received_on, today)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        objection = Objection(
            announcement=announcement,
            certificate=certificate,
            objector=objector.strip(),
            contact=contact.strip(),
            content=content.strip(),
            received_on=received_on,
            recorded_by=actor,
        )
        objection.full_clean()
        objection.save()
        record_change(
            actor=actor,
            obj=objection,
            action="登记公示异议",
            before={"status": None},
            after=snapshot(objection, FIELDS),
        )
        record_change(
            actor=actor,
            obj=announcement,
            action="登记公示异议",
            note=f"{certificate.enterprise.name}：{objection.content[:100]}",
        )
        emit(OBJECTION_FILED, objection, actor=actor)
    return objection


def _problems(announcement, certificate, objector, content, received_on, today) -> dict:
    errors: dict[str, str] = {}
    if announcement.status != AnnouncementStatus.PUBLISHED or not announcement.objection_until:
        errors["__all__"] = "公示尚未发布，不能登记异议"
    elif received_on > announcement.objection_until or today < timezone.localdate(
        announcement.published_at
    ):
        until = announcement.objection_until
        errors["__all__"] = f"异议期已于{until.year}年{until.month}月{until.day}日届满，不再受理"
    if received_on > today:
        errors["received_on"] = "收到日期不能晚于今天"
    if not announcement.certificates.filter(pk=certificate.pk).exists():
        errors["certificate"] = "该企业不在本次公示之列"
    if not (objector or "").strip():
        errors["objector"] = "请填写异议人"
    if not (content or "").strip():
        errors["content"] = "请填写异议内容"
    return errors


def objection_decide(
    *,
    objection: Objection,
    actor: Any,
    upheld: bool,
    decision: str,
    expected_version: int | None = None,
) -> Objection:
    """处理异议: upheld sends the firm's result back for review; dismissed keeps it, with the
    reason. A replayed or raced decision applies once."""
    decision = (decision or "").strip()
    with transaction.atomic():
        OBJECTION.apply(
            objection,
            "uphold" if upheld else "dismiss",
            actor=actor,
            note=decision,
            changes={"decision": decision, "decided_at": timezone.now()},
            expected_version=expected_version,
            decision=decision,
        )
    return objection
