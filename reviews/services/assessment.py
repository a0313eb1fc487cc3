"""Writes for the enterprise's self-assessment (自评) and its evidence.

Only the firm's own users write its assessment; a submitted assessment is locked. Edits state
the version they started from (optimistic locking), so two tabs cannot overwrite each other.
Evidence uploads do not bump the version: they only add files, and a stale page must not stop
a user from attaching them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enterprises.models import Enterprise
from portal.audit import record_change, snapshot
from portal.concurrency import save_versioned
from portal.files import discard_when_unreferenced
from portal.policy import require
from portal.uploads import check_upload, name_for
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
from reviews.workflows.assessment import SELF_ASSESSMENT
from reviews.workflows.lifecycle import LIFECYCLE

EVIDENCE_MAX_MB = 10
EVIDENCE_KINDS = ("pdf", "image", "office")
YES_NO = {True: "是", False: "否"}
GUIDE_FIELDS = {"guide_agency": "指导机构", "guide_expert": "指导专家"}
TEAM_FIELDS = {"team_leader": "自评组组长", "team_members": "自评组成员"}


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


def assessment_start(
    *, enterprise: Enterprise, actor, on_date: dt.date | None = None
) -> SelfAssessment:
    """Start a self-assessment against the standard in force (or return the open draft)."""
    require(actor, "start", SelfAssessment)
    require(actor, "start_self_assessment", enterprise)  # the firm's own user
    with transaction.atomic():
        # Lock the firm so two clicks (or two tabs) cannot open two drafts.
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        existing = draft_assessment(enterprise)
        if existing is not None:
            return existing
        standard = applicable_standard(enterprise, on_date or timezone.localdate())
        LIFECYCLE.apply(locked, "start_self_assessment", actor=actor)
        enterprise.status, enterprise.version = locked.status, locked.version
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


def _apply_entries(
    assessment: SelfAssessment, entries: dict[int, LineInput]
) -> tuple[dict[str, list], list[SelfAssessmentLine]]:
    """Set each entry on its line: the history's changes and the lines changed; a
    ValidationError by item code when an entry breaks its item's rules."""
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
            line.deducted, line.not_applicable = entry.deducted, entry.not_applicable
            line.reason = entry.reason
            changed.append(line)
    if errors:
        raise ValidationError(errors)
    return changes, changed


def _set_header(assessment, header, guide_agency, guide_expert, team_leader, team_members):
    """Who guided the firm and its 自评组 (None leaves the team as it is); the changes by label."""
    before = snapshot(assessment, header)
    assessment.guide_agency, assessment.guide_expert = guide_agency, guide_expert
    if team_leader is not None:
        assessment.team_leader = team_leader.strip()
    if team_members is not None:
        assessment.team_members = team_members.strip()
    after = snapshot(assessment, header)
    return {
        label: [before[name], after[name]]
        for name, label in header.items()
        if before[name] != after[name]
    }


def assessment_save_draft(
    *,
    assessment: SelfAssessment,
    actor,
    expected_version: int,
    entries: dict[int, LineInput],
    guide_agency: ReviewAgency | None = None,
    guide_expert: Expert | None = None,
    team_leader: str | None = None,
    team_members: str | None = None,
) -> SelfAssessment:
    """Save the items' entries (keyed by line id), who guided the firm and its self-assessment
    team (自评组; None leaves it as it is), as a draft.

    Raises ConcurrentEditError when someone saved since ``expected_version``; ValidationError
    (by item code) when an entry breaks the item's rules. One history entry per save."""
    SELF_ASSESSMENT.check(assessment, "edit", actor=actor)
    changes, changed = _apply_entries(assessment, entries)
    header = {**GUIDE_FIELDS, **TEAM_FIELDS}
    changes.update(
        _set_header(assessment, header, guide_agency, guide_expert, team_leader, team_members)
    )
    with transaction.atomic():
        save_versioned(
            assessment,
            expected_version=expected_version,
            fields=list(header),
        )
        SelfAssessmentLine.objects.bulk_update(
            changed, ["deducted", "not_applicable", "reason"], batch_size=200
        )
        if changes:
            record_change(actor=actor, obj=assessment, action="保存自评", changes=changes)
    return assessment


def assessment_submit(*, assessment: SelfAssessment, actor, expected_version: int):
    """Lock the assessment: check every item's rules, compute the score and veto by
    reviews.scoring, and store them with the submission (the machine keeps the history)."""
    SELF_ASSESSMENT.check(assessment, "submit", actor=actor)
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
    return SELF_ASSESSMENT.apply(
        assessment,
        "submit",
        actor=actor,
        expected_version=expected_version,
        changes={
            "score": score.value,
            "veto_failed": score.veto_failed,
            "submitted_at": timezone.now(),
        },
    )


# --- Evidence ----------------------------------------------------------------------------


def evidence_add(*, line: SelfAssessmentLine, actor, upload) -> Evidence:
    """Attach a file to an item of a draft assessment; its type is checked by content."""
    assessment = line.assessment
    SELF_ASSESSMENT.check(assessment, "edit", actor=actor)
    try:
        content_type = check_upload(upload, kinds=EVIDENCE_KINDS, max_mb=EVIDENCE_MAX_MB)
    except ValidationError as error:  # said of the item the file was meant for
        raise ValidationError([f"{line.item.code}：{m}" for m in error.messages]) from error
    upload.name = name_for(upload.name, content_type)  # stored and served as what it is
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
    require(actor, "delete", evidence)
    SELF_ASSESSMENT.check(line.assessment, "edit", actor=actor)
    with transaction.atomic():
        record_change(
            actor=actor,
            obj=line.assessment,
            action="删除佐证材料",
            note=f"{line.item.code}：{evidence.original_name}",
        )
        evidence.delete()
    discard_when_unreferenced(evidence.file.name, storage=evidence.file.storage)
