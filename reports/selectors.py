"""Reads of the reports app: progress of every county in one aggregate query, timeliness of
submissions, the grid, and what each role may see of them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from enterprises.choices import LIST_STAGES, PASSED_STATUSES, Status
from enterprises.models import County, CreationListEntry, Enterprise
from enterprises.workflows import PROGRESS_CACHE
from portal import caching
from portal.roles import Role

from . import rules
from .choices import IN_STATUSES, OWED_STATUSES, SubmissionStatus, TargetStatus
from .models import (
    CityGoal,
    CountyTarget,
    ProgressRow,
    ProgressSnapshot,
    Submission,
    SubmissionDeadline,
)

# Funnel of the lifecycle, counted from Enterprise.status of the firms on the year's list.
SELF_ASSESSED = LIST_STAGES["self_assessed"]
REVIEWING = LIST_STAGES["under_review"]


@dataclass
class CountyProgress:
    county: County
    listed: int = 0
    self_assessed: int = 0
    applied: int = 0
    under_review: int = 0
    passed: int = 0
    target: int = 0
    expected_today: int = 0
    projected: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    target_status: str = ""
    rank: int = 0
    base: int = 0  # the county's small/micro firms in the registry
    base_passed: int = 0  # of them, those holding a result now
    extra: dict = field(default_factory=dict)

    @property
    def pass_rate(self) -> float:
        """达标率 on the base: removing a firm from the list does not raise it."""
        return rules.rate(self.base_passed, self.base)

    @property
    def list_rate(self) -> float:
        """The rate on the county's own list, shown beside it."""
        return rules.rate(self.passed, self.listed)

    @property
    def vs_target(self) -> float:
        return rules.rate(self.passed, self.target)

    @property
    def vs_timetable(self) -> float:
        return rules.rate(self.passed, self.expected_today) if self.expected_today else 1.0


def funnel_by_county(entries: QuerySet, year: int) -> dict[int, dict[str, int]]:
    """Firms on each county's list for ``year`` and where they stand: one query."""
    rows = (
        entries.filter(year=year)
        .values("enterprise__county")
        .annotate(
            listed=Count("pk"),
            self_assessed=Count("pk", filter=Q(enterprise__status__in=SELF_ASSESSED)),
            applied=Count("pk", filter=Q(enterprise__status=Status.APPLIED)),
            under_review=Count("pk", filter=Q(enterprise__status__in=REVIEWING)),
            passed=Count("pk", filter=Q(enterprise__status__in=PASSED_STATUSES)),
        )
        .order_by()
    )
    return {row.pop("enterprise__county"): row for row in rows}


def base_by_county(firms: QuerySet) -> dict[int, dict[str, int]]:
    """Each county's base (small/micro firms in the registry, open) and its passes: one query."""
    rows = (
        firms.small_micro()
        .open()
        .values("county")
        .annotate(base=Count("pk"), base_passed=Count("pk", filter=Q(status__in=PASSED_STATUSES)))
        .order_by()
    )
    return {row.pop("county"): row for row in rows}


def timeliness_by_county(
    subs: QuerySet, year: int, today: dt.date, until: dt.datetime | None = None
) -> dict[int, dict[str, int]]:
    """Per county, the year's submissions whose deadline has passed: on time, late, missing.
    With ``until`` (a past report), what was handed in later counts as missing."""
    passed_deadline = Q(deadline__year=year, deadline__due_on__lt=today)
    handed_in, owed = Q(status__in=IN_STATUSES), Q(status__in=OWED_STATUSES)
    if until is not None:
        owed |= handed_in & Q(submitted_at__gte=until)
        handed_in &= Q(submitted_at__lt=until)
    rows = (
        subs.filter(passed_deadline)
        .values("county")
        .annotate(
            on_time=Count("pk", filter=handed_in & Q(is_late=False)),
            late=Count("pk", filter=handed_in & Q(is_late=True)),
            missing=Count("pk", filter=owed),
        )
        .order_by()
    )
    return {row.pop("county"): row for row in rows}


