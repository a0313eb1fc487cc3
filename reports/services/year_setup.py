"""The city sets up a programme year: its goal, its deadlines (the notice's defaults, then
edited), the creation lists carried over from the year before (firms not yet passed) and the
look-back campaign. Each step is its own service and does nothing the second time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from enterprises.choices import PASSED_STATUSES
from enterprises.models import CreationListEntry, Enterprise
from lookback.models import Campaign
from lookback.services.campaign import campaign_open
from portal.audit import record_change, record_many, save_with_history
from portal.policy import require

from ..choices import SubmissionStatus
from ..models import CityGoal, Submission, SubmissionDeadline
from ..policies import YearSetup
from ..workflows import SUBMISSION
from . import submissions


@dataclass(frozen=True)
class SetupResult:
    goal: CityGoal
    deadlines: list[SubmissionDeadline]
    carried_over: int
    campaign: Campaign


@transaction.atomic
def goal_set(*, actor: Any, year: int, pass_percent: int, due_on: dt.date) -> CityGoal:
    """The year's goal: by ``due_on``, ``pass_percent``% of the small/micro firms pass."""
    require(actor, "set_up", YearSetup)
    if due_on.year != year:
        raise ValidationError({"due_on": f"完成日期须在{year}年内"})
    goal = CityGoal.objects.filter(year=year).first()
    if goal is None:
        goal = CityGoal(year=year, due_on=due_on, pass_percent=pass_percent)
        goal.full_clean()
        goal.save()
        record_change(actor=actor, obj=goal, action="设定全市年度目标", note=str(goal))
        return goal
    changes = {"due_on": due_on, "pass_percent": pass_percent}
    return save_with_history(goal, actor=actor, action="修改全市年度目标", changes=changes)


def deadlines_set_up(*, actor: Any, year: int) -> list[SubmissionDeadline]:
    """The notice's deadlines for the year (kept as they are where already set)."""
    require(actor, "set_up", YearSetup)
    return submissions.setup_deadlines(year=year, actor=actor)


@transaction.atomic
def deadline_move(*, actor: Any, deadline: SubmissionDeadline, due_on: dt.date):
    """Edit one of the year's deadlines; the documents already handed in are judged again
    against the new date (on time or late), each change in its history."""
    require(actor, "set_up", YearSetup)
    if due_on.year != deadline.year:
        raise ValidationError({"due_on": f"截止日期须在{deadline.year}年内"})
    deadline = save_with_history(
        deadline, actor=actor, action="修改上报截止日期", changes={"due_on": due_on}
    )
    late_flags_recompute(actor=actor, deadline=deadline)
    return deadline


def late_flags_recompute(*, actor: Any, deadline: SubmissionDeadline) -> int:
    """Every submission of ``deadline`` handed in: its late flag from its time of handing in
    and the deadline as it is now. One awaiting the city's review moves between 已上报 and
    逾期上报 (``SUBMISSION``); one accepted or returned keeps its status and has its flag
    corrected. Returns how many changed."""
    changed = 0
    note = f"截止日期调整为{deadline.due_on:%Y-%m-%d}"
    subs = Submission.objects.filter(deadline=deadline, submitted_at__isnull=False)
    for sub in subs.select_related("deadline"):
        late = submissions.is_late(deadline, sub.submitted_at)
        if late == sub.is_late:
            continue
        if sub.status in (SubmissionStatus.SUBMITTED, SubmissionStatus.LATE):
            name = "deadline_moved_late" if late else "deadline_moved_on_time"
            SUBMISSION.apply(sub, name, actor=actor, note=note, changes={"is_late": late})
        else:
            save_with_history(
                sub, actor=actor, action="截止日期调整，更正逾期标记", changes={"is_late": late},
                note=note,
            )  # fmt: skip
        changed += 1
    return changed


def carry_over_candidates(year: int):
    """Firms on last year's list, still open and not passed, not yet on this year's list."""
    return (
        Enterprise.objects.filter(list_entries__year=year - 1, closed_on__isnull=True)
        .exclude(status__in=PASSED_STATUSES)
        .exclude(list_entries__year=year)
    )


@transaction.atomic
def lists_carry_over(*, actor: Any, year: int) -> int:
    """Put the firms of last year's lists that have not passed on this year's lists, with the
    year's goal date as their target date. Returns how many were carried over."""
    require(actor, "set_up", YearSetup)
    goal = CityGoal.objects.filter(year=year).first()
    target_date = goal.due_on if goal else dt.date(year, 12, 31)
    firms = list(carry_over_candidates(year).values_list("pk", "name"))
    CreationListEntry.objects.bulk_create(
        [
            CreationListEntry(enterprise_id=pk, year=year, target_date=target_date, added_by=actor)
            for pk, _ in firms
        ],
        ignore_conflicts=True,
    )
    note = f"{year - 1}年未达标，结转至{year}年创建名单，计划达标日期 {target_date.isoformat()}"
    record_many(
        actor=actor, model=Enterprise, action="结转创建名单",
        items=[(pk, name, {}) for pk, name in firms], note=note,
    )  # fmt: skip
    return len(firms)


def lookback_open(*, actor: Any, year: int) -> Campaign:
    """The year's look-back campaign, opened once."""
    require(actor, "set_up", YearSetup)
    return Campaign.objects.filter(year=year).first() or campaign_open(year=year, actor=actor)


@transaction.atomic
def year_set_up(*, actor: Any, year: int, pass_percent: int, due_on: dt.date) -> SetupResult:
    """Every step at once; run twice, it changes nothing the second time."""
    goal = goal_set(actor=actor, year=year, pass_percent=pass_percent, due_on=due_on)
    return SetupResult(
        goal=goal,
        deadlines=deadlines_set_up(actor=actor, year=year),
        carried_over=lists_carry_over(actor=actor, year=year),
        campaign=lookback_open(actor=actor, year=year),
    )
