"""The city audits at least 10% of each county's passes; an error rate of 30% or more holds
the county's results until a re-audit passes (烟安监〔2016〕6号 三（二））."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from enterprises.choices import Grade
from lookback.models import AuditRound
from lookback.rules import audit_sample_size, requires_re_review
from lookback.services import audit_close, audit_finding_record, audit_redraw, audit_start
from reviews.models import Certificate, Review
from reviews.services.holds import results_held

pytestmark = pytest.mark.django_db


@pytest.fixture
def passes(make_enterprise, zhifu):
    """Twelve firms of 芝罘区 that passed in 2016 with a reported score of 80."""
    certificates = []
    for n in range(12):
        firm = make_enterprise(county=zhifu)
        review = Review.objects.create(enterprise=firm, score=D("80.0"), result=Grade.PASS)
        certificates.append(
            Certificate.objects.create(
                enterprise=firm,
                review=review,
                grade=Grade.PASS,
                number=f"T-{n}",
                issued_on=dt.date(2016, 6, 1),
                valid_until=dt.date(2019, 5, 31),
            )
        )
    return certificates


@pytest.mark.parametrize(
    ("passed", "sample"), [(0, 0), (1, 1), (10, 1), (11, 2), (12, 2), (100, 10)]
)
def test_at_least_ten_percent_rounded_up(passed, sample):
    assert audit_sample_size(passed) == sample


@pytest.mark.parametrize(
    ("errors", "sampled", "held"), [(2, 7, False), (3, 10, True), (1, 2, True)]
)
def test_an_error_rate_of_thirty_percent_or_more_forces_re_review(errors, sampled, held):
    assert requires_re_review(errors, sampled) is held


def sample(passes, n=2, start=0):
    """The firms a public draw (integrity) chose: the audit takes them as given."""
    return [c.enterprise_id for c in passes[start : start + n]]


def test_the_audit_takes_the_drawn_sample_of_the_years_passes(passes, zhifu, city_user):
    chosen = sample(passes)
    audit = audit_start(
        county=zhifu, year=2016, actor=city_user, sample=chosen, draw_number="2016-001"
    )
    assert audit.sampled == 2 and audit.draw_number == "2016-001"
    assert sorted(audit.findings.values_list("enterprise", flat=True)) == sorted(chosen)


def test_a_sample_under_ten_percent_or_outside_the_passes_is_refused(
    passes, zhifu, city_user, make_enterprise
):
    with pytest.raises(ValidationError, match="10%"):
        audit_start(county=zhifu, year=2016, actor=city_user, sample=sample(passes, 1))
    stranger = make_enterprise(county=zhifu)
    with pytest.raises(ValidationError, match="不是该县市区当年的达标企业"):
        audit_start(county=zhifu, year=2016, actor=city_user, sample=[*sample(passes), stranger.pk])


def test_only_the_city_audits(passes, zhifu, county_user):
    with pytest.raises(PermissionDenied):
        audit_start(county=zhifu, year=2016, actor=county_user, sample=sample(passes))


def test_a_redraw_needs_a_reason_and_takes_the_new_sample(passes, zhifu, city_user):
    audit = audit_start(county=zhifu, year=2016, actor=city_user, sample=sample(passes))
    with pytest.raises(ValidationError):
        audit_redraw(audit=audit, actor=city_user, reason=" ", sample=sample(passes, 2, 2))
    audit = audit_redraw(
        audit=audit,
        actor=city_user,
        reason="抽中企业已注销",
        sample=sample(passes, 2, 2),
        draw_number="2016-002",
    )
    assert audit.draw_number == "2016-002"
    assert sorted(audit.findings.values_list("enterprise", flat=True)) == sample(passes, 2, 2)


def _record_all(audit, actor, *, wrong: int):
    for index, finding in enumerate(audit.findings.all()):
        result = "" if index < wrong else Grade.PASS
        audit_finding_record(
            finding=finding, actor=actor, audited_result=result, audited_score=D(78)
        )


def test_errors_at_thirty_percent_hold_the_countys_results(passes, zhifu, city_user):
    audit = audit_start(county=zhifu, year=2016, actor=city_user, sample=sample(passes))
    _record_all(audit, city_user, wrong=1)  # 1 of 2 = 50%
    audit = audit_close(audit=audit, actor=city_user, expected_version=audit.version)
    assert audit.error_rate == D("0.5000") and audit.requires_re_review
    assert results_held(county=zhifu, year=2016) is not None


def test_a_passing_re_audit_releases_the_hold(passes, zhifu, city_user):
    first = audit_start(county=zhifu, year=2016, actor=city_user, sample=sample(passes))
    _record_all(first, city_user, wrong=2)
    audit_close(audit=first, actor=city_user, expected_version=first.version)
    second = audit_start(county=zhifu, year=2016, actor=city_user, sample=sample(passes))
    assert second.is_re_audit
    _record_all(second, city_user, wrong=0)
    audit_close(audit=second, actor=city_user, expected_version=second.version)
    assert results_held(county=zhifu, year=2016) is None


def test_a_score_gap_beyond_the_tolerance_is_an_error(passes, zhifu, city_user):
    audit = audit_start(
        county=zhifu, year=2016, actor=city_user, sample=sample(passes), tolerance=D(10)
    )
    near, far = audit.findings.all()
    assert not audit_finding_record(
        finding=near, actor=city_user, audited_result=Grade.PASS, audited_score=D(70)
    ).in_error
    assert audit_finding_record(
        finding=far, actor=city_user, audited_result=Grade.PASS, audited_score=D("69.9")
    ).in_error


def test_an_audit_cannot_close_with_firms_unrecorded(passes, zhifu, city_user):
    audit = audit_start(county=zhifu, year=2016, actor=city_user, sample=sample(passes))
    with pytest.raises(ValidationError, match="未录入"):
        audit_close(audit=audit, actor=city_user, expected_version=audit.version)
    assert AuditRound.objects.get().status == AuditRound.Status.OPEN


# --- What a finding in error does ---------------------------------------------------------------


@pytest.fixture
def held_certificates(passes, reference):
    """The firms hold their certificates now, each reviewed by one agency."""
    from reviews.models import ReviewAgency

    agency = ReviewAgency.objects.create(name="某评审机构")
    for certificate in passes:
        Certificate.objects.filter(pk=certificate.pk).update(valid_until=dt.date(2099, 1, 1))
        Review.objects.filter(pk=certificate.review_id).update(agency=agency)
        certificate.enterprise.certificate_no = certificate.number
        certificate.enterprise.save(update_fields=["certificate_no"])
    return agency


def test_an_audited_firm_in_error_is_suspended_and_counted_against_its_agency(
    passes, held_certificates, zhifu, city_user
):
    from lookback.selectors import audit_errors_by_agency

    audit = audit_start(county=zhifu, year=2016, actor=city_user, sample=sample(passes))
    wrong, right = audit.findings.select_related("enterprise")
    audit_finding_record(finding=wrong, actor=city_user, audited_result="", audited_score=D(52))
    audit_finding_record(
        finding=right, actor=city_user, audited_result=Grade.PASS, audited_score=D(80)
    )
    suspended = Certificate.objects.get(enterprise=wrong.enterprise)
    kept = Certificate.objects.get(enterprise=right.enterprise)
    assert suspended.validity == "暂停" and "审核未达标（52分）" in suspended.suspend_reason
    assert kept.validity == "有效" and kept.suspended_at is None
    assert audit_errors_by_agency(year=2016) == {held_certificates.pk: 1}
