"""Announcements (公告): composition, holds, publication and the pages, read like the notice."""

import datetime as dt
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from enterprises.choices import Grade, Status
from portal.audit import history_for
from portal.concurrency import ConcurrentEditError
from portal.statemachine import TransitionRefused
from reviews.choices import AnnouncementKind, AnnouncementStatus
from reviews.models import Announcement, ResultHold
from reviews.selectors.announcements import announceable_certificates
from reviews.services.announcements import (
    announcement_create,
    announcement_publish,
    announcement_update,
)
from reviews.services.certificates import certificate_revoke
from tests.access import assert_access
from tests.reviews.factories_announcements import announcement, certified_firm

pytestmark = pytest.mark.django_db

NUMBER = "芝安监〔2016〕12号"
TITLE = "关于公布2016年第一批小微企业安全生产标准化达标企业名单的公告"


@pytest.fixture
def machinery(reference):
    return reference["industries"][3]


@pytest.fixture
def certify(zhifu, machinery):
    def make(grade=Grade.PASS, county=None, **kwargs):
        return certified_firm(county or zhifu, machinery, grade=grade, publicized=True, **kwargs)

    return make


@pytest.fixture
def fushan_user(make_user, fushan):
    return make_user(role="county", county=fushan)


def compose(user, certificates, number=NUMBER):
    return announcement_create(
        actor=user, county=user.county, number=number, title=TITLE, certificates=certificates
    )


# --- What may be announced ------------------------------------------------------------------


def test_composition_offers_confirmed_pass_and_level3_results_only(certify, zhifu, county_user):
    small = certify(Grade.PASS)
    level3 = certify(Grade.LEVEL3)
    certify(Grade.LEVEL2)
    certify(Grade.LEVEL1)
    assert set(announceable_certificates(county=zhifu)) == {small, level3}


def test_higher_grades_are_refused_with_the_reason(certify, county_user):
    with pytest.raises(ValidationError, match="二级由省级或国家公告"):
        compose(county_user, [certify(Grade.LEVEL2)])


def test_already_announced_results_are_not_offered_again(certify, zhifu, county_user):
    done = certify(Grade.PASS)
    announcement(zhifu, county_user, [done], published=True)
    in_draft = certify(Grade.PASS)
    announcement(zhifu, county_user, [in_draft])
    fresh = certify(Grade.PASS)
    assert list(announceable_certificates(county=zhifu)) == [fresh]
    with pytest.raises(ValidationError, match="不是已确认且未公告的有效结果"):
        compose(county_user, [done])


def test_a_held_county_year_may_not_be_announced_and_says_why(certify, zhifu, county_user):
    held = certify(Grade.PASS, issued_on=dt.date(2016, 8, 1))
    other_year = certify(Grade.PASS, issued_on=dt.date(2017, 2, 1))
    ResultHold.objects.create(county=zhifu, year=2016, reason="抽查审核误差率40%")
    assert list(announceable_certificates(county=zhifu)) == [other_year]
    with pytest.raises(ValidationError, match="2016年度评定结果被市局抽查审核暂缓公告"):
        compose(county_user, [held])


def test_a_released_hold_no_longer_blocks(certify, zhifu, county_user):
    from django.utils import timezone

    certificate = certify(Grade.PASS)
    ResultHold.objects.create(
        county=zhifu, year=2016, reason="误差率超标", released_at=timezone.now()
    )
    assert compose(county_user, [certificate]).certificates.get() == certificate


def test_a_hold_placed_after_drafting_refuses_publication(certify, zhifu, county_user):
    draft = compose(county_user, [certify(Grade.PASS)])
    ResultHold.objects.create(county=zhifu, year=2016, reason="抽查审核误差率35%")
    with pytest.raises(ValidationError, match="暂缓公告"):
        announcement_publish(announcement=draft, actor=county_user)
    draft.refresh_from_db()
    assert draft.status == AnnouncementStatus.DRAFT


