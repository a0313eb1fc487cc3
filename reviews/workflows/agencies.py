"""The agency's standing on the dynamic list (``ReviewAgency.standing``), and its warnings.

``STANDING``: 在册 → 警告 (may still review; listed as warned) → 限期整改 (may not be assigned
until the city records the follow-up) → 清除 (off the list; back only by an explicit city
decision with its reason), and 取消资格 for fraud (弄虚作假; not reinstated in the same year).
Only the city decides, always with a reason. A county's rating moves nothing: it is cited by
the decision (``lookback``). The follow-up transitions (整改到位 / 未整改到位) are taken only by
the warning's machine, as its hooks.

``WARNING`` (``AgencyWarning.status``): 整改中 → 整改到位 (the agency back to 在册) or
未整改到位 (from the deadline on; the agency to 清除).

``CHANGE`` (``AgencyChangeRequest.status``): an agency's change to its qualification scope or
its experts waits for the city: 待市局审核 → 已批准 (applied, with history) or 未批准.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from portal.audit import chinese_date
from portal.statemachine import Machine, Transition

from ..choices import AgencyStanding, ChangeStatus, WarningStatus
from ..models import AgencyChangeRequest, AgencyWarning, ReviewAgency
from ..rules import reinstatement_refusal

REGISTERED, WARNED, RECTIFYING, REMOVED, DISQUALIFIED = (
    AgencyStanding.REGISTERED,
    AgencyStanding.WARNED,
    AgencyStanding.RECTIFYING,
    AgencyStanding.REMOVED,
    AgencyStanding.DISQUALIFIED,
)
ON_THE_LIST = (REGISTERED, WARNED, RECTIFYING)


def with_a_reason(agency: ReviewAgency, context: dict[str, Any]) -> str | None:
    # Refuses only what the user entered (asked without a reason: for buttons, it may).
    if "reason" not in context:
        return None
    return None if str(context["reason"]).strip() else "须说明决定的理由"


def not_in_the_year_of_disqualification(
    agency: ReviewAgency, context: dict[str, Any]
) -> str | None:
    return reinstatement_refusal(agency.standing, agency.standing_since, timezone.localdate())


def _decision(name: str, source, target, label: str, conditions=()) -> Transition:
    return Transition(
        name,
        tuple(source),
        target,
        label,
        action="decide_standing",
        conditions=(with_a_reason, *conditions),
    )


STANDING = Machine(
    ReviewAgency,
    [
        _decision("warn", (REGISTERED, WARNED), WARNED, "警告"),
        _decision("order_rectification", (REGISTERED, WARNED), RECTIFYING, "限期整改"),
        _decision("remove", ON_THE_LIST, REMOVED, "清除"),
        _decision("disqualify", (*ON_THE_LIST, REMOVED), DISQUALIFIED, "取消资格"),
        _decision(
            "reinstate",
            (REMOVED, DISQUALIFIED),
            REGISTERED,
            "恢复在册",
            conditions=(not_in_the_year_of_disqualification,),
        ),
        # Taken only by the warning's follow-up (trusted hooks of WARNING).
        Transition(
            "rectified", (WARNED, RECTIFYING), REGISTERED, "整改到位，恢复在册", action="follow_up"
        ),
        Transition(
            "not_rectified", (WARNED, RECTIFYING), REMOVED, "未整改到位，清除", action="follow_up"
        ),
    ],
    field="standing",
)

# What the city may choose on the decision page (the follow-ups belong to the warning).
DECISIONS = ("warn", "order_rectification", "remove", "disqualify", "reinstate")
WARNING_DECISIONS = ("warn", "order_rectification")


# --- The warning's follow-up ------------------------------------------------------------------


def deadline_reached(warning: AgencyWarning, context: dict[str, Any]) -> str | None:
    if timezone.localdate() < warning.deadline:
        return f"整改期限（{chinese_date(warning.deadline)}）未到"
    return None


def move_the_agency(name: str):
    def hook(warning: AgencyWarning, *, actor: Any, transition, context) -> None:
        from ..services.agencies import record_decision

        agency = ReviewAgency.objects.get(pk=warning.agency_id)
        reason = f"{transition.label}：{warning.follow_up_note}".rstrip("：")
        record_decision(agency=agency, name=name, reason=reason, actor=actor, trusted=True)

    hook.__name__ = f"agency_{name}"
    return hook


WARNING = Machine(
    AgencyWarning,
    [
        Transition(
            "rectified",
            (WarningStatus.OPEN,),
            WarningStatus.RECTIFIED,
            "整改到位",
            action="follow_up",
            hooks=(move_the_agency("rectified"),),
        ),
        Transition(
            "not_rectified",
            (WarningStatus.OPEN,),
            WarningStatus.NOT_RECTIFIED,
            "未整改到位",
            action="follow_up",
            conditions=(deadline_reached,),
            hooks=(move_the_agency("not_rectified"),),
        ),
    ],
)


# --- An agency's own changes, for the city to approve ------------------------------------------


def apply_the_change(change, *, actor: Any, transition, context) -> None:
    from ..services.agency_profiles import apply_change

    apply_change(change, actor=actor)


CHANGE = Machine(
    AgencyChangeRequest,
    [
        Transition(
            "approve",
            (ChangeStatus.PENDING,),
            ChangeStatus.APPROVED,
            "批准变更",
            hooks=(apply_the_change,),
        ),
        Transition("reject", (ChangeStatus.PENDING,), ChangeStatus.REJECTED, "不予批准"),
    ],
)
