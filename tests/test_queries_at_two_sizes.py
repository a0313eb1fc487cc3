"""Every list, dashboard and export asks the database the same number of times whatever the
size of the data: the demo city is built at two sizes (the matrix's world, ``seed_demo``; the
larger has three times the firms and, with them, the reviews, certificates, announcements,
refusers, cases, signals, spot checks and history) and each page is read cold (the cache
emptied first, as after a change of standing) as the first seat the permission matrix lets in.
A page whose queries grow with its rows fails here, whichever app it belongs to.

Every GET page about no one row is either measured here or named below as a form or a single
thing, so a new list cannot be left out without saying so.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, reset_queries, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests import test_permission_matrix as matrix
from tests.test_permission_matrix import SPECS, Obj, _cases

pytestmark = pytest.mark.django_db

SMALL, LARGE = 120, 360

MEASURED = {
    # portal
    "portal:todo", "portal:notifications", "portal:security_events",
    "portal:security_events_export", "portal:accounts",
    # enterprises
    "enterprises:list", "enterprises:export", "enterprises:creation_list",
    "enterprises:creation_list_export", "enterprises:accident_list",
    # reviews
    "reviews:assessment_list", "reviews:agency_home", "reviews:applications",
    "reviews:re_review_queue", "reviews:confirmation_list", "reviews:certificate_list",
    "reviews:re_review_due", "reviews:announcement_list", "reviews:announcement_create",
    "reviews:announcement_detail", "reviews:announcement_export", "reviews:public_list",
    "reviews:agency_list", "reviews:change_list", "reviews:reassign_list",
    "reviews:agency_public", "reviews:agency_public_xlsx",
    # enforcement
    "enforcement:refuser_list", "enforcement:case_list", "enforcement:basis_list",
    # outreach
    "outreach:event_list", "outreach:dispatch_list", "outreach:practice_list",
    "outreach:hand_scores",
    # lookback
    "lookback:campaign_list", "lookback:campaign_detail", "lookback:self_check_list",
    "lookback:ratings", "lookback:performance", "lookback:performance_xlsx",
    "lookback:performance_detail", "lookback:performance_reviews", "lookback:spot_checks",
    "lookback:audit_list", "lookback:audit_detail",
    # integrity
    "integrity:draw_list", "integrity:signal_list", "integrity:signal_export",
    "integrity:candidate_list", "integrity:public_draws", "integrity:public_results",
    # reports
    "reports:dashboard", "reports:county_home", "reports:county_dashboard", "reports:targets",
    "reports:submissions", "reports:snapshots", "reports:bulletin", "reports:bulletin_xlsx",
    "reports:evaluation", "reports:evaluation_xlsx",
}  # fmt: skip

# Lists without a pager: the name of their rows in the page's context.
UNPAGED_ROWS = {
    "enforcement:basis_list": "bases",
    "lookback:ratings": "records",
    "lookback:spot_checks": "checks",
    "reviews:agency_public": "entries",
    "integrity:public_results": "rows",
}

# Lists the demo city leaves as long (or empty) at both sizes, and the test that pins them.
PINNED_ELSEWHERE = {
    "reviews:applications": "tests/reviews/test_review_views.py: the same at 2 and 10 reviews",
    "reviews:confirmation_list": "tests/reviews/test_certificates.py: 8 for 7 conclusions",
    "reviews:re_review_queue": "tests/lookback/test_re_review.py: 12 with re-reviews queued",
}

# GET pages about no one row that are no list: forms, redirects, files that do not hold data.
NOT_LISTS = {
    "healthz", "login", "password_change", "password_change_done", "portal:home",
    "portal:notification_settings", "portal:account_create", "enterprises:create",
    "enterprises:mine", "enterprises:creation_list_bulk", "enterprises:import",
    "enterprises:import_template", "reviews:apply", "reviews:agency_mine",
    "reviews:agency_create", "enforcement:basis_add", "outreach:event_create",
    "outreach:dispatch_create", "outreach:practice_create", "reports:my_county_dashboard",
    "reports:year_setup", "reports:target_edit", "integrity:settings", "integrity:verify_script",
    "integrity:public_draw", "integrity:public_draw_json",  # one draw, by its number
    "reviews:settings",  # one row of settings and its history
    "reviews:standard_list",  # the standards in force: loaded files, not the city's data
}  # fmt: skip


# Rows the demo makes a fixed number of, whatever its size: copied in proportion to the size
# (``_fill``) so that their lists hold more rows in the larger city too. (model, unique field
# → its value in copy ``n`` of the row: kept unique and within the field's length.)
COPIED = {
    "enterprises.Accident": {},
    "enforcement.LegalBasis": {"code": lambda row, n: f"{row.code[:26]}-{n}"},
    "enforcement.Refusal": {"served_on": lambda row, n: row.served_on - dt.timedelta(days=n)},
    "enforcement.Case": {"number": lambda row, n: f"{row.number}-{n}"},
    "reviews.ReviewAgency": {"name": lambda row, n: f"{row.name}{n}"},
    "reviews.AgencyChangeRequest": {},
    "reviews.AgencyListEntry": {},
    "outreach.OutreachEvent": {},
    "outreach.DispatchMeeting": {},
    "outreach.GoodPractice": {},
    "lookback.Campaign": {"year": lambda row, n: row.year - 20 - n},
    "lookback.AgencyRating": {"sequence": lambda row, n: row.sequence + 100 * n},
    "lookback.AuditRound": {},
    "integrity.Draw": {"number": lambda row, n: f"{row.number[:14]}-{n}", "replaces": None},
    "integrity.RevocationCandidate": {"accident": None, "signal": None},
}


def _fill(enterprises: int) -> None:
    """Copies of the demo's fixed rows, certificates in their last months (以备复评), firm
    logins and open assignments of an agency off the list, all in proportion to the size."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from enterprises.models import Enterprise
    from integrity.models import Draw
    from portal.models import SecurityEvent
    from reviews.choices import OFF_THE_LIST_STANDINGS
    from reviews.models import Certificate, Review, ReviewAgency
    from reviews.selectors.agencies import OPEN_ASSIGNMENT_STATUSES

    copies = enterprises // 60
    for label, unique in COPIED.items():
        model = apps.get_model(label)
        rows = list(model.objects.order_by("pk"))
        assert rows, f"the demo city has no {label} to copy"
        made = []
        for n in range(1, copies + 1):
            for row in rows:
                twin = copy.copy(row)
                twin.pk = twin.id = None
                for name, value in unique.items():
                    setattr(twin, name, value(row, n) if callable(value) else value)
                made.append(twin)
        model.objects.bulk_create(made)
    today = timezone.localdate()
    Draw.objects.filter(kind=Draw.Kind.SPOT_CHECK).update(  # the results are public
        status=Draw.Status.PUBLISHED, published_at=timezone.now()
    )
    current = Certificate.objects.filter(
        revoked_at__isnull=True, enterprise__certificate_no=F("number")
    ).order_by("pk")[: 2 * copies]
    Certificate.objects.filter(pk__in=[c.pk for c in current]).update(
        valid_until=today + dt.timedelta(days=30)
    )
    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind=kind, user=user, username=user.username, path="/")
        for user in get_user_model().objects.order_by("pk")[: 4 * copies]
        for kind in (SecurityEvent.Kind.LOGIN, SecurityEvent.Kind.EXPORT)
    )
    firms = Enterprise.objects.order_by("pk")[: 3 * copies]
    get_user_model().objects.bulk_create(
        get_user_model()(username=f"firm{firm.pk}", role="enterprise", enterprise=firm)
        for firm in firms
    )
    off = ReviewAgency.objects.filter(name__endswith="1").order_by("pk").first()
    ReviewAgency.objects.filter(pk=off.pk).update(standing=OFF_THE_LIST_STANDINGS[0])
    demo_agency = get_user_model().objects.get(username="agency").agency_id  # keeps its own
    open_reviews = (
        Review.objects.filter(status__in=OPEN_ASSIGNMENT_STATUSES)
        .exclude(agency=demo_agency)
        .order_by("pk")
    )
    Review.objects.filter(pk__in=[r.pk for r in open_reviews[:copies]]).update(agency=off)
    certified = Review.objects.filter(certificate__isnull=False, agency__isnull=True)
    Review.objects.filter(pk__in=[r.pk for r in certified.order_by("pk")[:copies]]).update(
        agency=demo_agency  # the spot-check's findings read the ratings of the firms' agencies
    )
    concluded = Review.objects.filter(concluded_at__year=today.year).exclude(agency=demo_agency)
    Review.objects.filter(pk__in=[r.pk for r in concluded.order_by("pk")[:copies]]).update(
        agency=demo_agency  # the reviews behind its record
    )


