"""The yearly evaluation's enforcement criteria on a small world whose numbers are known:
芝罘区 served two refusal notices in 2016, inspected one of them, found violations, fined and
(later) followed up; 福山区 had no refusers, so nothing is measured there (it scores nothing,
as every criterion with nothing to measure)."""

import datetime as dt

import pytest

from enforcement import selectors, services
from enforcement.choices import FollowUpResult
from reports import evaluation

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_refuser(make_enterprise, zhifu, county_user):
    return services.refusal_mark(
        enterprise=make_enterprise(county=zhifu), actor=county_user, notice_no="告2号",
        served_on=dt.date(2016, 6, 1), firm_answer="不参加",
    )  # fmt: skip


def test_half_of_zhifus_refusers_were_inspected(decided, second_refuser, zhifu):
    assert selectors.refusers_inspected_share(2016) == {zhifu.pk: 0.5}
    assert selectors.refusers_inspected_share(2017) == {}


def test_a_fined_case_counts_as_settled_only_after_its_follow_up(decided, county_user, zhifu):
    assert selectors.violations_settled_share(2016) == {zhifu.pk: 0.0}
    services.case_follow_up(
        case=decided, actor=county_user, followed_up_on=dt.date(2016, 5, 13),
        result=FollowUpResult.CORRECTED, note="已改正",
    )  # fmt: skip
    assert selectors.violations_settled_share(2016) == {zhifu.pk: 1.0}


def test_the_criteria_are_pluggable_and_a_county_without_refusers_has_nothing_measured(
    decided, second_refuser, zhifu, fushan, city_user
):
    from reports.selectors import county_progress

    progress = county_progress(user=city_user, year=2016, today=dt.date(2016, 12, 31))
    inspected = evaluation.CRITERIA["enforcement_inspected"][1](
        2016, dt.date(2016, 12, 31), progress
    )
    settled = evaluation.CRITERIA["enforcement_settled"][1](2016, dt.date(2016, 12, 31), progress)
    assert inspected[zhifu.pk] == 0.5 and inspected[fushan.pk] is None
    assert settled[zhifu.pk] == 0.0 and settled[fushan.pk] is None
