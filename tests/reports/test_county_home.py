"""The county's start page says what waits for it: applications, conclusions, announceable
firms, documents still owed, and its target."""

import pytest

from enterprises.choices import Grade, Status
from reviews.choices import ReviewStatus
from reviews.models import Review
from tests.access import assert_access

pytestmark = pytest.mark.django_db


def test_county_home_permission_matrix(deadlines, county_staff, city_user, enterprise_user):
    assert_access(
        "/reports/county/", {None: 302, county_staff: 200, city_user: 403, enterprise_user: 403}
    )


def test_the_county_sees_its_own_queues_and_owed_documents(
    client, deadlines, county_staff, make_enterprise, zhifu, fushan, django_assert_max_num_queries
):
    for county in (zhifu, fushan):  # 福山区's firms must not count for 芝罘区
        Review.objects.create(
            enterprise=make_enterprise(county=county), status=ReviewStatus.APPLIED
        )
        Review.objects.create(
            enterprise=make_enterprise(county=county, status=Status.CONCLUDED),
            status=ReviewStatus.CONCLUDED,
            result=Grade.PASS,
        )
    client.force_login(county_staff)
    # 28: the page's own 16 and the to-do panel's (one count per queue, reports.test_todo;
    # objections, re-reviews, revocation candidates and reviews to reassign among them)
    with django_assert_max_num_queries(28):
        response = client.get("/reports/county/?year=2016")
    work = response.context["work"]
    page = response.content.decode()
    for label, count in (("待受理的评审申请", 1), ("待确认的评审结论", 1), ("可公告的达标企业", 0)):
        assert f'data-todo="{label}" data-count="{count}"' in page
    assert len(work.owed) == 3  # the notice's three documents, none handed in yet
    assert "标准化建设方案" in response.content.decode()


def test_a_document_still_owed_after_its_deadline_reads_overdue(client, deadlines, county_staff):
    """The 2016 deadlines have all passed: each owed document says 已逾期; dates as 3月30日."""
    client.force_login(county_staff)
    page = client.get("/reports/county/?year=2016").content.decode()
    assert page.count("已逾期，未上报") == 3
    assert "3月30日前" in page and "03月" not in page
