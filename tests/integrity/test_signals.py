"""Integrity signals: each kind on data built to trip it and on data built not to; a signal
keeps its key, status and decision from one run to the next; the city works it to a decision."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from enterprises.choices import Grade, SizeClass, Status
from enterprises.models import Accident
from integrity.models import RevocationCandidate, Signal
from integrity.services.signals import city_settings, signal_decide, signals_compute
from portal.audit import history_for
from portal.models import Notification
from portal.statemachine import TransitionRefused
from reviews.models import (
    Certificate,
    Expert,
    Nonconformity,
    Review,
    ReviewLine,
    ReviewTeamMember,
    ScoringStandard,
    SelfAssessment,
    SelfAssessmentLine,
    StandardElement,
    StandardItem,
)
from tests.factories import AgencyFactory
from tests.reviews.factories_review import record_risks_and_hazards

pytestmark = pytest.mark.django_db
K = Signal.Kind
DAY = dt.date(2026, 3, 2)


@pytest.fixture
def standard(db):
    standard = ScoringStandard.objects.create(
        code="S", version="1", name="小微企业评定标准", kind="small_micro",
        effective_from=dt.date(2016, 1, 1),
    )  # fmt: skip
    element = StandardElement.objects.create(standard=standard, number=1, name="目标")
    for n in range(6):
        StandardItem.objects.create(
            standard=standard, element=element, code=f"1.{n}", order=n, content="…", points=10
        )
    return standard


@pytest.fixture
def world(make_enterprise, zhifu, standard):
    """Build reviews: ``review(agency, result=…, score=…, …)``."""
    counter = iter(range(10_000))

    def review(agency=None, *, result=Grade.PASS, score=D(80), size=SizeClass.SMALL,
               days=(DAY, DAY + dt.timedelta(days=1)), hazards=2, fee=None, deductions=None,
               own=None, own_score=None, firm=None, findings=1):  # fmt: skip
        firm = firm or make_enterprise(county=zhifu, size=size, status=Status.ANNOUNCED)
        assessment = None
        if own is not None or own_score is not None:
            assessment = SelfAssessment.objects.create(
                enterprise=firm, standard=standard, score=own_score
            )
            for item, points in zip(standard.items.order_by("order"), own or [], strict=False):
                SelfAssessmentLine.objects.create(assessment=assessment, item=item, deducted=points)
        row = Review.objects.create(
            enterprise=firm, agency=agency, status="concluded", result=result, score=score,
            onsite_from=days[0] if days else None, onsite_to=days[1] if days else None,
            fee=fee, self_assessment=assessment, standard=standard,
            assignment_no=f"W{next(counter)}",
        )  # fmt: skip
        if hazards:
            record_risks_and_hazards([row], hazards=hazards)
        for item, points in zip(standard.items.order_by("order"), deductions or [], strict=False):
            ReviewLine.objects.create(review=row, item=item, deducted=points)
        for n in range(findings):
            item = standard.items.order_by("order").first()
            Nonconformity.objects.create(
                review=row, item=item, description=f"问题{n}", deadline=DAY, status="accepted"
            )
        return row

    return review


def kinds(kind):
    signals_compute()
    return list(Signal.objects.filter(kind=kind))


# --- 机构离群 -------------------------------------------------------------------------------------


def test_an_agency_passing_far_more_than_its_peers_trips(world):
    lax, strict = AgencyFactory(name="宽松机构"), AgencyFactory(name="严格机构")
    for n in range(20):
        world(lax, result=Grade.PASS, score=D(95))
        world(strict, result=Grade.PASS if n < 8 else "", score=D(70))
    found = kinds(K.AGENCY_OUTLIER)
    assert [s.agency for s in found] == [lax]
    assert found[0].score >= D("2.58") and "单侧 z 检验" in str(found[0].evidence)


def test_an_honest_agency_with_a_high_pass_rate_on_few_reviews_does_not_trip(world):
    small, peer = AgencyFactory(name="小机构"), AgencyFactory(name="同行")
    for _ in range(4):  # fewer than the 10 reviews the comparison needs
        world(small, result=Grade.PASS, score=D(95))
    for n in range(30):
        world(peer, result=Grade.PASS if n < 15 else "", score=D(70))
    assert kinds(K.AGENCY_OUTLIER) == []


def test_agencies_of_the_same_quality_do_not_trip(world):
    a, b = AgencyFactory(), AgencyFactory()
    for n in range(20):
        world(a, result=Grade.PASS if n % 4 else "", score=D(80 + n % 3))
        world(b, result=Grade.PASS if n % 5 else "", score=D(80 + n % 2))
    assert kinds(K.AGENCY_OUTLIER) == []


# --- 雷同与照抄 -----------------------------------------------------------------------------------


def test_two_firms_reviews_with_the_same_deductions_trip(world):
    agency = AgencyFactory()
    first = world(agency, deductions=[2, 1, 0, 3, 0, 1])
    second = world(agency, deductions=[2, 1, 0, 3, 0, 1])
    world(agency, deductions=[2, 1, 0, 3, 0, 2])  # one point differs: not a copy
    [signal] = kinds(K.COPIED_REVIEW)
    assert (signal.review, signal.other_review) == (second, first)


def test_few_identical_deductions_do_not_trip(world):
    world(deductions=[1, 0, 0, 0, 0, 0])
    world(deductions=[1, 0, 0, 0, 0, 0])
    assert kinds(K.COPIED_REVIEW) == []


def test_a_review_equal_to_the_self_assessment_on_every_item_trips(world):
    stamped = world(deductions=[1, 0, 2, 0, 0, 0], own=[1, 0, 2, 0, 0, 0])
    world(deductions=[1, 0, 2, 0, 0, 1], own=[1, 0, 2, 0, 0, 0])
    assert [s.review for s in kinds(K.RUBBER_STAMP)] == [stamped]


# --- 分差、专家、天数、零问题、收费 ---------------------------------------------------------


def test_a_review_far_above_its_self_assessment_trips(world, settings):
    settings.REVIEW_SCORE_GAP_POINTS = 15
    far = world(score=D(92), own_score=D(70))
    world(score=D(85), own_score=D(70))  # exactly 15: allowed
    assert [s.review for s in kinds(K.SCORE_GAP)] == [far]


def test_one_expert_on_two_sites_on_overlapping_dates_trips(world):
    expert = Expert.objects.create(name="王工", certificate_no="E1")
    a = world(days=(DAY, DAY + dt.timedelta(days=2)))
    b = world(days=(DAY + dt.timedelta(days=2), DAY + dt.timedelta(days=3)))
    c = world(days=(DAY + dt.timedelta(days=4), DAY + dt.timedelta(days=5)))  # after: fine
    for review in (a, b, c):
        ReviewTeamMember.objects.create(review=review, expert=expert)
    [signal] = kinds(K.EXPERT_OVERLAP)
    assert (signal.other_review, signal.review, signal.expert) == (a, b, expert)


def test_more_review_days_in_a_year_than_feasible_trips(world):
    config = city_settings()
    config.feasible_review_days = 5
    config.save()
    busy, calm = Expert.objects.create(name="忙"), Expert.objects.create(name="闲")
    for week in range(3):
        start = DAY + dt.timedelta(days=7 * week)
        review = world(days=(start, start + dt.timedelta(days=1)))
        ReviewTeamMember.objects.create(review=review, expert=busy)
    ReviewTeamMember.objects.create(review=world(), expert=calm)
    assert [s.expert for s in kinds(K.EXPERT_OVERLOAD)] == [busy]  # 6 days > 5


def test_an_on_site_review_shorter_than_the_minimum_for_the_size_trips(world):
    short = world(size=SizeClass.LARGE, days=(DAY, DAY + dt.timedelta(days=1)))  # 2 < 3
    world(size=SizeClass.LARGE, days=(DAY, DAY + dt.timedelta(days=2)))
    world(size=SizeClass.SMALL, days=(DAY, DAY))
    assert [s.review for s in kinds(K.SHORT_ONSITE)] == [short]


def test_a_pass_with_no_finding_and_no_hazard_trips(world):
    clean = world(findings=0, hazards=0)
    world(findings=0, hazards=3)
    world(findings=1, hazards=0)
    world(result="", findings=0, hazards=0)  # a failed review is not a pass
    assert [s.review for s in kinds(K.CLEAN_PASS)] == [clean]


def test_a_fee_far_above_the_countys_median_for_the_size_trips(world):
    for _ in range(5):
        world(fee=D(8000))
    dear = world(fee=D(20000))
    world(fee=D(12000))
    assert [s.review for s in kinds(K.FEE_OUTLIER)] == [dear]


def test_fees_in_too_small_a_group_do_not_trip(world):
    world(fee=D(8000))
    world(fee=D(30000))
    assert kinds(K.FEE_OUTLIER) == []


def test_an_agency_whose_passed_firms_later_fail_trips(world, zhifu):
    bad, good = AgencyFactory(name="差机构"), AgencyFactory(name="好机构")
    for agency in (bad, good):
        for n in range(10):
            review = world(agency)
            Certificate.objects.create(
                enterprise=review.enterprise, review=review, grade=Grade.PASS,
                number=f"{agency.pk}-{n}", issued_on=dt.date(2025, 1, 1),
                valid_until=dt.date(2028, 1, 1),
            )  # fmt: skip
            if agency == bad and n < 3:
                Accident.objects.create(
                    enterprise=review.enterprise, occurred_on=dt.date(2026, 1, 5), deaths=1
                )
    Accident.objects.create(  # before the grade: not the agency's failure
        enterprise=Certificate.objects.get(number=f"{good.pk}-0").enterprise,
        occurred_on=dt.date(2024, 5, 1),
        deaths=1,
    )
    [signal] = kinds(K.AGENCY_FAILURES)
    assert signal.agency == bad and "30.0%" in signal.summary
    assert zhifu in signal.counties.all()


# --- 计算、状态、处理 ----------------------------------------------------------------------


def test_a_rerun_keeps_the_signal_and_its_decision_and_tells_the_city_once(
    world, city_user, make_user
):
    make_user(role="city")
    world(findings=0, hazards=0)
    assert signals_compute() == {"found": 1, "new": 1}
    signal = Signal.objects.get()
    signal_decide(signal=signal, actor=city_user, decision="explain", note="企业基础好，属实")
    assert signals_compute() == {"found": 1, "new": 0}
    signal.refresh_from_db()
    assert signal.status == Signal.Status.EXPLAINED and signal.note == "企业基础好，属实"
    assert Notification.objects.filter(title__contains="诚信预警").count() == 2  # two city users


def test_a_decision_needs_a_note_and_a_confirmation_an_action(world, city_user):
    world(findings=0, hazards=0)
    signals_compute()
    signal = Signal.objects.get()
    with pytest.raises(TransitionRefused, match="核实说明"):
        signal_decide(signal=signal, actor=city_user, decision="explain", note=" ")
    with pytest.raises(TransitionRefused, match="处理措施"):
        signal_decide(signal=signal, actor=city_user, decision="confirm", note="属实")


def test_a_confirmed_warning_is_recorded_on_the_agency(world, city_user):
    agency = AgencyFactory()
    world(agency, findings=0, hazards=0)
    signals_compute()
    signal = Signal.objects.get()
    signal_decide(
        signal=signal, actor=city_user, decision="confirm", note="未认真评审", action="warn_agency"
    )
    assert signal.status == Signal.Status.CONFIRMED
    assert history_for(agency).filter(action="诚信预警：警告评审机构").exists()


def test_a_confirmed_revocation_candidate_needs_a_current_grade(world, city_user):
    review = world(findings=0, hazards=0)
    signals_compute()
    signal = Signal.objects.get()
    with pytest.raises(ValidationError, match="没有有效的等级证书"):
        signal_decide(
            signal=signal, actor=city_user, decision="confirm", note="x", action="revocation"
        )
    firm = review.enterprise
    Certificate.objects.create(
        enterprise=firm, review=review, grade=Grade.LEVEL2, number="C-1",
        issued_on=dt.date(2025, 1, 1), valid_until=dt.date(2028, 1, 1),
    )  # fmt: skip
    firm.certificate_no = "C-1"
    firm.save()
    signal.refresh_from_db()
    signal_decide(signal=signal, actor=city_user, decision="confirm", note="x", action="revocation")
    candidate = RevocationCandidate.objects.get()
    assert candidate.signal == signal and candidate.level == "city"


def test_the_job_makes_a_constant_number_of_queries(world, django_assert_max_num_queries):
    agency = AgencyFactory()
    for n in range(3):
        world(agency, findings=0, hazards=0, deductions=[1, 1, 1, 0, 0, 0], fee=D(1000 + n))
    signals_compute()
    with django_assert_max_num_queries(40) as few:
        signals_compute()
    for n in range(12):
        world(agency, findings=0, hazards=0, deductions=[1, 1, 1, 0, 0, 0], fee=D(1000 + n))
    signals_compute()  # the new ones are told to the city once
    with django_assert_max_num_queries(len(few.captured_queries)):
        signals_compute()


def test_the_page_offers_the_decision_while_the_signal_is_open(world, city_user, county_user):
    from portal.policy import allowed_actions

    world(findings=0, hazards=0)
    signals_compute()
    signal = Signal.objects.get()
    assert "decide" in allowed_actions(city_user, signal)
    assert "decide" not in allowed_actions(county_user, signal)
    signal_decide(signal=signal, actor=city_user, decision="explain", note="属实")
    assert {"decide"} <= allowed_actions(city_user, signal)  # only "reopen" now
