"""A progress report for a past date counts each firm as it stood on that date, from the
transition history: re-running last Monday's report gives last Monday's numbers."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from enterprises.choices import RemovalReason, Status
from enterprises.models import CreationListEntry, CreationListRemoval
from reports.models import ProgressSnapshot
from reports.services.progress import ROW_FIELDS, build_progress_report
from reviews.workflows.lifecycle import LIFECYCLE

pytestmark = pytest.mark.django_db
REAL_NOW = timezone.now


def figures(snap):
    return {r.county_id: {f: getattr(r, f) for f in ROW_FIELDS} for r in snap.rows.all()}


def on_list(firm, year):
    CreationListEntry.objects.create(enterprise=firm, year=year, target_date=dt.date(year, 12, 31))
    return firm


def the_next_day(monkeypatch):
    """The clock moves to the next morning: what happens now is history after ``today``."""
    later = REAL_NOW() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: later)


@pytest.fixture
def programme(make_enterprise, zhifu, fushan):
    year = timezone.localdate().year
    make = {
        status: [on_list(make_enterprise(county=c, status=status), year) for c in (zhifu, fushan)]
        for status in (Status.LISTED, Status.CONCLUDED, Status.CONFIRMED, Status.APPLIED)
    }
    return year, make


def move_on(city_user, firms, make_enterprise, zhifu, year):
    """The week goes on: firms start, pass, lose their grade; one is taken off the list."""
    for firm in firms[Status.LISTED]:
        LIFECYCLE.apply(firm, "start_self_assessment", actor=city_user, trusted=True)
    for firm in firms[Status.CONCLUDED]:
        LIFECYCLE.apply(firm, "confirm", actor=city_user, trusted=True)
    LIFECYCLE.apply(firms[Status.CONFIRMED][0], "revoke", actor=city_user, trusted=True)
    gone = firms[Status.APPLIED][0]
    CreationListRemoval.objects.create(
        enterprise=gone,
        county=gone.county,
        year=year,
        reason=RemovalReason.SHUT_DOWN,
        evidence="x.pdf",
    )
    CreationListEntry.objects.filter(enterprise=gone, year=year).delete()


def test_a_back_dated_snapshot_equals_the_one_taken_that_day(
    programme, city_user, make_enterprise, zhifu, monkeypatch
):
    year, firms = programme
    today = timezone.localdate()
    that_day = figures(build_progress_report(today=today, year=year))
    the_next_day(monkeypatch)
    move_on(city_user, firms, make_enterprise, zhifu, year)
    assert figures(build_progress_report(today=today + dt.timedelta(days=1), year=year)) != that_day
    assert figures(build_progress_report(today=today, year=year)) == that_day


def test_the_back_dated_report_counts_that_days_passes(
    programme, city_user, make_enterprise, zhifu, monkeypatch
):
    year, firms = programme
    today = timezone.localdate()
    the_next_day(monkeypatch)
    move_on(city_user, firms, make_enterprise, zhifu, year)
    row = build_progress_report(today=today, year=year).rows.get(county=zhifu)
    assert (row.listed, row.passed, row.self_assessed) == (4, 1, 3)


def test_the_back_dated_snapshot_asks_no_query_per_firm(
    programme, city_user, make_enterprise, zhifu, monkeypatch, django_assert_max_num_queries
):
    year, firms = programme
    today = timezone.localdate()
    the_next_day(monkeypatch)
    move_on(city_user, firms, make_enterprise, zhifu, year)
    with django_assert_max_num_queries(30) as few:
        build_progress_report(today=today, year=year)
    for _ in range(20):
        firm = on_list(make_enterprise(county=zhifu, status=Status.LISTED), year)
        LIFECYCLE.apply(firm, "start_self_assessment", actor=city_user, trusted=True)
    with django_assert_max_num_queries(len(few.captured_queries)):
        build_progress_report(today=today, year=year)


def test_the_city_asks_the_bulletin_page_for_a_past_day_and_gets_that_day_s_numbers(
    programme, city_user, make_enterprise, zhifu, monkeypatch, client,
    django_capture_on_commit_callbacks, settings, tmp_path,
):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path
    year, firms = programme
    today = timezone.localdate()
    that_day = figures(build_progress_report(today=today, year=year))
    the_next_day(monkeypatch)
    move_on(city_user, firms, make_enterprise, zhifu, year)
    client.force_login(city_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:snapshot_generate"), {"year": year, "taken_on": today.isoformat()}
        )
    assert response.status_code == 302
    assert figures(ProgressSnapshot.objects.get(year=year, taken_on=today)) == that_day


def test_the_page_offers_a_day_of_the_year_shown_and_nothing_for_a_year_to_come(client, city_user):
    client.force_login(city_user)
    url = reverse("reports:snapshots")
    year = timezone.localdate().year
    page = client.get(url, {"year": 2016}).content.decode()
    assert 'value="2016-12-31"' in page and 'min="2016-01-01"' in page
    assert 'name="taken_on"' not in client.get(url, {"year": year + 1}).content.decode()
    response = client.post(
        reverse("reports:snapshot_generate"), {"year": 2016, "taken_on": f"{year}-01-05"}
    )
    assert response.status_code == 302
    assert not ProgressSnapshot.objects.exists()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    client.post(reverse("reports:snapshot_generate"), {"taken_on": tomorrow.isoformat()})
    assert not ProgressSnapshot.objects.exists()
