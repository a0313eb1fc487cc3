"""The per-county progress of a year is computed once and read by every page that shows it;
a change of a firm's standing (any transition of the lifecycle) forgets it at once."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enterprises.choices import Status
from enterprises.models import CreationListEntry, Enterprise
from reports.selectors import county_progress
from reviews.workflows.lifecycle import LIFECYCLE

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2016, 6, 30)


@pytest.fixture
def concluded_firm(deadlines, make_enterprise, zhifu):
    firm = make_enterprise(county=zhifu, status=Status.CONCLUDED)
    CreationListEntry.objects.create(enterprise=firm, year=2016, target_date=D(2016, 9, 30))
    return firm


def zhifu_passed(user) -> int:
    return next(p for p in county_progress(user=user, year=2016, today=TODAY) if p.listed).passed


def queries_of(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def test_the_second_reader_of_the_progress_does_not_count_the_firms_again(
    concluded_firm, city_user, county_staff
):
    first = queries_of(lambda: county_progress(user=city_user, year=2016, today=TODAY))
    again = queries_of(lambda: county_progress(user=city_user, year=2016, today=TODAY))
    county = queries_of(lambda: county_progress(user=county_staff, year=2016, today=TODAY))
    assert again == county == first - 2  # the funnel and the base come from the cache


def test_a_confirmation_shows_on_the_progress_at_once(concluded_firm, city_user, county_staff):
    assert zhifu_passed(city_user) == 0 and zhifu_passed(county_staff) == 0
    LIFECYCLE.apply(concluded_firm, "confirm", actor=city_user, trusted=True)
    assert zhifu_passed(city_user) == 1
    assert zhifu_passed(county_staff) == 1


def test_a_change_outside_the_machines_is_not_seen_until_one_forgets(concluded_firm, city_user):
    """What shows the figures are cached: a raw UPDATE (no transition) is not seen."""
    assert zhifu_passed(city_user) == 0
    Enterprise.objects.filter(pk=concluded_firm.pk).update(status=Status.CONFIRMED)
    assert zhifu_passed(city_user) == 0
    concluded_firm.refresh_from_db()
    LIFECYCLE.apply(concluded_firm, "announce", actor=city_user, trusted=True)
    assert zhifu_passed(city_user) == 1


def test_putting_a_firm_on_the_list_shows_at_once(
    deadlines, make_enterprise, zhifu, city_user, county_staff
):
    from enterprises import services

    before = county_progress(user=city_user, year=2016, today=TODAY)
    assert sum(p.listed for p in before) == 0
    firm = make_enterprise(county=zhifu)
    services.creation_list_add(
        actor=county_staff, enterprise=firm, year=2016, target_date=D(2016, 9, 30)
    )
    assert sum(p.listed for p in county_progress(user=city_user, year=2016, today=TODAY)) == 1
