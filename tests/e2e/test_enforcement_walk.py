"""Enforcement in a real browser (三（三）执法推进): the demo county marks a listed firm as
refusing, opens a case, inspects it on the five points, records a violation, orders it
corrected, decides a fine at the upper limit, prints the 现场检查记录, follows up and closes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.e2e.conftest import CHROMIUM, SKIP_REASON
from tests.e2e.test_walk import DEMO_PASSWORD, FIRM_NAME, Walker, demo_world, expect_message

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=SKIP_REASON),
]
__all__ = ["demo_world"]  # the fixture, shared with the review walk

POINTS = ["从业人员安全教育培训档案", "隐患排查治理工作开展情况", "职业危害管理情况",
          "特种作业人员持证上岗", "应急预案备案"]  # fmt: skip


def test_a_county_inspects_a_refuser_fines_at_the_upper_limit_and_closes_after_follow_up(
    demo_world, live_server, browser, shots
):
    from playwright.sync_api import expect

    from enforcement.choices import CaseStatus
    from enforcement.models import Case

    firm = demo_world
    today = timezone.localdate().isoformat()
    in_a_month = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    county = Walker(browser, live_server.url, shots, "县级")
    county.login("county", DEMO_PASSWORD)
    page = county.page

    page.goto(firm.get_absolute_url())
    page.get_by_role("link", name="登记拒不创建").click()
    page.get_by_label("告知书文号").fill("芝罘区安监告〔2016〕99号")
    page.get_by_label("送达日期").fill(today)
    page.get_by_label("企业答复").fill("企业负责人称暂不开展标准化创建")
    page.get_by_role("button", name="登记").click()
    expect_message(page, "已登记为拒不创建企业")

    page.goto("/enforcement/refusers/")
    page.get_by_role("row").filter(has_text=FIRM_NAME).get_by_role(
        "button", name="立案检查"
    ).click()
    expect_message(page, "已立案")
    page.get_by_role("link", name="录入现场检查记录").click()
    page.get_by_label("检查地点").fill("生产车间")
    for n, (name, cert) in enumerate([("王建国", "37060099001"), ("李明", "37060099002")], 1):
        page.get_by_label(f"执法人员{n}").fill(name)
        page.get_by_label(f"执法证号{n}").fill(cert)
    for position, point in enumerate(POINTS):
        finding = "违法" if position == 0 else "符合"
        page.get_by_role("radiogroup", name=f"{point}：检查结论").get_by_label(
            finding, exact=True
        ).check()
        page.locator("fieldset").nth(position).get_by_role("textbox").fill(f"查阅{point}相关台账")
    page.get_by_role("button", name="保存现场检查记录").click()
    expect_message(page, "已录入现场检查记录")
    county.shot("enforcement-01-inspected")

    page.get_by_label("违法行为及处罚依据").select_option(index=2)
    page.get_by_label("违法事实").fill("未如实记录安全生产教育和培训情况")
    page.get_by_role("button", name="登记", exact=True).click()
    expect_message(page, "已登记违法行为")
    page.get_by_label("责令限期整改指令书文号").fill("芝罘区安监责改〔2016〕99号")
    page.get_by_label("整改期限").fill(in_a_month)
    page.get_by_role("button", name="责令限期改正").click()
    expect_message(page, "已责令限期改正")
    expect(page.get_by_label("罚款金额（元）")).to_have_value("50000.00")
    page.get_by_label("处罚决定书文号").fill("芝罘区安监罚〔2016〕99号")
    page.get_by_role("button", name="录入处罚决定").click()
    expect_message(page, "按规定上限")

    page.get_by_role("link", name="打印现场检查记录").click()
    expect(page.get_by_text("现场检查记录").first).to_be_visible()
    expect(page.get_by_text("37060099002").first).to_be_visible()
    county.shot("enforcement-02-record")
    page.go_back()

    page.get_by_label("复查结论").select_option(label="已改正")
    page.get_by_label("复查情况").fill("培训记录已补齐")
    page.get_by_role("button", name="录入复查结论").click()
    expect_message(page, "已录入复查结论")
    page.get_by_role("button", name="结案").click()
    expect_message(page, "已结案")
    county.shot("enforcement-03-closed")
    assert Case.objects.get(enterprise=firm).status == CaseStatus.CLOSED
    county.close()
