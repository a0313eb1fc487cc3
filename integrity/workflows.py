"""The integrity app's state machines (``portal.statemachine``).

- ``DRAW`` (随机抽取, ``Draw.status``): frozen → drawn (the public value entered on or after its
  date) → published (a spot-check round closed: its results public); frozen or drawn →
  superseded when a redraw that replaces it is drawn. A redraw may be asked of a drawn draw
  whose audit or spot-check has no result recorded yet.
- ``SIGNAL`` (诚信预警, ``Signal.status``): open → explained (with a note) or confirmed (with an
  action: warning to the agency, re-review, revocation candidate).
- ``CANDIDATE`` (撤销候选, ``RevocationCandidate.status``): open → revoked (through the reviews
  revocation, source 事故) or kept (with a reason).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from lookback.models import SpotCheckOutcome
from portal.statemachine import Machine, Transition

from .models import Draw, RevocationCandidate, Signal

D = Draw.Status


def public_value_exists(draw: Draw, context: dict[str, Any]) -> str | None:
    if timezone.localdate() < draw.public_value_date:
        day = draw.public_value_date
        return f"公开随机数要到{day.year}年{day.month}月{day.day}日才产生"
    return None


def _outcomes(draw: Draw):
    return SpotCheckOutcome.objects.filter(spot_check__draw_number=draw.number)


def no_result_recorded(draw: Draw, context: dict[str, Any]) -> str | None:
    if hasattr(draw, "replaced_by"):
        return "已经申请过重新抽取"
    if draw.kind == Draw.Kind.AUDIT and draw.audit_round_id:
        if draw.audit_round.findings.filter(recorded=True).exists():
            return "已录入审核结果"
    if draw.kind in (Draw.Kind.SPOT_CHECK, Draw.Kind.EXPERTS):
        outcomes = (
            SpotCheckOutcome.objects.filter(spot_check=draw.spot_check_id)
            if draw.kind == Draw.Kind.EXPERTS
            else _outcomes(draw)
        )
        if outcomes.exclude(outcome=SpotCheckOutcome.Outcome.PENDING).exists():
            return "已录入抽查结论"
    return None


def spot_check_only(draw: Draw, context: dict[str, Any]) -> str | None:
    return None if draw.kind == Draw.Kind.SPOT_CHECK else "只有回头看抽查企业的抽取需要公开结果"


def every_outcome_recorded(draw: Draw, context: dict[str, Any]) -> str | None:
    if _outcomes(draw).filter(outcome=SpotCheckOutcome.Outcome.PENDING).exists():
        return "还有抽查企业未录入检查结论"
    return None


DRAW = Machine(
    Draw,
    [
        Transition(
            "draw", (D.FROZEN,), D.DRAWN, "录入公开随机数并抽取", conditions=(public_value_exists,)
        ),
        Transition("redraw", (D.DRAWN,), D.DRAWN, "申请重新抽取", conditions=(no_result_recorded,)),
        Transition(
            "publish",
            (D.DRAWN,),
            D.PUBLISHED,
            "抽查结束，公开结果",
            conditions=(spot_check_only, every_outcome_recorded),
        ),
        Transition("supersede", (D.FROZEN, D.DRAWN), D.SUPERSEDED, "被重新抽取替代"),
    ],
)

S = Signal.Status


# A decision's note, action and reason come with the decision (``apply``'s context); asked
# for buttons (no context), the conditions let the button show.


def has_a_note(signal: Signal, context: dict[str, Any]) -> str | None:
    if "text" in context and not (context["text"] or "").strip():
        return "请填写核实说明"
    return None


def has_an_action(signal: Signal, context: dict[str, Any]) -> str | None:
    if "measure" in context and context["measure"] not in Signal.Action.values:
        return "请选择处理措施"
    return None


SIGNAL = Machine(
    Signal,
    [
        Transition(
            "explain",
            (S.OPEN,),
            S.EXPLAINED,
            "核实后说明不予处理",
            action="decide",
            conditions=(has_a_note,),
        ),
        Transition(
            "confirm",
            (S.OPEN,),
            S.CONFIRMED,
            "确认预警并处理",
            action="decide",
            conditions=(has_a_note, has_an_action),
        ),
        Transition("reopen", (S.EXPLAINED, S.CONFIRMED), S.OPEN, "重新核实", action="decide"),
    ],
)

C = RevocationCandidate.Status


def has_a_reason(candidate: RevocationCandidate, context: dict[str, Any]) -> str | None:
    if "text" in context and not (context["text"] or "").strip():
        return "请填写决定理由"
    return None


CANDIDATE = Machine(
    RevocationCandidate,
    [
        Transition(
            "revoke",
            (C.OPEN,),
            C.REVOKED,
            "撤销等级（事故）",
            action="decide",
            conditions=(has_a_reason,),
        ),
        Transition(
            "keep", (C.OPEN,), C.KEPT, "保留等级", action="decide", conditions=(has_a_reason,)
        ),
    ],
)
