"""Reads of the past: each firm's standing on a given day, worked out from the transition
history (``portal.models.AuditEntry`` rows the state machines write for ``Enterprise.status``),
so that a progress snapshot for a past date counts that day's states, not today's."""

from __future__ import annotations

import datetime as dt

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils import timezone

from enterprises.choices import PASSED_STATUSES, Status
from enterprises.models import CreationListRemoval, Enterprise
from portal.models import AuditEntry

from .selectors import REVIEWING, SELF_ASSESSED

STATUS_BY_LABEL = {label: value for value, label in Status.choices}
GONE = ""  # the firm was not yet in the registry that day


def end_of(day: dt.date) -> dt.datetime:
    """The first moment after ``day`` in the portal's time zone."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def statuses_on(day: dt.date) -> dict[int, str]:
    """The standing at the end of ``day`` of every firm whose standing has changed since:
    the "before" of its first change after that day. One query; firms absent keep today's."""
    changes = (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Enterprise),
            at__gte=end_of(day),
            changes__has_key="status",
        )
        .order_by("at", "id")
        .values_list("object_id", "changes")
    )
    past: dict[int, str] = {}
    for object_id, change in changes:
        pk = int(object_id)
        if pk not in past:
            before = change["status"][0]
            past[pk] = STATUS_BY_LABEL.get(before, GONE) if before else GONE
    return past


def _counts(status: str) -> dict[str, int]:
    return {
        "self_assessed": int(status in SELF_ASSESSED),
        "applied": int(status == Status.APPLIED),
        "under_review": int(status in REVIEWING),
        "passed": int(status in PASSED_STATUSES),
    }


def _add(totals: dict[int, dict[str, int]], county: int, counts: dict[str, int]) -> None:
    row = totals.setdefault(county, dict.fromkeys(counts, 0))
    for name, n in counts.items():
        row[name] += n


def funnel_on(
    entries: QuerySet, removals: QuerySet, year: int, day: dt.date, past: dict[int, str]
) -> dict[int, dict[str, int]]:
    """``funnel_by_county`` as it stood at the end of ``day``: the firms on the year's list (and
    those taken off it since) in that day's standing. Two queries. Membership is not dated by
    ``added_at``: lists of a replayed year (the demo, an import) are entered after their day."""
    end = end_of(day)
    on_list = entries.filter(year=year).values_list(
        "enterprise__county", "enterprise_id", "enterprise__status"
    )
    taken_off = removals.filter(year=year, removed_at__gte=end).values_list(
        "county", "enterprise_id", "enterprise__status"
    )
    totals: dict[int, dict[str, int]] = {}
    seen: set[int] = set()
    for county, pk, status in [*on_list, *taken_off]:
        status = past.get(pk, status)
        if pk in seen or status == GONE:
            continue
        seen.add(pk)
        _add(totals, county, {"listed": 1, **_counts(status)})
    return totals


def base_on(firms: QuerySet, day: dt.date, past: dict[int, str]) -> dict[int, dict[str, int]]:
    """``base_by_county`` at the end of ``day``: small/micro firms not closed by then, and those
    of them holding a result that day. One query."""
    rows = firms.small_micro().exclude(closed_on__lte=day).values_list("county", "pk", "status")
    totals: dict[int, dict[str, int]] = {}
    for county, pk, status in rows:
        status = past.get(pk, status)
        if status != GONE:
            _add(totals, county, {"base": 1, "base_passed": int(status in PASSED_STATUSES)})
    return totals


def removals_of(scoped) -> QuerySet:
    return scoped(CreationListRemoval.objects)
