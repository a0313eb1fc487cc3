"""Every page of the review path: who may open it (other county → 404, unassigned agency →
404, wrong role → 403), what it does through the real layers, and its pinned query counts."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from enterprises.choices import Grade, Status
from reviews.choices import Funding, ReviewStatus
from reviews.services import review as services
from tests.access import assert_access
from tests.factories import EnterpriseFactory, UserFactory
from tests.reviews import factories_review
from tests.reviews.factories_review import (
    COMPLETE_DETAILS,
    make_agency,
    make_standard,
    make_submitted_assessment,
)

pytestmark = pytest.mark.django_db
review_world = factories_review.review_world

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def url(name, *args):
    return reverse(f"reviews:{name}", args=args)


# --- The permission matrix ------------------------------------------------------------------


def test_agency_home_is_for_agencies(review_world):
    w = review_world
    assert_access(
        url("agency_home"),
        {None: 302, w.agency_user: 200, w.county_user: 403, w.firm_user: 403, w.city_user: 403},
    )


def test_application_queue_is_for_county_and_city(review_world):
    w = review_world
    assert_access(
        url("applications"),
        {None: 302, w.county_user: 200, w.city_user: 200, w.agency_user: 403, w.firm_user: 403},
    )


def test_apply_page_is_for_the_firm(review_world):
    w = review_world
    assert_access(
        url("apply"),
        {None: 302, w.firm_user: 200, w.county_user: 403, w.agency_user: 403, w.city_user: 403},
    )


def test_review_page_is_seen_by_its_firm_county_city_and_assigned_agency_only(review_world):
    w = review_world
    review = w.apply()
    expected = {
        None: 302,
        w.firm_user: 200,
        w.county_user: 200,
        w.city_user: 200,
        w.other_county_user: 404,
        w.other_firm_user: 404,
        w.agency_user: 404,  # not assigned yet
    }
    assert_access(url("detail", review.pk), expected)
    services.review_assign(
        review=review, actor=w.county_user, agency=w.agency, funding=Funding.SELF
    )
    assert_access(url("detail", review.pk), {w.agency_user: 200, w.other_agency_user: 404})


def test_assign_and_return_are_for_the_firms_county(review_world):
    w = review_world
    review = w.apply()
    expected = {
        None: 302,
        w.county_user: 200,
        w.other_county_user: 404,
        w.firm_user: 403,
        w.city_user: 403,
        w.agency_user: 404,
    }
    assert_access(url("assign", review.pk), expected)
    expected.pop(w.county_user)
    assert_access(url("return", review.pk), expected, method="post", data={"reason": "x"})
    assert_access(url("assign", review.pk), expected, method="post")


@pytest.mark.parametrize("name", ["edit", "team", "scoring", "nc_add"])
def test_review_work_pages_are_for_the_assigned_agency(review_world, name):
    w = review_world
    review = w.assigned()
    assert_access(
        url(name, review.pk),
        {
            None: 302,
            w.agency_user: 200,
            w.other_agency_user: 404,
            w.county_user: 403,
            w.firm_user: 403,
            w.city_user: 403,
            w.other_county_user: 404,
        },
    )


def test_conclude_is_for_the_assigned_agency(review_world):
    w = review_world
    review = w.scored()
    assert_access(
        url("conclude", review.pk),
        {
            None: 302,
            w.other_agency_user: 404,
            w.county_user: 403,
            w.firm_user: 403,
            w.other_county_user: 404,
            w.agency_user: 302,
        },
        method="post",
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.CONCLUDED


@pytest.fixture
def nonconformity(review_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    review = review_world.scored()
    return services.nonconformity_add(
        review=review,
        actor=review_world.agency_user,
        item=None,
        description="应急预案未备案",
        deadline=timezone.localdate() + dt.timedelta(days=10),
    )


def test_answering_a_nonconformity_is_for_the_firm(review_world, nonconformity):
    w = review_world
    assert_access(
        url("nc_answer", nonconformity.pk),
        {
            None: 302,
            w.other_firm_user: 404,
            w.other_agency_user: 404,
            w.other_county_user: 404,
            w.agency_user: 403,
            w.county_user: 403,
        },
        method="post",
    )


def test_verifying_a_nonconformity_is_for_the_assigned_agency(review_world, nonconformity):
    w = review_world
    assert_access(
        url("nc_verify", nonconformity.pk),
        {
            None: 302,
            w.other_agency_user: 404,
            w.other_firm_user: 404,
            w.firm_user: 403,
            w.county_user: 403,
        },
        method="post",
    )


def test_evidence_is_seen_within_scope_only(review_world, nonconformity):
    w = review_world
    services.nonconformity_answer(
        nonconformity=nonconformity,
        actor=w.firm_user,
        response="已备案",
        files=[SimpleUploadedFile("备案表.pdf", PDF)],
    )
    evidence = nonconformity.evidence.get()
    assert_access(
        url("evidence_download", evidence.pk),
        {
            None: 302,
            w.firm_user: 200,
            w.agency_user: 200,
            w.county_user: 200,
            w.other_agency_user: 404,
            w.other_county_user: 404,
            w.other_firm_user: 404,
        },
    )


# --- Through the pages ------------------------------------------------------------------------


def test_the_whole_path_through_the_pages(review_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = review_world
    w.firm.status = Status.SELF_ASSESSING
    w.firm.save()
    w.assessment = make_submitted_assessment(w.firm, w.standard, deductions={0: 10})
    firm, county, agency = client_for(w.firm_user), client_for(w.county_user), None
    response = firm.post(url("apply"))
    review = w.firm.reviews.get()
    assert response.status_code == 302 and review.status == ReviewStatus.APPLIED

    response = county.post(
        url("assign", review.pk), {"agency": w.agency.pk, "funding": Funding.GOVERNMENT}
    )
    assert response.status_code == 302, response.content.decode()
    agency = client_for(w.agency_user)
    experts = list(w.agency.experts.order_by("pk"))
    agency.post(
        url("team", review.pk), {"experts": [e.pk for e in experts[:2]], "leader": experts[1].pk}
    )
    page = agency.get(url("scoring", review.pk)).content.decode()
    assert "企业自评扣分" in page
    review.refresh_from_db()
    data = {"version": review.version}
    for item in w.standard.items.all():
        data[f"d{item.pk}"] = "0"
    first = w.standard.items.order_by("order").first()
    data[f"d{first.pk}"], data[f"r{first.pk}"] = "3", "制度未发布"
    assert agency.post(url("scoring", review.pk), data).status_code == 302
    page = agency.get(url("scoring", review.pk)).content.decode()
    assert "table-warning" in page  # self 10 vs review 3: a large gap

    agency.post(
        url("nc_add", review.pk),
        {"item": first.pk, "description": "制度未发布", "deadline": "2099-01-01"},
    )
    nc = review.nonconformities.get()
    prefix = f"nc{nc.pk}"
    firm.post(
        url("nc_answer", nc.pk),
        {
            f"{prefix}-response": "已发布",
            f"{prefix}-version": nc.version,
            f"{prefix}-files": SimpleUploadedFile("发布文件.pdf", PDF),
        },
    )
    nc.refresh_from_db()
    assert nc.status == "answered" and nc.evidence.count() == 1
    agency.post(
        url("nc_verify", nc.pk),
        {f"{prefix}-decision": "accept", f"{prefix}-version": nc.version},
    )
    review.refresh_from_db()
    details = {name: value or "" for name, value in COMPLETE_DETAILS.items()}
    response = agency.post(url("edit", review.pk), {**details, "version": review.version})
    assert response.status_code == 302, response.content.decode()
    response = agency.post(url("conclude", review.pk), follow=True)
    review.refresh_from_db()
    assert (review.result, review.score) == (Grade.PASS, 97)
    assert "评审结论：达标" in response.content.decode()
    detail = firm.get(url("detail", review.pk)).content.decode()
    assert "作出评审结论" in detail and "整改到位" in detail


def test_the_conclusion_page_refuses_with_the_reason(review_world):
    w = review_world
    review = w.with_team()
    response = client_for(w.agency_user).post(url("conclude", review.pk), follow=True)
    assert "还有4个评分项未评分" in response.content.decode()


def test_a_stale_review_form_is_refused_with_a_clear_message(review_world):
    w = review_world
    review = w.with_team()
    agency = client_for(w.agency_user)
    stale = review.version
    agency.post(url("edit", review.pk), {"version": stale, "trained_count": 80})
    response = agency.post(url("edit", review.pk), {"version": stale, "trained_count": 3})
    assert "已被他人修改" in response.content.decode()
    review.refresh_from_db()
    assert review.trained_count == 80


def test_assigning_an_excluded_agency_through_the_page_says_why(review_world, reference):
    w = review_world
    review = w.apply()
    textile = make_agency(industries=[reference["industries"][5]])
    response = client_for(w.county_user).post(
        url("assign", review.pk), {"agency": textile.pk, "funding": Funding.SELF}
    )
    assert "不具备机械行业的评审资质" in response.content.decode()
    assert (
        "不具备机械行业的评审资质"
        in client_for(w.county_user).get(url("assign", review.pk)).content.decode()
    )


# --- Pinned query counts -------------------------------------------------------------------


def make_reviews(world, count):
    for n in range(count):
        enterprise = EnterpriseFactory(
            county=world.firm.county, industry=world.firm.industry, status=Status.SELF_ASSESSING
        )
        make_submitted_assessment(enterprise, world.standard)
        user = UserFactory(role="enterprise", enterprise=enterprise)
        review = services.review_apply(enterprise=enterprise, actor=user)
        if n % 2:
            services.review_assign(
                review=review, actor=world.county_user, agency=world.agency, funding="self"
            )


def count_queries(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_the_queue_and_agency_home_do_not_grow_with_the_number_of_reviews(review_world):
    w = review_world
    make_reviews(w, 2)
    county, agency = client_for(w.county_user), client_for(w.agency_user)
    few = (
        count_queries(county, url("applications")),
        count_queries(county, url("applications") + "?status=all"),
        count_queries(agency, url("agency_home")),
    )
    make_reviews(w, 8)
    many = (
        count_queries(county, url("applications")),
        count_queries(county, url("applications") + "?status=all"),
        count_queries(agency, url("agency_home")),
    )
    assert few == many
    assert max(many) <= 12  # the agency's home carries its to-do panel (4 queries)


def test_the_scoring_page_does_not_grow_with_the_number_of_items(review_world):
    w = review_world
    agency = client_for(w.agency_user)
    w.standard = make_standard(items=5)
    small = count_queries(agency, url("scoring", w.with_team().pk))
    w.firm.reviews.update(status=ReviewStatus.CANCELLED)
    w.firm.status = Status.SELF_ASSESSING
    w.firm.save()
    w.standard, w.assessment = make_standard(items=150, points=1), None
    large = count_queries(agency, url("scoring", w.with_team().pk))
    assert small == large
    assert large <= 10