def targets_by_county(targets: QuerySet, year: int) -> dict[int, CountyTarget]:
    """The counties' targets for the year (accepted ones count; others show their status)."""
    return {t.county_id: t for t in targets.filter(year=year).prefetch_related("milestones")}


# Whose scope of firms is whole counties: the city-wide figures, read for their counties only,
# are exactly what their own scope would count.
_COUNTY_WIDE = {Role.CITY, Role.ADMIN, Role.COUNTY}
PROGRESS_SECONDS = 600  # a safety net: every change of standing forgets the figures at once


def county_progress(*, user: Any, year: int, today: dt.date) -> list[CountyProgress]:
    """The progress of every county ``user`` may see, ranked by pass rate (a county sees only
    its own): five queries in all, three when the year's figures are cached."""
    cached = user.role in _COUNTY_WIDE
    return _progress(lambda qs: qs.for_user(user), year, today, cached=cached)


def city_funnel(year: int) -> dict[int, dict[str, int]]:
    """Where the firms on each county's list for ``year`` stand: the costliest query of the
    progress (every list entry joined with its firm), computed once and kept until a firm's
    standing, list or registry row changes (``enterprises.workflows.forget_progress``, hooked
    on every transition of the standing). Every page that shows progress reads these."""
    return caching.remember(
        PROGRESS_CACHE,
        f"funnel:{year}",
        lambda: funnel_by_county(CreationListEntry.objects.all(), year),
        timeout=PROGRESS_SECONDS,
    )


def city_cross(year: int) -> list[dict]:
    """The year's lists by county × industry × size, listed and passed (the dashboards' tables
    by industry and by size): one scan of every list entry joined with its firm, kept like the
    funnel (at most 16 × 8 × 4 small rows)."""
    passed = Q(enterprise__status__in=LIST_STAGES["passed"])
    return caching.remember(
        PROGRESS_CACHE,
        f"cross:{year}",
        lambda: list(
            CreationListEntry.objects.filter(year=year)
            .values("enterprise__county", "enterprise__industry", "enterprise__size")
            .annotate(listed=Count("pk"), passed=Count("pk", filter=passed))
            .order_by()
        ),
        timeout=PROGRESS_SECONDS,
    )


def city_bases() -> dict[int, dict[str, int]]:
    """Each county's base and its passes (``base_by_county`` of every firm), kept like the
    funnel."""
    return caching.remember(
        PROGRESS_CACHE,
        "bases",
        lambda: base_by_county(Enterprise.objects.all()),
        timeout=PROGRESS_SECONDS,
    )


def every_county_progress(
    *, year: int, today: dt.date, as_of: bool = False
) -> list[CountyProgress]:
    """Every current county's progress, for the system's weekly snapshot (whose rows are
    scoped when read, ``snapshot_rows``). ``as_of``: the firms' standing at the end of
    ``today`` from the transition history (a back-dated report), not their standing now.
    Computed afresh: a snapshot is kept for good, so it reads the rows, not the cache."""
    return _progress(lambda qs: qs.all(), year, today, as_of=as_of)


def _figures(
    scoped: Callable[[QuerySet], QuerySet], year: int, today: dt.date, as_of: bool, cached: bool
):
    """The funnel, timeliness and base by county: now, or as they stood at the end of today."""
    if cached and not as_of:
        timely = timeliness_by_county(scoped(Submission.objects), year, today)
        return city_funnel(year), timely, city_bases()
    if not as_of:
        return (
            funnel_by_county(scoped(CreationListEntry.objects), year),
            timeliness_by_county(scoped(Submission.objects), year, today),
            base_by_county(scoped(Enterprise.objects)),
        )
    from . import asof

    past = asof.statuses_on(today)
    return (
        asof.funnel_on(
            scoped(CreationListEntry.objects), asof.removals_of(scoped), year, today, past
        ),
        timeliness_by_county(scoped(Submission.objects), year, today, asof.end_of(today)),
        asof.base_on(scoped(Enterprise.objects), today, past),
    )


