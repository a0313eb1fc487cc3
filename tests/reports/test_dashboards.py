"""The dashboards: the city's and each county's progress by industry and size, the weekly trend
with its year-end projection, the look-back, the audits and the agencies; every figure opens
the list behind it, the city drills down to a county, and the queries do not grow with the
data."""

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enterprises.choices import SizeClass, Status
from enterprises.models import CreationListEntry
from reports.services.progress import build_progress_report
from reviews.choices import ReviewStatus
from reviews.models import Review

pytestmark = pytest.mark.django_db
YEAR = 2016


def listed_firms(make_enterprise, county, industries, n: int, agency=None):
    """``n`` firms on the county's 2016 list, spread over stages, sizes and industries, with
    their reviews concluded by ``agency``."""
    stages = [Status.LISTED, Status.SELF_ASSESSING, Status.APPLIED, Status.UNDER_REVIEW,
              Status.ANNOUNCED]  # fmt: skip
    sizes = [SizeClass.SMALL, SizeClass.MICRO, SizeClass.MEDIUM]
    for i in range(n):
        firm = make_enterprise(
            county=county, industry=industries[i % 3], status=stages[i % 5], size=sizes[i % 3]
        )
        CreationListEntry.objects.create(
            enterprise=firm, year=YEAR, target_date=dt.date(YEAR, 12, 31)
        )
        if agency is not None and firm.status == Status.ANNOUNCED:
            Review.objects.create(
                enterprise=firm, agency=agency, status=ReviewStatus.CONFIRMED, result="pass",
                concluded_at=dt.datetime(YEAR, 6, 1, tzinfo=dt.UTC),
            )  # fmt: skip


@pytest.fixture
def world(reference, make_enterprise, zhifu, fushan, agency, deadlines):
    industries = reference["industries"]
    listed_firms(make_enterprise, zhifu, industries, 10, agency)
    listed_firms(make_enterprise, fushan, industries, 5, agency)
    build_progress_report(today=dt.date(YEAR, 6, 6))
    return industries


def grow(world, make_enterprise, zhifu, fushan, agency):
    listed_firms(make_enterprise, zhifu, world, 40, agency)
    listed_firms(make_enterprise, fushan, world, 20, agency)
    build_progress_report(today=dt.date(YEAR, 6, 13))
    build_progress_report(today=dt.date(YEAR, 6, 20))


def queries(client, url: str) -> int:
    """The page's queries with the progress figures not yet kept (the cache cold, as after a
    change of standing), so both sizes compute the same things."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("which", ["city", "county"])
def test_the_dashboards_make_the_same_queries_at_two_sizes(
    client, world, city_user, county_user, make_enterprise, zhifu, fushan, agency, which
):
    user = city_user if which == "city" else county_user
    url = (reverse("reports:dashboard") if which == "city"
           else reverse("reports:county_dashboard", args=[zhifu.pk])) + f"?year={YEAR}"  # fmt: skip
    client.force_login(user)
    few = queries(client, url)
    grow(world, make_enterprise, zhifu, fushan, agency)
    assert queries(client, url) == few


def _links(html: str, needle: str) -> list[tuple[str, int]]:
    """(href, shown number) of every link whose address contains ``needle``."""
    pattern = r'<a href="([^"]*' + re.escape(needle) + r'[^"]*)"[^>]*>(\d+)</a>'
    return [(href.replace("&amp;", "&"), int(n)) for href, n in re.findall(pattern, html)]


@pytest.mark.parametrize("which", ["city", "county"])
def test_every_figure_opens_the_list_of_exactly_its_firms(
    client, world, city_user, county_user, zhifu, which
):
    user = city_user if which == "city" else county_user
    url = (reverse("reports:dashboard") if which == "city"
           else reverse("reports:county_dashboard", args=[zhifu.pk])) + f"?year={YEAR}"  # fmt: skip
    client.force_login(user)
    html = client.get(url).content.decode()
    links = _links(html, "/enterprises/creation-list/") + _links(html, "/enterprises/?")
    assert len(links) >= 15
    for href, shown in links:
        assert client.get(href).context["page_obj"].paginator.count == shown, href


def test_the_city_drills_down_to_a_county_from_its_chart_and_table(client, world, city_user, zhifu):
    client.force_login(city_user)
    page = client.get(reverse("reports:dashboard") + f"?year={YEAR}")
    drill = reverse("reports:county_dashboard", args=[zhifu.pk])
    assert drill in page.context["chart"]["urls"] and drill in page.content.decode()
    county_page = client.get(drill + f"?year={YEAR}")
    assert county_page.context["p"].county == zhifu and county_page.context["p"].listed == 10


def test_a_county_sees_its_own_dashboard_and_no_other(client, world, county_user, zhifu, fushan):
    client.force_login(county_user)
    mine = client.get(reverse("reports:my_county_dashboard"))
    assert mine["Location"] == reverse("reports:county_dashboard", args=[zhifu.pk])
    assert client.get(reverse("reports:county_dashboard", args=[fushan.pk])).status_code == 404


def test_the_trend_follows_the_weekly_snapshots_and_projects_the_year_end(
    client, world, county_user, make_enterprise, zhifu, fushan, agency
):
    grow(world, make_enterprise, zhifu, fushan, agency)
    client.force_login(county_user)
    page = client.get(reverse("reports:county_dashboard", args=[zhifu.pk]) + f"?year={YEAR}")
    trend = page.context["trend"]
    assert trend.dates == ["6月6日", "6月13日", "6月20日"]
    assert trend.passed == [2, 10, 10]  # 芝罘区's own rows only (10 then 50 firms, 1 in 5 passed)
    assert trend.projected == page.context["p"].projected  # the year's last day: the figure now


def test_the_breakdowns_and_the_agency_ranking(client, world, city_user, agency):
    client.force_login(city_user)
    page = client.get(reverse("reports:dashboard") + f"?year={YEAR}")
    sizes = {s.label: (s.listed, s.passed) for s in page.context["sizes"]}
    assert sum(n for n, _ in sizes.values()) == 15
    (standing,) = page.context["agencies"]
    assert (standing.name, standing.concluded, standing.passed, standing.rank) == (
        agency.name,
        3,
        3,
        1,
    )


def test_each_agencys_figures_open_its_performance_record(client, world, city_user, agency):
    client.force_login(city_user)
    html = client.get(reverse("reports:dashboard") + f"?year={YEAR}").content.decode()
    record = reverse("reviews:agency_detail", args=[agency.pk])
    assert [shown for _, shown in _links(html, record)] == [3, 3, 0]
    assert client.get(record).status_code == 200
