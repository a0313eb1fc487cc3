"""Confirmation of concluded reviews, certificates, and a grade's standing (revocation, expiry).

The certificate number scheme (one named place): ``烟{county code}{year}{serial:04d}``, e.g.
``烟37060220160001`` — the county's code, the year of issue, and a serial that restarts each
year per county. Numbers are unique (database constraint); the county's row is locked while a
number is drawn so two confirmations at once never draw the same serial.

``Enterprise.grade``, ``certificate_no``, ``grade_valid_from`` and ``grade_valid_until`` mirror
the firm's current valid certificate and are cleared when it is revoked or expires.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from enterprises.choices import PASSED_STATUSES
from enterprises.models import County, Enterprise
from portal.audit import record_change, snapshot
from portal.events import emit
from portal.policy import require
from portal.statemachine import TransitionRefused

from ..events import CERTIFICATE_SUSPENDED
from ..models import Certificate, Review
from ..policies.assessment import is_current
from ..scoring import validity_end
from ..workflows.lifecycle import LIFECYCLE
from ..workflows.review import REVIEW

CERTIFICATE_PREFIX = "烟"
GRADE_FIELDS = ["grade", "certificate_no", "grade_valid_from", "grade_valid_until"]
CERTIFICATE_FIELDS = ["number", "grade", "issued_on", "valid_until", "revoked_at"]


class RevokeSource(models.TextChoices):
    """Why a grade is revoked (撤销依据); the label itself is stored on the certificate."""

    LOOKBACK = "回头看抽查", "回头看抽查"
    AUDIT = "抽查审核", "抽查审核"
    ACCIDENT = "发生生产安全事故", "发生生产安全事故"
    OTHER = "其他", "其他"


def certificate_prefix(county: County, year: int) -> str:
    return f"{CERTIFICATE_PREFIX}{county.code}{year}"


def next_certificate_number(*, county: County, year: int) -> str:
    """The next free number of the county's year; call inside the transaction that uses it."""
    County.objects.select_for_update().filter(pk=county.pk).first()
    prefix = certificate_prefix(county, year)
    numbers = Certificate.objects.filter(number__startswith=prefix).values_list("number", flat=True)
    serials = [int(n[len(prefix) :]) for n in numbers if n[len(prefix) :].isdigit()]
    return f"{prefix}{max(serials, default=0) + 1:04d}"


def _issue_certificate(*, review: Review, issued_on: dt.date, actor: Any) -> Certificate:
    enterprise = review.enterprise
    certificate = Certificate(
        enterprise=enterprise,
        review=review,
        grade=review.result,
        number=next_certificate_number(county=enterprise.county, year=issued_on.year),
        issued_on=issued_on,
        valid_until=validity_end(issued_on),
    )
    certificate.full_clean()
    certificate.save()
    record_change(
        actor=actor,
        obj=certificate,
        action="发放等级证书",
        before={},
        after=snapshot(certificate, CERTIFICATE_FIELDS),
    )
    _mirror_grade(enterprise, certificate, actor=actor, action="取得等级")
    return certificate


def _mirror_grade(
    enterprise: Enterprise, certificate: Certificate | None, *, actor: Any, action: str, note=""
) -> None:
    """Copy the current certificate onto the firm (or clear it) and record the change."""
    before = snapshot(enterprise, GRADE_FIELDS)
    enterprise.grade = certificate.grade if certificate else ""
    enterprise.certificate_no = certificate.number if certificate else ""
    enterprise.grade_valid_from = certificate.issued_on if certificate else None
    enterprise.grade_valid_until = certificate.valid_until if certificate else None
    Enterprise.objects.filter(pk=enterprise.pk).update(
        **{name: getattr(enterprise, name) for name in GRADE_FIELDS}
    )
    record_change(
        actor=actor,
        obj=enterprise,
        action=action,
        before=before,
        after=snapshot(enterprise, GRADE_FIELDS),
        note=note,
    )