def _progress(
    scoped: Callable[[QuerySet], QuerySet],
    year: int,
    today: dt.date,
    as_of: bool = False,
    cached: bool = False,
):
    funnel, timely, bases = _figures(scoped, year, today, as_of, cached)
    targets = targets_by_county(scoped(CountyTarget.objects), year)
    result = []
    for county in scoped(County.objects).current():
        p = CountyProgress(
            county=county, **funnel.get(county.pk, {}), **timely.get(county.pk, {}),
            **bases.get(county.pk, {}),
        )  # fmt: skip
        target_progress(p, targets.get(county.pk), year, today)
        p.projected = rules.project_to_year_end(p.passed, today, year=year)
        result.append(p)
    rank(result)
    return result


def target_progress(p: CountyProgress, target: CountyTarget | None, year: int, today: dt.date):
    """The county's target and where its accepted timetable says it should be by ``today``."""
    if target is None:
        return
    p.target_status = target.get_status_display()
    if target.status == TargetStatus.ACCEPTED:
        stones = [(m.due_on, m.passed_count) for m in target.milestones.all()]
        p.target = max((n for _, n in stones), default=0)
        p.expected_today = rules.expected_by_timetable(stones, today, year=year)


def by_pass_rate(row: Any) -> tuple:
    return (row.pass_rate, row.passed)


def rank(rows: list[Any], key: Callable[[Any], tuple] = by_pass_rate) -> None:
    """Rank best first by ``key`` (pass rate, then firms passed); equal figures share a rank."""
    ordered = sorted(rows, key=key, reverse=True)
    previous, place = None, 0
    for index, row in enumerate(ordered, start=1):
        if key(row) != previous:
            place, previous = index, key(row)
        row.rank = place


def submission_grid(*, user: Any, year: int) -> tuple[list[SubmissionDeadline], list[dict]]:
    """Counties × kinds: each cell is the county's submission, of the counties ``user`` may
    see (two queries)."""
    deadlines = list(
        SubmissionDeadline.objects.for_user(user).filter(year=year).select_related("kind")
    )
    cells: dict[int, dict[int, Submission]] = {}
    subs = Submission.objects.for_user(user).filter(deadline__year=year).select_related("county")
    for sub in subs:
        cells.setdefault(sub.county_id, {"county": sub.county})[sub.deadline_id] = sub
    rows = []
    for county_id, row in sorted(cells.items(), key=lambda kv: kv[1]["county"].sort_order):
        county = row.pop("county")
        row_cells = [row.get(d.pk) for d in deadlines]
        rows.append({"county": county, "cells": row_cells, "county_id": county_id})
    return deadlines, rows


def snapshot_rows(snapshot: ProgressSnapshot, user: Any) -> QuerySet[ProgressRow]:
    """The rows of a snapshot the user may see: the city all, a county its own."""
    return ProgressRow.objects.for_user(user).filter(snapshot=snapshot).select_related("county")


def previous_snapshot(snapshot: ProgressSnapshot) -> ProgressSnapshot | None:
    return (
        ProgressSnapshot.objects.filter(year=snapshot.year, taken_on__lt=snapshot.taken_on)
        .order_by("-taken_on")
        .first()
    )


def bulletin_issue_number(snapshot: ProgressSnapshot) -> int:
    """The bulletin's 期号: the year's bulletins are numbered from 1 in the order of their
    dates (第3期 is the year's third)."""
    return ProgressSnapshot.objects.filter(
        year=snapshot.year, taken_on__lte=snapshot.taken_on
    ).count()


def movers(snapshot: ProgressSnapshot, rows: list[ProgressRow]) -> dict[int, dict[str, int]]:
    """Change of rank and of firms passed since the previous snapshot, by county."""
    before = previous_snapshot(snapshot)
    if before is None:
        return {}
    old = {r.county_id: r for r in before.rows.all()}
    return {
        row.county_id: {
            "rank": old[row.county_id].rank - row.rank,
            "passed": row.passed - old[row.county_id].passed,
        }
        for row in rows
        if row.county_id in old
    }


# --- Targets against the city's goal ------------------------------------------------------


