"""The whole path in a real browser, as the demo's users walk it (烟安监〔2016〕6号):

自评 → 申请评审 → 县级受理委派 → 机构组建评审组、逐项评分、作出结论 → 县级在评审报告页确认发证 →
编制并发布公示（异议期内不得公告）→ 公示期满后编制并发布公告 → 市局收到公告 → 公众在
达标企业名单中查到该企业及其等级.

The demo world comes from ``seed_demo`` and its logins ``county``, ``agency`` and ``city`` are
used as they are. The demo ``enterprise`` login's firm is already in rectification, so the walk
adds one new small 机械 firm of 芝罘区 to the creation list, with its own login.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.e2e.conftest import CHROMIUM, SKIP_REASON

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=SKIP_REASON),
]

DEMO_PASSWORD = "Yantai-2016-demo"
FIRM_NAME = "烟台芝罘全程机械有限公司"
FIRM_LOGIN = "walk-enterprise"
FIRM_PASSWORD = "Correct-horse-42"
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def demo_world(transactional_db, settings, tmp_path):
    """The demo (a small one) plus a listed small 机械 firm of 芝罘区 that has not started."""
    from enterprises.choices import SizeClass, Status
    from enterprises.models import County, CreationListEntry, Industry
    from tests.factories import EnterpriseFactory, UserFactory

    settings.MEDIA_ROOT = tmp_path / "media"  # evidence files stay out of the repository
    call_command("seed_demo", enterprises=150, force=True, stdout=io.StringIO())
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
    UserFactory(username=FIRM_LOGIN, role="enterprise", enterprise=firm)
    return firm


class Walker:
    """One role's browser session: a fresh context, logged in through the login page."""

    def __init__(self, browser, base_url: str, shots, who: str):
        self.context = browser.new_context(base_url=base_url, locale="zh-CN")
        self.page = self.context.new_page()
        self.shots = shots
        self.who = who
        self.dialogs: list[str] = []
        self.errors: list[str] = []

        def accept(dialog):
            self.dialogs.append(dialog.message)
            dialog.accept()

        self.page.on("dialog", accept)
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", self._console)
        self.page.on("response", self._response)

    def _console(self, message) -> None:
        # Failed loads are reported by _response, with their address.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.errors.append(message.text)

    def _response(self, response) -> None:
        # The browser asks for /favicon.ico on its own; the portal has none (not a page error).
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.errors.append(f"{response.status} {response.url}")

    def login(self, username: str, password: str) -> None:
        page = self.page
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        assert "/accounts/login/" not in page.url, f"{username} 未能登录"

    def nav(self, name: str) -> None:
        """Follow a menu entry (top-level or in its app's drop-down)."""
        menu = self.page.locator("#portal-navbar-content")
        entry = f"a:text-is('{name}')"
        link = menu.locator(entry).first
        if not link.is_visible():
            # Grouped under its app's drop-down ("评审管理", "企业管理", …): open that one.
            group = menu.locator("li.dropdown").filter(has=self.page.locator(entry))
            group.locator("a.dropdown-toggle").click()
        link.click()

    def bell(self, *texts: str) -> None:
        """The bell in the header shows unread notifications, and the list names each text."""
        from playwright.sync_api import expect

        page = self.page
        page.goto("/notifications/?unread=1")
        expect(page.locator(".portal-bell .badge")).to_be_visible()
        for text in texts:
            expect(page.locator(".list-group-item").filter(has_text=text).first).to_be_visible()

    def follow(self, text: str) -> None:
        """Open the object of the (unread) notification that says ``text``."""
        item = self.page.locator(".list-group-item").filter(has_text=text).first
        item.get_by_role("button", name="查看").click()
        self.page.wait_for_load_state()

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def close(self) -> None:
        self.context.close()
        assert not self.errors, f"{self.who}：浏览器报错 {self.errors}"


def expect_message(page, text: str) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_text(text).first).to_be_visible()


