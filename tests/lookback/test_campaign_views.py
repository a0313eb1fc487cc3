import datetime as dt

import pytest
from django.utils import timezone

from enterprises.choices import Status
from lookback.models import SelfCheck, SpotCheckOutcome
from lookback.services import agency_rating_submit, campaign_open, spot_check_draw
from tests.access import assert_access
from tests.factories import phases_ahead, review_in
from tests.lookback.samples import spot_sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(city_user):
    return campaign_open(year=2016, actor=city_user, deadlines=phases_ahead())


@pytest.fixture
def fushan_user(make_user, fushan):
    return make_user(role="county", county=fushan)


@pytest.fixture
def passed_firm(firm):
    firm.status = Status.ANNOUNCED
    firm.save()
    return firm


def test_campaign_pages_permission_matrix(
    campaign, passed_firm, city_user, county_user, fushan_user, enterprise_user, agency_user
):
    base = f"/lookback/{campaign.pk}/"
    assert_access("/lookback/", {None: 302, city_user: 200, county_user: 200, enterprise_user: 200})
    assert_access(base, {city_user: 200, county_user: 200, enterprise_user: 200, agency_user: 200})
    for page in ("self-checks/", "ratings/", "spot-checks/"):
        assert_access(
            base + page, {city_user: 200, county_user: 200, enterprise_user: 403, agency_user: 403}
        )
    edit = f"{base}self-checks/{passed_firm.pk}/"
    assert_access(edit, {enterprise_user: 200, county_user: 200, fushan_user: 404, city_user: 403})
    assert_access("/lookback/open/", {county_user: 403}, method="post")


def test_a_countys_figure_on_the_dashboard_opens_that_countys_passed_firms_only(
    client, campaign, passed_firm, make_enterprise, fushan, zhifu, city_user
):
    other = make_enterprise(county=fushan, name="烟台福山达标机械有限公司", status=Status.ANNOUNCED)
    client.force_login(city_user)
    page = client.get(f"/lookback/{campaign.pk}/self-checks/?county={fushan.pk}").content.decode()
    assert other.name in page and passed_firm.name not in page and "仅显示：福山区" in page
    everyone = client.get(f"/lookback/{campaign.pk}/self-checks/").content.decode()
    assert other.name in everyone and passed_firm.name in everyone
    junk = client.get(f"/lookback/{campaign.pk}/self-checks/?county=abc")
    assert junk.status_code == 200 and other.name not in junk.content.decode()
    dashboard = client.get(f"/reports/?year={campaign.year}").content.decode()
    assert f"/lookback/{campaign.pk}/self-checks/?county={zhifu.pk}" in dashboard


def test_an_enterprise_files_its_self_check_through_the_page(
    client, campaign, passed_firm, enterprise_user
):
    client.force_login(enterprise_user)
    response = client.post(
        f"/lookback/{campaign.pk}/self-checks/{passed_firm.pk}/",
        {"system_built": "on", "runs_daily": "on", "problems": "应急演练记录缺失"},
    )
    assert response.status_code == 302
    check = SelfCheck.objects.get()
    assert check.method == "self" and not check.agency_performed


def test_the_city_decides_citing_a_rating_and_records_a_spot_check(
    client, campaign, passed_firm, agency, county_user, city_user
):
    review_in(agency, passed_firm, 2016)
    rating = agency_rating_submit(
        campaign=campaign, agency=agency, rating="warning", reason="重收费", actor=county_user,
        rectify_by=dt.date(2016, 10, 1),
    )  # fmt: skip
    spot = spot_check_draw(
        campaign=campaign,
        county=passed_firm.county,
        actor=city_user,
        sample=spot_sample(passed_firm.county),
        draw_number="2016-001",
    )
    client.force_login(city_user)
    deadline = timezone.localdate() + dt.timedelta(days=20)
    client.post(
        f"/lookback/agencies/{agency.pk}/decide/?year=2016",
        {"decision": "warn", "reason": "重收费、轻服务", "ratings": [rating.pk],
         "problem": "fees", "requirements": "退还多收费用", "deadline": deadline.isoformat(),
         "version": agency.version},
    )  # fmt: skip
    agency.refresh_from_db()
    assert agency.standing == "warned"
    outcome = spot.outcomes.get()
    client.post(f"/lookback/outcomes/{outcome.pk}/", {"result": "passes", "note": "运行正常"})
    outcome.refresh_from_db()
    rating.refresh_from_db()
    assert rating.decided and outcome.outcome == SpotCheckOutcome.Outcome.PASSES
    page = client.get(f"/lookback/{campaign.pk}/spot-checks/").content.decode()
    assert "运行正常" in page and spot.draw_number in page


def test_campaign_progress_query_count_does_not_grow(
    client, campaign, make_enterprise, city_user, django_assert_max_num_queries
):
    for _ in range(20):
        make_enterprise(status=Status.ANNOUNCED)
    client.force_login(city_user)
    # 12, and the city's form to reopen a phase (its counties) and the reopenings made
    with django_assert_max_num_queries(14):
        assert client.get(f"/lookback/{campaign.pk}/").status_code == 200


def test_the_rating_page_offers_the_decision_to_the_city_only(
    client, campaign, agency, firm, county_user, city_user
):
    review_in(agency, firm, 2016)
    agency_rating_submit(
        campaign=campaign, agency=agency, rating="good", reason="认真", actor=county_user
    )
    page, decide = f"/lookback/{campaign.pk}/ratings/", f"/lookback/agencies/{agency.pk}/decide/"
    client.force_login(county_user)
    body = client.get(page).content.decode()
    assert "待市局研究" in body and decide not in body and "提交考评" in body
    client.force_login(city_user)
    body = client.get(page).content.decode()
    assert decide in body and "提交考评" not in body


def test_the_rating_form_offers_only_agencies_that_worked_in_the_county(
    client, campaign, agency, firm, county_user
):
    from tests.factories import AgencyFactory

    idle = AgencyFactory(name="未在本县评审的机构")
    review_in(agency, firm, 2016)
    client.force_login(county_user)
    body = client.get(f"/lookback/{campaign.pk}/ratings/").content.decode()
    assert agency.name in body and idle.name not in body


def test_only_the_city_draws_and_only_a_county_rates(
    campaign, passed_firm, agency, county_user, city_user
):
    draw = "/integrity/draws/freeze/"  # the spot-check draw is a public lot (integrity)
    assert_access(draw, {county_user: 403}, method="post", data={"kind": "spot_check"})
    rate = f"/lookback/{campaign.pk}/ratings/"
    review_in(agency, passed_firm, 2016)
    data = {"agency": agency.pk, "rating": "good", "reason": "认真"}
    assert_access(rate, {city_user: 403}, method="post", data=data)
