"""The review report (评审报告): team, dates, element and total scores beside the
self-assessment, nonconformities and rectification, the 四个结合, the conclusion and signature
lines; the county confirms the conclusion from this page (not with one click from a list), and
reading and confirming it take as many queries for a 135-item standard as for a 4-item one."""

from decimal import Decimal as D

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enterprises.choices import Status
from reviews.choices import ReviewStatus
from reviews.services import review as services
from tests.reviews import factories_review
from tests.reviews.factories_review import make_standard, make_submitted_assessment

pytestmark = pytest.mark.django_db
review_world = factories_review.review_world


def concluded(world, deductions=None, **kwargs):
    review = world.scored(deductions or {0: 5}, **kwargs)
    return services.review_conclude(review=review, actor=world.agency_user)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def report_url(review):
    return reverse("reviews:report", args=[review.pk])


def test_the_report_shows_team_dates_scores_beside_the_self_assessment_and_signatures(
    review_world,
):
    review = concluded(review_world)
    page = client_for(review_world.county_user).get(report_url(review)).content.decode()
    for expected in ("安全生产标准化评审报告", "组长", "现场评审日期", "自评实得分", "95.0"):
        assert expected in page
    for expected in ("四个结合", "现场已整改", "评审组组长（签字）", "评审机构（盖章）", "达标"):
        assert expected in page


def test_the_report_shows_the_gap_and_the_teams_explanation(review_world):
    review_world.assessment = make_submitted_assessment(
        review_world.firm, review_world.standard, score=D("70.0")
    )
    review = concluded(review_world)  # 95.0 against the firm's own 70.0
    page = client_for(review_world.county_user).get(report_url(review)).content.decode()
    assert "高于企业自评70.0分25.0分" in page
    assert factories_review.GAP_EXPLANATION in page


def test_the_county_confirms_from_the_report(review_world):
    review = concluded(review_world)
    county = client_for(review_world.county_user)
    page = county.get(report_url(review)).content.decode()
    assert reverse("reviews:confirm_review", args=[review.pk]) in page
    response = county.post(
        reverse("reviews:confirm_review", args=[review.pk]), {"version": review.version}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == ReviewStatus.CONFIRMED


def test_the_confirmation_list_links_to_the_report_and_confirms_nothing_itself(review_world):
    review = concluded(review_world)
    page = client_for(review_world.county_user).get(reverse("reviews:confirmation_list"))
    assert report_url(review) in page.text
    assert reverse("reviews:confirm_review", args=[review.pk]) not in page.text


def test_a_confirmation_without_the_report_read_is_refused(review_world):
    review = concluded(review_world)
    response = client_for(review_world.county_user).post(
        reverse("reviews:confirm_review", args=[review.pk])
    )
    assert response.status_code == 302 and response.url == report_url(review)
    review.refresh_from_db()
    assert review.status == ReviewStatus.CONCLUDED


def test_a_confirmation_from_a_stale_report_is_refused(review_world):
    review = concluded(review_world)
    client_for(review_world.county_user).post(
        reverse("reviews:confirm_review", args=[review.pk]), {"version": review.version - 1}
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.CONCLUDED


def queries_to_read_and_confirm(world, items):
    world.standard = make_standard(items=items, points=D(10))
    review = concluded(world, {n: 1 for n in range(0, items, 3)})
    county = client_for(world.county_user)
    with CaptureQueriesContext(connection) as read:
        assert county.get(report_url(review)).status_code == 200
    with CaptureQueriesContext(connection) as confirm:
        county.post(
            reverse("reviews:confirm_review", args=[review.pk]), {"version": review.version}
        )
    review.refresh_from_db()
    assert review.status == ReviewStatus.CONFIRMED
    return len(read), len(confirm)


def test_reading_and_confirming_a_135_item_report_takes_as_many_queries_as_a_4_item_one(
    review_world, make_enterprise
):
    small = queries_to_read_and_confirm(review_world, 4)
    review_world.firm = make_enterprise(
        county=review_world.firm.county, industry=review_world.extra["machinery"]
    )
    review_world.firm_user.enterprise = review_world.firm
    review_world.firm_user.save()
    review_world.firm.status = Status.SELF_ASSESSING
    review_world.assessment = None
    large = queries_to_read_and_confirm(review_world, 135)
    assert small == large
    assert large[0] <= 20
