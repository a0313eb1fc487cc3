"""Reads of outreach that depend on who asks (they take the user)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q

from enterprises.models import County, CreationListEntry

from .models import REACHING_KINDS, Attendance, GoodPractice, HandScore, OutreachEvent


@dataclass(frozen=True)
class Reach:
    county: County
    events: int
    listed: int
    reached: int

    @property
    def share(self) -> float:
        return self.reached / self.listed if self.listed else 0.0


def reached_firms(year: int):
    """Attendance that reaches a firm in ``year``: a training class or on-site guidance."""
    return Attendance.objects.filter(event__held_on__year=year, event__kind__in=REACHING_KINDS)


def _listed_and_reached(year: int) -> dict[int, tuple[int, int]]:
    """Per county: its firms on the year's creation list, and how many of them were reached."""
    reached = reached_firms(year).filter(enterprise=OuterRef("enterprise"))
    rows = (
        CreationListEntry.objects.filter(year=year)
        .annotate(reached=Exists(reached))
        .values("enterprise__county")
        .annotate(listed=Count("pk"), reached=Count("pk", filter=Q(reached=True)))
        .order_by()
    )
    return {row["enterprise__county"]: (row["listed"], row["reached"]) for row in rows}


def reach_by_county(user: Any, year: int) -> list[Reach]:
    """Per county the user may see: the year's events, its listed firms and how many of them
    were trained or guided (share of listed firms reached)."""
    counts = _listed_and_reached(year)
    events = dict(
        OutreachEvent.objects.filter(held_on__year=year)
        .values_list("county")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        Reach(county, events.get(county.pk, 0), *counts.get(county.pk, (0, 0)))
        for county in County.objects.for_user(user).order_by("sort_order")
    ]


def attended_by(user: Any, enterprise: Any):
    """The events the firm took part in, as far as the user may see them (the firm's page)."""
    return (
        Attendance.objects.for_user(user)
        .filter(enterprise=enterprise)
        .select_related("event")
        .order_by("-event__held_on")
    )


def reach_share(year: int) -> dict[int, float]:
    """Per county with listed firms in ``year``: the share trained or guided (for the yearly
    evaluation, which asks about every county)."""
    return {
        county: reached / listed for county, (listed, reached) in _listed_and_reached(year).items()
    }


def featured_between(after: dt.date | None, until: dt.date):
    """The write-ups featured in a bulletin's period: after the previous bulletin (``after``,
    none for the year's first) up to and including its own date. Featured practice is meant
    to be spread, so every reader of the bulletin sees it."""
    featured = GoodPractice.objects.filter(
        status=GoodPractice.Status.FEATURED, featured_on__lte=until, featured_on__year=until.year
    )
    if after:
        featured = featured.filter(featured_on__gt=after)
    return featured.select_related("county").order_by("featured_on", "pk")


def hand_score_values(year: int, criterion: str) -> dict[int, float]:
    """Per county the city has scored: its score on ``criterion`` as a share of 100 (for the
    yearly evaluation). A county without an entry is absent: it scores nothing."""
    return {
        county: score / 100
        for county, score in HandScore.objects.filter(year=year, criterion=criterion).values_list(
            "county", "score"
        )
    }


def hand_score_table(year: int) -> list[tuple[County, dict[str, HandScore]]]:
    """Every current county with its hand scores of ``year`` by criterion (missing: none yet)."""
    scores: dict[int, dict[str, HandScore]] = {}
    for entry in HandScore.objects.filter(year=year).select_related("scored_by"):
        scores.setdefault(entry.county_id, {})[entry.criterion] = entry
    return [(county, scores.get(county.pk, {})) for county in County.objects.current()]