@dataclass(frozen=True)
class TargetStanding:
    """A county's proposal beside its base and the minimum the city's goal gives it."""

    base: int  # small/micro firms of the county in the registry (open)
    pass_percent: int | None  # the city's goal for the year, if set
    minimum: int | None
    proposal: int  # the last milestone: firms to have passed by year end

    @property
    def below_minimum(self) -> bool:
        return self.minimum is not None and self.proposal < self.minimum


def county_base(county: County) -> int:
    """达标率's denominator: the county's small/micro firms in the registry, not its list."""
    return city_bases().get(county.pk, {}).get("base", 0)


def _standing(goal: CityGoal | None, base: int, target: CountyTarget | None) -> TargetStanding:
    counts = [m.passed_count for m in target.milestones.all()] if target else []
    return TargetStanding(
        base=base,
        pass_percent=goal.pass_percent if goal else None,
        minimum=rules.goal_minimum(base, goal.pass_percent) if goal else None,
        proposal=max(counts, default=0),
    )


def target_standing(target: CountyTarget) -> TargetStanding:
    goal = CityGoal.objects.filter(year=target.year).first()
    return _standing(goal, county_base(target.county), target)


def target_rows(*, user: Any, year: int) -> list[dict[str, Any]]:
    """The city's review page: each county's target with its base and minimum beside it
    (four queries whatever the number of counties, three with the bases cached)."""
    targets = targets_by_county(CountyTarget.objects.for_user(user), year)
    counties = list(County.objects.for_user(user).current())
    bases = {pk: row["base"] for pk, row in city_bases().items()}
    goal = CityGoal.objects.filter(year=year).first()
    return [
        {
            "county": county,
            "target": targets.get(county.pk),
            "standing": _standing(goal, bases.get(county.pk, 0), targets.get(county.pk)),
        }
        for county in counties
    ]


# --- The county's work page ------------------------------------------------------------


@dataclass
class CountyWork:
    """The county's documents owed, its target and progress (the page's lower half); the
    queues with their counts are the to-do panel's (``portal.todo``, each app's ``todo.py``)."""

    owed: list[Submission]
    target: CountyTarget | None
    progress: CountyProgress | None


def county_work(*, user: Any, year: int, today: dt.date) -> CountyWork:
    """A fixed number of queries, whatever the county's size."""
    owed = (
        Submission.objects.for_user(user)
        .filter(deadline__year=year, status__in=OWED_STATUSES)
        .select_related("deadline")
        .order_by("deadline__due_on")
    )
    mine = county_progress(user=user, year=year, today=today)
    return CountyWork(
        owed=list(owed),
        target=CountyTarget.objects.for_user(user).filter(year=year).first(),
        progress=mine[0] if mine else None,
    )


# --- The queues the to-do home counts (``reports.todo``) and the lists it links to ----------

SUBMISSION_QUEUES = {
    "handed_in": "待市局接收的上报材料",
    "overdue": "逾期未上报的材料",
    "owed": "待上报的材料",
}


def submission_queue(*, user: Any, queue: str, year: int, today: dt.date) -> QuerySet[Submission]:
    """Documents handed in and waiting for the city, owed past their deadline, or owed at all,
    in the user's scope: the list and its count on the to-do home are this one query."""
    qs = Submission.objects.for_user(user).filter(deadline__year=year)
    if queue == "handed_in":
        qs = qs.filter(status__in=(SubmissionStatus.SUBMITTED, SubmissionStatus.LATE))
    elif queue == "overdue":
        qs = qs.filter(status__in=OWED_STATUSES, deadline__due_on__lt=today)
    elif queue == "owed":
        qs = qs.filter(status__in=OWED_STATUSES)
    elif queue != "all":
        return qs.none()
    return qs.select_related("county", "deadline__kind").order_by(
        "deadline__due_on", "county__sort_order", "pk"
    )


def targets_to_accept(*, user: Any, year: int) -> QuerySet[CountyTarget]:
    return CountyTarget.objects.for_user(user).filter(year=year, status=TargetStatus.SUBMITTED)
