"""The one state machine of an enterprise's standardization lifecycle.

on the list → self-assessing → applied → under review → rectifying → concluded → confirmed →
announced, and revoked / expired. Each transition is allowed only to its roles and only when
its condition holds; a refused transition says why (in Chinese). Every transition is recorded
in the history with who, when, before and after.
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


@dataclass(frozen=True)
class Transition:
    source: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    label: str
    # Conditions return an error message when the transition may not happen, else None.
    conditions: tuple[Callable[[Enterprise], str | None], ...] = field(default=())


TRANSITIONS: dict[str, Transition] = {
    "start_self_assessment": Transition(
        (Status.LISTED, Status.EXPIRED, Status.REVOKED, Status.SELF_ASSESSING),
        Status.SELF_ASSESSING,
        (Role.ENTERPRISE,),
        "开始自评",
    ),
    "apply": Transition((Status.SELF_ASSESSING,), Status.APPLIED, (Role.ENTERPRISE,), "申请评审"),
    "return_application": Transition(
        (Status.APPLIED,), Status.SELF_ASSESSING, (Role.COUNTY,), "退回评审申请"
    ),
    "assign": Transition((Status.APPLIED,), Status.UNDER_REVIEW, (Role.COUNTY,), "委派评审机构"),
    "list_nonconformities": Transition(
        (Status.UNDER_REVIEW,), Status.RECTIFYING, (Role.AGENCY,), "提出不符合项"
    ),
    "conclude": Transition(
        (Status.UNDER_REVIEW, Status.RECTIFYING), Status.CONCLUDED, (Role.AGENCY,), "作出评审结论"
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


def check_transition(*, enterprise: Enterprise, name: str, actor: Any) -> Transition:
    """Raise PermissionDenied (wrong role) or TransitionRefused (wrong state/condition)."""
    transition = TRANSITIONS[name]
    role = getattr(actor, "role", SYSTEM) if actor is not None else SYSTEM
    if role not in transition.roles and not (role == Role.ADMIN and SYSTEM not in transition.roles):
        raise PermissionDenied(f"您的角色无权执行“{transition.label}”")
    if enterprise.status not in transition.source:
        raise TransitionRefused(
            f"企业当前状态为“{enterprise.get_status_display()}”，不能执行“{transition.label}”"
        )
    for condition in transition.conditions:
        problem = condition(enterprise)
        if problem:
            raise TransitionRefused(problem)
    return transition


def enterprise_transition(
    *, enterprise: Enterprise, name: str, actor: Any, note: str = ""
) -> Enterprise:
    """Move the firm along its lifecycle; the caller's transaction includes the history row."""
    with transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        transition = check_transition(enterprise=locked, name=name, actor=actor)
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