def _first_permitted(users: dict[str, Any]) -> dict[str, tuple[str, Any]]:
    """name → (url, user) for each measured page: the first seat the matrix lets in."""
    found = {}
    for name in sorted(MEASURED):
        for who, url, _method, expected in _cases(name, SPECS[name], users):
            if expected == "ok" and "(out of scope)" not in who:
                found[name] = (url, users[who.split(" (")[0]])
                break
    return found


def _queries(name: str, url: str, user: Any) -> tuple[int, int | None]:
    """The page's queries, read cold, and the rows of its list (None for no pager)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    cache.clear()  # cold: the progress figures and large counts computed as after a change
    reset_queries()  # the log holds 9,000 queries at most; the seeding filled it
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, (url, response.status_code)
    assert not connection.needs_rollback, url
    context = response.context or {}
    if (page := context.get("page_obj")) is not None:
        return len(captured.captured_queries), page.paginator.count
    if key := UNPAGED_ROWS.get(name):
        return len(captured.captured_queries), len(list(context[key]))
    return len(captured.captured_queries), None


def _busiest_agencys_reviews(users: dict[str, Any]) -> tuple[str, Any]:
    """The reviews behind the record of the agency that concluded most (others may have none)."""
    from django.db.models import Count
    from django.urls import reverse

    from lookback.performance import concluded_in
    from portal.http import current_year

    busiest = (
        concluded_in(current_year())
        .filter(agency__isnull=False)
        .values("agency")
        .annotate(n=Count("pk"))
        .order_by("-n", "agency")
        .first()
    )
    return reverse("lookback:performance_reviews", args=[busiest["agency"]]), users["city"]


def _measure(enterprises: int) -> dict[str, tuple[int, int | None]]:
    """The queries (and rows) of each page in the city of that size, which is then undone."""
    point = transaction.savepoint()
    users = matrix.build_world(enterprises)
    _fill(enterprises)
    pages = _first_permitted(users)
    pages["lookback:performance_reviews"] = _busiest_agencys_reviews(users)
    measured = {name: _queries(name, url, user) for name, (url, user) in pages.items()}
    transaction.savepoint_rollback(point)
    cache.clear()
    return measured


def test_every_list_dashboard_and_export_asks_the_same_queries_at_two_sizes(settings):
    settings.DEBUG = True  # the demo logins are seeded only with DEBUG on
    few, many = _measure(SMALL), _measure(LARGE)
    assert set(few) == set(many) == MEASURED
    grown = {
        name: f"{few[name][0]} → {many[name][0]} queries"
        for name in sorted(few)
        if many[name][0] != few[name][0]
    }
    assert not grown, grown
    # A list that holds no more rows in the larger city proves nothing: each grows (lists of
    # a row per county, which the size does not change, show no count and are not asked).
    same = {
        name: f"{few[name][1]} → {many[name][1]} rows"
        for name in sorted(few)
        if few[name][1] is not None and not 0 < few[name][1] < many[name][1]
    }
    assert same.keys() == PINNED_ELSEWHERE.keys(), same


def test_every_page_about_no_one_row_is_measured_or_named_as_no_list():
    pages = {
        name for name, spec in SPECS.items() if spec.method == "get" and not isinstance(spec, Obj)
    }
    assert not pages - MEASURED - NOT_LISTS, sorted(pages - MEASURED - NOT_LISTS)
    assert not (MEASURED | NOT_LISTS) - set(SPECS), sorted((MEASURED | NOT_LISTS) - set(SPECS))