def review_confirm(
    *,
    review: Review,
    actor: Any,
    issued_on: dt.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> Certificate | None:
    """县级确认: the county confirms an agency's conclusion.

    ``REVIEW`` "confirm" moves the review to 县级已确认 and, through its hook, the firm: a
    passing result (a grade or 达标) to 县级已确认 with a numbered certificate valid three years,
    a failing one (未达标) back to self-assessment. Returns the certificate, or None.
    """
    issued_on = issued_on or timezone.localdate()
    with transaction.atomic():
        locked = (
            Review.objects.select_for_update()
            .select_related("enterprise__county")
            .get(pk=review.pk)
        )
        REVIEW.apply(
            locked,
            "confirm",
            actor=actor,
            note=note,
            changes={"confirmed_at": timezone.now()},
            expected_version=expected_version,
            firm_note=note,
        )
        certificate = (
            _issue_certificate(review=locked, issued_on=issued_on, actor=actor)
            if locked.result
            else None
        )
    review.status, review.confirmed_at = locked.status, locked.confirmed_at
    review.version = locked.version
    return certificate


def certificate_revoke(*, certificate: Certificate, actor: Any, reason: str, source: str) -> None:
    """撤销等级: the city or the county revokes a grade with a reason and a source.

    The firm moves to 已撤销 (``LIFECYCLE`` "revoke", which claims the firm's row: two
    revocations at once apply once), the certificate is marked revoked and the firm's grade is
    cleared; the reason and source are kept on the certificate and in the firm's history.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "撤销等级必须填写理由"})
    if source not in RevokeSource.values:
        raise ValidationError({"source": "请选择撤销依据"})
    _refuse_unless_current(certificate)
    require(actor, "revoke", certificate)
    with transaction.atomic():
        locked = (
            Certificate.objects.select_for_update()
            .select_related("enterprise")
            .get(pk=certificate.pk)
        )
        _refuse_unless_current(locked)
        note = f"撤销依据：{source}；理由：{reason}"
        LIFECYCLE.apply(locked.enterprise, "revoke", actor=actor, note=note)
        _mark_revoked(locked, actor=actor, reason=reason, source=source)
        _mirror_grade(locked.enterprise, None, actor=actor, action="撤销等级", note=note)
    certificate.revoked_at = locked.revoked_at
    certificate.revoke_reason, certificate.revoke_source = reason, source


def certificate_suspend(*, certificate: Certificate, actor: Any, reason: str) -> bool:
    """暂停: the city's audit found the firm's result in error; its certificate is held pending
    re-review (or a recorded revocation). False when it was not current or already held."""
    require(actor, "suspend", certificate)
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().select_related("enterprise")
        locked = locked.get(pk=certificate.pk)
        if locked.suspended_at or is_current(locked):
            return False
        before = snapshot(locked, ["suspended_at", "suspend_reason"])
        locked.suspended_at, locked.suspend_reason = timezone.now(), reason
        locked.save(update_fields=["suspended_at", "suspend_reason"])
        record_change(
            actor=actor,
            obj=locked,
            action="暂停证书",
            before=before,
            after=snapshot(locked, ["suspended_at", "suspend_reason"]),
            note=reason,
        )
        emit(CERTIFICATE_SUSPENDED, locked, actor=actor)
    certificate.suspended_at, certificate.suspend_reason = locked.suspended_at, reason
    return True


def _refuse_unless_current(certificate: Certificate) -> None:
    problem = is_current(certificate)
    if problem:
        raise TransitionRefused(problem)


def _mark_revoked(certificate: Certificate, *, actor: Any, reason: str, source: str) -> None:
    fields = CERTIFICATE_FIELDS + ["revoke_reason", "revoke_source"]
    before = snapshot(certificate, fields)
    certificate.revoked_at = timezone.now()
    certificate.revoke_reason, certificate.revoke_source = reason, source
    certificate.full_clean()
    certificate.save(update_fields=["revoked_at", "revoke_reason", "revoke_source"])
    record_change(
        actor=actor,
        obj=certificate,
        action="撤销等级证书",
        before=before,
        after=snapshot(certificate, fields),
    )


# Small batches: each holds its firms locked for well under two seconds.
EXPIRY_BATCH = 100


def expire_grades(*, today: dt.date | None = None) -> int:
    """等级到期: move every firm whose grade ran out (valid until a day before ``today``) to
    已过期, acting as the system, with its history. Due firms are claimed in batches with
    ``SELECT ... FOR UPDATE SKIP LOCKED`` and each batch commits once, so a second run, or a
    second worker at the same time, changes nothing twice. Returns how many firms expired."""
    today = today or timezone.localdate()
    expired = 0
    while batch := _expire_batch(today):
        expired += batch
    return expired


def _expire_batch(today: dt.date) -> int:
    with transaction.atomic():
        due = list(
            Enterprise.objects.select_for_update(skip_locked=True)
            .filter(status__in=PASSED_STATUSES, grade_valid_until__lt=today)
            .order_by("pk")[:EXPIRY_BATCH]
        )
        for enterprise in due:
            note = f"等级有效期至{enterprise.grade_valid_until.isoformat()}，已到期"
            LIFECYCLE.apply(enterprise, "expire", actor=None, note=note)
            _mirror_grade(enterprise, None, actor=None, action="等级到期", note=note)
    return len(due)
