"""The agency's review: a team of at least two of its own experts with exactly one leader,
scores saved in a constant number of queries, the four combinations with optimistic locking."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.audit import history_for
from portal.concurrency import ConcurrentEditError
from reviews.choices import ReviewStatus
from reviews.models import Expert, ReviewLine
from reviews.selectors.review import scoring_rows
from reviews.services import review as services
from tests.reviews import factories_review
from tests.reviews.factories_review import make_standard, make_submitted_assessment

pytestmark = pytest.mark.django_db
review_world = factories_review.review_world


def set_team(world, review, experts, leader):
    return services.review_set_team(
        review=review, actor=world.agency_user, experts=experts, leader=leader
    )


def test_a_team_needs_at_least_two_experts(review_world):
    review = review_world.assigned()
    expert = review_world.agency.experts.first()
    with pytest.raises(ValidationError, match="至少需要2名评审专家"):
        set_team(review_world, review, [expert], expert)


def test_the_leader_must_be_on_the_team(review_world):
    review = review_world.assigned()
    a, b, c = review_world.agency.experts.order_by("pk")
    with pytest.raises(ValidationError, match="组长必须是评审组成员"):
        set_team(review_world, review, [a, b], c)


def test_experts_of_another_agency_cannot_join_the_team(review_world):
    review = review_world.assigned()
    a = review_world.agency.experts.first()
    outsider = Expert.objects.create(agency=review_world.extra["other_agency"], name="外单位专家")
    with pytest.raises(ValidationError, match="不是本机构的评审专家"):
        set_team(review_world, review, [a, outsider], a)


def test_setting_the_team_starts_the_review_and_is_kept_in_history(review_world):
    review = review_world.with_team()
    assert review.status == ReviewStatus.UNDER_REVIEW
    assert review.team.filter(is_leader=True).count() == 1
    entry = history_for(review).get(action="设置评审组")
    assert "组长" in entry.changes["team"][1]


def test_a_stale_edit_of_the_review_is_refused_and_the_earlier_kept(review_world):
    review = review_world.with_team()
    started_from = review.version
    services.review_update(
        review=review,
        actor=review_world.agency_user,
        expected_version=started_from,
        data={"trained_count": 120, "training_date": dt.date(2016, 5, 6)},
    )
    with pytest.raises(ConcurrentEditError):
        services.review_update(
            review=review,
            actor=review_world.agency_user,
            expected_version=started_from,
            data={"trained_count": 5},
        )
    review.refresh_from_db()
    assert review.trained_count == 120


def test_a_stale_scoring_save_is_refused(review_world):
    review = review_world.scored({0: 5})
    item = review_world.standard.items.first()
    with pytest.raises(ConcurrentEditError):
        services.review_save_scores(
            review=review,
            actor=review_world.agency_user,
            expected_version=review.version - 1,
            scores={item.pk: services.ItemScore(D(1), reason="x")},
        )
    assert ReviewLine.objects.get(review=review, item=item).deducted == D(5)


def test_a_hazard_listed_as_a_nonconformity_must_be_one_of_this_reviews(
    review_world, make_enterprise
):
    other = review_world.with_team()
    review_world.firm = make_enterprise(county=review_world.firm.county)
    review_world.firm_user.enterprise = review_world.firm
    review_world.firm_user.save()
    review_world.assessment = None
    review = review_world.with_team()
    nc = services.nonconformity_add(
        review=other,
        actor=review_world.agency_user,
        item=review_world.standard.items.first(),
        description="x",
        deadline=dt.date.today(),
    )
    with pytest.raises(ValidationError, match="不符合项不属于本次评审"):
        services.hazard_record(
            review=review, actor=review_world.agency_user, description="隐患", nonconformity=nc
        )


def test_a_deduction_needs_a_reason_and_stays_within_the_items_points(review_world):
    review = review_world.with_team()
    item = review_world.standard.items.first()
    for entry, message in [
        (services.ItemScore(D(2)), "扣分须填写扣分理由"),
        (services.ItemScore(D(26), reason="x"), "扣分应在0到25"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.review_save_scores(
                review=review,
                actor=review_world.agency_user,
                expected_version=review.version,
                scores={item.pk: entry},
            )


def test_a_cleared_score_makes_the_item_unscored_again(review_world):
    review = review_world.scored({0: 5})
    item = review_world.standard.items.order_by("order").first()
    services.review_save_scores(
        review=review,
        actor=review_world.agency_user,
        expected_version=review.version,
        scores={item.pk: services.ItemScore(None)},
    )
    assert not ReviewLine.objects.filter(review=review, item=item).exists()


def test_large_gaps_between_self_assessment_and_review_are_highlighted(review_world):
    review_world.assessment = make_submitted_assessment(
        review_world.firm, review_world.standard, deductions={0: 1, 1: 10}
    )
    review = review_world.scored({0: 2, 1: 2})
    rows = scoring_rows(review)
    assert [row.large_gap for row in rows[:3]] == [False, True, False]
    assert rows[1].gap == D(8)


def save_all_scores_queries(world, items: int) -> int:
    world.standard = make_standard(items=items, points=1)
    review = world.with_team()
    scores = {
        item.pk: services.ItemScore(D("0.5"), reason="扣分") for item in world.standard.items.all()
    }
    with CaptureQueriesContext(connection) as first:
        services.review_save_scores(
            review=review,
            actor=world.agency_user,
            expected_version=review.version,
            scores=scores,
        )
    scores = {pk: services.ItemScore(D(1), reason="再扣") for pk in scores}
    with CaptureQueriesContext(connection) as second:
        services.review_save_scores(
            review=review,
            actor=world.agency_user,
            expected_version=review.version,
            scores=scores,
        )
    assert ReviewLine.objects.filter(review=review, deducted=1).count() == items
    return len(first), len(second)


def test_saving_a_review_of_150_items_takes_as_many_queries_as_one_of_5(review_world):
    small = save_all_scores_queries(review_world, 5)
    # start over on the same firm: the first review is withdrawn
    review_world.firm.reviews.update(status=ReviewStatus.CANCELLED)
    review_world.firm.status = "self_assessing"
    review_world.firm.save()
    review_world.assessment = None
    large = save_all_scores_queries(review_world, 150)
    assert small == large
    assert max(large) <= 12
