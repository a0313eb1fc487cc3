"""The pager of every list: a count that stays cheap at any size, the few page numbers that are
shown (``Paginator.get_elided_page_range``), never a loop over all of them, and deep pages read
in two steps (the page's ids first, then those rows with what they join)."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from .caching import keep, peek, query_key, remember

# Below this many rows a list counts exactly on every request (cheap); at or above it the
# count is kept for COUNT_SECONDS per filter, and the page says it may lag.
CACHED_COUNT_FROM = 5000
COUNT_SECONDS = 60
# From this many rows into a list, or in a list of CACHED_COUNT_FROM rows or more, a page is read
# as a "deferred join": the ids of its rows first, skipped to through the sort's index alone or
# sorted without the joins, then only those rows with their joins (at 120,000 creation-list
# entries page 500 joined 25,000 entries to their firms to skip them; a search of 21,000 firms
# sorted them joined to their county and industry, 171 ms against 62).
DEFERRED_JOIN_FROM = 1000


class CheapCountPaginator(Paginator):
    """A paginator whose count of a large list is computed once a minute per filter."""

    count_lags = False  # True when the count shown may be up to a minute old

    @cached_property
    def count(self) -> int:
        qs = self.object_list
        if not hasattr(qs, "query"):
            return super().count
        try:
            key = _count_key(qs)
        except EmptyResultSet:  # ``qs.none()``: a filter by something that is no id
            return 0
        cached = peek(key)
        if cached is not None:
            self.count_lags = True
            return cached
        n = qs.count()
        if n >= CACHED_COUNT_FROM:
            keep(key, n, timeout=COUNT_SECONDS)
        return n

    def page(self, number: Any) -> Page:
        qs = self.object_list
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if not self._in_two_steps(bottom) or not _plain_rows(qs):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self._ids(bottom, top)
        rows = {row.pk: row for row in qs.order_by().filter(pk__in=ids)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)

    def _in_two_steps(self, bottom: int) -> bool:
        """Read the page's ids first (the deferred join), then its rows."""
        return bottom >= DEFERRED_JOIN_FROM or self.count >= CACHED_COUNT_FROM

    def _ids(self, bottom: int, top: int) -> list[Any]:
        return list(self.object_list.values_list("pk", flat=True)[bottom:top])


class RememberedOrderPaginator(CheapCountPaginator):
    """For a page many read and few change (the public list): the count and each page's ids,
    in order, are kept in a cache ``family`` that the changes to the list forget, so the sort
    runs once per change, not per request. The rows themselves are read afresh by id under the
    list's own filters, so a row that no longer belongs drops out even before the family is
    forgotten; what may lag, at most ``timeout`` seconds, is the order and the count."""

    def __init__(self, object_list: Any, per_page: int, *, family: str, timeout: int = 600):
        super().__init__(object_list, per_page)
        self.family, self.timeout = family, timeout

    def _remember(self, what: str, compute: Any) -> Any:
        try:
            key = f"{what}:{query_key(self.object_list)}"
        except EmptyResultSet:
            return compute()
        return remember(self.family, key, compute, timeout=self.timeout)

    @cached_property
    def count(self) -> int:
        return self._remember("count", self.object_list.count)

    def _in_two_steps(self, bottom: int) -> bool:
        return True  # the ids are what is kept

    def _ids(self, bottom: int, top: int) -> list[Any]:
        read = super()._ids
        return self._remember(f"page:{bottom}:{top}", lambda: read(bottom, top))


def _plain_rows(qs: Any) -> bool:
    """A queryset of model rows, each once (``values()`` rows and DISTINCT are paged as they
    are)."""
    return isinstance(qs, QuerySet) and qs._fields is None and not qs.query.distinct


def _count_key(qs: Any) -> str:
    """The filter itself, as SQL, names the count: two users with the same scope share it."""
    return f"count:{query_key(qs)}"


def paginate(request: Any, qs: Any, per_page: int, *, family: str | None = None) -> Page:
    """The asked page (``?page=``; a bad number gives the first or the last page); with a
    cache ``family``, its order and count are kept there (``RememberedOrderPaginator``)."""
    if family:
        paginator = RememberedOrderPaginator(qs, per_page, family=family)
    else:
        paginator = CheapCountPaginator(qs, per_page)
    return paginator.get_page(request.GET.get("page"))
