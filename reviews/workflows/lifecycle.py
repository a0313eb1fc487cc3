"""The state machines of the standardization path (``portal.statemachine`` is the idiom).

``LIFECYCLE`` is the firm's standing: on the list → self-assessing → applied → under review →
rectifying → concluded → confirmed → announced, and revoked / expired; a 二级 or 一级 result
is recommended upward (concluded → 已推荐上报) instead of confirmed. Who may take each
transition is ``reviews.policies.lifecycle``; a refused transition says why.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from enterprises.choices import Grade, Status
from enterprises.models import Enterprise
from enterprises.workflows import standing_changed
from portal.statemachine import Machine, Transition

# --- Conditions -------------------------------------------------------------------------------
# Imported lazily: the selectors read reviews.models, which must not import this module first.


def has_submitted_self_assessment(enterprise: Enterprise, context: dict[str, Any]) -> str | None:
    from ..selectors.review import latest_submitted_assessment

    assessment = context.get("self_assessment") or latest_submitted_assessment(enterprise)
    if assessment is None or not assessment.is_locked:
        return "企业尚未提交自评，不能申请评审（请先完成并提交自评）"
    return None


def _assessment(enterprise: Enterprise, context: dict[str, Any]):
    from ..selectors.review import latest_submitted_assessment

    return context.get("self_assessment") or latest_submitted_assessment(enterprise)


def assessment_uses_current_standard(enterprise: Enterprise, context: dict[str, Any]) -> str | None:
    from ..selectors.review import standard_is_current

    assessment = _assessment(enterprise, context)
    if assessment is not None and not standard_is_current(assessment.standard):
        return f"自评所用的“{assessment.standard}”不是现行版本，请按现行评定标准重新自评"
    return None


def assessment_reaches_pass_mark(enterprise: Enterprise, context: dict[str, Any]) -> str | None:
    from ..scoring import application_pass_mark

    assessment = _assessment(enterprise, context)
    if assessment is None:
        return None
    grade = context.get("applied_grade", "")
    mark = application_pass_mark(small_micro=enterprise.is_small_micro, applied_grade=grade)
    if assessment.score is None or assessment.score < mark:
        small_micro = enterprise.is_small_micro
        what = f"申请{Grade(grade).label}" if grade and not small_micro else "申请评审"
        scored = "自评没有得分" if assessment.score is None else f"自评得分{assessment.score}分"
        return f"{scored}，未达到{what}所需的{mark}分"
    return None


def assessment_has_no_failed_veto(enterprise: Enterprise, context: dict[str, Any]) -> str | None:
    assessment = _assessment(enterprise, context)
    if assessment is not None and assessment.veto_failed:
        return "自评有否决项不合格，不能申请评审"
    return None


def assessment_team_is_recorded(enterprise: Enterprise, context: dict[str, Any]) -> str | None:
    assessment = _assessment(enterprise, context)
    if assessment is None:
        return None
    missing = []
    if not assessment.team_leader.strip():
        missing.append("组长")
    if not assessment.team_member_names:
        missing.append("成员")
    return f"自评组{'和'.join(missing)}未填写（请在自评页面填写自评组）" if missing else None


def has_no_active_review(enterprise: Enterprise, context: dict[str, Any]) -> str | None:
    from ..selectors.review import IN_PROGRESS_REVIEW_STATUSES, current_review

    if current_review(enterprise, IN_PROGRESS_REVIEW_STATUSES) is not None:
        return "企业已有进行中的评审申请，不能重复申请"
    return None


def agency_is_eligible(enterprise: Enterprise, context: dict[str, Any]) -> str | None:
    from ..selectors.review import agency_exclusion_reason

    agency = context.get("agency")
    if agency is None:
        return "未选择评审机构"
    return agency_exclusion_reason(agency, enterprise=enterprise, review=context.get("review"))


def review_is_ready_to_conclude(enterprise: Enterprise, context: dict[str, Any]) -> str | None:
    from ..choices import ReviewStatus
    from ..selectors.review import conclusion_problems, current_review

    review = context.get("review") or current_review(enterprise)
    if review is None:
        return "企业没有进行中的评审"
    if review.status == ReviewStatus.CONCLUDED:
        return None  # concluded by the review's machine, whose hook moves the firm now
    problems = conclusion_problems(review)
    return "；".join(problems) if problems else None


PASSED = (Status.CONFIRMED, Status.ANNOUNCED)


def _forgetting_progress(transitions: list[Transition]) -> list[Transition]:
    """Every move of the standing forgets the cached progress figures (the one place: a
    hook on each transition, in the mover's transaction and again at its commit)."""
    return [replace(t, hooks=(*t.hooks, standing_changed)) for t in transitions]


LIFECYCLE = Machine(
    Enterprise,
    _forgetting_progress(
        [
            Transition(
                "start_self_assessment",
                (Status.LISTED, Status.EXPIRED, Status.REVOKED, Status.SELF_ASSESSING),
                Status.SELF_ASSESSING,
                "开始自评",
            ),
            Transition(
                "apply",
                (Status.SELF_ASSESSING,),
                Status.APPLIED,
                "申请评审",
                conditions=(
                    has_submitted_self_assessment,
                    assessment_uses_current_standard,
                    assessment_reaches_pass_mark,
                    assessment_has_no_failed_veto,
                    assessment_team_is_recorded,
                    has_no_active_review,
                ),
            ),
            Transition(
                "return_application", (Status.APPLIED,), Status.SELF_ASSESSING, "退回评审申请"
            ),
            Transition(
                "assign",
                (Status.APPLIED,),
                Status.UNDER_REVIEW,
                "委派评审机构",
                conditions=(agency_is_eligible,),
            ),
            Transition(
                "list_nonconformities", (Status.UNDER_REVIEW,), Status.RECTIFYING, "提出不符合项"
            ),
            # The agency was taken off the list mid-review: the firm waits for another one.
            Transition(
                "withdraw_assignment",
                (Status.UNDER_REVIEW, Status.RECTIFYING),
                Status.APPLIED,
                "撤回委派，待重新委派",
            ),
            Transition(
                "conclude",
                (Status.UNDER_REVIEW, Status.RECTIFYING),
                Status.CONCLUDED,
                "作出评审结论",
                conditions=(review_is_ready_to_conclude,),
            ),
            Transition("confirm", (Status.CONCLUDED,), Status.CONFIRMED, "确认评审结论"),
            Transition(
                "reject_conclusion",
                (Status.CONCLUDED,),
                Status.SELF_ASSESSING,
                "确认评审结论：未达标",
            ),
            Transition("recommend", (Status.CONCLUDED,), Status.RECOMMENDED, "推荐上报"),
            Transition("announce", (Status.CONFIRMED,), Status.ANNOUNCED, "公告"),
            # An upheld objection to the 公示 sends the result back: the firm's review starts anew.
            Transition("send_back", PASSED, Status.APPLIED, "退回重新评审"),
            Transition("revoke", PASSED, Status.REVOKED, "撤销等级"),
            Transition("expire", PASSED, Status.EXPIRED, "等级到期"),
        ]
    ),
)
