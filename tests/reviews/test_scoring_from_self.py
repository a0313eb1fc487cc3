"""The agency need not type every item from blank: it may start from the firm's own scores,
and sees the firm's reasons and evidence beside each item. Nothing is saved until it saves."""

from decimal import Decimal as D

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from reviews.models import Evidence, ReviewLine
from tests.reviews import factories_review
from tests.reviews.factories_review import make_submitted_assessment

pytestmark = pytest.mark.django_db
review_world = factories_review.review_world


@pytest.fixture
def scoring(review_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    review_world.assessment = make_submitted_assessment(
        review_world.firm, review_world.standard, deductions={1: D(2)}
    )
    review = review_world.with_team()
    line = review_world.assessment.lines.order_by("item__order")[1]
    Evidence.objects.create(
        enterprise=review_world.firm,
        self_assessment_line=line,
        file=ContentFile(b"%PDF-1.4 x", name="e.pdf"),
        original_name="安全生产责任制.pdf",
        content_type="application/pdf",
        size=10,
        uploaded_by=review_world.firm_user,
    )
    client = Client()
    client.force_login(review_world.agency_user)
    return client, review, line


def test_the_scoring_page_shows_the_firms_reasons_and_evidence(scoring):
    client, review, _ = scoring
    page = client.get(f"/reviews/{review.pk}/scoring/").content.decode()
    assert "自查扣分" in page and "安全生产责任制.pdf" in page
    assert "以企业自评为起点" in page


def test_starting_from_the_firms_scores_fills_the_unscored_items_without_saving(scoring):
    client, review, line = scoring
    response = client.get(f"/reviews/{review.pk}/scoring/?from=self")
    form = response.context["form"]
    assert form.initial[f"d{line.item_id}"] == D(2)
    assert form.initial[f"r{line.item_id}"] == "自查扣分"
    assert "请逐项核对" in response.content.decode()
    assert not ReviewLine.objects.filter(review=review).exists()


def test_an_item_the_agency_scored_keeps_its_own_score(scoring):
    client, review, line = scoring
    ReviewLine.objects.create(review=review, item=line.item, deducted=D(4), reason="现场核实")
    form = client.get(f"/reviews/{review.pk}/scoring/?from=self").context["form"]
    assert form.initial[f"d{line.item_id}"] == D(4)
