"""Who may apply for review (申请评审): a submitted self-assessment of the standard version in
force that reaches the track's pass mark (60 for small and micro firms; the applied grade's
threshold for graded firms), no failed veto item, the self-assessment team (自评组) recorded,
and no earlier application still open. A refusal names the condition that fails."""

import datetime as dt
from decimal import Decimal as D

import pytest

from enterprises.choices import Grade, SizeClass, Status
from portal.statemachine import TransitionRefused
from reviews.choices import StandardKind
from reviews.models import ScoringStandard
from reviews.services import review as services
from tests.reviews import factories_review
from tests.reviews.factories_review import make_standard, make_submitted_assessment

pytestmark = pytest.mark.django_db
review_world = factories_review.review_world


def apply(world, **kwargs):
    world.firm.status = Status.SELF_ASSESSING
    world.firm.save(update_fields=["status"])
    return services.review_apply(enterprise=world.firm, actor=world.firm_user, **kwargs)


def assessed(world, **kwargs):
    world.assessment = make_submitted_assessment(world.firm, world.standard, **kwargs)
    return world.assessment


def test_a_small_micro_firm_at_59_9_is_refused_and_told_its_score(review_world):
    assessed(review_world, score=D("59.9"))
    with pytest.raises(TransitionRefused, match="自评得分59.9分，未达到申请评审所需的60分"):
        apply(review_world)
    review_world.firm.refresh_from_db()
    assert review_world.firm.status == Status.SELF_ASSESSING
    assert not review_world.firm.reviews.exists()


def test_a_small_micro_firm_at_60_may_apply(review_world):
    assessed(review_world, score=D("60.0"))
    review = apply(review_world)
    assert review.self_assessment == review_world.assessment


def test_a_self_assessment_of_zero_is_refused(review_world):
    assessed(review_world, deductions={0: 25, 1: 25, 2: 25, 3: 25})
    with pytest.raises(TransitionRefused, match="自评得分0.0分"):
        apply(review_world)


def test_a_failed_veto_item_is_refused_whatever_the_score(review_world):
    review_world.standard = make_standard(veto=(1,))
    assessed(review_world, deductions={1: 1})  # 99.0, but the veto item failed
    with pytest.raises(TransitionRefused, match="否决项不合格"):
        apply(review_world)


def test_without_the_self_assessment_team_the_firm_is_refused(review_world):
    assessed(review_world, team=False)
    with pytest.raises(TransitionRefused, match="自评组组长和成员未填写"):
        apply(review_world)


def test_a_leader_without_members_is_refused(review_world):
    assessment = assessed(review_world)
    assessment.team_members = "  \n"
    assessment.save()
    with pytest.raises(TransitionRefused, match="自评组成员未填写"):
        apply(review_world)


def test_a_self_assessment_of_a_superseded_version_is_refused(review_world):
    assessed(review_world)
    old = review_world.standard
    ScoringStandard.objects.filter(pk=old.pk).update(effective_until=dt.date(2016, 12, 31))
    with pytest.raises(TransitionRefused, match="不是现行版本"):
        apply(review_world)


def test_a_later_version_of_the_same_standard_in_force_supersedes_it(review_world):
    assessed(review_world)
    old = review_world.standard
    ScoringStandard.objects.create(
        code=old.code, version="2", name=old.name, kind=old.kind, effective_from=dt.date(2017, 1, 1)
    )
    with pytest.raises(TransitionRefused, match="不是现行版本"):
        apply(review_world)


def test_an_open_application_forbids_a_second(review_world):
    assessed(review_world)
    apply(review_world)
    with pytest.raises(TransitionRefused):
        services.review_apply(enterprise=review_world.firm, actor=review_world.firm_user)
    assert review_world.firm.reviews.count() == 1


@pytest.fixture
def graded_world(review_world):
    review_world.firm.size = SizeClass.MEDIUM
    review_world.firm.save(update_fields=["size"])
    review_world.standard = make_standard(
        kind=StandardKind.INDUSTRY, industry=review_world.extra["machinery"]
    )
    return review_world


def test_a_graded_firm_applying_for_level_two_needs_75(graded_world):
    assessed(graded_world, score=D("74.9"))
    with pytest.raises(TransitionRefused, match="未达到申请二级所需的75分"):
        apply(graded_world, applied_grade=Grade.LEVEL2)
    review = apply(graded_world, applied_grade=Grade.LEVEL3)
    assert review.applied_grade == Grade.LEVEL3


def test_a_graded_firm_naming_no_grade_needs_level_threes_60(graded_world):
    assessed(graded_world, score=D("59.9"))
    with pytest.raises(TransitionRefused, match="所需的60分"):
        apply(graded_world)
