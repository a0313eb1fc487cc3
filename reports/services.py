"""Writes of the reports app: deadlines, submissions and county targets. Keyword-only, take
the acting user, validate, own the transaction and record the history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import filetype
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from enterprises.models import County
from portal.audit import record_change, snapshot
from portal.concurrency import ConcurrentEditError
from portal.notifications import notify
from portal.roles import Role

from . import rules
from .choices import EDITABLE_TARGET_STATUSES, SubmissionStatus, TargetStatus
from .models import (
    AssessmentCriterion,
    CountyTarget,
    Submission,
    SubmissionDeadline,
    SubmissionKind,
    TargetMilestone,
)

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# What a county may upload, judged by the file's content, not its name.
ALLOWED_DOCUMENT_MIMES = {
    "application/pdf": "PDF",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.ms-powerpoint": "PowerPoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/x-ole-storage": "Office",  # old .doc/.xls/.ppt (OLE2 compound file)
    "application/zip": "Office",  # some .docx/.xlsx are recognised only as their zip
}
SUBMISSION_FIELDS = ["status", "original_name", "submitted_at", "is_late", "city_comment"]
TARGET_FIELDS = ["status", "listed_count", "return_reason"]


def setup_deadlines(*, year: int, actor: Any = None) -> list[SubmissionDeadline]:
    """Give ``year`` the default kinds and deadlines, and one 未上报 row per county and
    deadline. Idempotent."""
    deadlines = []
    with transaction.atomic():
        for order, (code, name, month, day) in enumerate(rules.DEFAULT_SUBMISSION_KINDS):
            kind, _ = SubmissionKind.objects.get_or_create(
                code=code,
                defaults={"name": name, "default_month": month, "default_day": day,
                          "sort_order": order},
            )  # fmt: skip
            deadline, _ = SubmissionDeadline.objects.get_or_create(
                kind=kind, year=year, defaults={"due_on": kind.default_due_on(year)}
            )
            deadlines.append(deadline)
        counties = list(County.objects.current())
        Submission.objects.bulk_create(
            [Submission(deadline=d, county=c) for d in deadlines for c in counties],
            ignore_conflicts=True,
        )
    return deadlines


def is_late(deadline: SubmissionDeadline, submitted_at: dt.datetime) -> bool:
    """Late when handed in after the end of the deadline day (Asia/Shanghai)."""
    return submitted_at >= deadline.closes_at


def check_document(upload: UploadedFile) -> str:
    """Size-limited; PDF or Office by the file's content. Returns the kind's label."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError({"document": f"文件不能超过 {MAX_DOCUMENT_BYTES // 1024 // 1024} MB"})
    head = upload.read(8192)
    upload.seek(0)
    guess = filetype.guess(head)
    if guess is None or guess.mime not in ALLOWED_DOCUMENT_MIMES:
        raise ValidationError({"document": "只能上传 PDF 或 Office 文档（按文件内容识别）"})
    return ALLOWED_DOCUMENT_MIMES[guess.mime]


def submission_upload(
    *, actor: Any, submission: Submission, document: UploadedFile, now: dt.datetime | None = None
) -> Submission:
    """The county hands in its document; late when after the deadline."""
    if actor.role != Role.COUNTY or actor.county_id != submission.county_id:
        raise PermissionDenied("只有本县市区用户可以上报")
    if submission.status == SubmissionStatus.ACCEPTED:
        raise ValidationError("市局已接收该材料，不能再上报")
    check_document(document)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        before = snapshot(locked, SUBMISSION_FIELDS)
        locked.document = document
        locked.original_name = document.name[:200]
        locked.submitted_at = now
        locked.submitted_by = actor
        locked.is_late = is_late(locked.deadline, now)
        locked.status = SubmissionStatus.LATE if locked.is_late else SubmissionStatus.SUBMITTED
        locked.full_clean()
        locked.version += 1
        locked.save()
        record_change(
            actor=actor, obj=locked, action="上报材料", before=before,
            after=snapshot(locked, SUBMISSION_FIELDS),
        )  # fmt: skip
    return locked


def _city_decision(
    *, actor: Any, submission: Submission, status: str, comment: str, action: str
) -> Submission:
    if actor.role not in (Role.CITY, Role.ADMIN):
        raise PermissionDenied("只有市局可以审核上报材料")
    with transaction.atomic():
        locked = (
            Submission.objects.select_for_update()
            .select_related("deadline__kind")
            .get(pk=submission.pk)
        )
        if locked.status not in (SubmissionStatus.SUBMITTED, SubmissionStatus.LATE):
            raise ValidationError("只能审核已上报的材料")
        before = snapshot(locked, SUBMISSION_FIELDS)
        locked.status = status
        locked.city_comment = comment
        locked.version += 1
        locked.save(update_fields=["status", "city_comment", "version"])
        record_change(
            actor=actor, obj=locked, action=action, before=before,
            after=snapshot(locked, SUBMISSION_FIELDS), note=comment,
        )  # fmt: skip
        staff = locked.county.users.filter(role=Role.COUNTY, is_active=True)
        notify(
            recipients=staff, obj=locked, title=f"{locked.deadline}：市局{action}",
            body=comment, reason="您所在县市区上报的材料有了审核结果",
        )  # fmt: skip
    return locked


def submission_return(*, actor: Any, submission: Submission, comment: str) -> Submission:
    """The city sends the document back with its comment; the county must submit again."""
    if not comment.strip():
        raise ValidationError({"comment": "退回时必须填写意见"})
    return _city_decision(
        actor=actor, submission=submission, status=SubmissionStatus.RETURNED,
        comment=comment.strip(), action="退回",
    )  # fmt: skip


def submission_accept(*, actor: Any, submission: Submission, comment: str = "") -> Submission:
    return _city_decision(
        actor=actor, submission=submission, status=SubmissionStatus.ACCEPTED,
        comment=comment.strip(), action="接收",
    )  # fmt: skip


# --- County targets (DHIS2-style: enter, submit, accept or return, locked) --------------


def target_save(
    *,
    actor: Any,
    county: County,
    year: int,
    listed_count: int,
    milestones: list[tuple[dt.date, int]],
    expected_version: int | None = None,
) -> CountyTarget:
    """County staff enter or change their target while it is a draft or returned."""
    if actor.role != Role.COUNTY or actor.county_id != county.pk:
        raise PermissionDenied("只有本县市区用户可以填报目标")
    _check_milestones(year, listed_count, milestones)
    with transaction.atomic():
        target, _ = CountyTarget.objects.select_for_update().get_or_create(county=county, year=year)
        if target.status not in EDITABLE_TARGET_STATUSES:
            raise ValidationError("目标已提交或已审定，不能修改")
        if expected_version is not None and target.version != expected_version:
            raise ConcurrentEditError()
        before = snapshot(target, TARGET_FIELDS)
        target.listed_count = listed_count
        target.version += 1
        target.full_clean()
        target.save()
        target.milestones.all().delete()
        TargetMilestone.objects.bulk_create(
            [TargetMilestone(target=target, due_on=d, passed_count=n) for d, n in milestones]
        )
        record_change(
            actor=actor, obj=target, action="填报目标", before=before,
            after=snapshot(target, TARGET_FIELDS),
            note="；".join(f"{d:%Y-%m-%d} 累计{n}家" for d, n in sorted(milestones)),
        )  # fmt: skip
    return target


def _check_milestones(year: int, listed_count: int, milestones: list[tuple[dt.date, int]]):
    if not milestones:
        raise ValidationError("至少填写一个时间节点")
    ordered = sorted(milestones)
    if len({d for d, _ in ordered}) != len(ordered):
        raise ValidationError("时间节点日期不能重复")
    if any(d.year != year for d, _ in ordered):
        raise ValidationError(f"时间节点必须在{year}年内")
    counts = [n for _, n in ordered]
    if counts != sorted(counts):
        raise ValidationError("累计达标数不能随时间减少")
    if counts[-1] > listed_count:
        raise ValidationError("累计达标数不能超过纳入名单企业数")


def _move_target(
    *, actor: Any, target: CountyTarget, allowed_from: tuple, to: str, action: str, note: str = ""
) -> CountyTarget:
    with transaction.atomic():
        locked = CountyTarget.objects.select_for_update().get(pk=target.pk)
        if locked.status not in allowed_from:
            raise ValidationError(f"当前状态（{locked.get_status_display()}）不能{action}")
        before = snapshot(locked, TARGET_FIELDS)
        locked.status = to
        now = timezone.now()
        if to == TargetStatus.SUBMITTED:
            locked.submitted_at, locked.return_reason = now, ""
        else:
            locked.decided_at, locked.decided_by = now, actor
            locked.return_reason = note if to == TargetStatus.RETURNED else ""
        locked.version += 1
        locked.save()
        record_change(
            actor=actor, obj=locked, action=action, before=before,
            after=snapshot(locked, TARGET_FIELDS), note=note,
        )  # fmt: skip
    return locked


def target_submit(*, actor: Any, target: CountyTarget) -> CountyTarget:
    if actor.role != Role.COUNTY or actor.county_id != target.county_id:
        raise PermissionDenied("只有本县市区用户可以提交目标")
    if not target.milestones.exists():
        raise ValidationError("请先填写时间节点")
    return _move_target(
        actor=actor, target=target, allowed_from=EDITABLE_TARGET_STATUSES,
        to=TargetStatus.SUBMITTED, action="提交目标",
    )  # fmt: skip


def target_accept(*, actor: Any, target: CountyTarget) -> CountyTarget:
    """The city accepts the target: from now on it is locked."""
    if actor.role not in (Role.CITY, Role.ADMIN):
        raise PermissionDenied("只有市局可以审定目标")
    done = _move_target(
        actor=actor, target=target, allowed_from=(TargetStatus.SUBMITTED,),
        to=TargetStatus.ACCEPTED, action="审定目标",
    )  # fmt: skip
    _tell_county(done, "市局已审定贵单位的年度目标")
    return done


def target_return(*, actor: Any, target: CountyTarget, reason: str) -> CountyTarget:
    if actor.role not in (Role.CITY, Role.ADMIN):
        raise PermissionDenied("只有市局可以退回目标")
    if not reason.strip():
        raise ValidationError({"reason": "退回时必须填写原因"})
    done = _move_target(
        actor=actor, target=target, allowed_from=(TargetStatus.SUBMITTED,),
        to=TargetStatus.RETURNED, action="退回目标", note=reason.strip(),
    )  # fmt: skip
    _tell_county(done, "市局退回了贵单位的年度目标，请修改后重新提交", body=reason.strip())
    return done


def _tell_county(target: CountyTarget, title: str, body: str = "") -> None:
    staff = target.county.users.filter(role=Role.COUNTY, is_active=True)
    notify(recipients=staff, obj=target, title=title, body=body, reason="年度目标审核结果")


def assessment_weights_set(*, actor: Any, year: int, weights: dict[str, Any]) -> None:
    """The city sets the weight of each criterion for the year (0 removes it)."""
    if actor.role not in (Role.CITY, Role.ADMIN):
        raise PermissionDenied("只有市局可以设置考核指标")
    with transaction.atomic():
        AssessmentCriterion.objects.filter(year=year).delete()
        AssessmentCriterion.objects.bulk_create(
            [AssessmentCriterion(year=year, code=c, weight=w) for c, w in weights.items() if w]
        )
