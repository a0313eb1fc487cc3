"""The agencies' standing on the yearly dynamic list (``reviews.workflows.agencies.STANDING``),
their warnings, and the dynamic list's editions.

Only the city decides a standing, always with a reason, and every decision is a row
(``StandingDecision``) beside the history: a county's rating never moves it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from portal.audit import chinese_date, record_change
from portal.concurrency import insert_once
from portal.events import emit
from portal.notifications import notify
from portal.policy import require
from portal.roles import Role

from ..choices import WarningProblem
from ..events import AGENCY_STANDING_CHANGED
from ..models import (
    AgencyListEdition,
    AgencyListEntry,
    AgencyWarning,
    ReviewAgency,
    StandingDecision,
)
from ..rules import is_repeat
from ..workflows.agencies import DECISIONS, STANDING, WARNING, WARNING_DECISIONS


def agency_users(agency: ReviewAgency):
    return get_user_model().objects.filter(role=Role.AGENCY, agency=agency, is_active=True)


def record_decision(
    *,
    agency: ReviewAgency,
    name: str,
    reason: str,
    actor: Any,
    trusted: bool = False,
    expected_version: int | None = None,
) -> StandingDecision:
    """Move the standing along ``name`` and keep the decision with its date and reason."""
    before = agency.standing
    today = timezone.localdate()
    STANDING.apply(
        agency,
        name,
        actor=actor,
        note=reason,
        trusted=trusted,
        expected_version=expected_version,
        changes={"standing_since": today, "standing_reason": reason},
        reason=reason,
    )
    return StandingDecision.objects.create(
        agency=agency,
        year=today.year,
        label=STANDING[name].label,
        before=before,
        after=agency.standing,
        reason=reason,
        decided_by=actor,
    )


def _warning_fields(problem: str, requirements: str, deadline: dt.date | None) -> None:
    errors = {}
    if problem not in WarningProblem.values:
        errors["problem"] = "请选择问题类别"
    if not requirements.strip():
        errors["requirements"] = "警告须写明整改要求"
    if deadline is None:
        errors["deadline"] = "警告须给出整改期限"
    elif deadline <= timezone.localdate():
        errors["deadline"] = "整改期限须晚于今天"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def agency_standing_decide(
    *,
    agency: ReviewAgency,
    decision: str,
    reason: str,
    actor: Any,
    problem: str = "",
    requirements: str = "",
    deadline: dt.date | None = None,
    expected_version: int | None = None,
) -> StandingDecision:
    """The city's decision on an agency's standing. A warning (警告 or 限期整改) carries 整改要求
    and a deadline; the agency is told at once, and reminded before the deadline by the
    morning job."""
    if decision not in DECISIONS:
        raise ValidationError("请选择名单决定")
    require(actor, "decide_standing", agency)
    if decision in WARNING_DECISIONS:
        _warning_fields(problem, requirements, deadline)
    record = record_decision(
        agency=agency,
        name=decision,
        reason=reason,
        actor=actor,
        expected_version=expected_version,
    )
    if decision in WARNING_DECISIONS:  # the warning tells the agency, with its deadline
        _warn(agency, record, problem=problem, requirements=requirements, deadline=deadline)
    else:
        emit(AGENCY_STANDING_CHANGED, agency, actor=actor, reason=reason, changed=True)
    return record


def _warn(
    agency: ReviewAgency,
    decision: StandingDecision,
    *,
    problem: str,
    requirements: str,
    deadline: dt.date,
) -> AgencyWarning:
    earlier = list(
        AgencyWarning.objects.filter(agency=agency, year=decision.year).values_list(
            "problem", flat=True
        )
    )
    warning = AgencyWarning(
        agency=agency,
        decision=decision,
        year=decision.year,
        problem=problem,
        requirements=requirements,
        deadline=deadline,
        repeat=is_repeat(problem, earlier),
    )
    warning.full_clean()
    warning.save()
    notify(
        recipients=agency_users(agency),
        title=f"市局对贵机构作出“{decision.label}”决定，整改期限{chinese_date(deadline)}",
        reason="贵机构被警告，须在期限内按整改要求整改到位",
        body=f"问题：{warning.get_problem_display()}\n整改要求：{requirements}",
        obj=agency,
        kind="reviews.agency_warned",
    )
    return warning


@transaction.atomic
def agency_warning_follow_up(
    *,
    warning: AgencyWarning,
    rectified: bool,
    note: str,
    actor: Any,
    expected_version: int | None = None,
) -> AgencyWarning:
    """At the deadline the city records the follow-up: 整改到位 puts the agency back to 在册,
    未整改到位 removes it (清除)."""
    if not note.strip():
        raise ValidationError({"note": "请填写整改情况"})
    return WARNING.apply(
        warning,
        "rectified" if rectified else "not_rectified",
        actor=actor,
        note=note,
        expected_version=expected_version,
        changes={"follow_up_note": note, "followed_up_at": timezone.now()},
    )


@transaction.atomic
def agency_list_publish(*, year: int, actor: Any, note: str = "") -> AgencyListEdition:
    """A new dated edition of the year's dynamic list (动态名单): every agency's standing with
    its decision's date and reason, as they stand now. Earlier editions are kept unchanged."""
    require(actor, "publish", AgencyListEdition)
    last = AgencyListEdition.objects.filter(year=year).aggregate(n=Max("number"))["n"] or 0
    edition = AgencyListEdition(
        year=year,
        number=last + 1,
        published_on=timezone.localdate(),
        note=note,
        published_by=actor,
    )
    insert_once(edition, taken="该版名单刚刚已发布，请刷新页面后查看", unique=["year", "number"])
    AgencyListEntry.objects.bulk_create(
        AgencyListEntry(
            edition=edition,
            agency=agency,
            name=agency.name,
            credit_code=agency.credit_code,
            standing=agency.standing,
            decided_on=agency.standing_since,
            reason=agency.standing_reason,
        )
        for agency in ReviewAgency.objects.order_by("name", "pk")
    )
    record_change(actor=actor, obj=edition, action="发布动态名单", note=note)
    return edition
