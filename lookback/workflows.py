"""The state machines of the look-back campaign and the audit of results (``portal.statemachine``).

- ``AUDIT_ROUND`` (抽查审核, ``AuditRound.status``): open → closed. While open the city may
  redraw (before any result is recorded) and record results; closing computes the error rate
  and, at 30% or more, holds the county's results of the year, while a passing re-audit
  releases the hold it was started to lift, and no other. Redraws and results claim the round
  too, so a result cannot slip into a round that is being closed.
- ``RATING`` (评审机构考评, ``AgencyRating.decided``): pending → decided when the city cites the
  rating in a decision on the agency's standing (``reviews.workflows.agencies.STANDING``). A
  rating itself never moves the standing, and a county that rates again adds a rating.
- ``OUTCOME`` (回头看抽查结论, ``SpotCheckOutcome.outcome``): pending → passes / rectify /
  punished / revoked; a revoked grade is final.

The campaign's phases follow from its deadlines and self-checks carry no state: no machines.
Who may take each transition is ``lookback.policies``.
"""

from __future__ import annotations

from typing import Any

from portal.audit import record_change
from portal.statemachine import Machine, Transition
from reviews.models import Certificate
from reviews.services.certificates import RevokeSource, certificate_revoke
from reviews.services.holds import re_reviews_open, result_hold_place, result_hold_release_one

from .models import DECIDED, PENDING, AgencyRating, AuditRound, SpotCheckOutcome

# --- 抽查审核 ------------------------------------------------------------------------------------

OPEN, CLOSED = AuditRound.Status.OPEN, AuditRound.Status.CLOSED


def nothing_recorded_yet(audit: AuditRound, context: dict[str, Any]) -> str | None:
    if audit.findings.filter(recorded=True).exists():
        return "已录入审核结果"
    return None


def everything_recorded(audit: AuditRound, context: dict[str, Any]) -> str | None:
    if audit.findings.filter(recorded=False).exists():
        return "还有抽查企业未录入审核结果"
    return None


def settle_the_hold(audit: AuditRound, *, actor: Any, transition, context) -> None:
    """A failing round holds the county's results of the year (or keeps the hold it answers
    to); a passing round releases only the hold it was started to lift."""
    rate = f"{audit.error_rate * 100:.1f}%"
    if audit.requires_re_review:
        hold = result_hold_place(
            county=audit.county,
            year=audit.year,
            actor=actor,
            reason=(
                f"{audit.year}年抽查审核误差率 {rate}（≥30%），须重新评审，经再次审核合格后方可公告"
            ),
        )
        if audit.hold_id != hold.pk:
            audit.hold = hold
            audit.save(update_fields=["hold"])
        # 重新进行评审: the county's results of the year go back, to other agencies.
        re_reviews_open(hold=hold, actor=actor)
    elif audit.hold_id is not None:
        result_hold_release_one(
            hold=audit.hold, actor=actor, note=f"再次审核误差率 {rate}，审核合格"
        )


AUDIT_ROUND = Machine(
    AuditRound,
    [
        Transition("redraw", (OPEN,), OPEN, "重新抽取", conditions=(nothing_recorded_yet,)),
        Transition("record_finding", (OPEN,), OPEN, "录入审核结果"),
        Transition(
            "close",
            (OPEN,),
            CLOSED,
            "完成抽查审核",
            conditions=(everything_recorded,),
            hooks=(settle_the_hold,),
        ),
    ],
)


# --- 评审机构考评 --------------------------------------------------------------------------------


RATING = Machine(
    AgencyRating,
    [Transition("decide", (PENDING,), DECIDED, "纳入市局名单决定")],
    field="decided",
)


# --- 回头看抽查结论 ------------------------------------------------------------------------------

Result = SpotCheckOutcome.Outcome
RECORDABLE = (Result.PENDING, Result.PASSES, Result.RECTIFY, Result.PUNISHED)


def current_certificate(enterprise) -> Certificate | None:
    return Certificate.objects.filter(
        enterprise=enterprise, number=enterprise.certificate_no, revoked_at__isnull=True
    ).first()


def has_a_deadline(outcome: SpotCheckOutcome, context: dict[str, Any]) -> str | None:
    return None if context.get("rectify_by") else "限期整改须给出整改期限"


def holds_a_valid_certificate(outcome: SpotCheckOutcome, context: dict[str, Any]) -> str | None:
    if current_certificate(outcome.enterprise) is None:
        return "该企业没有有效的等级证书，无法撤销"
    return None


def note_on_the_firm(outcome: SpotCheckOutcome, *, actor: Any, transition, context) -> None:
    """The finding is kept in the firm's own history too, where its pages show it."""
    record_change(
        actor=actor,
        obj=outcome.enterprise,
        action="回头看抽查",
        before={"outcome": context.get("was")},
        after={"outcome": outcome.get_outcome_display()},
        note=outcome.note,
    )


def revoke_the_grade(outcome: SpotCheckOutcome, *, actor: Any, transition, context) -> None:
    """撤销标准化等级 revokes the firm's current certificate through reviews."""
    certificate_revoke(
        certificate=current_certificate(outcome.enterprise),
        actor=actor,
        reason=outcome.note or "回头看抽查不合格",
        source=RevokeSource.LOOKBACK,
    )


def record_transition(result: str) -> str:
    """The transition that records ``result``: ``OUTCOME[record_transition("passes")]``."""
    return f"record_{result}"


def _recording(result: str, conditions=(), hooks=()) -> Transition:
    return Transition(
        record_transition(result),
        RECORDABLE,
        result,
        f"抽查结论：{Result(result).label}",
        action="record",
        conditions=conditions,
        hooks=(note_on_the_firm, *hooks),
    )


OUTCOME = Machine(
    SpotCheckOutcome,
    [
        _recording(Result.PASSES),
        _recording(Result.RECTIFY, conditions=(has_a_deadline,)),
        _recording(Result.PUNISHED),
        _recording(
            Result.REVOKED, conditions=(holds_a_valid_certificate,), hooks=(revoke_the_grade,)
        ),
    ],
    field="outcome",
)
