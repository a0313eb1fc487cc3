"""The firm on a phone (390 × 844): its login, issued by the county, is changed at the first
sign-in; it assesses itself item by item (the score follows the typing; an upload made with
unsaved edits keeps them), applies for review and answers a nonconformity with evidence. No
page scrolls sideways (``scrollWidth <= clientWidth`` on every page)."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.e2e.conftest import CHROMIUM, SKIP_REASON
from tests.e2e.test_walk import PDF, Walker

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=SKIP_REASON),
]

PHONE = {"width": 390, "height": 844}
WAIT = 30_000  # ms: a page after an upload, on a machine shared by many test runs
FIRM_NAME = "烟台芝罘掌上机械有限公司"
NEW_PASSWORD = "Pocket-Lathe-2016"


@pytest.fixture
def phone_world(transactional_db, settings, tmp_path):
    """A small demo, and a listed small 机械 firm of 芝罘区 whose login the county issues."""
    from enterprises.choices import SizeClass, Status
    from enterprises.models import County, CreationListEntry, Industry
    from portal import services
    from portal.models import User
    from tests.factories import EnterpriseFactory

    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", enterprises=60, force=True, stdout=io.StringIO())
    firm = EnterpriseFactory(
        name=FIRM_NAME,
        county=County.objects.get(name="芝罘区"),
        industry=Industry.objects.get(name="机械"),
        size=SizeClass.SMALL,
        status=Status.LISTED,
    )
    today = timezone.localdate()
    CreationListEntry.objects.create(
        enterprise=firm, year=today.year, target_date=today.replace(month=12, day=31)
    )
    _, temporary = services.account_create(
        actor=User.objects.get(username="county"),
        role="enterprise",
        username="phone-firm",
        full_name="掌上安全员",
        phone="",
        enterprise=firm,
    )
    return firm, temporary


class Phone(Walker):
    """A walker on a 390 px screen that checks every page it lands on for sideways scroll."""

    def __init__(self, browser, base_url, shots, who):
        super().__init__(browser, base_url, shots, who)
        self.page.set_viewport_size(PHONE)
        self.checked: list[str] = []

    def fits(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state()
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert scroll <= client, f"{name}（{page.url}）在 390 像素宽时横向滚动：{scroll} > {client}"
        self.checked.append(name)
        self.shot(f"phone-{len(self.checked):02d}-{name}")


def said(page, text: str) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_text(text).first).to_be_visible(timeout=WAIT)


def _raise_a_nonconformity(firm) -> None:
    """The county assigns the demo agency; the agency forms its team and raises one
    nonconformity (the phone walk is about the firm, so this is done through the services)."""
    from portal.models import User
    from reviews.choices import Funding
    from reviews.models import Review, ReviewAgency
    from reviews.services import review as reviews

    review = Review.objects.get(enterprise=firm)
    agency = ReviewAgency.objects.get(name="烟台安华安全技术咨询有限公司")
    review = reviews.review_assign(
        review=review,
        actor=User.objects.get(username="county"),
        agency=agency,
        funding=Funding.GOVERNMENT,
    )
    agency_user = User.objects.get(username="agency")
    experts = list(agency.experts.order_by("pk"))
    reviews.review_set_team(
        review=review, actor=agency_user, experts=experts[:2], leader=experts[0]
    )
    review.refresh_from_db()
    reviews.nonconformity_add(
        review=review,
        actor=agency_user,
        item=review.standard.items.order_by("order")[2],
        description="未开展年度应急演练",
        deadline=timezone.localdate() + dt.timedelta(days=20),
    )


def test_the_firm_walks_self_assessment_and_a_nonconformity_answer_on_a_phone(
    phone_world, live_server, browser, shots
):
    from playwright.sync_api import expect

    from reviews.models import SelfAssessmentLine

    firm, temporary = phone_world
    ent = Phone(browser, live_server.url, shots, "企业（手机）")
    page = ent.page

    # --- The first sign-in with the county's temporary password goes to the password change ---
    ent.login("phone-firm", temporary)
    expect(page.get_by_role("heading", name="修改密码")).to_be_visible(timeout=WAIT)
    ent.fits("修改初始密码")
    page.locator("#id_old_password").fill(temporary)
    page.locator("#id_new_password1").fill(NEW_PASSWORD)
    page.locator("#id_new_password2").fill(NEW_PASSWORD)
    page.get_by_role("button", name="保存新密码").click()
    page.goto("/")
    ent.fits("本企业")

    # --- Self-assessment, item by item, stacked on the phone ------------------------------------
    page.goto("/reviews/assessments/")
    ent.fits("企业自评")
    page.get_by_role("button", name="开始自评").click()
    said(page, "已开始自评")
    ent.fits("自评表")
    deductions = page.get_by_role("spinbutton", name=re.compile(r"扣分$"))
    count = deductions.count()
    for position in range(count):
        deductions.nth(position).fill("0")
    expect(page.locator("#assessment-score")).to_have_text(
        "100.0", timeout=WAIT
    )  # live, before saving
    page.get_by_label("自评组组长").fill("张安全（安全科长）")
    page.get_by_label("自评组成员").fill("李明（车间主任）")
    page.get_by_role("button", name="保存草稿").click()
    said(page, "草稿已保存")

    # A freshly saved page: choosing a file is no edit, so the upload asks nothing.
    dialogs = len(ent.dialogs)
    row = page.locator("tr[data-points]").nth(0)
    row.locator("input[type=file]").set_input_files(
        files=[{"name": "责任制.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    row.get_by_role("button", name="上传").click()
    expect(page.get_by_role("link", name="责任制.pdf")).to_be_visible(timeout=WAIT)
    assert len(ent.dialogs) == dialogs, ent.dialogs[dialogs:]

    # An out-of-range deduction is marked at once and the score follows the typing.
    deductions = page.get_by_role("spinbutton", name=re.compile(r"扣分$"))
    deductions.nth(2).fill("99")
    expect(page.locator("tr[data-points]").nth(2)).to_have_class(re.compile("table-danger"))
    deductions.nth(2).fill("2")
    expect(page.locator("tr[data-points]").nth(2)).not_to_have_class(re.compile("table-danger"))
    live = page.locator("#assessment-score").inner_text()
    assert live != "100.0", "得分应随扣分即时变化"
    page.get_by_role("textbox", name=re.compile(r"扣分理由$")).nth(2).fill("应急预案未演练")

    # Uploading with these edits unsaved saves them first: nothing typed is lost.
    row = page.locator("tr[data-points]").nth(1)
    row.locator("input[type=file]").set_input_files(
        files=[{"name": "安全管理人员任命.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    row.get_by_role("button", name="上传").click()
    expect(page.get_by_role("link", name="安全管理人员任命.pdf")).to_be_visible(timeout=WAIT)
    page.wait_for_load_state()
    kept = SelfAssessmentLine.objects.filter(assessment__enterprise=firm).order_by("item__order")
    assert kept[2].deducted == 2 and kept[2].reason == "应急预案未演练"
    expect(page.locator("#assessment-score")).to_have_text(live, timeout=WAIT)
    ent.fits("自评表（已上传佐证）")

    page.get_by_role("button", name="提交自评").click()
    expect(page.get_by_role("heading", name=re.compile("自评（已提交）"))).to_be_visible(
        timeout=WAIT
    )
    ent.fits("自评已提交")

    page.goto("/reviews/apply/")
    ent.fits("申请评审")
    page.get_by_role("button", name="提交评审申请").click()
    said(page, "评审申请已提交")

    # --- A nonconformity, answered from the phone ------------------------------------------------
    _raise_a_nonconformity(firm)
    page.goto("/reviews/apply/")
    page.get_by_role("table").get_by_role("link").first.click()
    ent.fits("评审与不符合项")
    answer = "已于本月组织全员应急演练，记录附后"
    page.get_by_label("整改情况").fill(answer)
    # A file that is not what it says is refused, and the typed 整改情况 stays.
    page.get_by_label("佐证材料").set_input_files(
        files=[{"name": "演练.pdf", "mimeType": "application/pdf", "buffer": b"MZ not a pdf"}]
    )
    page.get_by_role("button", name="提交整改情况").click()
    said(page, "已填写的内容已保留")
    expect(page.get_by_label("整改情况")).to_have_value(answer, timeout=WAIT)
    ent.errors = [e for e in ent.errors if not e.startswith("400 ")]  # the refusal itself
    ent.fits("整改情况被退回")
    page.get_by_label("佐证材料").set_input_files(
        files=[{"name": "应急演练记录.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="提交整改情况").click()
    said(page, "整改情况已提交")
    expect(page.get_by_role("link", name="应急演练记录.pdf")).to_be_visible(timeout=WAIT)
    ent.fits("整改情况已提交")

    # --- The bell, and the public pages on the phone -------------------------------------------
    page.goto("/notifications/")
    ent.fits("通知")
    page.goto("/reviews/public/")
    ent.fits("达标企业公示")
    page.goto("/reviews/agencies/list/")
    ent.fits("评审机构动态名单")
    page.goto("/integrity/public/draws/")
    ent.fits("公开随机抽取")
    draws = page.locator("main table a")
    if draws.count():
        draws.first.click()
        ent.fits("随机抽取记录")
    ent.close()
    assert len(ent.checked) >= 13