def test_demo_users_walk_a_firm_from_self_assessment_to_the_public_list(
    demo_world, live_server, browser, shots
):
    from playwright.sync_api import expect

    from enterprises.choices import Status
    from reviews.models import Announcement, Review

    firm = demo_world
    year = timezone.localdate().year
    number = f"芝安监〔{year}〕88号"
    publicity_number = f"芝安监〔{year}〕87号"

    # --- The firm assesses itself (自评) and applies for review (申请评审) ---------------------
    ent = Walker(browser, live_server.url, shots, "企业")
    ent.login(FIRM_LOGIN, FIRM_PASSWORD)
    page = ent.page
    page.goto("/reviews/assessments/")
    page.get_by_role("button", name="开始自评").click()
    expect_message(page, "已开始自评")
    deductions = page.get_by_role("spinbutton", name=re.compile(r"扣分$"))
    count = deductions.count()
    assert count == 135, "省级小微企业标准的135条考评内容应全部列出"
    for position in range(count):
        deductions.nth(position).fill("0")
    # One item (11.6, drills, 10 points) short of full points, with its reason (required).
    page.get_by_role("spinbutton", name="11.6 扣分", exact=True).fill("2")
    page.get_by_role("textbox", name="11.6 扣分理由", exact=True).fill("应急预案未演练")
    page.get_by_label("自评组组长").fill("张安全（安全科长）")
    page.get_by_label("自评组成员").fill("李明（车间主任）\n王芳（设备员）")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#assessment-score")).to_have_text("99.8")  # 998 / 1000
    page.get_by_role("button", name="提交自评").click()
    expect(page.get_by_role("heading", name=re.compile("自评（已提交）"))).to_be_visible()
    assert any("提交后自评将锁定" in message for message in ent.dialogs), "确认对话框未出现"
    ent.shot("01-self-assessment")

    ent.nav("申请评审")
    page.get_by_role("button", name="提交评审申请").click()
    expect_message(page, "评审申请已提交")
    firm.refresh_from_db()
    assert firm.status == Status.APPLIED

    # --- The county accepts and assigns the demo agency ---------------------------------------
    county = Walker(browser, live_server.url, shots, "县级")
    county.login("county", DEMO_PASSWORD)
    page = county.page
    county.bell(f"{FIRM_NAME}申请评审，请受理")
    county.nav("评审申请")
    row = page.get_by_role("row").filter(has_text=FIRM_NAME)
    row.get_by_role("link", name="受理委派").click()
    agency_name = "烟台安华安全技术咨询有限公司"
    page.get_by_label("评审机构").select_option(label=agency_name)
    page.get_by_label("评审经费方式").select_option(label="政府购买服务")
    page.get_by_label("评审费用（元）").fill("6000")
    page.get_by_role("button", name="受理并委派").click()
    expect(page.get_by_text(agency_name).first).to_be_visible()
    review = Review.objects.get(enterprise=firm)
    assert review.agency.name == agency_name
    page.get_by_role("link", name=re.compile("评审委派单")).click()
    expect(page.get_by_role("heading", name="安全生产标准化评审委派单")).to_be_visible()
    expect(page.get_by_text(review.assignment_no).first).to_be_visible()
    county.shot("02-assignment-letter")

    # --- The agency sets up its team, scores every item and concludes -------------------------
    agency = Walker(browser, live_server.url, shots, "评审机构")
    agency.login("agency", DEMO_PASSWORD)
    page = agency.page
    agency.bell(f"评审委派单{review.assignment_no}")
    agency.nav("评审任务")
    page.get_by_role("link", name=FIRM_NAME).click()
    page.get_by_role("link", name="评审组").click()
    experts = page.get_by_role("checkbox")
    experts.nth(0).check()
    experts.nth(1).check()
    page.get_by_label("组长").select_option(index=1)
    page.get_by_role("button", name="保存评审组").click()
    expect(page.get_by_text("组长", exact=True)).to_be_visible()

    page.get_by_role("link", name="现场评审与四个结合").click()
    today = timezone.localdate()
    page.get_by_label("现场评审开始").fill(today.isoformat())
    page.get_by_label("现场评审结束").fill(today.isoformat())
    page.get_by_label("责任管理机制建立情况").fill("建立全员安全生产责任制，逐级签订责任书")
    page.get_by_label("全员培训日期").fill(today.isoformat())
    page.get_by_label("培训人数", exact=True).fill(str(firm.employees or 36))
    page.get_by_label("危险、危害场所辨识").fill("喷漆房、配电室")
    page.get_by_label("特殊作业场所辨识").fill("有限空间：污水池")
    page.get_by_label("风险节点辨识").fill("动火作业\n起重吊装")
    page.get_by_role("button", name="保存", exact=True).click()
    expect_message(page, "评审记录已保存")
    expect(page.get_by_text(f"培训{firm.employees or 36}人")).to_be_visible()
    # Each place, site and risk point is a row; each hazard found is one, with its evidence.
    expect(page.get_by_role("listitem").filter(has_text="起重吊装")).to_be_visible()
    page.get_by_role("link", name="登记隐患").click()
    page.get_by_label("隐患描述").fill("消防通道堵塞")
    page.get_by_label("现场整改情况").fill("当场清理通道，评审组复查畅通")
    page.get_by_label("佐证材料").set_input_files(
        files=[{"name": "通道清理后.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="登记隐患").click()
    expect_message(page, "隐患已登记")
    expect(page.get_by_role("link", name="通道清理后.pdf")).to_be_visible()
    page.get_by_role("link", name="返回评审").click()

    page.get_by_role("link", name="逐项评分").click()
    scores = page.get_by_role("spinbutton", name=re.compile(r"评审扣分$"))
    assert scores.count() == count
    for position in range(count):
        scores.nth(position).fill("0")
    page.get_by_role("spinbutton", name="11.6 评审扣分", exact=True).fill("3")
    page.get_by_role("textbox", name="11.6 扣分理由", exact=True).fill("演练记录不全")
    page.get_by_role("button", name="保存评分").click()
    page.goto(f"/reviews/{review.pk}/")
    expect(page.get_by_text("当前评分：99.7")).to_be_visible()

    # A nonconformity on item 11.6 holds the conclusion until its rectification is verified.
    page.get_by_role("link", name="提出不符合项").click()
    item = page.get_by_label("对应评分项")
    item.select_option(label=item.get_by_role("option", name=re.compile(r"^11\.6 ")).inner_text())
    page.get_by_label("不符合项描述").fill("未开展年度应急演练")
    page.get_by_label("整改期限").fill((today + dt.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="保存不符合项").click()
    expect_message(page, "不符合项已记录")
    expect(page.get_by_text("还有1个不符合项未整改到位")).to_be_visible()
    expect(page.get_by_role("button", name="作出评审结论")).to_be_disabled()

    # --- The firm answers the nonconformity with evidence; the agency verifies it ------------
    page = ent.page
    ent.bell("评审申请已受理", "1项不符合项待整改")
    page.goto("/")  # the firm's home says its next step in words
    expect(page.locator(".portal-todo")).to_contain_text("1项不符合项待整改，期限")
    ent.bell("1项不符合项待整改")
    ent.follow("1项不符合项待整改")
    page.get_by_label("整改情况").fill("已于本月组织全员应急演练，记录附后")
    page.get_by_label("佐证材料").set_input_files(
        files=[{"name": "应急演练记录.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_role("button", name="提交整改情况").click()
    expect_message(page, "整改情况已提交")
    expect(page.get_by_role("link", name="应急演练记录.pdf")).to_be_visible()

    page = agency.page
    agency.bell(f"{FIRM_NAME}提交了整改情况，请核查")
    agency.follow(f"{FIRM_NAME}提交了整改情况，请核查")
    page.get_by_label("整改到位").check()
    page.get_by_label("核查意见").fill("演练记录齐全，整改到位")
    page.get_by_role("button", name="提交核查意见").click()
    expect_message(page, "已确认整改到位")
    agency.shot("02-review")
    problems = page.locator("ul.text-danger")
    assert not problems.count(), problems.all_inner_texts()
    page.get_by_role("button", name="作出评审结论").click()
    conclusion = page.get_by_text(re.compile("^结论："))
    expect(conclusion).to_have_text(re.compile(r"^结论：\s*达标\s*$"))
    agency.close()

    # --- The county confirms (certificate) and publishes an announcement -----------------------
    page = county.page
    county.bell(f"{FIRM_NAME}评审结论：达标，请确认")
    page.goto("/reviews/certificates/confirm/")
    page.get_by_role("row").filter(has_text=FIRM_NAME).get_by_role(
        "link", name="查看评审报告并确认"
    ).click()
    expect(page.get_by_role("heading", name="安全生产标准化评审报告")).to_be_visible()
    county.shot("03-review-report")
    page.get_by_role("button", name="确认评审结论").click()
    page.wait_for_load_state()
    firm.refresh_from_db()
    assert firm.status == Status.CONFIRMED and firm.certificate_no
    page.goto(f"/reviews/certificates/{firm.certificates.get().pk}/print/")
    expect(page.get_by_text(firm.certificate_no).first).to_be_visible()
    expect(page.get_by_text("发证机关")).to_be_visible()
    county.shot("03-certificate")

    # 公示 first: the county publishes the result open to objection for five working days.
    county.nav("公告")
    page.get_by_role("link", name="编制公示").click()
    page.get_by_label("文号").fill(publicity_number)
    page.get_by_label("标题").fill(f"芝罘区{year}年安全生产标准化达标企业公示")
    page.get_by_label(FIRM_NAME).check()
    page.get_by_role("button", name="保存草稿").click()
    expect(
        page.get_by_role("heading", name=re.compile(re.escape(publicity_number)))
    ).to_be_visible()
    page.get_by_role("button", name="发布公示").click()
    expect(page.get_by_role("alert").filter(has_text="异议期开始")).to_be_visible()
    expect(page.get_by_text("现予公示")).to_be_visible()
    county.shot("03-publicity")
    publicity = Announcement.objects.get(number=publicity_number)
    assert publicity.objection_until > timezone.localdate()

    # The 公告 is refused while the 公示 runs: the firm is not offered.
    county.nav("公告")
    page.get_by_role("link", name="编制公告").click()
    expect(page.get_by_label(FIRM_NAME)).to_have_count(0)

    # Five working days later (the clock stands still in a browser walk: the period is moved
    # back, as the passing days would), the firm may be announced.
    Announcement.objects.filter(pk=publicity.pk).update(
        objection_until=timezone.localdate() - dt.timedelta(days=1)
    )
    page.reload()
    page.get_by_label("文号").fill(number)
    page.get_by_label("标题").fill(f"芝罘区{year}年安全生产标准化达标企业公告")
    page.get_by_label(FIRM_NAME).check()
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_role("heading", name=re.compile(re.escape(number)))).to_be_visible()
    page.get_by_role("button", name="发布并报市局").click()
    expect(page.get_by_role("alert").filter(has_text="已发布并报市局")).to_be_visible()
    county.shot("03-announcement")
    county.close()
    firm.refresh_from_db()
    assert firm.status == Status.ANNOUNCED
    ent.bell(
        "不符合项整改到位",
        "评审结论：达标",
        "等级证书已颁发",
        f"您企业已列入公示{publicity_number}",
        f"您企业已列入公告{number}",
    )
    ent.close()

    # --- The city sees the announcement among its incoming ones -------------------------------
    city = Walker(browser, live_server.url, shots, "市局")
    city.login("city", DEMO_PASSWORD)
    city.bell(f"芝罘区发布公示{publicity_number}", f"芝罘区发布公告{number}")
    city.nav("公告")
    expect(city.page.get_by_role("link", name=number)).to_be_visible()
    city.close()

    # --- Anyone, without logging in, finds the firm and its grade on the public list ----------
    public = Walker(browser, live_server.url, shots, "公众")
    page = public.page
    page.goto("/reviews/public/")
    page.get_by_role("searchbox", name="企业名称或统一社会信用代码").fill(FIRM_NAME)
    page.get_by_role("button", name="查询").click()
    row = page.get_by_role("row").filter(has_text=FIRM_NAME)
    expect(row.get_by_role("cell", name="达标", exact=True)).to_be_visible()
    expect(row).to_contain_text(number)
    expect(row).to_contain_text(firm.certificate_no)
    public.shot("04-public-list")
    public.close()
