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

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from enterprises.choices import Status
from enterprises.models import County, Enterprise
from enterprises.workflows import forget_progress
from portal.audit import diff, record_change, record_many, snapshot
from portal.events import emit
from portal.policy import require
from portal.statemachine import TransitionRefused

from ..choices import ConfirmingLevel, ReviewStatus
from ..events import CERTIFICATE_SUSPENDED, SUSPENSION_LIFTED
from ..models import Certificate, Review
from ..policies.assessment import is_current
from ..rules import confirming_level
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
    OBJECTION = "公示异议成立", "公示异议成立"
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


def issuer_for(review: Review) -> str:
    """发证机关: the body of the result's confirming level (``reviews.rules``)."""
    level = confirming_level(result=review.result, applied_grade=review.applied_grade)
    if level == ConfirmingLevel.COUNTY:
        return review.enterprise.county.supervisor
    return settings.CITY_SUPERVISOR


def _issue_certificate(*, review: Review, issued_on: dt.date, actor: Any) -> Certificate:
    enterprise = review.enterprise
    certificate = Certificate(
        enterprise=enterprise,
        review=review,
        grade=review.result,
        number=next_certificate_number(county=enterprise.county, year=issued_on.year),
        issued_on=issued_on,
        valid_until=validity_end(issued_on),
        issued_by=issuer_for(review),
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
    """确认评审结论: the result's confirming level (the county for 达标, the city for 三级:
    ``reviews.rules``) confirms an agency's conclusion.

    ``REVIEW`` "confirm" moves the review to 已确认 and, through its hook, the firm: a passing
    result (a grade or 达标) to 已确认 with a numbered certificate valid three years, issued in
    the confirming level's name, a failing one (未达标) back to self-assessment. Returns the
    certificate, or None.
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
        if locked.redo_of_id:
            _close_re_reviewed(locked, certificate, actor=actor)
    review.status, review.confirmed_at = locked.status, locked.confirmed_at
    review.version = locked.version
    return certificate


def _close_re_reviewed(review: Review, certificate: Certificate | None, *, actor: Any) -> None:
    """A confirmed re-review ends the certificate it re-reviewed (held, suspended): replaced
    by the new one, or void when the re-review fails."""
    old = Certificate.objects.filter(review_id=review.redo_of_id, revoked_at__isnull=True).first()
    if old is None:
        return
    outcome = f"由新证书{certificate.number}替代" if certificate else "复审未达标"
    _mark_revoked(
        old,
        actor=actor,
        reason=f"复审结论：{review.get_result_display() or '未达标'}，原证书作废（{outcome}）",
        source=RevokeSource.AUDIT,
    )


def review_recommend(
    *, review: Review, actor: Any, note: str = "", expected_version: int | None = None
) -> Review:
    """推荐上报: the city sends a 二级 or 一级 result up to the province or the nation; nothing is
    issued locally (no certificate, no 公示 or 公告 here). The review and the firm move to
    已推荐上报, noted with what the city wrote."""
    with transaction.atomic():
        REVIEW.apply(
            review,
            "recommend",
            actor=actor,
            note=note,
            changes={"confirmed_at": timezone.now()},
            expected_version=expected_version,
            firm_note=note,
        )
    return review


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


def certificate_send_back(
    *,
    certificate: Certificate,
    actor: Any,
    reason: str,
    source: str,
    hold: Any = None,
    suspend: bool = False,
) -> Review:
    """退回重新评审: the result does not stand as it is. An upheld objection to its 公示
    withdraws the certificate (marked revoked with the source); the city's audit (``hold``,
    error rate >= 30%) suspends it pending the re-review. Either way the firm's grade is
    cleared, the firm moves back to 已申请评审 (``LIFECYCLE`` "send_back", claimed: a second
    call applies once) and a new review of the same self-assessment waits for the county's
    assignment, naming the one it redoes (and the hold). Returns the new review."""
    with transaction.atomic():
        locked = (
            Certificate.objects.select_for_update()
            .select_related("enterprise", "review")
            .get(pk=certificate.pk)
        )
        _refuse_unless_current(locked)
        note = f"{source}：{reason}"
        LIFECYCLE.apply(locked.enterprise, "send_back", actor=actor, trusted=True, note=note)
        if hold is None and not suspend:
            _mark_revoked(locked, actor=actor, reason=reason, source=source)
        elif not locked.suspended_at:
            _mark_suspended(locked, actor=actor, reason=note)
        _mirror_grade(locked.enterprise, None, actor=actor, action="退回重新评审", note=note)
        old = locked.review
        redo = Review(
            enterprise=locked.enterprise,
            self_assessment_id=old.self_assessment_id,
            standard_id=old.standard_id,
            applied_grade=old.applied_grade,
            status=ReviewStatus.APPLIED,
            applied_at=timezone.now(),
            redo_of=old,
            redo_reason=note,
            hold=hold,
        )
        redo.full_clean()
        redo.save()
        record_change(
            actor=actor,
            obj=redo,
            action="退回重新评审",
            before={"status": None},
            after=snapshot(redo, ["status", "redo_of"]),
            note=note,
        )
    certificate.revoked_at = locked.revoked_at
    return redo


def certificate_suspend(*, certificate: Certificate, actor: Any, reason: str) -> bool:
    """暂停: the city's audit found the firm's result in error; its certificate is held pending
    re-review (or a recorded revocation). False when it was not current or already held."""
    require(actor, "suspend", certificate)
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().select_related("enterprise")
        locked = locked.get(pk=certificate.pk)
        if locked.suspended_at or is_current(locked):
            return False
        _mark_suspended(locked, actor=actor, reason=reason)
        emit(CERTIFICATE_SUSPENDED, locked, actor=actor)
    certificate.suspended_at, certificate.suspend_reason = locked.suspended_at, reason
    return True


def under_re_review(certificate: Certificate) -> bool:
    """A review redoing this certificate's result is under way."""
    from .holds import RE_REVIEW_DONE

    return (
        Review.objects.filter(redo_of_id=certificate.review_id)
        .exclude(status__in=RE_REVIEW_DONE)
        .exists()
    )