def test_a_grade_revoked_after_drafting_refuses_publication(certify, county_user, city_user):
    certificate = certify(Grade.PASS)
    draft = compose(county_user, [certificate])
    certificate_revoke(certificate=certificate, actor=city_user, reason="抽查", source="抽查审核")
    with pytest.raises(ValidationError):
        announcement_publish(announcement=draft, actor=county_user)


def test_a_county_cannot_announce_another_countys_results(certify, fushan, fushan_user):
    with pytest.raises(ValidationError):
        compose(fushan_user, [certify(Grade.PASS)])


@pytest.mark.parametrize("role", ["city", "enterprise", "agency"])
def test_only_county_staff_compose(role, certify, make_user, zhifu, firm, agency):
    binding = {"enterprise": {"enterprise": firm}, "agency": {"agency": agency}}.get(role, {})
    with pytest.raises(PermissionDenied):
        announcement_create(
            actor=make_user(role=role, **binding),
            county=zhifu,
            number=NUMBER,
            title=TITLE,
            certificates=[certify()],
        )


# --- Numbers, drafts and publication --------------------------------------------------------


def test_the_number_is_unique_per_county(certify, county_user, fushan_user, fushan):
    compose(county_user, [certify()])
    with pytest.raises(ValidationError, match="已有文号"):
        compose(county_user, [certify()])
    other = compose(fushan_user, [certify(county=fushan)])  # another county may use it
    assert other.number == NUMBER


def test_the_number_reads_like_a_document_number(certify, county_user):
    with pytest.raises(ValidationError, match="文号格式"):
        compose(county_user, [certify()], number="2016-12")
    assert compose(county_user, [certify()], number="芝安监[2016]7号").number == "芝安监〔2016〕7号"


def test_a_stale_edit_is_refused_and_the_earlier_kept(certify, county_user):
    first, second = certify(), certify()
    draft = compose(county_user, [first])
    opened = draft.version
    announcement_update(
        announcement=draft,
        actor=county_user,
        expected_version=opened,
        number=NUMBER,
        title="先保存的标题",
        certificates=[first, second],
    )
    stale = Announcement.objects.get(pk=draft.pk)
    with pytest.raises(ConcurrentEditError):
        announcement_update(
            announcement=stale,
            actor=county_user,
            expected_version=opened,
            number=NUMBER,
            title="后保存的标题",
            certificates=[first],
        )
    draft.refresh_from_db()
    assert draft.title == "先保存的标题" and draft.certificates.count() == 2


def test_publishing_announces_every_firm_locks_the_announcement_and_records_it(
    certify, county_user
):
    certificates = [certify(), certify(Grade.LEVEL3)]
    draft = compose(county_user, certificates)
    announcement_publish(announcement=draft, actor=county_user, expected_version=draft.version)
    draft.refresh_from_db()
    assert draft.status == AnnouncementStatus.PUBLISHED and draft.published_at
    for certificate in certificates:
        firm = certificate.enterprise
        firm.refresh_from_db()
        assert firm.status == Status.ANNOUNCED
        entry = next(e for e in history_for(firm) if e.action == "公告")
        assert entry.changes["status"] == ["已确认", "已公告达标"]
        assert NUMBER in entry.note
    assert [e.action for e in history_for(draft)] == ["发布公告并报市局", "编制公告"]
    with pytest.raises(TransitionRefused, match="已发布"):
        announcement_update(
            announcement=draft,
            actor=county_user,
            expected_version=draft.version,
            number=NUMBER,
            title="x",
            certificates=certificates,
        )
    with pytest.raises(TransitionRefused):
        announcement_publish(announcement=draft, actor=county_user)


def test_an_empty_announcement_is_refused(county_user):
    with pytest.raises(ValidationError, match="至少选择一家企业"):
        compose(county_user, [])


# --- Pages ----------------------------------------------------------------------------------


