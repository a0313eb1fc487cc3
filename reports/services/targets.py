"""The counties' yearly targets (DHIS2-style): the county enters and submits its target; the
city accepts it (locked) or returns it with a reason (``reports.workflows.TARGET``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enterprises.models import County
from portal.policy import require

from ..models import CountyTarget, TargetMilestone
from ..selectors import target_standing
from ..workflows import TARGET

Milestones = list[tuple[dt.date, int]]


def target_save(
    *,
    actor: Any,
    county: County,
    year: int,
    listed_count: int,
    milestones: Milestones,
    explanation: str = "",
    expected_version: int | None = None,
) -> CountyTarget:
    """County staff enter or change their target while it is a draft or returned; a target
    below the goal's minimum carries the county's explanation (needed to submit it)."""
    require(actor, "revise", CountyTarget)
    check_milestones(year, listed_count, milestones)
    with transaction.atomic():
        target, _ = CountyTarget.objects.get_or_create(county=county, year=year)
        TARGET.apply(
            target, "revise", actor=actor, expected_version=expected_version,
            changes={"listed_count": listed_count,
                     "shortfall_explanation": explanation.strip()},
            note="；".join(f"{d:%Y-%m-%d} 累计{n}家" for d, n in sorted(milestones)),
        )  # fmt: skip
        target.milestones.all().delete()
        TargetMilestone.objects.bulk_create(
            [TargetMilestone(target=target, due_on=d, passed_count=n) for d, n in milestones]
        )
    return target


def check_milestones(year: int, listed_count: int, milestones: Milestones) -> None:
    """The timetable makes sense: dates in the year, counts growing, not beyond the list."""
    if not milestones:
        raise ValidationError("至少填写一个时间节点")
    ordered = sorted(milestones)
    if len({d for d, _ in ordered}) != len(ordered):
        raise ValidationError("时间节点日期不能重复")
    if any(d.year != year for d, _ in ordered):
        raise ValidationError(f"时间节点必须在{year}年内")
    counts = [n for _, n in ordered]
    if counts != sorted(counts):
        raise ValidationError("累计达标数不能随时间减少")
    if counts[-1] > listed_count:
        raise ValidationError("累计达标数不能超过纳入名单企业数")


def target_submit(*, actor: Any, target: CountyTarget) -> CountyTarget:
    changes = {"submitted_at": timezone.now(), "return_reason": ""}
    return TARGET.apply(target, "submit", actor=actor, changes=changes)


def target_accept(*, actor: Any, target: CountyTarget, reason: str = "") -> CountyTarget:
    """The city accepts the target: from now on it is locked. A target below the minimum the
    city's goal gives the county is accepted only with the city's recorded reason."""
    reason = reason.strip()
    standing = target_standing(target)
    if standing.below_minimum and not reason:
        raise ValidationError(
            {"reason": f"该目标低于全市目标折算的最低数（{standing.minimum}家），审定须填写理由"}
        )
    changes = {
        "decided_at": timezone.now(), "decided_by": actor, "return_reason": "",
        "accept_reason": reason,
    }  # fmt: skip
    return TARGET.apply(target, "accept", actor=actor, note=reason, changes=changes)


def target_return(*, actor: Any, target: CountyTarget, reason: str) -> CountyTarget:
    """The city sends the target back with its reason; the county enters it again."""
    if not reason.strip():
        raise ValidationError({"reason": "退回时必须填写原因"})
    changes = {"decided_at": timezone.now(), "decided_by": actor, "return_reason": reason.strip()}
    return TARGET.apply(target, "return", actor=actor, note=reason.strip(), changes=changes)
