"""The agencies' standing in a real browser (回头看总结, 动态梳理评审单位名单): the demo county
rates the agency that reviewed there "警告，限期整改"; the city warns it with 整改要求 and a
deadline, citing the rating; at the follow-up the city records 整改到位; the city publishes a
new edition of the dynamic list, which the public page shows without a login, the earlier one
still there."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.e2e.conftest import CHROMIUM, SKIP_REASON
from tests.e2e.test_walk import DEMO_PASSWORD, Walker, demo_world, expect_message

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=SKIP_REASON),
]
__all__ = ["demo_world"]


def test_a_county_rates_the_city_warns_follows_up_and_publishes_the_list(
    demo_world, live_server, browser, shots
):
    from playwright.sync_api import expect

    from enterprises.models import County
    from lookback.models import AgencyRating, Campaign
    from reviews.models import AgencyListEdition, AgencyWarning
    from reviews.selectors.agencies import agencies_reviewed_in

    today = timezone.localdate()
    campaign = Campaign.objects.get(year=today.year)
    agency = agencies_reviewed_in(
        county_id=County.objects.get(name="芝罘区").pk, year=today.year
    ).first()
    editions_before = AgencyListEdition.objects.filter(year=today.year).count()
    deadline = (today + dt.timedelta(days=14)).isoformat()

    # --- The county rates the agency that reviewed in 芝罘区 this year -------------------------
    county = Walker(browser, live_server.url, shots, "县级")
    county.login("county", DEMO_PASSWORD)
    page = county.page
    page.goto(f"/lookback/{campaign.pk}/ratings/")
    page.get_by_label("评审机构").select_option(label=agency.name)
    page.get_by_label("考评结果").select_option(label="警告，限期整改（重收费、轻服务）")
    page.get_by_label("考评意见").fill("评审收费偏高，现场评审时间不足")
    page.get_by_label("整改期限（警告时必填）").fill(deadline)
    page.get_by_role("button", name="提交考评").click()
    expect_message(page, "考评已提交市局")
    county.shot("agency-01-rated")
    county.close()
    rating = AgencyRating.objects.filter(agency=agency, rating="warning").get()

    # --- The city warns it with a deadline, citing the rating ----------------------------------
    city = Walker(browser, live_server.url, shots, "市局")
    city.login("city", DEMO_PASSWORD)
    page = city.page
    city.nav("评审机构")
    page.get_by_role("link", name=agency.name).click()
    page.get_by_role("link", name="作出名单决定").click()
    page.get_by_label("名单决定").select_option(label="警告")
    page.get_by_label("决定理由").fill("县级考评反映重收费、轻服务，予以警告")
    page.get_by_label(f"芝罘区第{rating.sequence}次考评", exact=False).check()
    page.get_by_label("问题类别（警告、限期整改时必填）").select_option(label="重收费、轻服务")
    page.get_by_label("整改要求（警告、限期整改时必填）").fill("退还多收费用，现场评审不少于一天")
    page.get_by_label("整改期限（警告、限期整改时必填）").fill(deadline)
    page.get_by_role("button", name="作出决定").click()
    expect_message(page, f"已对{agency.name}作出名单决定")
    expect(page.get_by_text("退还多收费用，现场评审不少于一天")).to_be_visible()
    city.shot("agency-02-warned")

    # --- The follow-up: 整改到位 → 在册 -----------------------------------------------------------
    page.get_by_role("link", name="记录复查结论").click()
    page.get_by_label("整改到位（恢复在册）").check()
    page.get_by_label("整改情况").fill("已退还多收费用，复查合格")
    page.get_by_role("button", name="记录复查结论").click()
    expect_message(page, "已记录整改复查结论")
    warning = AgencyWarning.objects.get(decision__ratings=rating)
    assert warning.status == "rectified"

    # --- The city publishes a new edition of the dynamic list ----------------------------------
    page.goto("/reviews/agencies/list/")
    page.get_by_label("发布说明").fill("回头看总结后调整")
    page.get_by_role("button", name="发布新一版名单").click()
    expect_message(page, "已发布新一版动态名单")
    city.shot("agency-03-published")
    city.close()
    assert AgencyListEdition.objects.filter(year=today.year).count() == editions_before + 1

    # --- Anyone reads it, without a login ----------------------------------------------------
    public = Walker(browser, live_server.url, shots, "公众")
    page = public.page
    page.goto("/reviews/agencies/list/")
    number = editions_before + 1
    expect(page.locator("p", has_text=f"动态名单（第{number}版）")).to_be_visible()
    row = page.get_by_role("row").filter(has_text=agency.name)
    expect(row).to_contain_text("在册")
    expect(row).to_contain_text("整改到位：已退还多收费用，复查合格")
    with page.expect_navigation():
        page.get_by_label("版次", exact=True).select_option(str(editions_before))
    expect(page.locator("p", has_text=f"动态名单（第{editions_before}版）")).to_be_visible()
    expect(page.get_by_text("回头看总结后调整")).to_have_count(0)
    public.shot("agency-04-public-list")
    public.close()
