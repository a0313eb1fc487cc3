"""Draws anyone can verify, in a real browser (双随机一公开): the city freezes a county's
population for the audit sample, enters the public value when it comes into being and draws; a
logged-out visitor opens the public page, downloads the record and the program and recomputes
the draw on their own machine (一致); the city then works one integrity signal to a decision."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from django.utils import timezone

from tests.e2e.conftest import CHROMIUM, SKIP_REASON
from tests.e2e.test_walk import DEMO_PASSWORD, Walker, demo_world, expect_message

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=SKIP_REASON),
]
__all__ = ["demo_world"]

LOTTERY = "中国福利彩票双色球第2026140期开奖号码"
VALUE = "03 07 12 19 25 31 + 09"


def _county_to_audit():
    """A county with passes this year and no audit open (the demo audits 芝罘区)."""
    from enterprises.models import County
    from lookback.models import AuditRound
    from lookback.selectors import passes_of_year

    year = timezone.localdate().year
    for county in County.objects.exclude(audit_rounds__status=AuditRound.Status.OPEN):
        if passes_of_year(county=county, year=year).exists():
            return county
    pytest.skip("演示数据中没有可抽查审核的县市区")


def test_the_city_draws_by_public_lot_and_a_visitor_recomputes_it(
    demo_world, live_server, browser, shots, tmp_path
):
    from playwright.sync_api import expect

    from integrity.models import Draw, Signal

    county = _county_to_audit()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    city = Walker(browser, live_server.url, shots, "市局")
    city.login("city", DEMO_PASSWORD)
    page = city.page

    city.nav("随机抽取（双随机一公开）")
    page.get_by_label("抽取类型").select_option(label="抽查审核样本（不低于10%）")
    page.get_by_label("县市区（抽查审核）").select_option(label=county.name)
    page.get_by_label("公开随机数来源").fill(LOTTERY)
    page.get_by_label("公开随机数产生日期").fill(tomorrow.isoformat())
    page.get_by_role("button", name="冻结总体并公开").click()
    expect_message(page, "抽取总体已冻结并公开")
    expect(page.get_by_text("公开随机数将于")).to_be_visible()
    city.shot("integrity-01-frozen")

    # The next day: the lottery has drawn. (The clock cannot move in a live server; the
    # draw's dates move back a day instead, which is what the city would see tomorrow.)
    draw = Draw.objects.get(county=county, status=Draw.Status.FROZEN)
    Draw.objects.filter(pk=draw.pk).update(
        frozen_at=draw.frozen_at - dt.timedelta(days=1), public_value_date=timezone.localdate()
    )
    page.goto(draw.get_absolute_url())
    page.get_by_role("textbox", name="公开随机数", exact=True).fill(VALUE)
    page.get_by_role("button", name="抽取", exact=True).click()
    expect_message(page, "已按公开随机数抽取")
    expect(page.get_by_text("一致").first).to_be_visible()
    city.shot("integrity-02-drawn")
    draw.refresh_from_db()
    assert draw.status == Draw.Status.DRAWN and draw.public_value == VALUE

    visitor = Walker(browser, live_server.url, shots, "公众")
    public = visitor.page
    public.goto(draw.get_public_url())
    expect(public.get_by_role("button", name="退出登录")).to_have_count(0)  # nobody signed in
    expect(public.locator(".badge", has_text="一致")).to_be_visible()  # the site's own recount
    expect(public.get_by_text(draw.digest)).to_be_visible()
    expect(public.get_by_text(VALUE)).to_be_visible()
    for code in draw.result:
        expect(public.get_by_text(code).first).to_be_visible()
    with public.expect_download() as record:
        public.get_by_role("link", name="下载抽取记录").click()
    with public.expect_download() as program:
        public.get_by_role("link", name="下载复算程序").click()
    json_path, script_path = tmp_path / "record.json", tmp_path / "verify_draw.py"
    record.value.save_as(json_path)
    program.value.save_as(script_path)
    visitor.shot("integrity-03-public")
    done = subprocess.run(
        [sys.executable, "-I", str(script_path), str(json_path)],
        capture_output=True, text=True, cwd=tmp_path, timeout=30,
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout.strip().endswith("一致"), done.stdout
    visitor.close()

    city.nav("诚信预警")
    first = page.locator("table tbody tr").first.get_by_role("link")
    summary = first.inner_text()
    first.click()
    expect(page.get_by_text("为什么预警")).to_be_visible()
    page.get_by_label("处理结果").select_option(label="已说明，不予处理")
    page.get_by_label("核实说明").fill("经现场核实，该企业管理规范，评审记录属实")
    page.get_by_role("button", name="提交").click()
    expect_message(page, "已记录处理结果")
    expect(page.get_by_text("已说明，不予处理").first).to_be_visible()
    city.shot("integrity-04-signal-decided")
    signal = Signal.objects.get(summary=summary)
    assert signal.status == Signal.Status.EXPLAINED
    city.close()