def test_permission_matrix_of_the_announcement_pages(
    certify, zhifu, county_user, fushan_user, city_user, enterprise_user, agency_user, make_user
):
    admin = make_user(role="admin")
    draft = announcement(zhifu, county_user, [certify()])
    published = announcement(zhifu, county_user, [certify()], published=True)
    readers = {
        None: 302,
        county_user: 200,
        city_user: 200,
        admin: 200,
        fushan_user: 404,
        enterprise_user: 403,
        agency_user: 403,
    }
    for name in ("reviews:announcement_detail", "reviews:announcement_export"):
        assert_access(reverse(name, args=[published.pk]), readers)
        # A draft is the county's own work: the city sees it once published (reported).
        assert_access(
            reverse(name, args=[draft.pk]), {county_user: 200, city_user: 404, admin: 404}
        )
    assert_access(
        reverse("reviews:announcement_list"),
        {**readers, fushan_user: 200},
    )
    county_only = {
        None: 302,
        county_user: 200,
        city_user: 403,  # the city composes nothing (a draft: not even in its scope, below)
        fushan_user: 404,
        enterprise_user: 403,
        agency_user: 403,
    }
    # A draft is its county's own: outside everyone else's scope (they read published ones).
    on_draft = {**county_only, city_user: 404, enterprise_user: 404, agency_user: 404}
    assert_access(reverse("reviews:announcement_edit", args=[draft.pk]), on_draft)
    assert_access(reverse("reviews:announcement_create"), {**county_only, fushan_user: 200})
    publish = reverse("reviews:announcement_publish", args=[draft.pk])
    assert_access(
        publish,
        {None: 302, city_user: 404, fushan_user: 404, enterprise_user: 404, agency_user: 404},
        method="post",
    )
    assert_access(publish, {county_user: 302}, method="post")
    draft.refresh_from_db()
    assert draft.status == AnnouncementStatus.PUBLISHED


def test_the_county_composes_edits_and_publishes_through_the_pages(certify, county_user, client):
    small, level2 = certify(), certify(Grade.LEVEL2)
    client.force_login(county_user)
    page = client.get(reverse("reviews:announcement_create")).text
    assert small.enterprise.name in page and level2.enterprise.name not in page
    assert "二级由省级公告" in page
    response = client.post(
        reverse("reviews:announcement_create"),
        {"number": NUMBER, "title": TITLE, "certificates": [small.pk]},
    )
    draft = Announcement.objects.get(kind=AnnouncementKind.ANNOUNCEMENT)
    assert response.url == reverse("reviews:announcement_detail", args=[draft.pk])
    detail = client.get(response.url).text
    assert "发布并报市局" in detail and "data-confirm" in detail and small.number in detail
    client.post(
        reverse("reviews:announcement_edit", args=[draft.pk]),
        {"number": NUMBER, "title": "新标题", "certificates": [small.pk], "version": 1},
    )
    stale = client.post(
        reverse("reviews:announcement_edit", args=[draft.pk]),
        {"number": NUMBER, "title": "过期的修改", "certificates": [small.pk], "version": 1},
    )
    assert "已被他人修改" in stale.text
    draft.refresh_from_db()
    assert draft.title == "新标题"
    client.post(
        reverse("reviews:announcement_publish", args=[draft.pk]), {"version": draft.version}
    )
    draft.refresh_from_db()
    assert draft.status == AnnouncementStatus.PUBLISHED
    assert client.get(reverse("reviews:announcement_edit", args=[draft.pk])).status_code == 302


def test_the_city_sees_every_countys_published_announcements_with_dates(
    certify, zhifu, fushan, county_user, fushan_user, city_user, client
):
    announcement(zhifu, county_user, [certify()], number="芝安监〔2016〕3号", published=True)
    announcement(fushan, fushan_user, [certify(county=fushan)], number="福安监〔2016〕9号")
    announcement(
        fushan, fushan_user, [certify(county=fushan)], number="福安监〔2016〕4号", published=True
    )
    client.force_login(city_user)
    page = client.get(reverse("reviews:announcement_list")).text
    assert "芝安监〔2016〕3号" in page and "福安监〔2016〕4号" in page
    assert "福安监〔2016〕9号" not in page  # a draft is not reported yet
    assert "芝罘区" in page and "福山区" in page
    page = client.get(reverse("reviews:announcement_list"), {"county": fushan.pk}).text
    assert "福安监〔2016〕4号" in page and "芝安监〔2016〕3号" not in page


