"""The review's own progress and each nonconformity's, as machines (``portal.statemachine``).

``REVIEW`` (``Review.status``): applied → assigned → under review → rectifying → concluded →
confirmed (by the result's confirming level, ``reviews.rules``) or recommended upward (二级,
一级: 推荐上报, by the city), or applied → returned; an open review whose agency was taken
off the list (清除, 取消资格) is withdrawn (→ cancelled) by the county. It drives the firm's
standing (``LIFECYCLE``) through hooks, so one call moves both: returning, assigning,
withdrawing, listing the first nonconformity, concluding and confirming each apply the firm's
transition of the same step, in the same transaction.

``NONCONFORMITY`` (``Nonconformity.status``): open → answered → accepted, or answered →
rejected → answered again. Who may take each transition is ``reviews.policies.review``.
"""

from __future__ import annotations

from typing import Any

from enterprises.choices import Status
from enterprises.models import Enterprise
from portal.statemachine import Machine, Transition

from ..choices import NonconformityStatus, ReviewStatus
from ..models import Nonconformity, Review
from ..selectors.review import AGENCY_EDITABLE_STATUSES
from .lifecycle import LIFECYCLE

# --- Conditions -------------------------------------------------------------------------------
# A condition on what the user enters (an agency, a reason, a comment) refuses only when the
# entry is given and wrong: asked without it (to show a button), any entry may yet be right.


def reason_is_given(review: Review, context: dict[str, Any]) -> str | None:
    if "reason" in context and not (context["reason"] or "").strip():
        return "必须填写理由"
    return None


def agency_is_eligible(review: Review, context: dict[str, Any]) -> str | None:
    from ..selectors.review import agency_exclusion_reason

    if "agency" not in context:
        return None
    if context["agency"] is None:
        return "未选择评审机构"
    return agency_exclusion_reason(context["agency"], enterprise=review.enterprise, review=review)


def is_ready_to_conclude(review: Review, context: dict[str, Any]) -> str | None:
    from ..selectors.review import conclusion_problems

    problems = conclusion_problems(review)
    return "；".join(problems) if problems else None


def response_is_given(nonconformity: Nonconformity, context: dict[str, Any]) -> str | None:
    if "response" in context and not (context["response"] or "").strip():
        return "请填写整改情况"
    return None


def comment_is_given(nonconformity: Nonconformity, context: dict[str, Any]) -> str | None:
    if "comment" in context and not (context["comment"] or "").strip():
        return "核查未通过时必须填写核查意见"
    return None


def agency_is_off_the_list(review: Review, context: dict[str, Any]) -> str | None:
    from ..selectors.review import agency_off_the_list

    if not agency_off_the_list(review):
        return "评审机构仍在动态名单内，不能撤回委派"
    return None


# --- Hooks: the firm's standing follows the review ------------------------------------------


def move_firm(review: Review, name: str, *, actor: Any, note: str = "", **context: Any) -> None:
    """Apply the firm's ``name`` (trusted: the review's transition passed the policy); the
    review's cached firm is brought up to date."""
    firm = Enterprise.objects.get(pk=review.enterprise_id)
    LIFECYCLE.apply(firm, name, actor=actor, note=note, trusted=True, review=review, **context)
    if Review.enterprise.is_cached(review):
        review.enterprise.status, review.enterprise.version = firm.status, firm.version


def firm_returned(review: Review, *, actor: Any, transition: Transition, context: dict) -> None:
    move_firm(review, "return_application", actor=actor, note=context.get("reason", ""))


def firm_assigned(review: Review, *, actor: Any, transition: Transition, context: dict) -> None:
    agency = context.get("agency", review.agency)
    move_firm(review, "assign", actor=actor, note=f"委派：{agency}", agency=agency)


def firm_withdrawn(review: Review, *, actor: Any, transition: Transition, context: dict) -> None:
    note = f"原评审机构“{review.agency}”为“{review.agency.get_standing_display()}”"
    move_firm(review, "withdraw_assignment", actor=actor, note=note)


def firm_rectifying(review: Review, *, actor: Any, transition: Transition, context: dict) -> None:
    if Enterprise.objects.filter(pk=review.enterprise_id, status=Status.UNDER_REVIEW).exists():
        move_firm(review, "list_nonconformities", actor=actor)


def firm_concluded(review: Review, *, actor: Any, transition: Transition, context: dict) -> None:
    # The firm's history shows the result with the transition.
    move_firm(review, "conclude", actor=actor, note=context.get("result_note", ""))


def firm_recommended(review: Review, *, actor: Any, transition: Transition, context: dict):
    move_firm(review, "recommend", actor=actor, note=context.get("firm_note", ""))


def firm_confirmed(review: Review, *, actor: Any, transition: Transition, context: dict) -> None:
    passed = bool(review.result)
    note = context.get("firm_note") or ("" if passed else "确认评审结论：未达标")
    move_firm(review, "confirm" if passed else "reject_conclusion", actor=actor, note=note)


REVIEW = Machine(
    Review,
    [
        Transition(
            "return",
            (ReviewStatus.APPLIED,),
            ReviewStatus.RETURNED,
            "退回评审申请",
            conditions=(reason_is_given,),
            hooks=(firm_returned,),
        ),
        Transition(
            "assign",
            (ReviewStatus.APPLIED,),
            ReviewStatus.ASSIGNED,
            "委派评审机构",
            conditions=(agency_is_eligible,),
            hooks=(firm_assigned,),
        ),
        Transition(
            "start",
            (ReviewStatus.ASSIGNED,),
            ReviewStatus.UNDER_REVIEW,
            "开始评审",
            action="review",
        ),
        Transition(
            "list_nonconformities",
            (ReviewStatus.ASSIGNED, ReviewStatus.UNDER_REVIEW),
            ReviewStatus.RECTIFYING,
            "提出不符合项，企业整改",
            action="review",
            hooks=(firm_rectifying,),
        ),
        # 清除 or 取消资格 mid-review: the county withdraws the assignment and assigns anew.
        Transition(
            "withdraw",
            AGENCY_EDITABLE_STATUSES,
            ReviewStatus.CANCELLED,
            "撤回委派（评审机构已不在名单内）",
            conditions=(agency_is_off_the_list,),
            hooks=(firm_withdrawn,),
        ),
        Transition(
            "conclude",
            AGENCY_EDITABLE_STATUSES,
            ReviewStatus.CONCLUDED,
            "作出评审结论",
            conditions=(is_ready_to_conclude,),
            hooks=(firm_concluded,),
        ),
        Transition(
            "confirm",
            (ReviewStatus.CONCLUDED,),
            ReviewStatus.CONFIRMED,
            "确认评审结论",
            hooks=(firm_confirmed,),
        ),
        Transition(
            "recommend",
            (ReviewStatus.CONCLUDED,),
            ReviewStatus.RECOMMENDED,
            "推荐上报",
            hooks=(firm_recommended,),
        ),
    ],
)

NONCONFORMITY = Machine(
    Nonconformity,
    [
        Transition(
            "answer",
            (NonconformityStatus.OPEN, NonconformityStatus.REJECTED),
            NonconformityStatus.ANSWERED,
            "提交整改情况",
            conditions=(response_is_given,),
        ),
        Transition(
            "accept",
            (NonconformityStatus.ANSWERED,),
            NonconformityStatus.ACCEPTED,
            "核查整改：整改到位",
            action="verify",
        ),
        Transition(
            "reject",
            (NonconformityStatus.ANSWERED,),
            NonconformityStatus.REJECTED,
            "核查整改：未通过，退回企业",
            action="verify",
            conditions=(comment_is_given,),
        ),
    ],
)
