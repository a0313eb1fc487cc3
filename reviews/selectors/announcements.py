"""Reads about confirmed results, certificates and announcements (公告), scoped to the user.

The announcement rule (one named place): a county announces its confirmed 三级 and small/micro
(达标) results that are not yet in any announcement and not held by the city's audit
(``ResultHold`` of the county and the year of issue, not released). 一级 and 二级 are announced
by the nation and the province, never in a county's announcement.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from enterprises.choices import PASSED_STATUSES, Grade, Status
from enterprises.models import County
from enterprises.selectors import firm_search
from portal.http import id_filter
from portal.policy import role_of
from portal.queries import counted
from portal.roles import Role

from ..choices import (
    AnnouncementKind,
    AnnouncementStatus,
    ConfirmingLevel,
    ObjectionStatus,
    ReviewStatus,
)
from ..models import Announcement, Certificate, Objection, ResultHold, Review
from ..rules import grades_confirmed_by
from ..scoring import RE_REVIEW_WINDOW_MONTHS, re_review_window_opens

# 三级 and small/micro results are announced by the city level; 二级 by the province, 一级
# nationally (DOMAIN.md, "Scoring and grades").
COUNTY_ANNOUNCED_GRADES = (Grade.PASS, Grade.LEVEL3)
HIGHER_GRADES = (Grade.LEVEL1, Grade.LEVEL2)
PUBLICITY, ANNOUNCEMENT = AnnouncementKind.PUBLICITY, AnnouncementKind.ANNOUNCEMENT
PUBLIC_PAGE_SIZE = 50
PUBLIC_FIELDS = (
    "number",
    "grade",
    "issued_on",
    "valid_until",
    "enterprise__name",
    "enterprise__credit_code",
    "enterprise__county__name",
    "enterprise__county__sort_order",
)


def held_years(county: County) -> set[int]:
    """Years whose results the city holds for this county (not yet released)."""
    return set(
        ResultHold.objects.filter(county=county, released_at__isnull=True).values_list(
            "year", flat=True
        )
    )


def active_holds(county: County) -> QuerySet[ResultHold]:
    return (
        ResultHold.objects.filter(county=county, released_at__isnull=True)
        .select_related("county")
        .order_by("year")
    )


def confirmed_unannounced(
    *, county: County, draft: Announcement | None = None, kind: str = PUBLICITY
) -> QuerySet[Certificate]:
    """Valid certificates of confirmed firms of the county that no document of ``kind`` lists
    yet (``draft``'s own entries count as not yet listed, so it can keep them)."""
    listed = Announcement.certificates.through.objects.filter(
        certificate=OuterRef("pk"), announcement__kind=kind
    )
    if draft is not None:
        listed = listed.exclude(announcement=draft)
    return (
        Certificate.objects.filter(
            enterprise__county=county,
            enterprise__status=Status.CONFIRMED,
            revoked_at__isnull=True,
            suspended_at__isnull=True,
            enterprise__certificate_no=F("number"),  # the firm's current certificate
        )
        .exclude(Exists(listed))
        .select_related("enterprise")
        .order_by("issued_on", "number")
    )


def objection_period_open(announcement: Announcement) -> bool:
    """A published 公示 whose objection period has not ended."""
    return bool(
        announcement.is_publicity
        and announcement.status == AnnouncementStatus.PUBLISHED
        and announcement.objection_until
        and timezone.localdate() <= announcement.objection_until
    )


def public_publicities() -> QuerySet[Announcement]:
    """The 公示 now open to objection, for the public site, with their firms."""
    return (
        Announcement.objects.filter(
            kind=PUBLICITY,
            status=AnnouncementStatus.PUBLISHED,
            objection_until__gte=timezone.localdate(),
        )
        .select_related("county")
        .prefetch_related(
            Prefetch(
                "certificates",
                queryset=Certificate.objects.select_related("enterprise").order_by(
                    "enterprise__name"
                ),
            )
        )
        .order_by("-published_at", "pk")
    )


def publicity_passed(today: dt.date | None = None) -> Q:
    """Certificates listed in a published 公示 whose objection period has ended with no
    objection to them open or upheld (``reviews.rules``)."""
    today = today or timezone.localdate()
    ended = Announcement.certificates.through.objects.filter(
        certificate=OuterRef("pk"),
        announcement__kind=PUBLICITY,
        announcement__status=AnnouncementStatus.PUBLISHED,
        announcement__objection_until__lt=today,
    )
    standing = Objection.objects.filter(
        certificate=OuterRef("pk"), status__in=[ObjectionStatus.OPEN, ObjectionStatus.UPHELD]
    )
    return Q(Exists(ended)) & ~Q(Exists(standing))


def announceable_certificates(
    *, county: County, draft: Announcement | None = None, kind: str | None = None
) -> QuerySet[Certificate]:
    """What the county may put in a 公示 (or, ``kind`` 公告, in a 公告) now: see the module's
    rule; a 公告 lists only results whose 公示 has passed cleanly."""
    kind = kind or (draft.kind if draft is not None else ANNOUNCEMENT)
    years = held_years(county)
    qs = confirmed_unannounced(county=county, draft=draft, kind=kind).filter(
        grade__in=COUNTY_ANNOUNCED_GRADES
    )
    if kind == ANNOUNCEMENT:
        qs = qs.filter(publicity_passed())
    return qs.exclude(issued_on__year__in=years) if years else qs


def higher_grade_problems(certificates: list[Certificate]) -> list[str]:
    """一级 and 二级 are announced by the nation and the province, never by a county."""
    return [
        f"{c.enterprise.name}：{c.get_grade_display()}由省级或国家公告，不列入县级公告"
        for c in certificates
        if c.grade in HIGHER_GRADES
    ]


def _held(certificates: list[Certificate], years: set[int]) -> list[Certificate]:
    return [c for c in certificates if c.grade not in HIGHER_GRADES and c.issued_on.year in years]


def held_problems(county: County, certificates: list[Certificate]) -> list[str]:
    """Results of a county-year the city holds may not be announced until it is released."""
    return [
        f"{c.enterprise.name}：{county.name}{c.issued_on.year}年度评定结果"
        "被市局抽查审核暂缓公告，复审合格解除前不得公告"
        for c in _held(certificates, held_years(county))
    ]


def publicity_problems(certificates: list[Certificate]) -> dict[int, str]:
    """Why each certificate may not yet be in a 公告 for want of a clean 公示."""
    today = timezone.localdate()
    ids = [c.pk for c in certificates]
    through = Announcement.certificates.through.objects.filter(
        certificate__in=ids,
        announcement__kind=PUBLICITY,
        announcement__status=AnnouncementStatus.PUBLISHED,
    ).values_list("certificate_id", "announcement__objection_until")
    ends: dict[int, dt.date] = {}
    for pk, until in through:
        ends[pk] = max(ends.get(pk, until), until)
    standing = dict(
        Objection.objects.filter(
            certificate__in=ids, status__in=[ObjectionStatus.OPEN, ObjectionStatus.UPHELD]
        ).values_list("certificate_id", "status")
    )
    problems = {}
    for c in certificates:
        if c.pk not in ends:
            problems[c.pk] = f"{c.enterprise.name}：未经公示，不能公告"
        elif ends[c.pk] >= today:
            problems[c.pk] = (
                f"{c.enterprise.name}：公示期至{ends[c.pk].year}年{ends[c.pk].month}月"
                f"{ends[c.pk].day}日，期满后方可公告"
            )
        elif standing.get(c.pk) == ObjectionStatus.OPEN:
            problems[c.pk] = f"{c.enterprise.name}：公示异议尚未处理，不能公告"
        elif standing.get(c.pk) == ObjectionStatus.UPHELD:
            problems[c.pk] = f"{c.enterprise.name}：公示异议成立，已退回重新评审，不能公告"
    return problems


def announcement_blockers(
    *,
    county: County,
    certificates: list[Certificate],
    draft: Announcement | None = None,
    kind: str | None = None,
) -> list[str]:
    """Why each of these certificates may not be listed by the county (empty when all may)."""
    kind = kind or (draft.kind if draft is not None else ANNOUNCEMENT)
    years = held_years(county)
    held = _held(certificates, years)
    allowed = set(
        announceable_certificates(county=county, draft=draft, kind=kind).values_list(
            "pk", flat=True
        )
    )
    rest = [c for c in certificates if c.pk not in allowed and c.grade not in HIGHER_GRADES]
    rest = [c for c in rest if c not in held]
    waiting = publicity_problems(rest) if kind == ANNOUNCEMENT else {}
    what = "公告" if kind == ANNOUNCEMENT else "公示"
    others = [
        waiting.get(c.pk) or f"{c.enterprise.name}：不是已确认且未{what}的有效结果" for c in rest
    ]
    return higher_grade_problems(certificates) + held_problems(county, held) + others


def confirmed_by(level: str) -> Q:
    """The reviews whose result ``level`` confirms (``reviews.rules``): by the result, or for a
    failure by the grade applied for; a failure is never recommended upward (the city closes
    it)."""
    grades = grades_confirmed_by(level)
    applied = [g for g in grades if g != Grade.PASS] + ([""] if Grade.PASS in grades else [])
    q = Q(result__in=[g for g in grades]) | Q(result="", applied_grade__in=applied)
    if level == ConfirmingLevel.CITY:
        upward = grades_confirmed_by(ConfirmingLevel.RECOMMEND)
        q |= Q(result="", applied_grade__in=upward)
    return q


def levels_of(user: Any) -> tuple[str, ...]:
    """The confirming levels whose queue ``user`` works: the county's, or the city's (which
    confirms its grades and recommends the higher ones)."""
    if role_of(user) == Role.COUNTY:
        return (ConfirmingLevel.COUNTY,)
    if role_of(user) in (Role.CITY, Role.ADMIN):
        return (ConfirmingLevel.CITY, ConfirmingLevel.RECOMMEND)
    return ()


def concluded_reviews(*, user: Any) -> QuerySet[Review]:
    """Conclusions waiting for ``user``'s level: the county confirms 达标, the city confirms
    三级 and recommends 二级 and 一级 upward (``reviews.rules``)."""
    mine = Q(pk__in=[])
    for level in levels_of(user):
        mine |= confirmed_by(level)
    return (
        Review.objects.for_user(user)
        .filter(mine, status=ReviewStatus.CONCLUDED)
        .select_related("enterprise__industry", "enterprise__county", "agency")
        .order_by("concluded_at", "pk")
    )


def announcements_for(user: Any) -> QuerySet[Announcement]:
    """A county works on its drafts; the city sees what was reported to it: published ones
    (the scope of ``Announcement``)."""
    return Announcement.objects.for_user(user)


def announcement_list(*, user: Any, params: dict[str, str]) -> QuerySet[Announcement]:
    qs = (
        announcements_for(user)
        .select_related("county", "created_by")
        .annotate(
            # each document's firms, counted for the shown rows only (portal.queries.counted)
            entry_count=counted(
                Announcement.certificates.through.objects.filter(announcement_id=OuterRef("pk"))
            )
        )
    )
    asked, county = id_filter(params, "county")
    if asked:
        qs = qs.filter(county=county) if county else qs.none()
    if params.get("status") in AnnouncementStatus.values:
        qs = qs.filter(status=params["status"])
    if params.get("period") == "open":  # 公示 still open to objection
        qs = qs.filter(
            kind=AnnouncementKind.PUBLICITY,
            status=AnnouncementStatus.PUBLISHED,
            objection_until__gte=timezone.localdate(),
        )
    if params.get("objections") == "open":  # 公示 with an objection not yet decided
        open_ones = Objection.objects.filter(
            announcement=OuterRef("pk"), status=ObjectionStatus.OPEN
        )
        qs = qs.filter(Exists(open_ones))
    return qs.order_by("-published_at", "-created_at", "-pk")


ANNOUNCEMENT_FILTERS = {
    "period": {"open": "异议期内的公示"},
    "objections": {"open": "有异议待处理的公示"},
}


def announcement_filter_label(params: dict[str, str]) -> str:
    """What a to-do link narrowed the list to, in words ("" when nothing)."""
    return "、".join(
        labels[params[name]]
        for name, labels in ANNOUNCEMENT_FILTERS.items()
        if params.get(name) in labels
    )


def announcement_entries(announcement: Announcement) -> QuerySet[Certificate]:
    return announcement.certificates.select_related("enterprise__industry").order_by(
        "enterprise__name", "number"
    )


def certificate_list(*, user: Any, params: dict[str, str]) -> QuerySet[Certificate]:
    qs = Certificate.objects.for_user(user).select_related("enterprise__county")
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(firm_search(q, "enterprise__") | Q(number__icontains=q))
    asked, county = id_filter(params, "county")
    if asked:
        qs = qs.filter(enterprise__county=county) if county else qs.none()
    if params.get("revoked") == "1":
        qs = qs.filter(revoked_at__isnull=False)
    return qs.order_by("-issued_on", "-number")


def re_review_cutoff(today: dt.date) -> dt.date:
    """The last ``valid_until`` whose re-review window (the last three months) is open today."""
    guess = today + dt.timedelta(days=31 * RE_REVIEW_WINDOW_MONTHS)
    while re_review_window_opens(guess) > today:
        guess -= dt.timedelta(days=1)
    return guess


def certificates_due_for_re_review(*, user: Any, today: dt.date) -> QuerySet[Certificate]:
    """以备复评: current certificates in their last three months of validity."""
    return (
        Certificate.objects.for_user(user)
        .filter(
            revoked_at__isnull=True,
            suspended_at__isnull=True,
            enterprise__certificate_no=F("number"),  # the firm's current certificate
            enterprise__status__in=PASSED_STATUSES,
            valid_until__gte=today,
            valid_until__lte=re_review_cutoff(today),
        )
        .select_related("enterprise__county")
        .order_by("valid_until", "number")
    )


def public_announced(*, params: dict[str, str]) -> QuerySet[Certificate]:
    """The public list: firms announced and still holding their grade.

    Revoked and expired grades are not shown: the page answers "who holds a valid announced
    grade today"; their history stays with the bureau. Each row carries its announcement in
    ``published_announcements`` (fetched for the shown page only).
    """
    # The list and its 公告文号 column cite the 公告 only; the earlier 公示 is no decision.
    published = Announcement.objects.filter(status=AnnouncementStatus.PUBLISHED, kind=ANNOUNCEMENT)
    qs = (
        Certificate.objects.filter(
            revoked_at__isnull=True,
            suspended_at__isnull=True,
            enterprise__certificate_no=F("number"),  # the firm's current certificate
            enterprise__status=Status.ANNOUNCED,
            valid_until__gte=timezone.localdate(),  # past its end even before the nightly job
            enterprise__closed_on__isnull=True,  # a closed (注销) firm holds no grade to show
        )
        .filter(Exists(published.filter(certificates=OuterRef("pk"))))
        .select_related("enterprise__county")
        # Only what the page shows: a narrow row sorts ~2x faster over thousands of firms.
        .only(*PUBLIC_FIELDS)
        .prefetch_related(
            Prefetch(
                "announcements",
                queryset=published.only("pk", "number", "published_at").order_by("published_at"),
                to_attr="published_announcements",
            )
        )
    )
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(enterprise__credit_code=q.upper()))
    asked, county = id_filter(params, "county")
    if asked:
        qs = qs.filter(enterprise__county=county) if county else qs.none()
    return qs.order_by("enterprise__county__sort_order", "enterprise__name", "pk")
