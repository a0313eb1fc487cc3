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


def test_the_few_reviews_are_what_keeps_the_small_agency_out(world):
    """The data above, with the minimum lowered to its four reviews, does trip: the minimum,
    not the data, is what spares it."""
    config = city_settings()
    config.min_reviews = 4
    config.save()
    small, peer = AgencyFactory(name="小机构"), AgencyFactory(name="同行")
    for _ in range(4):
        world(small, result=Grade.PASS, score=D(95))
    for n in range(30):
        world(peer, result=Grade.PASS if n < 15 else "", score=D(70))
    assert [s.agency for s in kinds(K.AGENCY_OUTLIER)] == [small]


HONEST_SCORES = [78, 82, 85, 80, 88, 76, 84, 81, 79, 86]  # mean 81.9
PEER_SCORES = [65, 70, 74, 77, 79, 80, 82, 84, 88, 92]  # mean 79.1


def test_an_honest_agency_passing_every_firm_on_the_minimum_of_reviews_does_not_trip(world):
    """Ten reviews (the minimum), every one a pass, scores in the usual range: a pass rate of
    100% against the others' 80% on so few reviews is within chance (z ≈ 1.5 < 2.58)."""
    honest = AgencyFactory(name="认真的小机构")
    peers = [AgencyFactory(name="同行甲"), AgencyFactory(name="同行乙")]
    for score in HONEST_SCORES:
        world(honest, result=Grade.PASS, score=D(score))
    for peer in peers:
        for n in range(20):
            world(peer, result="" if n % 5 == 0 else Grade.PASS, score=D(PEER_SCORES[n % 10]))
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


def test_the_same_firms_two_reviews_with_the_same_deductions_do_not_trip(world, make_enterprise):
    firm = make_enterprise()
    world(firm=firm, deductions=[2, 1, 0, 3, 0, 1])
    world(firm=firm, deductions=[2, 1, 0, 3, 0, 1])  # a re-review of the same firm
    assert kinds(K.COPIED_REVIEW) == []


def test_few_identical_deductions_do_not_trip(world):
    world(deductions=[1, 0, 0, 0, 0, 0])
    world(deductions=[1, 0, 0, 0, 0, 0])
    assert kinds(K.COPIED_REVIEW) == []


def test_a_review_equal_to_the_self_assessment_on_every_item_trips(world):
    stamped = world(deductions=[1, 0, 2, 0, 0, 0], own=[1, 0, 2, 0, 0, 0])
    world(deductions=[1, 0, 2, 0, 0, 1], own=[1, 0, 2, 0, 0, 0])
    assert [s.review for s in kinds(K.RUBBER_STAMP)] == [stamped]


def test_a_review_that_differs_from_the_self_assessment_or_has_none_does_not_trip(world):
    world(deductions=[1, 0, 2, 0, 0, 1], own=[1, 0, 2, 0, 0, 0])  # one item differs
    world(deductions=[0, 0, 0, 0, 0, 0])  # no self-assessment to copy
    assert kinds(K.RUBBER_STAMP) == []


# --- 分差、专家、天数、零问题、收费 ---------------------------------------------------------


def test_a_review_far_above_its_self_assessment_trips(world, settings):
    settings.REVIEW_SCORE_GAP_POINTS = 15
    far = world(score=D(92), own_score=D(70))
    world(score=D(85), own_score=D(70))  # exactly 15: allowed
    assert [s.review for s in kinds(K.SCORE_GAP)] == [far]


def test_a_review_within_the_allowed_gap_or_below_its_self_assessment_does_not_trip(
    world, settings
):
    settings.REVIEW_SCORE_GAP_POINTS = 15
    world(score=D(85), own_score=D(70))  # exactly the allowed gap
    world(score=D(70), own_score=D(90))  # stricter than the firm itself
    world(score=D(95))  # no self-score to compare with
    assert kinds(K.SCORE_GAP) == []


def test_one_expert_on_two_sites_on_overlapping_dates_trips(world):
    expert = Expert.objects.create(name="王工", certificate_no="E1")
    a = world(days=(DAY, DAY + dt.timedelta(days=2)))
    b = world(days=(DAY + dt.timedelta(days=2), DAY + dt.timedelta(days=3)))
    c = world(days=(DAY + dt.timedelta(days=4), DAY + dt.timedelta(days=5)))  # after: fine
    for review in (a, b, c):
        ReviewTeamMember.objects.create(review=review, expert=expert)
    [signal] = kinds(K.EXPERT_OVERLAP)
    assert (signal.other_review, signal.review, signal.expert) == (a, b, expert)


def test_one_expert_on_consecutive_sites_or_twice_at_one_firm_does_not_trip(world, make_enterprise):
    expert = Expert.objects.create(name="李工", certificate_no="E2")
    firm = make_enterprise()
    reviews = [
        world(days=(DAY, DAY + dt.timedelta(days=1))),
        world(days=(DAY + dt.timedelta(days=2), DAY + dt.timedelta(days=3))),  # the next day
        world(firm=firm, days=(DAY + dt.timedelta(days=5), DAY + dt.timedelta(days=6))),
        world(firm=firm, days=(DAY + dt.timedelta(days=6), DAY + dt.timedelta(days=6))),
    ]  # the last two: the same firm's visit and its follow-up on one site
    for review in reviews:
        ReviewTeamMember.objects.create(review=review, expert=expert)
    assert kinds(K.EXPERT_OVERLAP) == []


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


