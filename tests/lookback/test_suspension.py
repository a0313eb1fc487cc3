"""An audited firm found in error has its certificate suspended (暂停) pending re-review, or
revoked by a recorded decision (issue 9). The city, which suspends it, decides: it sends the
result to re-review by another agency (the re-review's confirmation replaces or voids the
certificate) or lifts the suspension with its reason; every decision is in the history."""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from enterprises.choices import Status
from lookback.services import audit_finding_record, audit_start
from portal.audit import history_for
from portal.models import Notification
from portal.statemachine import TransitionRefused
from reviews.choices import Funding, ReviewStatus
from reviews.models import Certificate, Review, ReviewAgency
from reviews.services.certificates import (
    certificate_lift_suspension,
    certificate_send_to_re_review,
)
from reviews.services.review import review_assign
from tests.lookback.samples import audit_sample
from tests.reviews.factories_announcements import confirmed_certificate

pytestmark = pytest.mark.django_db


@pytest.fixture
def suspended(make_enterprise, zhifu, city_user, reference):
    """One of twelve 2016 passes of 芝罘区, found in error by the city's audit (the round is
    still open: the county's rate is not yet known)."""
    agency = ReviewAgency.objects.create(name="原评审机构")
    agency.industries.add(reference["industries"][3])
    for _ in range(12):
        certificate = confirmed_certificate(make_enterprise(county=zhifu))
        Review.objects.filter(pk=certificate.review_id).update(agency=agency)
    audit = audit_start(county=zhifu, year=2016, actor=city_user, sample=audit_sample(zhifu, 2016))
    finding = audit.findings.select_related("enterprise").first()
    audit_finding_record(finding=finding, actor=city_user, audited_result="", audited_score=D(52))
    certificate = Certificate.objects.get(enterprise=finding.enterprise)
    assert certificate.validity == "暂停"
    return certificate


def test_the_city_lifts_a_suspension_with_its_reason(suspended, city_user, make_user):
    firm_user = make_user(role="enterprise", enterprise=suspended.enterprise)
    with pytest.raises(ValidationError, match="请填写解除暂停的理由"):
        certificate_lift_suspension(certificate=suspended, actor=city_user, reason=" ")
    assert certificate_lift_suspension(
        certificate=suspended, actor=city_user, reason="复核原始记录，审核录入有误"
    )
    suspended.refresh_from_db()
    assert suspended.suspended_at is None and suspended.validity in ("有效", "已过期")
    entry = next(e for e in history_for(suspended) if e.action == "解除暂停")
    assert entry.actor == city_user and entry.note == "复核原始记录，审核录入有误"
    assert any(e.action == "等级证书解除暂停" for e in history_for(suspended.enterprise))
    assert Notification.objects.filter(recipient=firm_user, title__contains="解除暂停").exists()
    # A replayed click changes nothing.
    with pytest.raises(PermissionDenied, match="未被暂停"):
        certificate_lift_suspension(certificate=suspended, actor=city_user, reason="再次")


def test_only_the_city_decides_a_suspension(suspended, county_user, make_user):
    admin = make_user(role="admin")
    for who in (county_user, admin):
        with pytest.raises(PermissionDenied, match="只有市局"):
            certificate_lift_suspension(certificate=suspended, actor=who, reason="理由")
        with pytest.raises(PermissionDenied, match="只有市局"):
            certificate_send_to_re_review(certificate=suspended, actor=who, reason="理由")


def test_a_suspended_result_sent_to_re_review_goes_to_another_agency(
    suspended, city_user, county_user, reference
):
    redo = certificate_send_to_re_review(
        certificate=suspended, actor=city_user, reason="抽查审核未达标，送交复审"
    )
    suspended.refresh_from_db()
    suspended.enterprise.refresh_from_db()
    assert suspended.validity == "暂停" and not suspended.revoked_at
    assert suspended.enterprise.status == Status.APPLIED
    assert redo.status == ReviewStatus.APPLIED and redo.redo_of_id == suspended.review_id
    # While the re-review is under way it decides: the city can neither lift nor resend.
    with pytest.raises(PermissionDenied, match="复审正在进行"):
        certificate_lift_suspension(certificate=suspended, actor=city_user, reason="理由")
    other = ReviewAgency.objects.create(name="另一机构")
    other.industries.add(reference["industries"][3])
    redo = Review.objects.select_related("enterprise").get(pk=redo.pk)
    with pytest.raises(TransitionRefused, match="复审须由其他评审机构进行"):
        review_assign(
            review=redo,
            actor=county_user,
            agency=suspended.review.agency,
            funding=Funding.GOVERNMENT,
        )
    review_assign(review=redo, actor=county_user, agency=other, funding=Funding.GOVERNMENT)


def test_the_certificate_page_offers_the_citys_decisions(suspended, city_user, county_user):
    client = Client()
    url = reverse("reviews:certificate_detail", args=[suspended.pk])
    client.force_login(county_user)
    assert "解除暂停" not in client.get(url).content.decode()
    client.force_login(city_user)
    page = client.get(url).content.decode()
    assert "送交复审" in page and "解除暂停" in page
    lift = reverse("reviews:certificate_lift_suspension", args=[suspended.pk])
    assert client.post(lift, {"reason": "录入有误"}).status_code == 302
    suspended.refresh_from_db()
    assert suspended.suspended_at is None
    assert any(e.action == "解除暂停" for e in history_for(suspended))
