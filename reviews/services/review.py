"""Writes of the application → assignment → review → rectification → conclusion path.

Every function takes the acting user and owns its transaction. Status moves go through the
machines (``reviews.workflows.review``: ``REVIEW`` drives the firm's ``LIFECYCLE`` by its hooks,
``NONCONFORMITY``), which check the policy, claim the row and write the history; other edits
``require`` the policy's ``edit`` (refused once the review is concluded) and keep history.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enterprises.choices import Grade
from enterprises.models import Enterprise
from enterprises.selectors import deaths_in_year_before
from portal.audit import record_change, save_with_history, snapshot
from portal.concurrency import save_versioned
from portal.events import emit
from portal.files import discard_when_unreferenced
from portal.policy import require
from portal.uploads import check_upload, name_for

from ..choices import OPEN_NONCONFORMITY_STATUSES, Funding, ReviewStatus, RiskKind
from ..events import NONCONFORMITY_RAISED
from ..models import (
    Evidence,
    Expert,
    HazardFinding,
    Nonconformity,
    OnsiteRectification,
    Review,
    ReviewAgency,
    ReviewLine,
    ReviewTeamMember,
    RiskIdentification,
    StandardItem,
)
from ..scoring import final_result, one_decimal
from ..selectors.review import latest_submitted_assessment, review_lines_score, team_problems
from ..workflows.lifecycle import LIFECYCLE
from ..workflows.review import NONCONFORMITY, REVIEW

# 四个结合's risk identification, given as text (one per line, or separated by 、；) and kept as
# one RiskIdentification row each.
RISK_INPUTS = {
    "hazardous_places": RiskKind.HAZARDOUS_PLACE,
    "special_operation_sites": RiskKind.SPECIAL_OPERATION_SITE,
    "risk_points": RiskKind.RISK_POINT,
}
RISK_SEPARATORS = re.compile(r"[\n、；;]+")
DETAIL_FIELDS = [
    "onsite_from",
    "onsite_to",
    "responsibility_system",
    "training_date",
    "trained_count",
    "hazards_note",
    "training_shortfall_reason",
    "gap_explanation",
]

# --- Application and assignment -------------------------------------------------------------


def review_apply(*, enterprise: Enterprise, actor: Any, applied_grade: str = "") -> Review:
    """申请评审: the firm applies with its latest submitted self-assessment (a graded firm
    names the grade it applies for; its self-assessment must reach that grade's score)."""
    graded = (Grade.LEVEL1, Grade.LEVEL2, Grade.LEVEL3)
    if enterprise.is_small_micro or applied_grade not in graded:
        applied_grade = ""
    with transaction.atomic():
        assessment = latest_submitted_assessment(enterprise)
        firm = Enterprise.objects.get(pk=enterprise.pk)
        LIFECYCLE.apply(
            firm, "apply", actor=actor, self_assessment=assessment, applied_grade=applied_grade
        )
        enterprise.status, enterprise.version = firm.status, firm.version
        review = Review(
            enterprise=enterprise,
            self_assessment=assessment,
            standard=assessment.standard,
            status=ReviewStatus.APPLIED,
            applied_at=timezone.now(),
            applied_grade=applied_grade,
        )
        review.full_clean()
        review.save()
        record_change(
            actor=actor,
            obj=review,
            action="申请评审",
            before={"status": None},
            after=snapshot(
                review,
                ["status", "standard", "self_assessment"]
                + (["applied_grade"] * bool(applied_grade)),
            ),
        )
    return review


def review_return(*, review: Review, actor: Any, reason: str) -> Review:
    """退回: the county sends the application back to the firm, with a reason."""
    reason = (reason or "").strip()
    with transaction.atomic():
        REVIEW.apply(
            review, "return", actor=actor, changes={"return_reason": reason}, reason=reason
        )
    return review


def review_assign(
    *,
    review: Review,
    actor: Any,
    agency: ReviewAgency,
    funding: str,
    fee: Decimal | None = None,
) -> Review:
    """委派: the county accepts the application and assigns a qualified agency without a
    conflict of interest; records how the review is paid for."""
    require(actor, "assign", review)
    if funding not in Funding.values:
        raise ValidationError({"funding": "请选择评审经费方式"})
    if fee is not None and fee < 0:
        raise ValidationError({"fee": "评审费用不能为负数"})
    now = timezone.now()
    changes = {"agency": agency, "funding": funding, "fee": fee, "assigned_at": now}
    with transaction.atomic():
        changes["assignment_no"] = next_assignment_number(review, timezone.localdate(now).year)
        REVIEW.apply(review, "assign", actor=actor, changes=changes, agency=agency)
    return review


def review_withdraw(*, review: Review, actor: Any) -> Review:
    """撤回委派: the agency was taken off the list (清除, 取消资格) before it finished; the
    county withdraws the assignment (the review is kept, cancelled, with what the agency did)
    and the firm's application waits for another agency as a new review in the queue,
    carrying the same self-assessment. Returns the new review, to be assigned."""
    with transaction.atomic():
        REVIEW.apply(review, "withdraw", actor=actor)
        again = Review(
            enterprise_id=review.enterprise_id,
            self_assessment_id=review.self_assessment_id,
            standard_id=review.standard_id,
            status=ReviewStatus.APPLIED,
            applied_at=review.applied_at or timezone.now(),
            applied_grade=review.applied_grade,
            # A re-review withdrawn stays the same re-review (of the same result, for the hold).
            redo_of_id=review.redo_of_id,
            redo_reason=review.redo_reason,
            hold_id=review.hold_id,
        )
        again.full_clean()
        again.save()
        record_change(
            actor=actor,
            obj=again,
            action="撤回委派后重新受理",
            before={"status": None},
            after=snapshot(again, ["status", "standard", "self_assessment"]),
            note=f"原评审（{review.assignment_no or review.pk}）的评审机构“{review.agency}”"
            f"为“{review.agency.get_standing_display()}”",
        )
    return again


def next_assignment_number(review: Review, year: int) -> str:
    """评审委派单 number: the county's code, the year and a running number, e.g.
    370602-2016-0007 (the unique constraint refuses a number taken by a concurrent
    assignment, which then rolls back)."""
    county = Enterprise.objects.filter(pk=review.enterprise_id).values_list(
        "county__code", flat=True
    )[0]
    prefix = f"{county}-{year}-"
    taken = Review.objects.filter(assignment_no__startswith=prefix).values_list(
        "assignment_no", flat=True
    )
    last = max((int(number.rsplit("-", 1)[1]) for number in taken), default=0)
    return f"{prefix}{last + 1:04d}"


# --- The agency's review --------------------------------------------------------------------


def _start_reviewing(review: Review, actor: Any) -> None:
    if review.status == ReviewStatus.ASSIGNED:
        REVIEW.apply(review, "start", actor=actor)


def review_update(
    *, review: Review, actor: Any, expected_version: int | None, data: dict[str, Any]
) -> Review:
    """The on-site dates and the four combinations (四个结合); a stale edit is refused. The
    risk identification (``RISK_INPUTS``) arrives as text and is kept as one row per place,
    site or risk point."""
    require(actor, "edit", review)
    unknown = set(data) - set(DETAIL_FIELDS) - set(RISK_INPUTS)
    if unknown:
        raise ValueError(f"not review details: {sorted(unknown)}")
    fields = {name: value for name, value in data.items() if name in DETAIL_FIELDS}
    risks = {RISK_INPUTS[name]: risk_names(value) for name, value in data.items()
             if name in RISK_INPUTS}  # fmt: skip
    _check_details({name: fields.get(name, getattr(review, name)) for name in DETAIL_FIELDS})
    with transaction.atomic():
        save_with_history(
            review,
            actor=actor,
            action="修改评审记录",
            changes=fields,
            expected_version=expected_version,
        )
        _replace_risks(review, actor, risks)
        _start_reviewing(review, actor)
    return review


def risk_names(text: str | None) -> list[str]:
    """One name per line (or separated by 、；), blanks dropped, duplicates kept once."""
    names = (part.strip(" \t。.") for part in RISK_SEPARATORS.split(text or ""))
    return list(dict.fromkeys(name[:200] for name in names if name))


def _replace_risks(review: Review, actor: Any, risks: dict[str, list[str]]) -> None:
    if not risks:
        return
    stored = RiskIdentification.objects.filter(review=review, kind__in=list(risks))
    before: dict[str, list[str]] = {kind: [] for kind in risks}
    for row in stored.order_by("kind", "order", "pk"):
        before[row.kind].append(row.name)
    changes = {
        f"{RiskKind(kind).label}辨识": ["、".join(before[kind]), "、".join(names)]
        for kind, names in risks.items()
        if before[kind] != names
    }
    if not changes:
        return
    stored.delete()
    RiskIdentification.objects.bulk_create(
        RiskIdentification(review=review, kind=kind, name=name, order=order)
        for kind, names in risks.items()
        for order, name in enumerate(names, start=1)
    )
    record_change(actor=actor, obj=review, action="修改风险辨识", changes=changes)


def _check_details(values: dict[str, Any]) -> None:
    start, end = values["onsite_from"], values["onsite_to"]
    if start and end and end < start:
        raise ValidationError({"onsite_to": "现场评审结束日期不能早于开始日期"})


def review_set_team(
    *, review: Review, actor: Any, experts: list[Expert], leader: Expert
) -> list[ReviewTeamMember]:
    """评审组: at least two experts of the reviewing agency, exactly one of them the leader."""
    require(actor, "edit", review)
    members = _team_members(review, experts, leader)
    with transaction.atomic():
        before = {"team": _team_text(review.team.select_related("expert"))}
        review.team.all().delete()
        ReviewTeamMember.objects.bulk_create(members)
        record_change(
            actor=actor,
            obj=review,
            action="设置评审组",
            before=before,
            after={"team": _team_text(members)},
        )
        _start_reviewing(review, actor)
    return members


def _team_members(review: Review, experts: list[Expert], leader: Expert) -> list:
    outsiders = [expert for expert in experts if expert.agency_id != review.agency_id]
    if outsiders:
        names = "、".join(str(expert) for expert in outsiders)
        raise ValidationError({"experts": f"{names}不是本机构的评审专家"})
    if leader not in experts:
        raise ValidationError({"leader": "组长必须是评审组成员"})
    members = [
        ReviewTeamMember(review=review, expert=expert, is_leader=expert == leader)
        for expert in dict.fromkeys(experts)
    ]
    problems = team_problems(members)
    if problems:
        raise ValidationError({"experts": problems})
    return members


def _team_text(members: Any) -> str:
    return "、".join(
        f"{m.expert}（{m.expert.certificate_no}）{'组长' if m.is_leader else ''}" for m in members
    )


@dataclass(frozen=True)
class ItemScore:
    """What the scoring page submits for one item; ``deducted`` None means not scored yet."""

    deducted: Decimal | None
    not_applicable: bool = False
    reason: str = ""


def review_save_scores(
    *, review: Review, actor: Any, expected_version: int | None, scores: dict[int, ItemScore]
) -> None:
    """Save the agency's score for each item in a constant number of queries; an item left
    empty is unscored; every changed score is recorded in one history entry."""
    require(actor, "edit", review)
    items = {item.pk: item for item in StandardItem.objects.filter(standard_id=review.standard_id)}
    errors = _score_errors(items, scores)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        save_versioned(
            review,
            expected_version=review.version if expected_version is None else expected_version,
            fields=[],
        )
        existing = {line.item_id: line for line in ReviewLine.objects.filter(review=review)}
        keep, cleared, changes = _score_changes(review, items, existing, scores)
        if keep:
            ReviewLine.objects.bulk_create(
                keep,
                update_conflicts=True,
                unique_fields=["review", "item"],
                update_fields=["deducted", "not_applicable", "reason"],
            )
        if cleared:
            ReviewLine.objects.filter(review=review, item_id__in=cleared).delete()
        if changes:
            record_change(actor=actor, obj=review, action="评分", changes=changes)
        _start_reviewing(review, actor)


def _score_changes(review: Review, items: dict, existing: dict, scores: dict[int, ItemScore]):
    """The lines to write, the items to clear and the history's before/after per item."""
    keep, cleared, changes = [], [], {}
    for item_id, entry in scores.items():
        item, old = items[item_id], existing.get(item_id)
        if entry.deducted is None and not entry.not_applicable:
            if old is not None:
                cleared.append(item_id)
                changes[f"{item.code} 扣分"] = [_line_text(old), None]
            continue
        line = ReviewLine(
            review=review,
            item=item,
            deducted=Decimal(0) if entry.not_applicable else entry.deducted,
            not_applicable=entry.not_applicable,
            reason=entry.reason,
        )
        keep.append(line)
        if old is None or _line_text(old) != _line_text(line) or old.reason != line.reason:
            changes[f"{item.code} 扣分"] = [_line_text(old), _line_text(line)]
    return keep, cleared, changes


def _line_text(line: ReviewLine | None) -> str | None:
    if line is None:
        return None
    return "空项" if line.not_applicable else f"扣{one_decimal(Decimal(line.deducted))}分"


def _score_errors(items: dict[int, StandardItem], scores: dict[int, ItemScore]) -> dict:
    errors: dict[str, list[str]] = {}
    for item_id, entry in scores.items():
        item = items.get(item_id)
        if item is None:
            errors.setdefault("__all__", []).append("评分项不属于本次评审的评定标准")
            continue
        if entry.deducted is None or entry.not_applicable:
            continue
        if entry.deducted < 0 or entry.deducted > item.points:
            errors.setdefault("__all__", []).append(f"{item.code}：扣分应在0到{item.points}分之间")
        elif entry.deducted > 0 and not entry.reason.strip():
            errors.setdefault("__all__", []).append(f"{item.code}：扣分须填写扣分理由")
    return errors


def nonconformity_add(
    *,
    review: Review,
    actor: Any,
    item: StandardItem | None,
    description: str,
    deadline: dt.date,
) -> Nonconformity:
    """不符合项: tied to an item of the review's standard, with a rectification deadline. The
    first one sends the review, and with it the firm, into rectification."""
    require(actor, "edit", review)
    if item is not None and item.standard_id != review.standard_id:
        raise ValidationError({"item": "评分项不属于本次评审的评定标准"})
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": "整改期限不能早于今天"})
    with transaction.atomic():
        nonconformity = Nonconformity(
            review=review, item=item, description=description, deadline=deadline
        )
        nonconformity.full_clean()
        nonconformity.save()
        record_change(
            actor=actor,
            obj=nonconformity,
            action="提出不符合项",
            before={"status": None},
            after=snapshot(nonconformity, ["status", "item", "description", "deadline"]),
        )
        if review.status != ReviewStatus.RECTIFYING:
            REVIEW.apply(review, "list_nonconformities", actor=actor)
        emit(NONCONFORMITY_RAISED, nonconformity, actor=actor)
    return nonconformity


def review_record_onsite_fix(
    *, review: Review, actor: Any, item: StandardItem, evidence: str, files: list[Any] = ()
) -> OnsiteRectification:
    """现场整改: an item with a deduction that the firm rectified while the team was on site,
    with what was done and the evidence the team saw as files (photos, records), instead of a
    不符合项 for that item."""
    require(actor, "edit", review)
    evidence = (evidence or "").strip()
    if item.standard_id != review.standard_id:
        raise ValidationError({"item": "评分项不属于本次评审的评定标准"})
    if not evidence:
        raise ValidationError({"evidence": "请填写现场整改情况"})
    if not files:
        raise ValidationError({"files": "请上传现场整改的佐证材料（照片、记录等）"})
    mimes = [check_upload(upload) for upload in files]
    if not ReviewLine.objects.filter(review=review, item=item, deducted__gt=0).exists():
        raise ValidationError({"item": f"{item.code}没有扣分，无需记录现场整改"})
    with transaction.atomic():
        fix, created = OnsiteRectification.objects.update_or_create(
            review=review, item=item, defaults={"evidence": evidence}
        )
        names = _store_evidence(review, actor, files, mimes, onsite_rectification=fix)
        record_change(
            actor=actor,
            obj=review,
            action="记录现场整改",
            changes={f"{item.code} 现场整改": [None if created else "已记录", evidence]},
            note=f"佐证材料：{'、'.join(names)}",
        )
    return fix


def _store_evidence(review: Review, actor: Any, files, mimes, **owner: Any) -> list[str]:
    """Keep uploaded files (types checked by content) as the firm's evidence of ``owner``."""
    names = []
    for upload, mime in zip(files, mimes, strict=True):
        upload.name = name_for(upload.name, mime)  # stored and served as what it is
        Evidence.objects.create(
            enterprise_id=review.enterprise_id,
            file=upload,
            original_name=upload.name[:200],
            content_type=mime,
            size=upload.size,
            uploaded_by=actor if actor.pk else None,  # the demo's "system" user is unsaved
            **owner,
        )
        names.append(upload.name[:200])
    return names


# --- 隐患查改: each hazard found on site, as a row ------------------------------------------


def hazard_record(
    *,
    review: Review,
    actor: Any,
    description: str,
    nonconformity: Nonconformity | None = None,
    rectification: str = "",
    files: list[Any] = (),
) -> HazardFinding:
    """A hazard the team found: listed as one of this review's 不符合项 (which carries the
    deadline), or rectified on site, said how and with evidence files. Never neither."""
    require(actor, "edit", review)
    description, rectification = (description or "").strip(), (rectification or "").strip()
    if not description:
        raise ValidationError({"description": "请填写隐患描述"})
    if nonconformity is not None:
        if nonconformity.review_id != review.pk:
            raise ValidationError({"nonconformity": "不符合项不属于本次评审"})
        if rectification or files:
            raise ValidationError({"nonconformity": "列为不符合项的隐患按期整改，不再记录现场整改"})
        mimes = []
    else:
        if not rectification or not files:
            raise ValidationError(
                {"rectification": "隐患须列为不符合项；或现场已整改，写明整改情况并上传佐证材料"}
            )
        mimes = [check_upload(upload) for upload in files]
    with transaction.atomic():
        hazard = HazardFinding.objects.create(
            review=review,
            description=description,
            nonconformity=nonconformity,
            rectified_on_site=nonconformity is None,
            rectification=rectification,
        )
        names = _store_evidence(review, actor, files, mimes, hazard=hazard)
        handled = (
            f"列为不符合项：{nonconformity}" if nonconformity else f"现场已整改：{rectification}"
        )
        record_change(
            actor=actor,
            obj=review,
            action="登记隐患",
            changes={"隐患": [None, f"{description}（{handled}）"]},
            note=f"佐证材料：{'、'.join(names)}" if names else "",
        )
    return hazard


def hazard_remove(*, hazard: HazardFinding, actor: Any) -> None:
    review = hazard.review
    require(actor, "edit", review)
    with transaction.atomic():
        record_change(
            actor=actor, obj=review, action="删除隐患", changes={"隐患": [hazard.description, None]}
        )
        files = [evidence.file for evidence in hazard.files.all()]
        hazard.delete()
    for file in files:
        discard_when_unreferenced(file.name, storage=file.storage)


def nonconformity_answer(
    *,
    nonconformity: Nonconformity,
    actor: Any,
    response: str,
    files: list[Any] = (),
    expected_version: int | None = None,
) -> Nonconformity:
    """整改: the firm states what it did, with evidence files (checked by content)."""
    response = (response or "").strip()
    NONCONFORMITY.check(nonconformity, "answer", actor=actor, response=response)
    mimes = [check_upload(upload) for upload in files]
    with transaction.atomic():
        NONCONFORMITY.apply(
            nonconformity,
            "answer",
            actor=actor,
            note=f"附佐证材料{len(files)}份" if files else "",
            changes={"response": response, "responded_at": timezone.now()},
            expected_version=expected_version,
            response=response,
        )
        for upload, mime in zip(files, mimes, strict=True):
            upload.name = name_for(upload.name, mime)  # stored and served as what it is
            Evidence.objects.create(
                enterprise_id=nonconformity.review.enterprise_id,
                nonconformity=nonconformity,
                file=upload,
                original_name=upload.name[:200],
                content_type=mime,
                size=upload.size,
                uploaded_by=actor,
            )
    return nonconformity


def nonconformity_verify(
    *,
    nonconformity: Nonconformity,
    actor: Any,
    accepted: bool,
    comment: str,
    expected_version: int | None = None,
) -> Nonconformity:
    """整改到位核查: the agency accepts the rectification, or rejects it back to the firm."""
    comment = (comment or "").strip()
    with transaction.atomic():
        NONCONFORMITY.apply(
            nonconformity,
            "accept" if accepted else "reject",
            actor=actor,
            changes={"verification_comment": comment, "verified_at": timezone.now()},
            expected_version=expected_version,
            comment=comment,
        )
    return nonconformity


# --- Conclusion -----------------------------------------------------------------------------


def review_conclude(*, review: Review, actor: Any) -> Review:
    """评审结论: computed by reviews.scoring from the agency's lines, the firm's size and the
    deaths in the year before; refused while anything is missing or a nonconformity is open."""
    require(actor, "conclude", review)
    with transaction.atomic():
        fresh = Review.objects.select_related("enterprise").get(pk=review.pk)
        changes, note = _conclusion(fresh)
        REVIEW.apply(fresh, "conclude", actor=actor, note=note, changes=changes, result_note=note)
    review.refresh_from_db()
    return review


def _conclusion(review: Review) -> tuple[dict[str, Any], str]:
    """The result's fields and the history's note (score, result, veto, deaths)."""
    enterprise = review.enterprise
    score = review_lines_score(review)
    deaths = deaths_in_year_before(enterprise, timezone.localdate())
    result = final_result(
        score, small_micro=enterprise.is_small_micro, deaths_in_year_before=deaths
    )
    note = f"得分{score.value}，结论：{result.label if result else '未达标'}"
    if score.veto_failed:
        note += "（否决项不合格）"
    if deaths:
        note += f"（评审前一年事故死亡{deaths}人）"
    changes = {
        "score": score.value,
        "veto_failed": score.veto_failed,
        "result": result or "",
        "concluded_at": timezone.now(),
    }
    return changes, note


def has_open_nonconformities(review: Review) -> bool:
    return review.nonconformities.filter(status__in=OPEN_NONCONFORMITY_STATUSES).exists()
