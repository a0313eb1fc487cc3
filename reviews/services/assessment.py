"""Writes for the enterprise's self-assessment (自评), its evidence, and accidents.

Only the firm's own users write its assessment; a submitted assessment is locked. Edits state
the version they started from (optimistic locking), so two tabs cannot overwrite each other.
Evidence uploads do not bump the version: they only add files, and a stale page must not stop
a user from attaching them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from enterprises.models import Enterprise
from portal.audit import record_change, snapshot
from portal.concurrency import save_versioned
from portal.roles import Role
from portal.uploads import check_upload
from reviews.choices import AssessmentStatus
from reviews.models import (
    Evidence,
    Expert,
    ReviewAgency,
    SelfAssessment,
    SelfAssessmentLine,
    StandardItem,
)
from reviews.scoring import one_decimal
from reviews.selectors.assessment import (
    applicable_standard,
    assessment_lines,
    assessment_score,
    draft_assessment,
)
from reviews.workflow import enterprise_transition

EVIDENCE_MAX_MB = 10
EVIDENCE_KINDS = ("pdf", "image", "office")
YES_NO = {True: "是", False: "否"}
GUIDE_FIELDS = {"guide_agency": "指导机构", "guide_expert": "指导专家"}
SUBMIT_FIELDS = ["status", "score", "veto_failed", "submitted_at"]


@dataclass(frozen=True)
class LineInput:
    """What the firm entered for one item: points deducted, 空项 mark, reason."""

    deducted: Decimal
    not_applicable: bool
    reason: str


# --- Per-item rules ----------------------------------------------------------------------


def line_problems(item: StandardItem, entry: LineInput, *, submitting: bool) -> dict[str, str]:
    """The rules of one item's entry, as field → message (empty when fine).

    - the deduction is between 0 and the item's points (an item never goes below zero);
    - a 空项 (not applicable) item deducts nothing;
    - on submission, a reason is required for every deduction and every 空项.
    """
    problems = {}
    if entry.deducted < 0:
        problems["deducted"] = "扣分不能为负数"
    elif entry.deducted > item.points:
        problems["deducted"] = f"扣分不能超过该项标准分值 {item.points} 分"
    elif entry.not_applicable and entry.deducted:
        problems["deducted"] = "空项（不适用）不扣分"
    if submitting and not entry.reason.strip():
        if entry.not_applicable:
            problems["reason"] = "请说明该项不适用的理由"
        elif entry.deducted:
            problems["reason"] = "未得满分的项目必须填写扣分理由"
    return problems


# --- Self-assessment ---------------------------------------------------------------------


def _require_own_firm(actor, enterprise: Enterprise) -> None:
    if getattr(actor, "role", None) != Role.ENTERPRISE or actor.enterprise_id != enterprise.pk:
        raise PermissionDenied("只有本企业的用户可以填写自评")


def _require_draft(assessment: SelfAssessment) -> None:
    if assessment.is_locked:
        raise ValidationError("自评已提交，不能再修改")


def assessment_start(
    *, enterprise: Enterprise, actor, on_date: dt.date | None = None
) -> SelfAssessment:
    """Start a self-assessment against the standard in force (or return the open draft)."""
    _require_own_firm(actor, enterprise)
    with transaction.atomic():
        # Lock the firm so two clicks (or two tabs) cannot open two drafts.
        Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
        existing = draft_assessment(enterprise)
        if existing is not None:
            return existing
        standard = applicable_standard(enterprise, on_date or timezone.localdate())
        enterprise_transition(enterprise=enterprise, name="start_self_assessment", actor=actor)
        assessment = SelfAssessment(enterprise=enterprise, standard=standard, created_by=actor)
        assessment.full_clean()
        assessment.save()
        SelfAssessmentLine.objects.bulk_create(
            SelfAssessmentLine(assessment=assessment, item=item)
            for item in standard.items.order_by("order")
        )
        record_change(
            actor=actor,
            obj=assessment,
            action="开始自评",
            note=f"评定标准：{standard}（{standard.code}）",
        )
    return assessment


def _line_changes(line: SelfAssessmentLine, entry: LineInput) -> dict[str, list]:
    code, changes = line.item.code, {}
    if line.deducted != entry.deducted:
        changes[f"{code} 扣分"] = [
            str(one_decimal(line.deducted)),
            str(one_decimal(entry.deducted)),
        ]
    if line.not_applicable != entry.not_applicable:
        changes[f"{code} 空项"] = [YES_NO[line.not_applicable], YES_NO[entry.not_applicable]]
    if line.reason != entry.reason:
        changes[f"{code} 理由"] = [line.reason, entry.reason]
    return changes


def assessment_save_draft(
    *,
    assessment: SelfAssessment,
    actor,
    expected_version: int,
    entries: dict[int, LineInput],
    guide_agency: ReviewAgency | None = None,
    guide_expert: Expert | None = None,
) -> SelfAssessment:
    """Save the items' entries (keyed by line id) and who guided the firm, as a draft.

    Raises ConcurrentEditError when someone saved since ``expected_version``; ValidationError
    (by item code) when an entry breaks the item's rules. One history entry per save."""
    _require_own_firm(actor, assessment.enterprise)
    _require_draft(assessment)
    lines = {line.pk: line for line in assessment_lines(assessment)}
    errors, changes, changed = {}, {}, []
    for line_id, entry in entries.items():
        line = lines[line_id]
        problems = line_problems(line.item, entry, submitting=False)
        if problems:
            errors[line.item.code] = list(problems.values())
            continue
        line_changes = _line_changes(line, entry)
        if line_changes:
            changes.update(line_changes)
            line.deducted, line.not_applicable, line.reason = (
                entry.deducted,
                entry.not_applicable,
                entry.reason,
            )
            changed.append(line)
    if errors:
        raise ValidationError(errors)
    before = snapshot(assessment, GUIDE_FIELDS)
    assessment.guide_agency, assessment.guide_expert = guide_agency, guide_expert
    after = snapshot(assessment, GUIDE_FIELDS)
    for name, label in GUIDE_FIELDS.items():
        if before[name] != after[name]:
            changes[label] = [before[name], after[name]]
    with transaction.atomic():
        save_versioned(
            assessment,
            expected_version=expected_version,
            fields=list(GUIDE_FIELDS),
        )
        SelfAssessmentLine.objects.bulk_update(
            changed, ["deducted", "not_applicable", "reason"], batch_size=200
        )
        if changes:
            record_change(actor=actor, obj=assessment, action="保存自评", changes=changes)
    return assessment


