"""Writes of the application → assignment → review → rectification → conclusion path.

Every function takes the acting user, owns its transaction, moves the firm through
``reviews.workflow`` where its lifecycle changes, and records what it changed in the history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from enterprises.choices import Status
from enterprises.models import Enterprise
from enterprises.selectors import deaths_in_year_before
from portal.audit import record_change, snapshot
from portal.concurrency import save_versioned
from portal.roles import Role
from portal.uploads import check_upload

from ..choices import OPEN_NONCONFORMITY_STATUSES, Funding, NonconformityStatus, ReviewStatus
from ..models import (
    Evidence,
    Expert,
    Nonconformity,
    Review,
    ReviewAgency,
    ReviewLine,
    ReviewTeamMember,
    StandardItem,
)
from ..scoring import final_result, one_decimal
from ..selectors.review import (
    AGENCY_EDITABLE_STATUSES,
    latest_submitted_assessment,
    review_lines_score,
    team_problems,
)
from ..workflow import TransitionRefused, enterprise_transition

REVIEW_STATUS_FIELDS = ["status"]
ASSIGNMENT_FIELDS = ["status", "agency", "funding", "fee", "assigned_at"]
DETAIL_FIELDS = [
    "onsite_from",
    "onsite_to",
    "responsibility_system",
    "training_date",
    "trained_count",
    "hazardous_places",
    "special_operation_sites",
    "risk_points",
    "hazards_found",
    "hazards_rectified",
    "hazards_note",
]
RESULT_FIELDS = ["status", "score", "veto_failed", "result", "concluded_at"]
NONCONFORMITY_FIELDS = [
    "status",
    "response",
    "responded_at",
    "verification_comment",
    "verified_at",
]


# --- Guards ---------------------------------------------------------------------------------


def _require_firm(actor: Any, review: Review) -> None:
    if getattr(actor, "role", None) != Role.ENTERPRISE or actor.enterprise_id != (
        review.enterprise_id
    ):
        raise PermissionDenied("只有本企业的用户可以执行此操作")


def _require_reviewing_agency(actor: Any, review: Review) -> None:
    if getattr(actor, "role", None) != Role.AGENCY or actor.agency_id != review.agency_id:
        raise PermissionDenied("只有受委派的评审机构可以执行此操作")


def _require_county_of(actor: Any, review: Review) -> None:
    if getattr(actor, "role", None) != Role.COUNTY or actor.county_id != (
        review.enterprise.county_id
    ):
        raise PermissionDenied("只有企业所在县市区的监管部门可以执行此操作")


def _require_review_status(review: Review, statuses: tuple[str, ...], action: str) -> None:
    if review.status not in statuses:
        allowed = "、".join(ReviewStatus(s).label for s in statuses)
        raise TransitionRefused(
            f"评审状态为“{review.get_status_display()}”，不能{action}（仅在{allowed}时可以）"
        )


def _set_review_status(review: Review, status: str, *, actor: Any, action: str) -> None:
    before = snapshot(review, REVIEW_STATUS_FIELDS)
    review.status = status
    Review.objects.filter(pk=review.pk).update(status=status)
    record_change(
        actor=actor, obj=review, action=action, before=before, after=snapshot(review, ["status"])
    )


# --- Application and assignment -------------------------------------------------------------


def review_apply(*, enterprise: Enterprise, actor: Any) -> Review:
    """申请评审: the firm applies with its latest submitted self-assessment."""
    if getattr(actor, "role", None) != Role.ENTERPRISE or actor.enterprise_id != enterprise.pk:
        raise PermissionDenied("只有本企业的用户可以申请评审")
    with transaction.atomic():
        assessment = latest_submitted_assessment(enterprise)
        enterprise_transition(
            enterprise=enterprise, name="apply", actor=actor, self_assessment=assessment
        )
        review = Review(
            enterprise=enterprise,
            self_assessment=assessment,
            standard=assessment.standard,
            status=ReviewStatus.APPLIED,
            applied_at=timezone.now(),
        )
        review.full_clean()
        review.save()
        record_change(
            actor=actor,
            obj=review,
            action="申请评审",
            before={"status": None},
            after=snapshot(review, ["status", "standard", "self_assessment"]),
        )
    return review


def review_return(*, review: Review, actor: Any, reason: str) -> Review:
    """退回: the county sends the application back to the firm, with a reason."""
    _require_county_of(actor, review)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "退回评审申请必须填写理由"})
    _require_review_status(review, (ReviewStatus.APPLIED,), "退回")
    with transaction.atomic():
        enterprise_transition(
            enterprise=review.enterprise, name="return_application", actor=actor, note=reason
        )
        before = snapshot(review, ["status", "return_reason"])
        review.status = ReviewStatus.RETURNED
        review.return_reason = reason
        review.save(update_fields=["status", "return_reason"])
        record_change(
            actor=actor,
            obj=review,
            action="退回评审申请",
            before=before,
            after=snapshot(review, ["status", "return_reason"]),
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
    _require_county_of(actor, review)
    if funding not in Funding.values:
        raise ValidationError({"funding": "请选择评审经费方式"})
    if fee is not None and fee < 0:
        raise ValidationError({"fee": "评审费用不能为负数"})
    _require_review_status(review, (ReviewStatus.APPLIED,), "委派评审机构")
    with transaction.atomic():
        enterprise_transition(
            enterprise=review.enterprise,
            name="assign",
            actor=actor,
            agency=agency,
            review=review,
            note=f"委派：{agency}",
        )
        before = snapshot(review, ASSIGNMENT_FIELDS)
        review.status = ReviewStatus.ASSIGNED
        review.agency = agency
        review.funding = funding
        review.fee = fee
        review.assigned_at = timezone.now()
        review.full_clean()
        review.save(update_fields=ASSIGNMENT_FIELDS)
        record_change(
            actor=actor,
            obj=review,
            action="委派评审机构",
            before=before,
            after=snapshot(review, ASSIGNMENT_FIELDS),
        )
    return review


# --- The agency's review --------------------------------------------------------------------


def _start_reviewing(review: Review, actor: Any) -> None:
    if review.status == ReviewStatus.ASSIGNED:
        _set_review_status(review, ReviewStatus.UNDER_REVIEW, actor=actor, action="开始评审")


def review_update(
    *, review: Review, actor: Any, expected_version: int | None, data: dict[str, Any]
) -> Review:
    """The on-site dates and the four combinations (四个结合); a stale edit is refused."""
    _require_reviewing_agency(actor, review)
    _require_review_status(review, AGENCY_EDITABLE_STATUSES, "修改评审记录")
    unknown = set(data) - set(DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"not review details: {sorted(unknown)}")
    with transaction.atomic():
        before = snapshot(review, DETAIL_FIELDS)
        for name, value in data.items():
            setattr(review, name, value)
        review.full_clean()
        if review.onsite_from and review.onsite_to and review.onsite_to < review.onsite_from:
            raise ValidationError({"onsite_to": "现场评审结束日期不能早于开始日期"})
        if (review.hazards_rectified or 0) > (review.hazards_found or 0):
            raise ValidationError({"hazards_rectified": "已整改隐患数不能多于发现隐患数"})
        save_versioned(
            review,
            expected_version=review.version if expected_version is None else expected_version,
            fields=list(data),
        )
        record_change(
            actor=actor,
            obj=review,
            action="修改评审记录",
            before=before,
            after=snapshot(review, DETAIL_FIELDS),
        )
        _start_reviewing(review, actor)
    return review


def review_set_team(
    *, review: Review, actor: Any, experts: list[Expert], leader: Expert
) -> list[ReviewTeamMember]:
    """评审组: at least two experts of the reviewing agency, exactly one of them the leader."""
    _require_reviewing_agency(actor, review)
    _require_review_status(review, AGENCY_EDITABLE_STATUSES, "修改评审组")
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
    _require_reviewing_agency(actor, review)
    _require_review_status(review, AGENCY_EDITABLE_STATUSES, "评分")
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
    first one sends the firm into rectification."""
    _require_reviewing_agency(actor, review)
    _require_review_status(review, AGENCY_EDITABLE_STATUSES, "提出不符合项")
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
        if review.enterprise.status == Status.UNDER_REVIEW:
            enterprise_transition(
                enterprise=review.enterprise, name="list_nonconformities", actor=actor
            )
        if review.status != ReviewStatus.RECTIFYING:
            _set_review_status(
                review, ReviewStatus.RECTIFYING, actor=actor, action="提出不符合项，企业整改"
            )
    return nonconformity


