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


def test_the_nightly_expiry_forgets_the_progress_it_changes(
    deadlines, make_enterprise, zhifu, city_user, county_staff
):
    """``expire_grades`` moves whole batches by one UPDATE, outside ``LIFECYCLE.apply``: its
    hook still forgets the figures, so no page shows an expired firm as passed."""
    from reviews.services.certificates import expire_grades

    firms = [
        make_enterprise(
            county=zhifu, status=Status.ANNOUNCED, grade="pass", certificate_no=f"烟{i}",
            grade_valid_from=D(2013, 6, 1), grade_valid_until=D(2016, 6, 29),
        )
        for i in range(3)
    ]  # fmt: skip
    for firm in firms:
        CreationListEntry.objects.create(enterprise=firm, year=2016, target_date=D(2016, 9, 30))
    cold = queries_of(lambda: zhifu_passed(city_user))
    assert queries_of(lambda: zhifu_passed(city_user)) == cold - 2  # kept, not counted again
    assert zhifu_passed(city_user) == 3 and zhifu_passed(county_staff) == 3
    assert expire_grades(today=TODAY) == 3
    assert zhifu_passed(city_user) == 0 and zhifu_passed(county_staff) == 0


def test_the_dashboards_other_counts_over_every_firm_are_kept_and_forgotten_alike(
    concluded_firm, city_user, county_staff
):
    """The list by industry × size (the other scan of every list entry) and the look-back's
    passed firms per county: read from the cache, forgotten by the same change of standing."""
    from lookback.selectors import passed_by_county
    from reports.dashboards import breakdowns

    def passed(user) -> int:
        industries, sizes = breakdowns(user=user, year=2016)
        assert sum(s.passed for s in sizes) == sum(i.passed for i in industries)
        return sum(s.passed for s in sizes)

    assert passed(city_user) == 0 and passed(county_staff) == 0
    assert queries_of(lambda: breakdowns(user=county_staff, year=2016)) == 1  # the industries
    assert passed_by_county().get(concluded_firm.county_id, 0) == 0  # the look-back's count
    assert queries_of(passed_by_county) == 0
    LIFECYCLE.apply(concluded_firm, "confirm", actor=city_user, trusted=True)
    assert passed(city_user) == 1 and passed(county_staff) == 1
    assert passed_by_county()[concluded_firm.county_id] == 1


def test_the_years_of_the_lists_are_read_once_and_a_new_years_list_shows_at_once(
    concluded_firm, city_user, county_staff, make_enterprise, zhifu
):
    from enterprises.selectors import list_years
    from enterprises.services import creation_list_add

    assert list_years(user=city_user) == [2016]
    assert queries_of(lambda: list_years(user=city_user)) == 0
    newcomer = make_enterprise(county=zhifu)
    creation_list_add(
        actor=county_staff, enterprise=newcomer, year=2017, target_date=D(2017, 6, 30)
    )
    assert list_years(user=city_user) == [2017, 2016]
    assert list_years(user=county_staff) == [2017, 2016]