def certificate_send_to_re_review(*, certificate: Certificate, actor: Any, reason: str) -> Review:
    """送交复审: the city sends one suspended certificate's result (an audit finding in error
    below the county's 30%) back for review by another agency; it stays suspended until the
    re-review is confirmed, which replaces or voids it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写送交复审的理由"})
    require(actor, "send_to_re_review", certificate)
    return certificate_send_back(
        certificate=certificate,
        actor=actor,
        reason=reason,
        source=RevokeSource.AUDIT,
        suspend=True,
    )


def certificate_lift_suspension(*, certificate: Certificate, actor: Any, reason: str) -> bool:
    """解除暂停: the city lifts a suspension by a recorded decision (the audit's finding did not
    stand), with the reason in the certificate's and the firm's history; the firm's users are
    told. False when it was lifted already (a replayed click)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写解除暂停的理由"})
    require(actor, "lift_suspension", certificate)
    with transaction.atomic():
        claimed = Certificate.objects.filter(
            pk=certificate.pk, suspended_at__isnull=False, revoked_at__isnull=True
        ).update(suspended_at=None)
        if not claimed:
            return False
        forget_progress()  # the grade is back on the public list
        before = snapshot(certificate, ["suspended_at", "suspend_reason"])
        certificate.suspended_at = None
        record_change(
            actor=actor,
            obj=certificate,
            action="解除暂停",
            before=before,
            after={"suspended_at": None, "suspend_reason": certificate.suspend_reason},
            note=reason,
        )
        record_change(
            actor=actor,
            obj=certificate.enterprise,
            action="等级证书解除暂停",
            note=f"{certificate.number}：{reason}",
        )
        emit(SUSPENSION_LIFTED, certificate, actor=actor, reason=reason)
    return True


def _mark_suspended(certificate: Certificate, *, actor: Any, reason: str) -> None:
    before = snapshot(certificate, ["suspended_at", "suspend_reason"])
    certificate.suspended_at, certificate.suspend_reason = timezone.now(), reason
    certificate.save(update_fields=["suspended_at", "suspend_reason"])
    forget_progress()  # the public list shows no suspended grade
    record_change(
        actor=actor,
        obj=certificate,
        action="暂停证书",
        before=before,
        after=snapshot(certificate, ["suspended_at", "suspend_reason"]),
        note=reason,
    )


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


# Each batch is one locking SELECT, one UPDATE and one insert of its history, whatever its size.
EXPIRY_BATCH = 1000


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
    """``LIFECYCLE``'s "expire" for a batch at once: the transition's rule (from a passed
    standing to 已过期, the version bumped) as one conditional UPDATE of the claimed rows, the
    two history rows per firm a single transition and ``_mirror_grade`` would write (the
    standing, the cleared grade) in one bulk insert, and its hook (the progress forgotten)."""
    transition = LIFECYCLE["expire"]
    with transaction.atomic():
        due = list(
            Enterprise.objects.select_for_update(skip_locked=True)
            .filter(status__in=transition.source, grade_valid_until__lt=today)
            .order_by("pk")[:EXPIRY_BATCH]
        )
        if not due:
            return 0
        moved = Enterprise.objects.filter(
            pk__in=[e.pk for e in due], status__in=transition.source
        ).update(
            status=transition.target,
            version=models.F("version") + 1,
            updated_at=timezone.now(),
            **dict.fromkeys(GRADE_FIELDS[:2], ""),
            **dict.fromkeys(GRADE_FIELDS[2:], None),
        )
        if moved != len(due):  # the lock says this cannot be; refuse rather than half-record
            raise TransitionRefused("到期处理时企业状态已变化，本批未执行")
        record_many(actor=None, model=Enterprise, action=transition.label, items=_expiry_items(due))
        for hook in transition.hooks:
            hook(due[0], actor=None, transition=transition, context={})
    return len(due)


def _expiry_items(due: list[Enterprise]) -> list[tuple]:
    items = []
    for enterprise in due:
        note = f"等级有效期至{enterprise.grade_valid_until.isoformat()}，已到期"
        status_before, grade_before = (
            snapshot(enterprise, ["status"]),
            snapshot(enterprise, GRADE_FIELDS),
        )
        enterprise.status = Status.EXPIRED
        for name in GRADE_FIELDS:
            setattr(enterprise, name, "" if name in GRADE_FIELDS[:2] else None)
        status_after, grade_after = (
            snapshot(enterprise, ["status"]),
            snapshot(enterprise, GRADE_FIELDS),
        )
        items.append((enterprise.pk, str(enterprise), diff(status_before, status_after), note))
        items.append((enterprise.pk, str(enterprise), diff(grade_before, grade_after), note))
    return items