def nonconformity_answer(
    *,
    nonconformity: Nonconformity,
    actor: Any,
    response: str,
    files: list[Any] = (),
    expected_version: int | None = None,
) -> Nonconformity:
    """整改: the firm states what it did, with evidence files (checked by content)."""
    review = nonconformity.review
    _require_firm(actor, review)
    if nonconformity.status not in (NonconformityStatus.OPEN, NonconformityStatus.REJECTED):
        raise TransitionRefused(
            f"不符合项状态为“{nonconformity.get_status_display()}”，不能再提交整改情况"
        )
    if not (response or "").strip():
        raise ValidationError({"response": "请填写整改情况"})
    mimes = [check_upload(upload) for upload in files]
    with transaction.atomic():
        before = snapshot(nonconformity, NONCONFORMITY_FIELDS)
        nonconformity.status = NonconformityStatus.ANSWERED
        nonconformity.response = response.strip()
        nonconformity.responded_at = timezone.now()
        _save_nonconformity(nonconformity, expected_version)
        for upload, mime in zip(files, mimes, strict=True):
            Evidence.objects.create(
                enterprise_id=review.enterprise_id,
                nonconformity=nonconformity,
                file=upload,
                original_name=upload.name[:200],
                content_type=mime,
                size=upload.size,
                uploaded_by=actor,
            )
        record_change(
            actor=actor,
            obj=nonconformity,
            action="提交整改情况",
            before=before,
            after=snapshot(nonconformity, NONCONFORMITY_FIELDS),
            note=f"附佐证材料{len(files)}份" if files else "",
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
    review = nonconformity.review
    _require_reviewing_agency(actor, review)
    if nonconformity.status != NonconformityStatus.ANSWERED:
        raise TransitionRefused(
            f"不符合项状态为“{nonconformity.get_status_display()}”，企业提交整改情况后才能核查"
        )
    if not accepted and not (comment or "").strip():
        raise ValidationError({"comment": "核查未通过时必须填写核查意见"})
    with transaction.atomic():
        before = snapshot(nonconformity, NONCONFORMITY_FIELDS)
        nonconformity.status = (
            NonconformityStatus.ACCEPTED if accepted else NonconformityStatus.REJECTED
        )
        nonconformity.verification_comment = (comment or "").strip()
        nonconformity.verified_at = timezone.now()
        _save_nonconformity(nonconformity, expected_version)
        record_change(
            actor=actor,
            obj=nonconformity,
            action="核查整改：" + ("整改到位" if accepted else "未通过，退回企业"),
            before=before,
            after=snapshot(nonconformity, NONCONFORMITY_FIELDS),
        )
    return nonconformity


def _save_nonconformity(nonconformity: Nonconformity, expected_version: int | None) -> None:
    nonconformity.full_clean()
    save_versioned(
        nonconformity,
        expected_version=(nonconformity.version if expected_version is None else expected_version),
        fields=NONCONFORMITY_FIELDS,
    )


# --- Conclusion -----------------------------------------------------------------------------


def review_conclude(*, review: Review, actor: Any) -> Review:
    """评审结论: computed by reviews.scoring from the agency's lines, the firm's size and the
    deaths in the year before; refused while anything is missing or a nonconformity is open."""
    _require_reviewing_agency(actor, review)
    with transaction.atomic():
        locked = Review.objects.select_for_update().select_related("enterprise").get(pk=review.pk)
        enterprise = locked.enterprise
        score = review_lines_score(locked)
        deaths = deaths_in_year_before(enterprise, timezone.localdate())
        result = final_result(
            score, small_micro=enterprise.is_small_micro, deaths_in_year_before=deaths
        )
        note = f"得分{score.value}，结论：{result.label if result else '未达标'}"
        if score.veto_failed:
            note += "（否决项不合格）"
        if deaths:
            note += f"（评审前一年事故死亡{deaths}人）"
        # The firm's history shows the result with the transition.
        enterprise_transition(
            enterprise=enterprise, name="conclude", actor=actor, review=locked, note=note
        )
        before = snapshot(locked, RESULT_FIELDS)
        locked.status = ReviewStatus.CONCLUDED
        locked.score = score.value
        locked.veto_failed = score.veto_failed
        locked.result = result or ""
        locked.concluded_at = timezone.now()
        locked.full_clean()
        save_versioned(locked, expected_version=locked.version, fields=RESULT_FIELDS)
        record_change(
            actor=actor,
            obj=locked,
            action="作出评审结论",
            before=before,
            after=snapshot(locked, RESULT_FIELDS),
            note=note,
        )
    review.refresh_from_db()
    return review


def has_open_nonconformities(review: Review) -> bool:
    return review.nonconformities.filter(status__in=OPEN_NONCONFORMITY_STATUSES).exists()
