"""The enforcement case's machine (``portal.statemachine``), ``Case.status``:

立案 (opened) → 检查 (inspected) → 责令改正 (ordered) → 处罚决定 (decided) → 复查 (followed_up)
→ 结案 (closed). An inspection that finds no violation closes from 检查; a case with violations
closes only after its follow-up. The inspection and the decision are written by their services
right after the claim, in the same transaction, so a replayed click records neither twice.
Who may take each transition is ``enforcement.policies``.
"""

from __future__ import annotations

from typing import Any

from portal.statemachine import Machine, Transition

from .choices import CaseStatus, FollowUpResult
from .models import Case

S = CaseStatus


def has_violations(case: Case, context: dict[str, Any]) -> str | None:
    return None if case.violations.exists() else "尚未登记违法行为"


def followed_up_if_violations(case: Case, context: dict[str, Any]) -> str | None:
    """A case with violations closes only after its follow-up inspection (复查)."""
    if case.status == S.INSPECTED and case.violations.exists():
        return "发现违法行为的案件须责令改正、作出处罚决定并复查后方可结案"
    return None


def escalated_undecided(case: Case, context: dict[str, Any]) -> str | None:
    if case.follow_up_result != FollowUpResult.ESCALATED:
        return "复查结论为逾期未改正的案件方可作出加重处罚决定"
    if not case.needs_escalated_decision:
        return "已作出加重处罚决定"
    return None


def escalated_decided(case: Case, context: dict[str, Any]) -> str | None:
    """An escalated case closes only after its second penalty decision (加重处罚)."""
    if case.needs_escalated_decision:
        return "复查逾期未改正的案件，须按逾期未改正罚款上限作出加重处罚决定后方可结案"
    return None


CASE = Machine(
    Case,
    [
        Transition("inspect", (S.OPENED,), S.INSPECTED, "现场检查"),
        Transition("record_violation", (S.INSPECTED,), S.INSPECTED, "登记违法行为"),
        Transition(
            "order", (S.INSPECTED,), S.ORDERED, "责令限期改正", conditions=(has_violations,)
        ),
        Transition("decide", (S.ORDERED,), S.DECIDED, "作出处罚决定"),
        Transition("follow_up", (S.DECIDED,), S.FOLLOWED_UP, "复查"),
        Transition(
            "decide_escalated",
            (S.FOLLOWED_UP,),
            S.FOLLOWED_UP,
            "作出加重处罚决定",
            conditions=(escalated_undecided,),
        ),
        Transition(
            "close",
            (S.INSPECTED, S.FOLLOWED_UP),
            S.CLOSED,
            "结案",
            conditions=(followed_up_if_violations, escalated_decided),
        ),
    ],
)
