"""A refused answer to a nonconformity (a file of the wrong kind, no text) keeps what the firm
typed: the review page comes back with the reason beside the field and the 整改情况 as typed."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from reviews.choices import NonconformityStatus
from reviews.services import review as services
from tests.reviews import factories_review

pytestmark = pytest.mark.django_db
review_world = factories_review.review_world
TYPED = "已于11月组织全员应急演练，演练记录与照片附后"


@pytest.fixture
def open_nonconformity(review_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    review = review_world.scored({0: 5})
    nonconformity = services.nonconformity_add(
        review=review,
        actor=review_world.agency_user,
        item=review_world.standard.items.first(),
        description="未开展年度应急演练",
        deadline=timezone.localdate() + dt.timedelta(days=20),
    )
    client = Client()
    client.force_login(review_world.firm_user)
    return client, nonconformity


def _post(client, nonconformity, response_text, upload=None):
    prefix = f"nc{nonconformity.pk}"
    data = {f"{prefix}-response": response_text, f"{prefix}-version": nonconformity.version}
    if upload is not None:
        data[f"{prefix}-files"] = upload
    return client.post(f"/reviews/nonconformities/{nonconformity.pk}/answer/", data)


def test_a_refused_upload_keeps_the_typed_rectification(open_nonconformity):
    client, nonconformity = open_nonconformity
    fake = SimpleUploadedFile("演练.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = _post(client, nonconformity, TYPED, fake)
    assert response.status_code == 400
    page = response.content.decode()
    assert TYPED in page  # still in the textarea
    assert "不是允许的类型" in page and "已填写的内容已保留" in page
    nonconformity.refresh_from_db()
    assert nonconformity.status == NonconformityStatus.OPEN and not nonconformity.response


def test_an_answer_without_text_says_so_on_the_page(open_nonconformity):
    client, nonconformity = open_nonconformity
    response = _post(client, nonconformity, "")
    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode()


def test_a_good_answer_still_goes_through(open_nonconformity):
    client, nonconformity = open_nonconformity
    response = _post(client, nonconformity, TYPED)
    assert response.status_code == 302
    nonconformity.refresh_from_db()
    assert nonconformity.status == NonconformityStatus.ANSWERED and nonconformity.response == TYPED
