"""Reads of the registry that carry policy: always scoped to the acting user."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from .models import Enterprise

SORTABLE = {"name", "credit_code", "county", "industry", "size", "status", "employees"}


def enterprise_list(*, user: Any, params: dict[str, str]) -> QuerySet[Enterprise]:
    """The user's enterprises, searched, filtered and sorted as the list page asks."""
    qs = Enterprise.objects.for_user(user).select_related("county", "industry")
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(credit_code__icontains=q.upper()))
    for key in ("county", "industry", "size", "status"):
        value = params.get(key)
        if value:
            qs = qs.filter(**{key: value})
    sort = params.get("sort") or "name"
    if sort.lstrip("-") in SORTABLE:
        field = sort.lstrip("-")
        field = {"county": "county__sort_order", "industry": "industry__sort_order"}.get(
            field, field
        )
        qs = qs.order_by(("-" if sort.startswith("-") else "") + field, "pk")
    return qs