def test_review_days_up_to_the_limit_or_spread_over_two_years_do_not_trip(world):
    config = city_settings()
    config.feasible_review_days = 6
    config.save()
    expert = Expert.objects.create(name="勤")
    starts = [DAY, DAY + dt.timedelta(days=7), DAY + dt.timedelta(days=14),  # 6 days in 2026
              dt.date(2025, 12, 1), dt.date(2025, 12, 8)]  # fmt: skip
    for start in starts:
        review = world(days=(start, start + dt.timedelta(days=1)))
        ReviewTeamMember.objects.create(review=review, expert=expert)
    assert kinds(K.EXPERT_OVERLOAD) == []


def test_an_on_site_review_shorter_than_the_minimum_for_the_size_trips(world):
    short = world(size=SizeClass.LARGE, days=(DAY, DAY + dt.timedelta(days=1)))  # 2 < 3
    world(size=SizeClass.LARGE, days=(DAY, DAY + dt.timedelta(days=2)))
    world(size=SizeClass.SMALL, days=(DAY, DAY))
    assert [s.review for s in kinds(K.SHORT_ONSITE)] == [short]


def test_on_site_reviews_of_the_minimum_length_or_more_do_not_trip(world):
    world(size=SizeClass.LARGE, days=(DAY, DAY + dt.timedelta(days=2)))
    world(size=SizeClass.MEDIUM, days=(DAY, DAY + dt.timedelta(days=1)))
    world(size=SizeClass.MICRO, days=(DAY, DAY))
    world(size=SizeClass.SMALL, days=None)  # dates not recorded: nothing to measure
    assert kinds(K.SHORT_ONSITE) == []


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


def test_a_fee_far_below_the_median_trips_too(world):
    for _ in range(5):
        world(fee=D(8000))
    cheap = world(fee=D(3000))  # under half the median: a loss leader, or a review skimped
    [signal] = kinds(K.FEE_OUTLIER)
    assert signal.review == cheap and "低于" in signal.summary


def test_fees_of_other_sizes_or_counties_are_not_compared(world, make_enterprise, fushan):
    for _ in range(5):
        world(fee=D(8000))
    for _ in range(5):
        world(fee=D(30000), size=SizeClass.LARGE)  # large firms pay more
    for _ in range(5):
        world(fee=D(20000), firm=make_enterprise(county=fushan, size=SizeClass.SMALL))
    assert kinds(K.FEE_OUTLIER) == []


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


def _passed_firms(world, agency, count):
    reviews = []
    for n in range(count):
        review = world(agency)
        Certificate.objects.create(
            enterprise=review.enterprise, review=review, grade=Grade.PASS,
            number=f"{agency.pk}-{n}", issued_on=dt.date(2025, 1, 1),
            valid_until=dt.date(2028, 1, 1),
        )  # fmt: skip
        reviews.append(review)
    return [r.enterprise for r in reviews]


def _spot_check(firm, outcome, at, city_user):
    from lookback.models import Campaign, SpotCheck, SpotCheckOutcome

    campaign, _ = Campaign.objects.get_or_create(
        year=at.year,
        defaults={"self_check_deadline": at, "summary_deadline": at, "spot_check_deadline": at,
                  "created_by": city_user},
    )  # fmt: skip
    check, _ = SpotCheck.objects.get_or_create(campaign=campaign, county=firm.county)
    SpotCheckOutcome.objects.create(
        spot_check=check, enterprise=firm, outcome=outcome,
        recorded_at=dt.datetime(at.year, at.month, at.day, tzinfo=dt.UTC),
    )  # fmt: skip


def test_passed_firms_failing_an_audit_or_a_spot_check_count_against_the_agency(
    world, city_user, zhifu
):
    from lookback.models import AuditFinding, AuditRound, SpotCheckOutcome

    bad, good = AgencyFactory(name="差机构"), AgencyFactory(name="好机构")
    bad_firms, good_firms = _passed_firms(world, bad, 10), _passed_firms(world, good, 10)
    audit = AuditRound.objects.create(county=zhifu, year=2025, tolerance=D(5), created_by=city_user)
    AuditFinding.objects.create(
        audit=audit, enterprise=bad_firms[0], agency=bad, reported_result=Grade.PASS,
        reported_score=D(80), in_error=True, recorded=True,
    )  # fmt: skip
    _spot_check(bad_firms[1], SpotCheckOutcome.Outcome.RECTIFY, dt.date(2026, 4, 1), city_user)
    # The good agency's firms: a spot-check that passed, and a failure before the grade.
    _spot_check(good_firms[0], SpotCheckOutcome.Outcome.PASSES, dt.date(2026, 4, 1), city_user)
    _spot_check(good_firms[1], SpotCheckOutcome.Outcome.PUNISHED, dt.date(2024, 4, 1), city_user)
    [signal] = kinds(K.AGENCY_FAILURES)
    assert signal.agency == bad and "20.0%" in signal.summary
    evidence = dict(map(tuple, signal.evidence))
    assert (evidence["抽查审核存在误差"], evidence["回头看抽查不合格"]) == ("1", "1")


def test_an_agency_with_few_passed_firms_is_not_rated_on_its_failures(world):
    few = AgencyFactory(name="新机构")
    firms = _passed_firms(world, few, 4)  # fewer than the 10 the comparison needs
    Accident.objects.create(enterprise=firms[0], occurred_on=dt.date(2026, 1, 5), deaths=1)
    assert kinds(K.AGENCY_FAILURES) == []


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


def test_new_signals_tell_the_city_and_nobody_else(world, seats):
    world(findings=0, hazards=0)
    signals_compute()
    told = Notification.objects.filter(kind="integrity.signals_raised")
    assert set(told.values_list("recipient", flat=True)) == {seats["city"].pk}
    assert told.get().url == "/integrity/signals/" and told.get().title == "新增 1 条诚信预警"
    assert Notification.objects.count() == 1


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
