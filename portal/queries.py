"""Query shapes shared by the apps' selectors."""

from __future__ import annotations

from django.db.models import F, Func, QuerySet, Subquery


def counted(related: QuerySet) -> Subquery:
    """The rows of ``related`` (filtered on an ``OuterRef``) counted for each listed row as a
    subquery. A ``Count`` annotation groups the whole list joined to ``related`` before a page
    is cut from it; the subquery is evaluated for the shown rows only (PostgreSQL evaluates it
    after the sort and the limit), and gives 0, not nothing, when there are none."""
    return Subquery(related.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"))
