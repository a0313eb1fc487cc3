"""An agency reads a firm's self-assessment, evidence and accidents only through a review it
holds or concluded, and only the self-assessment that review carries."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enterprises.models import Accident
from reviews.choices import AssessmentStatus, ReviewStatus
from reviews.models import Evidence, Review, SelfAssessment
from tests.factories import ReviewFactory
from tests.reviews import factories_review
from tests.reviews.factories_review import make_submitted_assessment

pytestmark = pytest.mark.django_db

review_world = factories_review.review_world


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def evidence_on(assessment, firm_user) -> Evidence:
    return Evidence.objects.create(
        enterprise=assessment.enterprise,
        self_assessment_line=assessment.lines.order_by("pk").first(),
        file=ContentFile(b"%PDF-1.4 demo", name="evidence.pdf"),
        original_name="培训记录.pdf",
        content_type="application/pdf",
        size=13,
        uploaded_by=firm_user,
    )


@pytest.fixture
def reviewed_again(review_world):
    """The firm reviewed by agency A (concluded in 2016), then by agency B on a new
    self-assessment; an accident before A's conclusion and one after."""
    w = review_world
    first = w.assigned()
    concluded = timezone.make_aware(dt.datetime(2016, 6, 30, 10))
    Review.objects.filter(pk=first.pk).update(status=ReviewStatus.CONCLUDED, concluded_at=concluded)
    second_assessment = make_submitted_assessment(w.firm, w.standard)
    draft = SelfAssessment.objects.create(
        enterprise=w.firm, standard=w.standard, status=AssessmentStatus.DRAFT
    )
    ReviewFactory(
        enterprise=w.firm,
        agency=w.extra["other_agency"],
        self_assessment=second_assessment,
        status=ReviewStatus.UNDER_REVIEW,
    )
    return {
        "old": w.assessment,
        "new": second_assessment,
        "draft": draft,
        "old evidence": evidence_on(w.assessment, w.firm_user),
        "new evidence": evidence_on(second_assessment, w.firm_user),
        "old accident": Accident.objects.create(enterprise=w.firm, occurred_on=dt.date(2016, 3, 5)),
        "new accident": Accident.objects.create(enterprise=w.firm, occurred_on=dt.date(2017, 3, 5)),
    }


def test_the_old_agency_reads_only_what_its_own_review_carried(review_world, reviewed_again):
    rows, agency = reviewed_again, review_world.agency_user
    assert list(SelfAssessment.objects.for_user(agency)) == [rows["old"]]
    assert list(Evidence.objects.for_user(agency)) == [rows["old evidence"]]
    assert list(Accident.objects.for_user(agency)) == [rows["old accident"]]


def test_the_agency_reviewing_now_reads_its_review_and_not_the_earlier_one(
    review_world, reviewed_again
):
    rows, agency = reviewed_again, review_world.other_agency_user
    assert list(SelfAssessment.objects.for_user(agency)) == [rows["new"]]
    assert list(Evidence.objects.for_user(agency)) == [rows["new evidence"]]
    assert set(Accident.objects.for_user(agency)) == {rows["old accident"], rows["new accident"]}


def test_the_old_agencys_pages_of_the_new_files_are_404(review_world, reviewed_again):
    client = Client()
    client.force_login(review_world.agency_user)
    rows = reviewed_again
    for url in (
        reverse("reviews:assessment_detail", args=[rows["new"].pk]),
        reverse("reviews:assessment_detail", args=[rows["draft"].pk]),
        reverse("reviews:evidence_download", args=[rows["new evidence"].pk]),
    ):
        assert client.get(url).status_code == 404, url
    old = reverse("reviews:evidence_download", args=[rows["old evidence"].pk])
    assert client.get(old).status_code == 200


def test_the_firm_and_its_county_still_read_every_file(review_world, reviewed_again):
    for user in (review_world.firm_user, review_world.county_user):
        assert SelfAssessment.objects.for_user(user).count() == 3
        assert Evidence.objects.for_user(user).count() == 2
        assert Accident.objects.for_user(user).count() == 2
