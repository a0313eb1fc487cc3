"""Enforcement as the notice states it: refusers are inspected on five points, every violation
is fined at the upper limit unless a reason is recorded, and a case closes after its follow-up."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from enforcement import selectors, services
from enforcement.choices import CaseStatus, Finding, FollowUpResult
from enforcement.models import Inspection, PenaltyDecision
from enterprises.choices import Status
from enterprises.models import Enterprise
from portal.statemachine import TransitionRefused
from reviews.models import SelfAssessment
from reviews.services.assessment import assessment_start

from .conftest import INSPECTORS, five_points, inspect

pytestmark = pytest.mark.django_db
D = dt.date


# --- 拒不创建 ----------------------------------------------------------------------------------


def test_a_marked_refuser_is_on_its_countys_list(
    refusal, county_user, city_user, fushan, make_user
):
    assert list(selectors.refusers(county_user)) == [refusal]
    assert list(selectors.refusers(city_user, county_id=refusal.enterprise.county_id)) == [refusal]
    assert list(selectors.refusers(make_user(role="county", county=fushan))) == []


def test_a_refuser_who_starts_a_self_assessment_leaves_the_list_with_the_date(
    refusal, county_user, firm, enterprise_user
):
    _any_standard()
    Enterprise.objects.filter(pk=firm.pk).update(status=Status.LISTED)
    firm.refresh_from_db()
    assessment = assessment_start(enterprise=firm, actor=enterprise_user)
    assert list(selectors.refusers(county_user)) == []
    left = selectors.refusals(county_user).get()
    assert left.left_on == timezone.localtime(assessment.created_at).date()


def test_a_self_assessment_begun_before_the_notice_does_not_take_a_firm_off(
    refusal, county_user, firm
):
    before = SelfAssessment.objects.create(enterprise=firm, standard=_any_standard())
    SelfAssessment.objects.filter(pk=before.pk).update(
        created_at=dt.datetime(2016, 1, 5, 9, tzinfo=dt.UTC)
    )
    assert list(selectors.refusers(county_user)) == [refusal]


def _any_standard():
    from reviews.demo import seed_standards
    from reviews.models import ScoringStandard

    seed_standards()
    return ScoringStandard.objects.first()


def test_only_the_firms_county_marks_it_as_refusing(firm, city_user, make_user, fushan):
    from django.core.exceptions import PermissionDenied

    for user in (city_user, make_user(role="county", county=fushan)):
        with pytest.raises(PermissionDenied):
            services.refusal_mark(
                enterprise=firm, actor=user, notice_no="x", served_on=D(2016, 3, 1),
                firm_answer="拒绝",
            )  # fmt: skip


# --- 执法检查：五个方面 ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "left_out", ["training", "hazards", "occupational", "special_operations", "emergency_plan"]
)
def test_the_five_points_are_all_required_on_an_inspection(case, county_user, left_out):
    findings = five_points()
    del findings[left_out]
    with pytest.raises(ValidationError, match="五个方面须逐项填写"):
        inspect(case, county_user, findings)
    case.refresh_from_db()
    assert case.status == CaseStatus.OPENED and not Inspection.objects.exists()


def test_a_point_without_evidence_is_refused(case, county_user):
    with pytest.raises(ValidationError, match="职业危害管理情况"):
        inspect(case, county_user, five_points(occupational=(Finding.CONFORMS, "")))


def test_one_inspector_is_not_enough(case, county_user):
    with pytest.raises(ValidationError, match="2名以上执法人员"):
        services.inspection_record(
            case=case, actor=county_user, inspected_on=D(2016, 4, 10), place="现场",
            inspectors=[INSPECTORS[0]], findings=five_points(),
        )  # fmt: skip


def test_an_inspection_records_its_inspectors_and_five_findings(case, county_user):
    inspection = inspect(case, county_user)
    assert inspection.inspectors.count() == 2 and inspection.findings.count() == 5
    assert case.status == CaseStatus.INSPECTED


# --- 处罚：一律按规定上限 ----------------------------------------------------------------------


def test_the_penalty_defaults_to_the_upper_limit(decided):
    decision = PenaltyDecision.objects.get(case=decided)
    assert decision.amount == decision.upper_limit == Decimal(50000) and decision.at_upper_limit


def test_two_provisions_breached_double_the_upper_limit(inspected, county_user, bases):
    services.violation_record(
        case=inspected, actor=county_user, basis=bases["AQFA2014-94-6"], facts="未制定应急预案"
    )
    assert inspected.fine_upper_limit() == Decimal(100000)


def test_a_penalty_below_the_upper_limit_is_refused_without_a_reason(ordered, county_user):
    with pytest.raises(ValidationError, match="须记录理由"):
        services.penalty_decide(
            case=ordered, actor=county_user, number="罚1号", decided_on=D(2016, 4, 20),
            amount=Decimal(20000),
        )  # fmt: skip
    ordered.refresh_from_db()
    assert ordered.status == CaseStatus.ORDERED and not PenaltyDecision.objects.exists()


def test_a_penalty_below_the_upper_limit_with_its_reason_is_kept(ordered, county_user):
    decision = services.penalty_decide(
        case=ordered, actor=county_user, number="罚1号", decided_on=D(2016, 4, 20),
        amount=Decimal(20000), below_limit_reason="经集体讨论，企业主动消除违法后果",
    )  # fmt: skip
    assert decision.amount == Decimal(20000) and not decision.at_upper_limit


def test_a_penalty_above_the_upper_limit_is_refused(ordered, county_user):
    with pytest.raises(ValidationError, match="不得超过法定上限"):
        services.penalty_decide(
            case=ordered, actor=county_user, number="罚1号", decided_on=D(2016, 4, 20),
            amount=Decimal(60000), below_limit_reason="",
        )  # fmt: skip


def test_an_order_needs_a_deadline_after_its_date(inspected, county_user):
    with pytest.raises(ValidationError, match="整改期限须晚于"):
        services.case_order(
            case=inspected, actor=county_user, order_no="责改1号", ordered_on=D(2016, 4, 12),
            rectify_by=D(2016, 4, 1),
        )  # fmt: skip


# --- 复查与结案 --------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", ["inspected", "ordered", "decided"])
def test_a_case_cannot_close_before_its_follow_up(stage, request, county_user):
    case = request.getfixturevalue(stage)
    with pytest.raises(TransitionRefused):
        services.case_close(case=case, actor=county_user, closed_on=D(2016, 6, 1))
    case.refresh_from_db()
    assert case.status != CaseStatus.CLOSED


def test_a_case_closes_after_its_follow_up(followed_up, county_user):
    services.case_close(case=followed_up, actor=county_user, closed_on=D(2016, 5, 20))
    followed_up.refresh_from_db()
    assert followed_up.status == CaseStatus.CLOSED


def test_an_inspection_finding_nothing_unlawful_closes_at_once(case, county_user):
    inspect(case, county_user, five_points())
    services.case_close(case=case, actor=county_user, closed_on=D(2016, 4, 11))
    assert case.status == CaseStatus.CLOSED


def test_an_escalation_says_what_was_done(decided, county_user):
    with pytest.raises(ValidationError, match="加重处理"):
        services.case_follow_up(
            case=decided, actor=county_user, followed_up_on=D(2016, 5, 13),
            result=FollowUpResult.ESCALATED, note="",
        )  # fmt: skip


def test_cases_past_their_deadline_come_first(
    decided, case_elsewhere_today, county_user, city_user
):
    listed = list(selectors.cases(city_user, today=D(2016, 6, 1)))
    assert listed[0] == decided and listed[0].overdue
    assert not selectors.cases(city_user, today=D(2016, 5, 1)).get(pk=decided.pk).overdue
    assert list(selectors.cases(county_user, today=D(2016, 6, 1))) == [decided]


@pytest.fixture
def case_elsewhere_today(make_enterprise, fushan, make_user, bases):
    actor = make_user(role="county", county=fushan)
    return services.case_open(
        enterprise=make_enterprise(county=fushan), actor=actor, opened_on=D(2016, 5, 30),
        cause="拒不开展安全生产标准化创建",
    )  # fmt: skip


def test_a_firm_already_standardizing_cannot_be_marked_as_refusing(firm, county_user):
    from django.core.exceptions import PermissionDenied

    Enterprise.objects.filter(pk=firm.pk).update(status=Status.UNDER_REVIEW)
    firm.refresh_from_db()
    with pytest.raises(PermissionDenied, match="已开展标准化创建"):
        services.refusal_mark(
            enterprise=firm, actor=county_user, notice_no="x", served_on=D(2016, 3, 1),
            firm_answer="拒绝",
        )  # fmt: skip
