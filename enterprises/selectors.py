"""Reads of the registry that carry policy: always scoped to the acting user."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .models import CreationListEntry, Enterprise

SORTABLE = {"name", "credit_code", "county", "industry", "size", "status", "employees"}
FILTERS = ("county", "industry", "size", "status")


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def enterprise_list(*, user: Any, params: Any) -> QuerySet[Enterprise]:
    """The user's enterprises, searched, filtered and sorted as the list page asks. The same
    queryset feeds the page and its Excel export, so the export is exactly the list."""
    qs = Enterprise.objects.for_user(user).select_related("county", "industry")
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__icontains=q.upper()))
    for key in FILTERS:
        value = params.get(key)
        if value:
            if key in ("county", "industry") and _int(value) is None:
                return qs.none()
            qs = qs.filter(**{key: value})
    year = _int(params.get("year"))
    if year:
        qs = qs.filter(list_entries__year=year)
    closed = params.get("closed")
    if closed == "1":
        qs = qs.filter(closed_on__isnull=False)
    elif closed != "all":
        qs = qs.filter(closed_on__isnull=True)
    sort = params.get("sort") or "name"
    field = sort.lstrip("-")
    if field not in SORTABLE:
        field, sort = "name", "name"
    field = {"county": "county__sort_order", "industry": "industry__sort_order"}.get(field, field)
    return qs.order_by(("-" if sort.startswith("-") else "") + field, "pk")


def creation_list(*, user: Any, year: int, params: Any) -> QuerySet[CreationListEntry]:
    qs = (
        CreationListEntry.objects.for_user(user)
        .filter(year=year)
        .select_related("enterprise", "enterprise__county", "enterprise__industry")
    )
    county = _int(params.get("county"))
    if county:
        qs = qs.filter(enterprise__county=county)
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(enterprise__name__icontains=q) | Q(enterprise__credit_code__icontains=q.upper())
        )
    return qs.order_by("enterprise__county__sort_order", "target_date", "enterprise__name", "pk")


def list_years(*, user: Any) -> list[int]:
    years = CreationListEntry.objects.for_user(user).values_list("year", flat=True).distinct()
    return sorted(set(years), reverse=True)
