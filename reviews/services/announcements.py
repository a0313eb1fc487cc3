"""Announcements (公告): a county composes a numbered announcement of its confirmed results,
edits the draft, and publishes it, which locks it, moves each firm to 已公告达标 and reports it
to the city (the city's list shows every county's published announcements with their dates).

What may be announced is decided in ``reviews.selectors.announcements`` (one rule, one place).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enterprises.models import County
from portal.audit import record_change, snapshot
from portal.concurrency import insert_once, save_versioned
from portal.policy import require

from ..choices import AnnouncementKind
from ..models import Announcement, Certificate
from ..rules import objection_period_end
from ..selectors.announcements import announcement_blockers
from ..workflows.announcements import ANNOUNCEMENT

# 文号: issuer, year in 〔〕 and serial, e.g. 烟安监〔2016〕6号 (GB/T 9704: 六角括号).
NUMBER_PATTERN = re.compile(r"^\S+〔\d{4}〕\d+号$")
BRACKETS = str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕", "【": "〔", "】": "〕"})
FIELDS = ["kind", "number", "title", "status", "published_at", "objection_until"]


def normalize_number(number: str) -> str:
    return (number or "").strip().replace(" ", "").translate(BRACKETS)


def _validate(announcement: Announcement, certificates: list[Certificate]) -> None:
    errors: dict[str, list[str]] = {}
    if not NUMBER_PATTERN.match(announcement.number):
        errors["number"] = ["文号格式应如：烟安监〔2016〕6号"]
    elif (
        Announcement.objects.filter(county=announcement.county, number=announcement.number)
        .exclude(pk=announcement.pk)
        .exists()
    ):
        errors["number"] = [f"本县市区已有文号为“{announcement.number}”的公告"]
    if not certificates:
        errors["certificates"] = ["请至少选择一家企业"]
    problems = announcement_blockers(
        county=announcement.county,
        certificates=certificates,
        draft=announcement if announcement.pk else None,
        kind=announcement.kind,
    )
    if problems:
        errors.setdefault("certificates", []).extend(problems)
    if errors:
        raise ValidationError(errors)


def announcement_create(
    *,
    actor: Any,
    county: County,
    number: str,
    title: str,
    certificates: Iterable[Certificate],
    kind: str = AnnouncementKind.ANNOUNCEMENT,
) -> Announcement:
    """A draft 公示 or 公告 of the county's results that may be listed in it now."""
    require(actor, "create", Announcement)
    if kind not in AnnouncementKind.values:
        raise ValidationError({"kind": "请选择公示或公告"})
    certificates = list(certificates)
    announcement = Announcement(
        county=county,
        kind=kind,
        number=normalize_number(number),
        title=title.strip(),
        created_by=actor,
    )
    require(actor, "edit", announcement)  # its own county's
    with transaction.atomic():
        _validate(announcement, certificates)
        insert_once(
            announcement,
            taken=f"公告编号“{announcement.number}”已被本县市区使用，请换一个编号",
            unique=["county", "number"],
        )
        announcement.certificates.set(certificates)
        record_change(
            actor=actor,
            obj=announcement,
            action=f"编制{announcement.get_kind_display()}",
            before={},
            after=snapshot(announcement, FIELDS),
            note=f"列入企业 {len(certificates)} 家",
        )
    return announcement


def announcement_update(
    *,
    announcement: Announcement,
    actor: Any,
    expected_version: int | None,
    number: str,
    title: str,
    certificates: Iterable[Certificate],
) -> Announcement:
    """Edit a draft; refused when someone saved it in between (ConcurrentEditError)."""
    ANNOUNCEMENT.check(announcement, "edit", actor=actor)
    certificates = list(certificates)
    before = snapshot(announcement, FIELDS)
    before_entries = sorted(announcement.certificates.values_list("number", flat=True))
    announcement.number, announcement.title = normalize_number(number), title.strip()
    with transaction.atomic():
        _validate(announcement, certificates)
        announcement.full_clean()
        save_versioned(
            announcement,
            expected_version=announcement.version if expected_version is None else expected_version,
            fields=["number", "title"],
        )
        announcement.certificates.set(certificates)
        after = snapshot(announcement, FIELDS)
        entries = sorted(c.number for c in certificates)
        if entries != before_entries:
            before["entries"], after["entries"] = "、".join(before_entries), "、".join(entries)
        action = f"修改{announcement.get_kind_display()}"
        record_change(actor=actor, obj=announcement, action=action, before=before, after=after)
    return announcement


def announcement_publish(
    *, announcement: Announcement, actor: Any, expected_version: int | None = None
) -> Announcement:
    """Publish a 公示 (its objection period opens: ``reviews.rules``) or a 公告 (lock it, move
    every listed firm to 已公告达标, report to the city).

    The machine checks the entries again: a hold placed, a grade revoked or, for a 公告, a
    公示 not yet passed or an objection not settled refuses it; a second click (or a second
    tab) publishes nothing twice."""
    entries = list(announcement.certificates.select_related("enterprise"))
    now = timezone.now()
    changes: dict[str, Any] = {"published_at": now}
    if announcement.is_publicity:
        changes["objection_until"] = objection_period_end(timezone.localdate(now))
    return ANNOUNCEMENT.apply(
        announcement,
        "publicize" if announcement.is_publicity else "publish",
        actor=actor,
        changes=changes,
        expected_version=expected_version,
        note=f"{announcement.get_kind_display()}企业 {len(entries)} 家",
        certificates=entries,
    )
