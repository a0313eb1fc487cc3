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

from ..models import Announcement, Certificate
from ..selectors.announcements import announcement_blockers
from ..workflows.announcements import ANNOUNCEMENT

# 文号: issuer, year in 〔〕 and serial, e.g. 烟安监〔2016〕6号 (GB/T 9704: 六角括号).
NUMBER_PATTERN = re.compile(r"^\S+〔\d{4}〕\d+号$")
BRACKETS = str.maketrans({"[": "〔", "]": "〕", "［": "〔", "］": "〕", "【": "〔", "】": "〕"})
FIELDS = ["number", "title", "status", "published_at"]


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
    )
    if problems:
        errors.setdefault("certificates", []).extend(problems)
    if errors:
        raise ValidationError(errors)


def announcement_create(
    *, actor: Any, county: County, number: str, title: str, certificates: Iterable[Certificate]
) -> Announcement:
    """A draft announcement of the county's announceable results."""
    require(actor, "create", Announcement)
    certificates = list(certificates)
    announcement = Announcement(
        county=county, number=normalize_number(number), title=title.strip(), created_by=actor
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
            action="编制公告",
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
        record_change(actor=actor, obj=announcement, action="修改公告", before=before, after=after)
    return announcement


def announcement_publish(
    *, announcement: Announcement, actor: Any, expected_version: int | None = None
) -> Announcement:
    """Publish: lock the announcement, move every listed firm to 已公告达标, report to the city.

    The machine checks the entries again: a hold placed or a grade revoked after drafting
    refuses it; a second click (or a second tab) publishes nothing twice."""
    entries = list(announcement.certificates.select_related("enterprise"))
    return ANNOUNCEMENT.apply(
        announcement,
        "publish",
        actor=actor,
        changes={"published_at": timezone.now()},
        expected_version=expected_version,
        note=f"公告企业 {len(entries)} 家",
        certificates=entries,
    )
