"""The state machines of the reports app (``portal.statemachine`` is the idiom).

``TARGET`` is a county's yearly target (DHIS2-style): the county enters it (填报中), submits it,
and the city accepts it (locked) or returns it with a reason; a returned target is entered
again. ``SUBMISSION`` is a county's document for one deadline: owed (未上报), handed in on
time or late, then accepted by the city or returned to be handed in again.

Who may take each transition is ``reports.policies``; a refused transition says why; who is
told is ``reports.events``.
"""

from __future__ import annotations

from typing import Any

from portal.statemachine import Machine, Transition

from .choices import SubmissionStatus, TargetStatus
from .models import CountyTarget, Submission

# --- Conditions -------------------------------------------------------------------------------


def has_milestones(target: CountyTarget, context: dict[str, Any]) -> str | None:
    return None if target.milestones.exists() else "请先填写时间节点"


def explained_if_below_minimum(target: CountyTarget, context: dict[str, Any]) -> str | None:
    """A target below the minimum the city's goal gives the county needs the county's
    explanation before it goes to the city."""
    from .selectors import target_standing

    standing = target_standing(target)
    if standing.below_minimum and not target.shortfall_explanation.strip():
        return (
            f"年底累计达标{standing.proposal}家，低于全市目标折算的本地最低数"
            f"{standing.minimum}家，请在目标中填写说明后再提交"
        )
    return None


# --- The machines -----------------------------------------------------------------------------

EDITABLE = (TargetStatus.DRAFT, TargetStatus.RETURNED)

TARGET = Machine(
    CountyTarget,
    [
        Transition("revise", EDITABLE, TargetStatus.DRAFT, "填报目标"),
        Transition(
            "submit",
            EDITABLE,
            TargetStatus.SUBMITTED,
            "提交目标",
            conditions=(has_milestones, explained_if_below_minimum),
        ),
        Transition(
            "accept",
            (TargetStatus.SUBMITTED,),
            TargetStatus.ACCEPTED,
            "审定目标",
        ),
        Transition(
            "return",
            (TargetStatus.SUBMITTED,),
            TargetStatus.RETURNED,
            "退回目标",
        ),
    ],
)

# A document may be handed in (again) until the city has accepted it.
HANDABLE = (
    SubmissionStatus.NOT_SUBMITTED,
    SubmissionStatus.SUBMITTED,
    SubmissionStatus.LATE,
    SubmissionStatus.RETURNED,
)
HANDED_IN = (SubmissionStatus.SUBMITTED, SubmissionStatus.LATE)

SUBMISSION = Machine(
    Submission,
    [
        Transition("upload", HANDABLE, SubmissionStatus.SUBMITTED, "上报材料"),
        Transition("upload_late", HANDABLE, SubmissionStatus.LATE, "上报材料", action="upload"),
        Transition(
            "accept",
            HANDED_IN,
            SubmissionStatus.ACCEPTED,
            "接收",
        ),
        Transition(
            "return",
            HANDED_IN,
            SubmissionStatus.RETURNED,
            "退回",
        ),
        # The city moved the deadline: a document already in is judged against the new one.
        Transition(
            "deadline_moved_late",
            (SubmissionStatus.SUBMITTED,),
            SubmissionStatus.LATE,
            "截止日期调整，改为逾期上报",
            action="reclassify",
        ),  # fmt: skip
        Transition(
            "deadline_moved_on_time",
            (SubmissionStatus.LATE,),
            SubmissionStatus.SUBMITTED,
            "截止日期调整，改为按时上报",
            action="reclassify",
        ),  # fmt: skip
    ],
)
