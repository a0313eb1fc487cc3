"""Reads about review agencies: where they worked, their open assignments, the dynamic list."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from ..choices import OFF_THE_LIST_STANDINGS, ReviewStatus
from ..models import AgencyListEdition, Review, ReviewAgency

# An assignment the agency has not finished: the county gives it to another agency.
OPEN_ASSIGNMENT_STATUSES = (
    ReviewStatus.ASSIGNED,
    ReviewStatus.UNDER_REVIEW,
    ReviewStatus.RECTIFYING,
)


def agencies_reviewed_in(*, county_id: int | None, year: int) -> QuerySet[ReviewAgency]:
    """The agencies assigned a review of a firm of the county in the year (those it may rate)."""
    worked = Review.objects.filter(
        enterprise__county_id=county_id, assigned_at__year=year, agency__isnull=False
    ).values("agency")
    return ReviewAgency.objects.filter(pk__in=worked)


def open_assignments_of_removed(user: Any, agency: ReviewAgency | None = None) -> QuerySet:
    """Reviews still open with an agency off the list (清除, 取消资格), in the user's scope:
    the county's list of assignments to give to another agency."""
    qs = Review.objects.for_user(user).filter(
        agency__standing__in=OFF_THE_LIST_STANDINGS, status__in=OPEN_ASSIGNMENT_STATUSES
    )
    if agency is not None:
        qs = qs.filter(agency=agency)
    return qs.select_related("enterprise__county", "agency").order_by("assigned_at", "pk")


def agency_list(user: Any, params: Any) -> QuerySet[ReviewAgency]:
    qs = ReviewAgency.objects.for_user(user)
    if standing := params.get("standing"):
        qs = qs.filter(standing=standing)
    if q := (params.get("q") or "").strip():
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__icontains=q))
    return qs.order_by("name", "pk")


def editions_of(year: int) -> QuerySet[AgencyListEdition]:
    return AgencyListEdition.objects.filter(year=year).order_by("-number")
