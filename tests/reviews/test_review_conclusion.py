"""The conclusion is computed by the rules, never typed in, and refused while anything is
missing: a nonconformity open, an item unscored, a team short of two or without one leader."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from enterprises.choices import Grade, SizeClass, Status
from enterprises.models import Accident
from portal.audit import history_for
from portal.statemachine import TransitionRefused
from reviews.choices import ReviewStatus, StandardKind
from reviews.models import ReviewTeamMember
from reviews.services import review as services
from tests.reviews import factories_review
from tests.reviews.factories_review import make_standard

pytestmark = pytest.mark.django_db
review_world = factories_review.review_world


def conclude(world, review):
    return services.review_conclude(review=review, actor=world.agency_user)


def test_no_conclusion_while_a_nonconformity_is_open(review_world):
    review = review_world.scored()
    services.nonconformity_add(
        review=review,
        actor=review_world.agency_user,
        item=review_world.standard.items.first(),
        description="安全生产责任制未覆盖全员",
        deadline=timezone.localdate() + dt.timedelta(days=30),
    )
    with pytest.raises(TransitionRefused, match="1个不符合项未整改到位"):
        conclude(review_world, review)
    review.refresh_from_db()
    assert review.status == ReviewStatus.RECTIFYING and review.result == ""


def test_no_conclusion_while_an_item_is_unscored(review_world):
    review = review_world.with_team()
    with pytest.raises(TransitionRefused, match="还有4个评分项未评分"):
        conclude(review_world, review)


def test_no_conclusion_without_a_team_of_two_with_one_leader(review_world):
    review = review_world.scored()
    ReviewTeamMember.objects.filter(review=review, is_leader=False).delete()
    with pytest.raises(TransitionRefused, match="至少需要2名评审专家"):
        conclude(review_world, review)


def test_small_micro_firm_passes_at_sixty(review_world):
    # 4 items of 25: 40 deducted → 60.0 → 达标
    review = review_world.scored({0: 25, 1: 15})
    review = conclude(review_world, review)
    assert (review.score, review.result) == (D("60.0"), Grade.PASS)
    assert review.status == ReviewStatus.CONCLUDED
    review_world.firm.refresh_from_db()
    assert review_world.firm.status == Status.CONCLUDED


def test_small_micro_firm_below_sixty_does_not_pass(review_world):
    review = review_world.scored({0: 25, 1: 15, 2: D("0.5")})
    review = conclude(review_world, review)
    assert (review.score, review.result) == (D("59.5"), "")


def test_not_applicable_items_leave_the_denominator_of_the_conclusion(review_world):
    # item 3 does not apply: 75 possible, 15 deducted → 80.0
    review = review_world.scored({0: 15}, not_applicable=(3,))
    assert conclude(review_world, review).score == D("80.0")


def test_a_failed_veto_item_fails_the_firm_whatever_its_score(review_world):
    review_world.standard = make_standard(veto=(2,))
    review = review_world.scored({2: 1})
    review = conclude(review_world, review)
    assert review.veto_failed and review.score == D("99.0") and review.result == ""


@pytest.fixture
def graded_world(review_world):
    review_world.firm.size = SizeClass.MEDIUM
    review_world.firm.save(update_fields=["size"])
    review_world.standard = make_standard(
        kind=StandardKind.INDUSTRY, industry=review_world.extra["machinery"]
    )
    return review_world


def test_graded_firm_at_ninety_gets_level_one(graded_world):
    review = conclude(graded_world, graded_world.scored({0: 10}))
    assert (review.score, review.result) == (D("90.0"), Grade.LEVEL1)


def test_one_death_in_the_year_before_caps_level_one_at_level_two(graded_world):
    Accident.objects.create(
        enterprise=graded_world.firm,
        occurred_on=timezone.localdate() - dt.timedelta(days=200),
        deaths=1,
    )
    review = conclude(graded_world, graded_world.scored())
    assert (review.score, review.result) == (D("100.0"), Grade.LEVEL2)
    entry = history_for(graded_world.firm).filter(action="作出评审结论").get()
    assert "事故死亡1人" in entry.note


def test_deaths_more_than_a_year_before_do_not_cap_the_grade(graded_world):
    Accident.objects.create(
        enterprise=graded_world.firm,
        occurred_on=timezone.localdate() - dt.timedelta(days=400),
        deaths=3,
    )
    assert conclude(graded_world, graded_world.scored()).result == Grade.LEVEL1


def test_three_deaths_in_the_year_before_fail_a_graded_firm(graded_world):
    Accident.objects.create(
        enterprise=graded_world.firm, occurred_on=timezone.localdate(), deaths=0
    )
    Accident.objects.create(
        enterprise=graded_world.firm,
        occurred_on=timezone.localdate() - dt.timedelta(days=10),
        deaths=3,
    )
    assert conclude(graded_world, graded_world.scored()).result == ""


def test_the_conclusion_is_recorded_in_the_history_of_review_and_firm(review_world):
    review = conclude(review_world, review_world.scored({0: 5}))
    entry = history_for(review).filter(action="作出评审结论").get()
    assert entry.actor == review_world.agency_user
    assert entry.changes["score"] == [None, "95.0"]
    assert entry.changes["result"] == ["", "达标"]
    firm_entry = history_for(review_world.firm).filter(action="作出评审结论").get()
    assert firm_entry.changes["status"] == ["评审中", "评审已结论"]


def test_the_score_history_keeps_every_changed_item(review_world):
    review = review_world.scored({0: 5})
    review_world.score(review, {0: 8})
    entry = history_for(review).filter(action="评分").first()
    assert entry.changes == {"1.1 扣分": ["扣5.0分", "扣8.0分"]}
