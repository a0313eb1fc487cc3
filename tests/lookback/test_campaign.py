"""回头看: passed firms check themselves by 6月30日, counties sum up and rate the agencies by
8月30日, the city spot-checks 3-5 firms per county by 10月20日."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from enterprises.choices import Grade, Status
from lookback.models import SpotCheckOutcome
from lookback.services import (
    agency_rating_submit,
    campaign_open,
    self_check_record,
    spot_check_draw,
    spot_check_record,
)
from portal.audit import history_for
from reviews.models import Certificate, Review
from tests.factories import phases_ahead, review_in
from tests.lookback.samples import spot_sample

pytestmark = pytest.mark.django_db

ANSWERS = {
    "system_built": True,
    "runs_daily": False,
    "agency_performed": True,
    "problems": "台账不全",
}


@pytest.fixture
def campaign(city_user):
    return campaign_open(year=2016, actor=city_user, deadlines=phases_ahead())


@pytest.fixture
def passed(make_enterprise, zhifu):
    return [make_enterprise(county=zhifu, status=Status.ANNOUNCED) for _ in range(8)]


def test_the_three_phases_have_the_notices_deadlines(city_user):
    campaign = campaign_open(year=2016, actor=city_user)
    assert campaign.self_check_deadline == dt.date(2016, 6, 30)
    assert campaign.summary_deadline == dt.date(2016, 8, 30)
    assert campaign.spot_check_deadline == dt.date(2016, 10, 20)


def test_a_passed_firm_checks_itself_and_its_county_inspects_it(
    campaign, firm, enterprise_user, county_user
):
    firm.status = Status.ANNOUNCED
    firm.save()
    own = self_check_record(campaign=campaign, enterprise=firm, actor=enterprise_user, **ANSWERS)
    inspection = self_check_record(campaign=campaign, enterprise=firm, actor=county_user, **ANSWERS)
    assert (own.method, inspection.method) == ("self", "government")
    assert not own.all_good
    again = self_check_record(
        campaign=campaign, enterprise=firm, actor=enterprise_user, **ANSWERS | {"runs_daily": True}
    )
    assert again.pk == own.pk and again.all_good
    assert history_for(firm).filter(action__startswith="回头看").count() == 3


def test_only_passed_firms_take_part(campaign, firm, enterprise_user):
    with pytest.raises(ValidationError, match="已达标"):
        self_check_record(campaign=campaign, enterprise=firm, actor=enterprise_user, **ANSWERS)


def test_another_countys_staff_cannot_record_a_self_check(campaign, firm, make_user, fushan):
    firm.status = Status.ANNOUNCED
    other = make_user(role="county", county=fushan)
    with pytest.raises(PermissionDenied):
        self_check_record(campaign=campaign, enterprise=firm, actor=other, **ANSWERS)


def test_a_warning_rating_needs_a_deadline(campaign, agency, firm, county_user):
    review_in(agency, firm, 2016)
    with pytest.raises(ValidationError, match="整改期限"):
        agency_rating_submit(
            campaign=campaign,
            agency=agency,
            rating="warning",
            reason="重收费、轻服务",
            actor=county_user,
        )


@pytest.mark.parametrize("size", [2, 6])
def test_the_city_draws_three_to_five_firms_per_county(campaign, passed, zhifu, city_user, size):
    with pytest.raises(ValidationError, match="3-5"):
        spot_check_draw(
            campaign=campaign, county=zhifu, actor=city_user, sample=spot_sample(zhifu, size)
        )


def test_a_spot_check_takes_the_drawn_firms_once(campaign, passed, zhifu, city_user):
    check = spot_check_draw(
        campaign=campaign,
        county=zhifu,
        actor=city_user,
        sample=spot_sample(zhifu, 4),
        draw_number="2016-001",
    )
    assert check.outcomes.count() == 4 and check.draw_number == "2016-001"
    with pytest.raises(ValidationError, match="已抽取"):
        spot_check_draw(campaign=campaign, county=zhifu, actor=city_user, sample=spot_sample(zhifu))


def test_a_revoking_outcome_revokes_the_grade(campaign, passed, zhifu, city_user):
    check = spot_check_draw(
        campaign=campaign, county=zhifu, actor=city_user, sample=spot_sample(zhifu)
    )
    outcome = check.outcomes.first()
    firm = outcome.enterprise
    review = Review.objects.create(enterprise=firm, score=80, result=Grade.PASS)
    Certificate.objects.create(
        enterprise=firm,
        review=review,
        grade=Grade.PASS,
        number="烟-1",
        issued_on=dt.date(2016, 5, 1),
        valid_until=dt.date(2019, 4, 30),
    )
    firm.grade, firm.certificate_no = Grade.PASS, "烟-1"
    firm.save()
    spot_check_record(
        outcome=outcome,
        actor=city_user,
        result=SpotCheckOutcome.Outcome.REVOKED,
        note="标准化未运行",
    )
    firm.refresh_from_db()
    assert firm.status == Status.REVOKED and firm.grade == ""
    certificate = Certificate.objects.get(number="烟-1")
    assert certificate.revoke_source == "回头看抽查" and certificate.revoke_reason == "标准化未运行"


def test_a_revoking_outcome_needs_a_valid_certificate(campaign, passed, zhifu, city_user):
    outcome = spot_check_draw(
        campaign=campaign, county=zhifu, actor=city_user, sample=spot_sample(zhifu)
    ).outcomes.first()
    with pytest.raises(ValidationError, match="有效的等级证书"):
        spot_check_record(outcome=outcome, actor=city_user, result="revoked", note="x")


def test_rectify_needs_a_deadline(campaign, passed, zhifu, city_user):
    outcome = spot_check_draw(
        campaign=campaign, county=zhifu, actor=city_user, sample=spot_sample(zhifu)
    ).outcomes.first()
    with pytest.raises(ValidationError, match="整改期限"):
        spot_check_record(outcome=outcome, actor=city_user, result="rectify", note="")
