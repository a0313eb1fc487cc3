"""误差率≥30%的，重新进行评审。经再次审核合格后，方可允许公告评定结果 (烟安监〔2016〕6号
三（二））: a failing audit sends every current result of the county-year back for review by
an agency other than the one that gave it (the certificates suspended meanwhile), the county is
told and works a queue of them, and the hold lifts only after the re-reviews are done and a
re-audit passes."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enterprises.choices import Grade, Status
from lookback.services import audit_close, audit_finding_record, audit_start
from portal.models import Notification
from portal.statemachine import TransitionRefused
from reviews.choices import Funding, ReviewStatus
from reviews.models import Certificate, Review, ReviewAgency
from reviews.services.certificates import review_confirm
from reviews.services.holds import result_hold_release, results_held
from reviews.services.review import review_assign
from tests.lookback.samples import audit_sample
from tests.reviews.factories_announcements import confirmed_certificate

pytestmark = pytest.mark.django_db
YEAR = 2016


@pytest.fixture
def agencies(reference):
    machinery = reference["industries"][3]
    first, other = (ReviewAgency.objects.create(name=name) for name in ("原评审机构", "另一机构"))
    for agency in (first, other):
        agency.industries.add(machinery)
    return first, other


@pytest.fixture
def passes(make_enterprise, zhifu, agencies):
    """Ten firms of 芝罘区 that passed in 2016, each reviewed by the first agency."""
    certificates = []
    for _ in range(10):
        certificate = confirmed_certificate(
            make_enterprise(county=zhifu), issued_on=dt.date(YEAR, 6, 30)
        )
        Review.objects.filter(pk=certificate.review_id).update(agency=agencies[0])
        certificates.append(certificate)
    return certificates


def failing_audit(zhifu, city_user):
    audit = audit_start(county=zhifu, year=YEAR, actor=city_user, sample=audit_sample(zhifu, YEAR))
    for finding in audit.findings.all():
        audit_finding_record(
            finding=finding, actor=city_user, audited_result="", audited_score=D(52)
        )
    return audit_close(audit=audit, actor=city_user, expected_version=audit.version)


def finish(re_review, county_user, result=Grade.PASS):
    """The other agency's review, concluded (its steps are tested with the review path), then
    confirmed by the county."""
    Review.objects.filter(pk=re_review.pk).update(
        status=ReviewStatus.CONCLUDED, result=result, score=D("78.0"), concluded_at=timezone.now()
    )
    re_review.enterprise.status = Status.CONCLUDED
    re_review.enterprise.save(update_fields=["status"])
    re_review.refresh_from_db()
    return review_confirm(review=re_review, actor=county_user)


def test_a_failing_audit_sends_the_countys_results_back_for_re_review(
    passes, zhifu, city_user, county_user
):
    failing_audit(zhifu, city_user)
    hold = results_held(county=zhifu, year=YEAR)
    re_reviews = Review.objects.filter(hold=hold)
    assert re_reviews.count() == 10
    assert set(re_reviews.values_list("status", flat=True)) == {ReviewStatus.APPLIED}
    for certificate in passes:
        certificate.refresh_from_db()
        certificate.enterprise.refresh_from_db()
        assert certificate.validity == "暂停" and not certificate.revoked_at
        assert certificate.enterprise.status == Status.APPLIED
    assert Notification.objects.filter(recipient=county_user, title__contains="重新评审").exists()


def test_the_re_review_goes_to_another_agency(passes, zhifu, city_user, county_user, agencies):
    first, other = agencies
    failing_audit(zhifu, city_user)
    re_review = Review.objects.filter(hold__isnull=False).select_related("enterprise").first()
    with pytest.raises(TransitionRefused, match="复审须由其他评审机构进行"):
        review_assign(review=re_review, actor=county_user, agency=first, funding=Funding.GOVERNMENT)
    review_assign(review=re_review, actor=county_user, agency=other, funding=Funding.GOVERNMENT)
    assert re_review.status == ReviewStatus.ASSIGNED and re_review.agency == other


def test_the_hold_lifts_only_after_the_re_reviews_and_a_passing_re_audit(
    passes, zhifu, city_user, county_user
):
    failing_audit(zhifu, city_user)
    hold = results_held(county=zhifu, year=YEAR)
    re_reviews = list(Review.objects.filter(hold=hold).select_related("enterprise"))
    finish(re_reviews[0], county_user)
    with pytest.raises(ValidationError, match="还有9家企业的复审未完成"):
        audit_start(county=zhifu, year=YEAR, actor=city_user, sample=audit_sample(zhifu, YEAR))
    with pytest.raises(ValidationError, match="复审未完成"):
        result_hold_release(county=zhifu, year=YEAR, actor=city_user, note="提前解除")
    for re_review in re_reviews[1:]:
        finish(re_review, county_user)
    again = audit_start(county=zhifu, year=YEAR, actor=city_user, sample=audit_sample(zhifu, YEAR))
    assert again.is_re_audit and again.hold == hold
    for finding in again.findings.all():
        audit_finding_record(
            finding=finding, actor=city_user, audited_result=Grade.PASS, audited_score=D(78)
        )
    audit_close(audit=again, actor=city_user, expected_version=again.version)
    assert results_held(county=zhifu, year=YEAR) is None


def test_a_confirmed_re_review_replaces_the_suspended_certificate(
    passes, zhifu, city_user, county_user
):
    failing_audit(zhifu, city_user)
    passed, failed = Review.objects.filter(hold__isnull=False).select_related("enterprise")[:2]
    new = finish(passed, county_user)
    old = Certificate.objects.get(review=passed.redo_of)
    assert old.revoked_at and f"由新证书{new.number}替代" in old.revoke_reason
    passed.enterprise.refresh_from_db()
    assert passed.enterprise.certificate_no == new.number and new.validity == "有效"
    assert finish(failed, county_user, result="") is None
    gone = Certificate.objects.get(review=failed.redo_of)
    assert gone.revoked_at and "复审未达标" in gone.revoke_reason


def test_the_county_works_its_re_review_queue(
    passes, zhifu, city_user, county_user, make_user, fushan
):
    failing_audit(zhifu, city_user)
    url = reverse("reviews:re_review_queue")
    client = Client()
    client.force_login(county_user)
    page = client.get(url).content.decode()
    assert "复审 10 家，已完成 0 家" in page and "委派复审机构" in page
    assert passes[0].enterprise.name in page
    client.force_login(make_user(role="county", county=fushan))
    assert passes[0].enterprise.name not in client.get(url).content.decode()
    client.force_login(city_user)
    page = client.get(url).content.decode()
    assert passes[0].enterprise.name in page and "委派复审机构" not in page
    client.force_login(make_user(role="enterprise", enterprise=passes[0].enterprise))
    assert client.get(url).status_code == 403


def test_the_queue_keeps_its_query_count(
    passes, zhifu, city_user, county_user, django_assert_max_num_queries
):
    failing_audit(zhifu, city_user)
    client = Client()
    client.force_login(county_user)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("reviews:re_review_queue")).status_code == 200