def test_a_hold_is_shown_on_the_countys_pages(certify, zhifu, county_user, client):
    ResultHold.objects.create(county=zhifu, year=2016, reason="抽查审核误差率40%")
    client.force_login(county_user)
    for name in ("reviews:announcement_list", "reviews:announcement_create"):
        assert "抽查审核误差率40%" in client.get(reverse(name)).text


def test_the_printed_notice_has_the_heading_number_and_firms(certify, zhifu, county_user, client):
    certificates = [certify(), certify(Grade.LEVEL3)]
    item = announcement(zhifu, county_user, certificates, number=NUMBER, published=True)
    client.force_login(county_user)
    page = client.get(reverse("reviews:announcement_detail", args=[item.pk])).text
    assert "芝罘区安全生产监督管理局文件" in page and NUMBER in page and "css/notice.css" in page
    assert "data-print" in page
    for certificate in certificates:
        assert certificate.enterprise.credit_code in page and certificate.number in page
    assert "2019年6月29日" in page


def test_the_xlsx_lists_the_firms_and_neutralises_formula_text(
    zhifu, machinery, county_user, client
):
    from tests.factories import EnterpriseFactory
    from tests.reviews.factories_announcements import confirmed_certificate

    firm = EnterpriseFactory(county=zhifu, industry=machinery, name='=HYPERLINK("http://x")')
    certificate = confirmed_certificate(firm)
    item = announcement(zhifu, county_user, [certificate], number=NUMBER, published=True)
    client.force_login(county_user)
    response = client.get(reverse("reviews:announcement_export", args=[item.pk]))
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == f"{NUMBER} {item.title}"
    assert rows[1][:3] == ("序号", "企业名称", "统一社会信用代码")
    # Shown exactly as typed, and written as text that no spreadsheet evaluates.
    assert rows[2][1] == '=HYPERLINK("http://x")'
    assert sheet["B3"].data_type == "s" and sheet["B3"].quotePrefix
    assert rows[2][5:7] == ("达标", certificate.number)
    assert [d.date() for d in rows[2][7:]] == [dt.date(2016, 6, 30), dt.date(2019, 6, 29)]


def _many_announcements(zhifu, county_user, certify, n):
    for i in range(n):
        announcement(zhifu, county_user, [certify(), certify()], number=f"芝安监〔2016〕{i + 1}号")


def test_list_detail_and_export_query_counts_do_not_grow(
    certify, zhifu, county_user, city_user, client, django_assert_max_num_queries
):
    _many_announcements(zhifu, county_user, certify, 6)
    big = announcement(
        zhifu,
        county_user,
        [certify() for _ in range(15)],
        number="芝安监〔2016〕99号",
        published=True,
    )
    client.force_login(city_user)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("reviews:announcement_list")).status_code == 200
    client.force_login(county_user)
    with django_assert_max_num_queries(13):  # both counts: waiting for 公示, for 公告
        assert client.get(reverse("reviews:announcement_list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("reviews:announcement_detail", args=[big.pk])).status_code == 200
    with django_assert_max_num_queries(8):  # and the security log's row for the export
        assert client.get(reverse("reviews:announcement_export", args=[big.pk])).status_code == 200


def test_the_composition_form_query_count_does_not_grow_with_candidates(
    certify, county_user, client, django_assert_max_num_queries
):
    for _ in range(20):
        certify()
    certify(Grade.LEVEL2)
    client.force_login(county_user)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("reviews:announcement_create"))
    assert response.text.count('name="certificates"') == 20


def test_a_held_draft_shows_why_it_cannot_be_published_instead_of_the_button(
    certify, zhifu, county_user, client
):
    draft = announcement(zhifu, county_user, [certify()])
    ResultHold.objects.create(county=zhifu, year=2016, reason="抽查审核误差率35%")
    client.force_login(county_user)
    page = client.get(reverse("reviews:announcement_detail", args=[draft.pk])).text
    assert "被市局抽查审核暂缓公告" in page and "发布并报市局</button>" not in page
    assert "修改" in page
