"""The integrity pages: a county sees the signals about its own firms, the city works them and
exports the list, the settings keep their history, the public pages need no login."""

import io

import openpyxl
import pytest
from django.test import Client

from integrity.models import Signal
from integrity.services.signals import city_settings
from portal.audit import history_for
from tests.access import assert_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def signals(zhifu, fushan, make_enterprise):
    from django.utils import timezone

    def make(county, summary, score):
        return Signal.objects.create(
            kind=Signal.Kind.CLEAN_PASS, key=summary, score=score, summary=summary,
            evidence=[["不符合项", "0"]], county=county,
            enterprise=make_enterprise(county=county), seen_at=timezone.now(),
        )  # fmt: skip

    return make(zhifu, "芝罘的预警", 3), make(fushan, "福山的预警", 5)


def test_the_city_ranks_every_signal_and_a_county_sees_its_own(
    signals, city_user, county_user, enterprise_user, django_assert_max_num_queries
):
    mine, theirs = signals
    client = Client()
    client.force_login(city_user)
    with django_assert_max_num_queries(12):
        page = client.get("/integrity/signals/").content.decode()
    assert page.index("福山的预警") < page.index("芝罘的预警")  # ranked by score
    client.force_login(county_user)
    page = client.get("/integrity/signals/").content.decode()
    assert "芝罘的预警" in page and "福山的预警" not in page
    assert_access(theirs.get_absolute_url(), {county_user: 404, city_user: 200})
    assert_access("/integrity/signals/", {enterprise_user: 403, None: 302})


def test_the_list_filters_by_county_and_exports_what_it_shows(signals, city_user, zhifu):
    client = Client()
    client.force_login(city_user)
    page = client.get("/integrity/signals/", {"county": zhifu.pk}).content.decode()
    assert "芝罘的预警" in page and "福山的预警" not in page
    response = client.get("/integrity/signals/export.xlsx", {"county": zhifu.pk})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "预警类型" and [r[1] for r in rows[1:]] == ["芝罘的预警"]


def test_a_county_sees_signals_about_agencies_that_reviewed_there_and_no_others(
    signals, county_user, zhifu, fushan
):
    """An agency's signal names the counties it reviewed in; a county sees it only if it is
    one of them, in the list, on its page and in the export, whatever filter it asks for."""
    from django.utils import timezone

    from tests.factories import AgencyFactory

    def about_agency(name, counties):
        signal = Signal.objects.create(
            kind=Signal.Kind.AGENCY_FAILURES, key=name, score=4,
            summary=f"{name}通过的企业后来出事", evidence=[["通过的企业", "10"]],
            agency=AgencyFactory(name=name),
            seen_at=timezone.now(),
        )  # fmt: skip
        signal.counties.set(counties)
        return signal

    here = about_agency("在芝罘评审的机构", [zhifu, fushan])
    elsewhere = about_agency("只在福山评审的机构", [fushan])
    client = Client()
    client.force_login(county_user)
    for query in ({}, {"county": fushan.pk}, {"agency": elsewhere.agency_id}):
        page = client.get("/integrity/signals/", query).content.decode()
        assert "只在福山评审的机构通过" not in page and "福山的预警" not in page
    page = client.get("/integrity/signals/").content.decode()
    assert "在芝罘评审的机构通过" in page and "芝罘的预警" in page
    assert_access(elsewhere.get_absolute_url(), {county_user: 404})
    assert_access(here.get_absolute_url(), {county_user: 200})
    response = client.get("/integrity/signals/export.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    summaries = sorted(row[1].value for row in sheet.iter_rows(min_row=2))
    assert summaries == ["在芝罘评审的机构通过的企业后来出事", "芝罘的预警"]


def test_the_export_costs_the_same_few_queries_for_many_signals(
    signals, city_user, zhifu, make_enterprise, django_assert_max_num_queries
):
    from django.utils import timezone

    for n in range(30):
        Signal.objects.create(
            kind=Signal.Kind.FEE_OUTLIER, key=f"fee{n}", score=n, summary=f"收费{n}",
            county=zhifu, enterprise=make_enterprise(county=zhifu), seen_at=timezone.now(),
        )  # fmt: skip
    client = Client()
    client.force_login(city_user)
    with django_assert_max_num_queries(8):
        response = client.get("/integrity/signals/export.xlsx")
        rows = list(openpyxl.load_workbook(
            io.BytesIO(b"".join(response.streaming_content))
        ).active.iter_rows(values_only=True))  # fmt: skip
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert len(rows) == 33 and rows[1][0] == "评审收费明显偏离"  # header, ranked by score


def test_each_signal_page_explains_why_in_plain_chinese(signals, city_user):
    client = Client()
    client.force_login(city_user)
    page = client.get(signals[0].get_absolute_url()).content.decode()
    assert "几乎每家企业都有可以改进之处" in page and "不符合项" in page


def test_the_city_works_a_signal_to_a_decision_on_its_page(signals, city_user, county_user):
    signal = signals[0]
    assert_access(f"/integrity/signals/{signal.pk}/decide/", {county_user: 403}, method="post")
    client = Client()
    client.force_login(city_user)
    client.post(
        f"/integrity/signals/{signal.pk}/decide/",
        {"decision": "explain", "action": "", "note": "企业确实管理规范"},
    )
    signal.refresh_from_db()
    assert signal.status == "explained" and signal.decided_by == city_user
    page = client.get(signal.get_absolute_url()).content.decode()
    assert "企业确实管理规范" in page and "核实后说明不予处理" in page


def test_the_city_changes_a_threshold_and_the_change_is_kept(city_user, county_user):
    current = city_settings()
    data = {name: getattr(current, name) for name in [
        "feasible_review_days", "min_onsite_days_large", "min_onsite_days_medium",
        "min_onsite_days_small", "min_onsite_days_micro", "min_reviews", "outlier_z",
        "fee_ratio", "fee_min_group", "failure_rate", "copy_min_deductions",
    ]}  # fmt: skip
    data["feasible_review_days"] = 150
    assert_access("/integrity/settings/", {county_user: 403}, method="post", data=data)
    client = Client()
    client.force_login(city_user)
    response = client.post("/integrity/settings/", {**data, "version": current.version})
    assert response.status_code == 302
    assert city_settings().feasible_review_days == 150
    assert history_for(current).filter(action="修改诚信预警设置").exists()
    bad = client.post("/integrity/settings/", {**data, "fee_ratio": "很多"})
    assert bad.status_code == 200 and "收费偏离倍数" in bad.content.decode()
    assert "invalid-feedback" in bad.content.decode()