def assessment_submit(*, assessment: SelfAssessment, actor, expected_version: int):
    """Lock the assessment: check every item's rules, compute the score and veto by
    reviews.scoring, store them, and keep the change in the history."""
    _require_own_firm(actor, assessment.enterprise)
    _require_draft(assessment)
    lines = assessment_lines(assessment)
    errors = {}
    for line in lines:
        entry = LineInput(line.deducted, line.not_applicable, line.reason)
        problems = line_problems(line.item, entry, submitting=True)
        if problems:
            errors[line.item.code] = list(problems.values())
    if errors:
        raise ValidationError(errors)
    score = assessment_score(lines)
    if score.value is None:
        raise ValidationError("所有评分项都标记为空项，无法计算得分")
    before = snapshot(assessment, SUBMIT_FIELDS)
    assessment.status = AssessmentStatus.SUBMITTED
    assessment.score = score.value
    assessment.veto_failed = score.veto_failed
    assessment.submitted_at = timezone.now()
    with transaction.atomic():
        save_versioned(assessment, expected_version=expected_version, fields=SUBMIT_FIELDS)
        record_change(
            actor=actor,
            obj=assessment,
            action="提交自评",
            before=before,
            after=snapshot(assessment, SUBMIT_FIELDS),
        )
    return assessment


# --- Evidence ----------------------------------------------------------------------------


def evidence_add(*, line: SelfAssessmentLine, actor, upload) -> Evidence:
    """Attach a file to an item of a draft assessment; its type is checked by content."""
    assessment = line.assessment
    _require_own_firm(actor, assessment.enterprise)
    _require_draft(assessment)
    content_type = check_upload(upload, kinds=EVIDENCE_KINDS, max_mb=EVIDENCE_MAX_MB)
    with transaction.atomic():
        evidence = Evidence(
            enterprise=assessment.enterprise,
            self_assessment_line=line,
            file=upload,
            original_name=upload.name[:200],
            content_type=content_type,
            size=upload.size,
            uploaded_by=actor,
        )
        evidence.save()
        record_change(
            actor=actor,
            obj=assessment,
            action="上传佐证材料",
            note=f"{line.item.code}：{evidence.original_name}",
        )
    return evidence


def evidence_remove(*, evidence: Evidence, actor) -> None:
    line = evidence.self_assessment_line
    if line is None:
        raise ValidationError("该文件不是自评佐证材料")
    _require_own_firm(actor, line.assessment.enterprise)
    _require_draft(line.assessment)
    with transaction.atomic():
        record_change(
            actor=actor,
            obj=line.assessment,
            action="删除佐证材料",
            note=f"{line.item.code}：{evidence.original_name}",
        )
        evidence.delete()
    transaction.on_commit(lambda: evidence.file.delete(save=False))
