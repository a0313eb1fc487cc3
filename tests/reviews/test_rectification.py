"""Rectification: the firm answers each nonconformity with what it did and evidence; the agency
accepts or rejects it with a comment; a rejected one goes back to the firm; history is kept."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from enterprises.choices import Grade, Status
from portal.audit import history_for
from portal.statemachine import TransitionRefused
from reviews.choices import NonconformityStatus, ReviewStatus
from reviews.services import review as services
from tests.reviews import factories_review

pytestmark = pytest.mark.django_db
review_world = factories_review.review_world

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def listed(review_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    review = review_world.scored({0: 5})
    nonconformity = services.nonconformity_add(
        review=review,
        actor=review_world.agency_user,
        item=review_world.standard.items.first(),
        description="未建立全员安全生产责任制",
        deadline=timezone.localdate() + dt.timedelta(days=20),
    )
    return review_world, review, nonconformity


def answer(world, nonconformity, text="已修订责任制并全员签订", files=()):
    return services.nonconformity_answer(
        nonconformity=nonconformity, actor=world.firm_user, response=text, files=list(files)
    )


def verify(world, nonconformity, accepted, comment=""):
    return services.nonconformity_verify(
        nonconformity=nonconformity, actor=world.agency_user, accepted=accepted, comment=comment
    )


def test_listing_a_nonconformity_sends_the_firm_into_rectification(listed):
    world, review, _ = listed
    world.firm.refresh_from_db()
    assert world.firm.status == Status.RECTIFYING
    assert review.status == ReviewStatus.RECTIFYING


def test_a_nonconformity_deadline_cannot_be_in_the_past(review_world):
    review = review_world.with_team()
    with pytest.raises(ValidationError, match="整改期限不能早于今天"):
        services.nonconformity_add(
            review=review,
            actor=review_world.agency_user,
            item=None,
            description="x",
            deadline=timezone.localdate() - dt.timedelta(days=1),
        )


def test_rejected_rectification_goes_back_to_the_firm_and_accepted_allows_conclusion(listed):
    world, review, nonconformity = listed
    upload = SimpleUploadedFile("责任制.pdf", PDF, content_type="application/pdf")
    answer(world, nonconformity, files=[upload])
    assert nonconformity.status == NonconformityStatus.ANSWERED
    assert nonconformity.evidence.get().content_type == "application/pdf"

    verify(world, nonconformity, accepted=False, comment="签订记录不全")
    assert nonconformity.status == NonconformityStatus.REJECTED
    with pytest.raises(TransitionRefused, match="未整改到位"):
        services.review_conclude(review=review, actor=world.agency_user)

    answer(world, nonconformity, text="补齐全部签订记录")
    verify(world, nonconformity, accepted=True, comment="整改到位")
    assert nonconformity.status == NonconformityStatus.ACCEPTED
    review = services.review_conclude(review=review, actor=world.agency_user)
    assert review.result == Grade.PASS

    actions = [entry.action for entry in history_for(nonconformity)]
    assert actions == [
        "核查整改：整改到位",
        "提交整改情况",
        "核查整改：未通过，退回企业",
        "提交整改情况",
        "提出不符合项",
    ]


def test_rejecting_needs_a_comment(listed):
    world, _, nonconformity = listed
    answer(world, nonconformity)
    with pytest.raises(ValidationError, match="必须填写核查意见"):
        verify(world, nonconformity, accepted=False)


def test_the_agency_cannot_verify_before_the_firm_answers(listed):
    world, _, nonconformity = listed
    with pytest.raises(TransitionRefused, match="仅在已整改待核查时可以"):
        verify(world, nonconformity, accepted=True)


def test_another_agency_cannot_verify(listed):
    world, _, nonconformity = listed
    answer(world, nonconformity)
    with pytest.raises(PermissionDenied):
        services.nonconformity_verify(
            nonconformity=nonconformity,
            actor=world.other_agency_user,
            accepted=True,
            comment="",
        )


def test_evidence_that_is_not_an_allowed_type_is_refused(listed):
    world, _, nonconformity = listed
    fake = SimpleUploadedFile("照片.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="不是允许的类型"):
        answer(world, nonconformity, files=[fake])
    nonconformity.refresh_from_db()
    assert nonconformity.status == NonconformityStatus.OPEN


def test_a_stale_answer_is_refused_and_the_earlier_one_kept(listed):
    world, _, nonconformity = listed
    stale_version = nonconformity.version
    answer(world, nonconformity, text="第一次提交")
    verify(world, nonconformity, accepted=False, comment="不全")
    with pytest.raises(TransitionRefused, match="已被他人处理"):
        services.nonconformity_answer(
            nonconformity=nonconformity,
            actor=world.firm_user,
            response="旧页面提交",
            expected_version=stale_version,
        )
    nonconformity.refresh_from_db()
    assert nonconformity.response == "第一次提交"
