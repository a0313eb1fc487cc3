"""The public list (公示): no login; announced firms holding a valid grade."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enterprises.choices import Grade
from enterprises.workflows import forget_progress
from reviews.choices import AnnouncementKind
from reviews.models import Certificate
from reviews.services.certificates import (
    certificate_lift_suspension,
    certificate_revoke,
    expire_grades,
)
from tests.access import assert_access
from tests.reviews.factories_announcements import announcement, certified_firm

pytestmark = pytest.mark.django_db
URL = "/reviews/public/"
PROGRAMME_DAY = dt.date(2017, 6, 30)  # the 2016 certificates below are valid until 2019


@pytest.fixture(autouse=True)
def programme_day(monkeypatch):
    """The clock stands within the 2016 certificates' validity (the page reads it)."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: PROGRAMME_DAY)


@pytest.fixture
def published(zhifu, fushan, reference, county_user, make_user):
    industry = reference["industries"][3]
    zhifu_firms = [certified_firm(zhifu, industry) for _ in range(3)]
    fushan_firm = certified_firm(fushan, industry, grade=Grade.LEVEL3)
    announcement(zhifu, county_user, zhifu_firms, number="芝安监〔2016〕5号", published=True)
    fushan_user = make_user(role="county", county=fushan)
    announcement(fushan, fushan_user, [fushan_firm], number="福安监〔2016〕2号", published=True)
    return zhifu_firms + [fushan_firm]


def test_the_public_page_needs_no_login_and_answers_every_role(
    published, city_user, county_user, enterprise_user, agency_user
):
    assert reverse("reviews:public_list") == URL
    assert_access(
        URL, {None: 200, city_user: 200, county_user: 200, enterprise_user: 200, agency_user: 200}
    )


def test_it_lists_announced_firms_with_grade_certificate_validity_and_number(published):
    page = Client().get(URL).text
    for certificate in published:
        assert certificate.enterprise.name in page and certificate.number in page
    assert "芝安监〔2016〕5号" in page and "福安监〔2016〕2号" in page
    assert "三级" in page and "2019年6月29日" in page


def test_the_announcement_column_names_the_gonggao_not_the_earlier_gongshi(
    published, zhifu, county_user
):
    """A firm's 公示 came before its 公告; only the 公告 is the decision the list cites."""
    announcement(
        zhifu, county_user, published[:1], number="芝安监〔2016〕3号", published=True,
        kind=AnnouncementKind.PUBLICITY,
    )  # fmt: skip
    page = Client().get(URL).text
    assert published[0].enterprise.name in page and "芝安监〔2016〕5号" in page
    assert "芝安监〔2016〕3号" not in page


def test_confirmed_but_unannounced_and_draft_firms_are_not_public(
    published, zhifu, reference, county_user
):
    industry = reference["industries"][3]
    confirmed = certified_firm(zhifu, industry)
    drafted = certified_firm(zhifu, industry)
    announcement(zhifu, county_user, [drafted])
    page = Client().get(URL).text
    assert confirmed.enterprise.name not in page and drafted.enterprise.name not in page


def test_revoked_and_expired_grades_are_not_shown(published, city_user):
    revoked, expired = published[0], published[1]
    certificate_revoke(
        certificate=revoked, actor=city_user, reason="抽查不合格", source="回头看抽查"
    )
    expired.enterprise.grade_valid_until = dt.date(2016, 1, 1)
    expired.enterprise.save()
    expire_grades(today=dt.date(2016, 6, 1))
    page = Client().get(URL).text
    assert revoked.enterprise.name not in page and expired.enterprise.name not in page
    assert published[2].enterprise.name in page


def test_search_by_name_or_credit_code_and_filter_by_county(published, fushan):
    first, fushan_firm = published[0], published[3]
    page = Client().get(URL, {"q": first.enterprise.name}).text
    assert first.number in page and published[1].number not in page
    page = Client().get(URL, {"q": first.enterprise.credit_code.lower()}).text
    assert first.number in page and published[1].number not in page
    page = Client().get(URL, {"county": fushan.pk}).text
    assert fushan_firm.number in page and first.number not in page


def test_the_public_page_is_paginated_with_constant_queries(
    zhifu, reference, county_user, django_assert_max_num_queries
):
    industry = reference["industries"][3]
    certificates = [certified_firm(zhifu, industry) for _ in range(55)]
    announcement(zhifu, county_user, certificates, number="芝安监〔2016〕8号", published=True)
    # The count, the page's ids in order, its rows, their 公告, the counties, the open 公示.
    with django_assert_max_num_queries(6):
        response = Client().get(URL)
    assert response.context["page_obj"].paginator.count == 55
    assert len(response.context["page_obj"].object_list) == 50
    assert "共 55 条" in response.text
    with django_assert_max_num_queries(6):
        assert Client().get(URL, {"page": 2}).status_code == 200
    with django_assert_max_num_queries(4):  # read again: the count and the order are kept
        assert Client().get(URL, {"page": 2}).status_code == 200


def test_a_firm_re_graded_after_expiry_shows_only_its_current_certificate(
    published, zhifu, county_user
):
    from tests.reviews.factories_announcements import confirmed_certificate

    old = published[0]
    firm = old.enterprise
    new = confirmed_certificate(firm, issued_on=dt.date(2019, 7, 1))
    announcement(zhifu, county_user, [new], number="芝安监〔2019〕2号", published=True)
    page = Client().get(URL).text
    assert new.number in page and old.number not in page
    assert page.count(firm.name) == 1


def test_a_certificate_past_its_end_date_is_not_public_even_before_the_nightly_job(
    published, monkeypatch
):
    monkeypatch.undo()  # the real clock: the 2016 certificates ended 2019年6月29日
    assert all(c.enterprise.status == "announced" for c in published)
    page = Client().get(URL).text
    assert not any(certificate.number in page for certificate in published)


def test_a_closed_firm_is_off_the_public_list(published, county_user):
    from enterprises.services import enterprise_close

    closed = published[0].enterprise
    enterprise_close(
        actor=county_user, enterprise=closed, closed_on=dt.date(2016, 9, 1), reason="注销"
    )
    page = Client().get(URL).text
    assert closed.name not in page
    assert published[1].enterprise.name in page


def test_the_list_is_sorted_once_per_change_and_shows_no_row_that_left_it(
    published, city_user, django_assert_max_num_queries
):
    """Everyone reads the page and few things change it: its order and count are kept until
    an announcement, revocation, suspension or expiry forgets them, and its rows are read
    afresh, so a grade that left the list is never shown."""
    with CaptureQueriesContext(connection) as first:
        Client().get(URL)
    with CaptureQueriesContext(connection) as again:
        page = Client().get(URL).text
    sorts = [q["sql"] for q in again.captured_queries if '"name" ASC' in q["sql"]]
    assert sorts == [] and len(again) < len(first)
    assert all(c.number in page for c in published)

    held = published[0]
    Certificate.objects.filter(pk=held.pk).update(suspended_at=timezone.now())  # nothing forgot
    page = Client().get(URL).text
    assert held.number not in page and published[1].number in page

    forget_progress()  # as the suspension's service does: the list is sorted without it
    assert held.number not in Client().get(URL).text
    held.refresh_from_db()
    assert certificate_lift_suspension(certificate=held, actor=city_user, reason="复核无误")
    assert held.number in Client().get(URL).text
