"""The look-back and the audit tell whose turn it is (``lookback.events``): the county of its
audit's result and of the hold it brings, the city of each rating to decide, the agency of its
new standing, the firm of a spot-check's order to rectify; nobody else."""

import datetime as dt
from decimal import Decimal as D

import pytest

from enterprises.choices import Grade, Status
from lookback.services import (
    agency_rating_submit,
    agency_standing_decide_on_ratings,
    audit_close,
    audit_finding_record,
    audit_start,
    campaign_open,
    spot_check_draw,
    spot_check_record,
)
from portal.models import Notification
from reviews.models import Certificate, Review
from tests.factories import phases_ahead, review_in
from tests.lookback.samples import audit_sample, spot_sample

pytestmark = pytest.mark.django_db


def told(kind: str) -> set:
    return set(Notification.objects.filter(kind=kind).values_list("recipient", flat=True))


@pytest.fixture
def everyone(seats):
    return seats


def test_a_failing_audit_tells_its_county_of_the_result_and_the_hold(
    everyone, zhifu, make_enterprise
):
    for n in range(10):
        firm = make_enterprise(county=zhifu)
        review = Review.objects.create(enterprise=firm, score=D("80.0"), result=Grade.PASS)
        Certificate.objects.create(
            enterprise=firm, review=review, grade=Grade.PASS, number=f"T-{n}",
            issued_on=dt.date(2016, 6, 1), valid_until=dt.date(2019, 5, 31),
        )  # fmt: skip
    city = everyone["city"]
    audit = audit_start(county=zhifu, year=2016, actor=city, sample=audit_sample(zhifu, 2016))
    for finding in audit.findings.all():
        audit_finding_record(finding=finding, actor=city, audited_result="", audited_score=D(50))
    audit_close(audit=audit, actor=city, expected_version=audit.version)
    assert told("lookback.audit_closed") == {everyone["county"].pk}
    assert told("reviews.hold_placed") == {everyone["county"].pk}


def test_each_rating_asks_the_city_and_its_decision_tells_the_agency(everyone):
    campaign = campaign_open(year=2016, actor=everyone["city"], deadlines=phases_ahead())
    county, agency = everyone["county"], everyone["agency"].agency
    review_in(agency, everyone["firm"].enterprise, 2016)
    rating = agency_rating_submit(
        campaign=campaign, agency=agency, rating="warning", reason="重收费、轻服务",
        actor=county, rectify_by=dt.date(2016, 10, 1),
    )  # fmt: skip
    assert told("lookback.rating_submitted") == {everyone["city"].pk}
    agency_standing_decide_on_ratings(
        agency=agency, decision="warn", reason="重收费、轻服务", actor=everyone["city"],
        ratings=[rating], problem="fees", requirements="退还多收费用",
        deadline=dt.date.today() + dt.timedelta(days=20),
    )  # fmt: skip
    assert told("reviews.agency_warned") == {everyone["agency"].pk}
    Notification.objects.all().delete()
    agency_rating_submit(
        campaign=campaign, agency=agency, rating="good", reason="整改到位", actor=county
    )
    assert told("lookback.rating_submitted") == {everyone["city"].pk}


def test_a_spot_checks_order_to_rectify_tells_the_firm(everyone, zhifu):
    firm = everyone["firm"].enterprise
    firm.status = Status.ANNOUNCED
    firm.save(update_fields=["status"])
    campaign = campaign_open(year=2016, actor=everyone["city"], deadlines=phases_ahead())
    outcome = spot_check_draw(
        campaign=campaign, county=zhifu, actor=everyone["city"], sample=spot_sample(zhifu)
    )
    outcome = outcome.outcomes.get(enterprise=firm)
    spot_check_record(
        outcome=outcome, actor=everyone["city"], result="rectify", note="台账不全",
        rectify_by=dt.date(2016, 12, 20),
    )  # fmt: skip
    assert told("lookback.spot_check_rectify") == {everyone["firm"].pk}
    title = Notification.objects.get(kind="lookback.spot_check_rectify").title
    assert title == "回头看抽查：限期整改，期限2016年12月20日"
