"""Reads of enforcement that depend on who asks (they take the user)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models as db
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import TruncDate

from reviews.models import SelfAssessment

from .choices import RUNNING_ORDER_STATUSES, CaseStatus
from .models import Case, Refusal, awaiting_second_decision


def _first_self_assessment_after_notice() -> Subquery:
    """The day the firm started a self-assessment on or after the notice was served."""
    started = (
        SelfAssessment.objects.filter(
            enterprise=OuterRef("enterprise"), created_at__date__gte=OuterRef("served_on")
        )
        .order_by("created_at")
        .annotate(day=TruncDate("created_at"))
        .values("day")[:1]
    )
    return Subquery(started)


def refusals(user: Any, *, county_id: int | None = None) -> QuerySet[Refusal]:
    """Every refusal the user may see, with ``left_on``: the day the firm started a
    self-assessment after the notice (None while it still refuses)."""
    qs = (
        Refusal.objects.for_user(user)
        .select_related("enterprise__county")
        .annotate(left_on=_first_self_assessment_after_notice())
        .order_by("enterprise__county__sort_order", "-served_on", "pk")
    )
    return qs.filter(enterprise__county_id=county_id) if county_id else qs


def open_cases(user: Any, *, today: dt.date) -> QuerySet[Case]:
    """The cases not yet closed (the county's queue on its to-do home)."""
    return cases(user, today=today).exclude(status=CaseStatus.CLOSED)


def refusers(user: Any, *, county_id: int | None = None) -> QuerySet[Refusal]:
    """The refusers list (拒不创建企业名单): refusals whose firm has not started since."""
    return refusals(user, county_id=county_id).filter(left_on__isnull=True)


def refusal_of(user: Any, enterprise: Any) -> Refusal | None:
    """The firm's latest refusal the user may see (for the firm's page)."""
    return refusals(user).filter(enterprise=enterprise).order_by("-served_on").first()


def cases(user: Any, *, county_id: int | None = None, today: dt.date) -> QuerySet[Case]:
    """The cases the user may see, overdue first (a running order past its deadline), then
    by deadline, then newest."""
    overdue = db.Case(
        db.When(Q(status__in=RUNNING_ORDER_STATUSES, rectify_by__lt=today), then=db.Value(True)),
        default=db.Value(False),
        output_field=db.BooleanField(),
    )
    qs = (
        Case.objects.for_user(user)
        .select_related("enterprise__county")
        .annotate(
            overdue=overdue,
            awaiting_second_decision=db.ExpressionWrapper(
                awaiting_second_decision(), db.BooleanField()
            ),
        )
        .order_by(F("overdue").desc(), F("rectify_by").asc(nulls_last=True), "-opened_on", "-pk")
    )
    return qs.filter(enterprise__county_id=county_id) if county_id else qs


# --- For the yearly evaluation of the counties (reports.evaluation) -------------------------


def _shares(totals: dict[int, int], done: dict[int, int]) -> dict[int, float]:
    """``done / total`` per county that had something to do (the others are left out)."""
    return {county: min(done.get(county, 0) / n, 1.0) for county, n in totals.items() if n}


def _per_county(qs) -> dict[int, int]:
    counted = qs.values_list("enterprise__county").annotate(n=Count("pk", distinct=True))
    return dict(counted.order_by())


def refusers_inspected_share(year: int) -> dict[int, float]:
    """Of the refusals served in ``year``, the share whose firm was inspected on a case."""
    served = Refusal.objects.filter(served_on__year=year)
    inspected = served.filter(cases__inspection__isnull=False)
    return _shares(_per_county(served), _per_county(inspected))


def violations_settled_share(year: int) -> dict[int, float]:
    """Of the cases opened in ``year`` that found violations, the share fined and followed up
    (复查 done: the case is followed up or closed)."""
    found = Case.objects.filter(opened_on__year=year, violations__isnull=False)
    settled = found.filter(
        decision__isnull=False, status__in=(CaseStatus.FOLLOWED_UP, CaseStatus.CLOSED)
    )
    return _shares(_per_county(found), _per_county(settled))
