"""The one state machine of an enterprise's standardization lifecycle.

on the list → self-assessing → applied → under review → rectifying → concluded → confirmed →
announced, and revoked / expired. Each transition is allowed only to its roles and only when
its conditions hold; a refused transition says why (in Chinese). Every transition is recorded
in the history with who, when, before and after.

A condition is a function ``(enterprise, context) -> message | None``: ``context`` carries what
the caller is about to do (e.g. the agency being assigned); a condition that needs something
the caller did not pass looks it up itself, so ``check_transition`` also answers "may I?" for
showing buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from enterprises.choices import Status
from enterprises.models import Enterprise
from portal.audit import record_change, snapshot
from portal.roles import Role

SYSTEM = "system"  # scheduled jobs act as the system (actor None)

Condition = Callable[[Enterprise, dict[str, Any]], str | None]


# --- Conditions -----------------------------------------------------------------------------
# Imported lazily: the selectors read reviews.models, which must not import this module first.


def has_submitted_self_assessment(enterprise: Enterprise, context: dict[str, Any]) -> str | None:
    from .selectors.review import latest_submitted_assessment

    assessment = context.get("self_assessment") or latest_submitted_assessment(enterprise)
    if assessment is None or not assessment.is_locked:
        return "企业尚未提交自评，不能申请评审（请先完成并提交自评）"
    return None


def has_no_active_review(enterprise: Enterprise, context: dict[str, Any]) -> str | None:
    from .selectors.review import IN_PROGRESS_REVIEW_STATUSES, current_review

    if current_review(enterprise, IN_PROGRESS_REVIEW_STATUSES) is not None:
        return "企业已有进行中的评审申请，不能重复申请"
    return None


def agency_is_eligible(enterprise: Enterprise, context: dict[str, Any]) -> str | None:
    from .selectors.review import agency_exclusion_reason

    agency = context.get("agency")
    if agency is None:
        return "未选择评审机构"
    return agency_exclusion_reason(agency, enterprise=enterprise, review=context.get("review"))


def review_is_ready_to_conclude(enterprise: Enterprise, context: dict[str, Any]) -> str | None:
    from .selectors.review import conclusion_problems, current_review

    review = context.get("review") or current_review(enterprise)
    if review is None:
        return "企业没有进行中的评审"
    problems = conclusion_problems(review)
    return "；".join(problems) if problems else None


@dataclass(frozen=True)
class Transition:
    source: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    label: str
    # Conditions return an error message when the transition may not happen, else None.
    conditions: tuple[Condition, ...] = field(default=())


TRANSITIONS: dict[str, Transition] = {
    "start_self_assessment": Transition(
        (Status.LISTED, Status.EXPIRED, Status.REVOKED, Status.SELF_ASSESSING),
        Status.SELF_ASSESSING,
        (Role.ENTERPRISE,),
        "开始自评",
    ),
    "apply": Transition(
        (Status.SELF_ASSESSING,),
        Status.APPLIED,
        (Role.ENTERPRISE,),
        "申请评审",
        (has_submitted_self_assessment, has_no_active_review),
    ),
    "return_application": Transition(
        (Status.APPLIED,), Status.SELF_ASSESSING, (Role.COUNTY,), "退回评审申请"
    ),
    "assign": Transition(
        (Status.APPLIED,),
        Status.UNDER_REVIEW,
        (Role.COUNTY,),
        "委派评审机构",
        (agency_is_eligible,),
    ),
    "list_nonconformities": Transition(
        (Status.UNDER_REVIEW,), Status.RECTIFYING, (Role.AGENCY,), "提出不符合项"
    ),
    "conclude": Transition(
        (Status.UNDER_REVIEW, Status.RECTIFYING),
        Status.CONCLUDED,
        (Role.AGENCY,),
        "作出评审结论",
        (review_is_ready_to_conclude,),
    ),
    "confirm": Transition((Status.CONCLUDED,), Status.CONFIRMED, (Role.COUNTY,), "县级确认"),
    "reject_conclusion": Transition(
        (Status.CONCLUDED,), Status.SELF_ASSESSING, (Role.COUNTY,), "县级确认未达标"
    ),
    "announce": Transition((Status.CONFIRMED,), Status.ANNOUNCED, (Role.COUNTY,), "公告"),
    "revoke": Transition(
        (Status.CONFIRMED, Status.ANNOUNCED), Status.REVOKED, (Role.CITY, Role.COUNTY), "撤销等级"
    ),
    "expire": Transition(
        (Status.CONFIRMED, Status.ANNOUNCED), Status.EXPIRED, (SYSTEM,), "等级到期"
    ),
}


class TransitionRefused(ValidationError):
    pass


def _role_of(actor: Any) -> str:
    return getattr(actor, "role", SYSTEM) if actor is not None else SYSTEM


def check_transition(
    *, enterprise: Enterprise, name: str, actor: Any, **context: Any
) -> Transition:
    """Raise PermissionDenied (wrong role) or TransitionRefused (wrong state/condition)."""
    transition = TRANSITIONS[name]
    role = _role_of(actor)
    if role not in transition.roles and not (role == Role.ADMIN and SYSTEM not in transition.roles):
        names = "、".join(Role(r).label if r in Role.values else "系统" for r in transition.roles)
        raise PermissionDenied(f"您的角色无权执行“{transition.label}”（仅限{names}）")
    if enterprise.status not in transition.source:
        sources = "、".join(Status(s).label for s in transition.source)
        raise TransitionRefused(
            f"企业当前状态为“{enterprise.get_status_display()}”，不能执行“{transition.label}”"
            f"（仅在{sources}时可以）"
        )
    for condition in transition.conditions:
        problem = condition(enterprise, context)
        if problem:
            raise TransitionRefused(f"不能执行“{transition.label}”：{problem}")
    return transition


def enterprise_transition(
    *, enterprise: Enterprise, name: str, actor: Any, note: str = "", **context: Any
) -> Enterprise:
    """Move the firm along its lifecycle; the caller's transaction includes the history row."""
    with transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        transition = check_transition(enterprise=locked, name=name, actor=actor, **context)
        before = snapshot(locked, ["status"])
        if locked.status != transition.target:
            locked.status = transition.target
            Enterprise.objects.filter(pk=locked.pk).update(status=transition.target)
        record_change(
            actor=actor,
            obj=locked,
            action=transition.label,
            before=before,
            after=snapshot(locked, ["status"]),
            note=note,
        )
    enterprise.status = locked.status
    return enterprise


def allowed_transitions(*, enterprise: Enterprise, actor: Any) -> list[tuple[str, Transition]]:
    """What the actor may do next (for showing buttons)."""
    allowed = []
    for name in TRANSITIONS:
        try:
            allowed.append((name, check_transition(enterprise=enterprise, name=name, actor=actor)))
        except (PermissionDenied, ValidationError):
            continue
    return allowed


def refusal_message(error: Exception) -> str:
    """The plain message of a refused transition or failed validation, for flash messages."""
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error)
