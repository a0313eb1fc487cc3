"""The review's machine and each nonconformity's: each transition only for its people, only
from its states, every refusal says why; the review's transitions move the firm's standing in
the same call; a replayed or raced transition applies once and writes no second history."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enterprises.choices import Grade, Status
from enterprises.models import Enterprise
from portal.audit import history_for
from portal.policy import allowed_actions
from portal.statemachine import TransitionRefused
from reviews.choices import AgencyStanding, Funding, NonconformityStatus, ReviewStatus
from reviews.models import Nonconformity, Review
from reviews.services import review as services
from reviews.workflows.review import NONCONFORMITY, REVIEW
from tests.machines import (
    SYSTEM,
    assert_only_these_may,
    assert_refused_from_other_states,
    assert_table,
    on_postgresql,
    race,
)
from tests.reviews import factories_review

pytestmark = pytest.mark.django_db
review_world = factories_review.review_world

S, N = ReviewStatus, NonconformityStatus
AT_WORK = {S.ASSIGNED, S.UNDER_REVIEW, S.RECTIFYING}

# The tables as the programme states them: name → (from, to), and who may take it.
REVIEW_TABLE = {
    "return": ({S.APPLIED}, S.RETURNED),
    "assign": ({S.APPLIED}, S.ASSIGNED),
    "start": ({S.ASSIGNED}, S.UNDER_REVIEW),
    "list_nonconformities": ({S.ASSIGNED, S.UNDER_REVIEW}, S.RECTIFYING),
    "withdraw": (AT_WORK, S.CANCELLED),  # only once the agency is off the list
    "conclude": (AT_WORK, S.CONCLUDED),
    "confirm": ({S.CONCLUDED}, S.CONFIRMED),
    "recommend": ({S.CONCLUDED}, S.RECOMMENDED),
}
NONCONFORMITY_TABLE = {
    "answer": ({N.OPEN, N.REJECTED}, N.ANSWERED),
    "accept": ({N.ANSWERED}, N.ACCEPTED),
    "reject": ({N.ANSWERED}, N.REJECTED),
}
FIRM, COUNTY, CITY, AGENCY, ADMIN = "firm", "county", "city", "agency", "admin"
WHO = {
    "return": {COUNTY, ADMIN},
    "assign": {COUNTY, ADMIN},
    "start": {AGENCY, ADMIN},
    "list_nonconformities": {AGENCY, ADMIN},
    "withdraw": {COUNTY, ADMIN},
    "conclude": {AGENCY, ADMIN},
    "confirm": {COUNTY, ADMIN},  # a small/micro firm's result: its county (reviews.rules)
    "recommend": {CITY, ADMIN},  # a 二级 result: the city recommends it upward
    "answer": {FIRM, ADMIN},
    "accept": {AGENCY, ADMIN},
    "reject": {AGENCY, ADMIN},
}


def test_the_review_table_is_the_programmes():
    assert_table(REVIEW, REVIEW_TABLE)


def test_the_nonconformity_table_is_the_programmes():
    assert_table(NONCONFORMITY, NONCONFORMITY_TABLE)


@pytest.fixture
def users(review_world, make_user):
    w = review_world
    return {
        CITY: w.city_user,
        COUNTY: w.county_user,
        "other county": w.other_county_user,
        FIRM: w.firm_user,
        "other firm": w.other_firm_user,
        AGENCY: w.agency_user,
        "other agency": w.other_agency_user,
        ADMIN: make_user(role="admin"),
        SYSTEM: None,
    }


@pytest.fixture
def review(review_world):
    return review_world.assigned()


@pytest.fixture
def nonconformity(review_world, review):
    return Nonconformity.objects.create(
        review=review, description="未建立全员安全生产责任制", deadline=dt.date(2030, 1, 1)
    )


def as_the_transition_needs(name, review):
    if name == "recommend":
        review.result = Grade.LEVEL2
    if name == "withdraw":
        review.agency.standing = AgencyStanding.REMOVED


@pytest.mark.parametrize("name", list(REVIEW_TABLE))
def test_everyone_else_is_refused_a_review_transition_and_told_why(name, users, review):
    as_the_transition_needs(name, review)
    assert_only_these_may(REVIEW, name, review, users, WHO[name])


@pytest.mark.parametrize("name", list(REVIEW_TABLE))
def test_every_review_transition_is_refused_from_every_other_state(name, users, review):
    as_the_transition_needs(name, review)
    assert_refused_from_other_states(REVIEW, name, review, users[sorted(WHO[name])[0]])


@pytest.mark.parametrize("name", list(NONCONFORMITY_TABLE))
def test_everyone_else_is_refused_a_nonconformity_transition(name, users, nonconformity):
    assert_only_these_may(NONCONFORMITY, name, nonconformity, users, WHO[name])


@pytest.mark.parametrize("name", list(NONCONFORMITY_TABLE))
def test_every_nonconformity_transition_is_refused_from_every_other_state(
    name, users, nonconformity
):
    assert_refused_from_other_states(
        NONCONFORMITY, name, nonconformity, users[sorted(WHO[name])[0]]
    )


# --- Conditions, with their reasons -------------------------------------------------------------


def test_returning_with_an_empty_reason_is_refused(review_world, users):
    review = review_world.apply()
    with pytest.raises(TransitionRefused, match="必须填写理由"):
        REVIEW.check(review, "return", actor=users[COUNTY], reason=" ")


def test_assigning_no_agency_is_refused(review_world, users):
    review = review_world.apply()
    with pytest.raises(TransitionRefused, match="未选择评审机构"):
        REVIEW.check(review, "assign", actor=users[COUNTY], agency=None)


def test_concluding_an_unscored_review_is_refused_with_what_is_missing(users, review):
    with pytest.raises(TransitionRefused, match="评审组至少需要2名评审专家"):
        REVIEW.check(review, "conclude", actor=users[AGENCY])


def test_rejecting_a_rectification_without_a_comment_is_refused(users, nonconformity):
    nonconformity.status = N.ANSWERED
    with pytest.raises(TransitionRefused, match="必须填写核查意见"):
        NONCONFORMITY.check(nonconformity, "reject", actor=users[AGENCY], comment="")


# --- One call moves review and firm ---------------------------------------------------------


def test_assigning_moves_review_and_firm_in_one_call_with_one_history_row_each(review_world):
    review = review_world.assigned()
    firm = Enterprise.objects.get(pk=review_world.firm.pk)
    assert review.status == S.ASSIGNED and firm.status == Status.UNDER_REVIEW
    entry = history_for(review).get(action="委派评审机构")
    assert set(entry.changes) == {"status", "agency", "funding", "assigned_at", "assignment_no"}
    assert history_for(firm).get(action="委派评审机构").note == f"委派：{review_world.agency}"


def test_the_first_nonconformity_sends_review_and_firm_into_rectification(review_world):
    review = review_world.with_team()
    services.nonconformity_add(
        review=review,
        actor=review_world.agency_user,
        item=None,
        description="x",
        deadline=timezone.localdate(),
    )
    assert Review.objects.get(pk=review.pk).status == S.RECTIFYING
    assert Enterprise.objects.get(pk=review_world.firm.pk).status == Status.RECTIFYING


def test_confirming_a_failed_conclusion_sends_the_firm_back_to_self_assessment(review_world, users):
    review = services.review_conclude(
        review=review_world.scored({0: 25, 1: 25}), actor=users[AGENCY]
    )
    assert review.result == ""
    REVIEW.apply(review, "confirm", actor=users[COUNTY], changes={"confirmed_at": timezone.now()})
    assert Enterprise.objects.get(pk=review_world.firm.pk).status == Status.SELF_ASSESSING


# --- After the conclusion the agency's record is closed -------------------------------------


@pytest.fixture
def concluded(review_world):
    review = review_world.scored({0: 5})
    return services.review_conclude(review=review, actor=review_world.agency_user)


def test_the_details_of_a_concluded_review_cannot_be_edited(review_world, concluded):
    with pytest.raises(PermissionDenied, match="评审已作出结论"):
        services.review_update(
            review=concluded,
            actor=review_world.agency_user,
            expected_version=concluded.version,
            data={"trained_count": 3},
        )


@pytest.mark.parametrize("page", ["edit", "team", "scoring", "nc_add"])
def test_the_editing_pages_of_a_concluded_review_answer_403_with_the_reason(
    review_world, concluded, page
):
    client = Client()
    client.force_login(review_world.agency_user)
    response = client.get(reverse(f"reviews:{page}", args=[concluded.pk]))
    assert response.status_code == 403
    assert "评审已作出结论" in response.content.decode()


def test_the_review_page_offers_only_what_the_user_may_do_now(review_world, concluded, users):
    assert "edit" not in allowed_actions(users[AGENCY], concluded)
    assert "confirm" in allowed_actions(users[COUNTY], concluded)
    assert "confirm" not in allowed_actions(users["other county"], concluded)


# --- Replays and races ----------------------------------------------------------------------


def test_a_second_assign_from_the_same_page_is_refused_and_writes_no_history(review_world):
    review = review_world.apply()
    page = Review.objects.get(pk=review.pk)  # what the second click's page was built from
    services.review_assign(
        review=review, actor=review_world.county_user, agency=review_world.agency, funding="self"
    )
    with pytest.raises(TransitionRefused, match="已被他人处理"):
        services.review_assign(
            review=page,
            actor=review_world.county_user,
            agency=review_world.extra["other_agency"],
            funding=Funding.SELF,
        )
    assert history_for(review).filter(action="委派评审机构").count() == 1
    assert history_for(review_world.firm).filter(action="委派评审机构").count() == 1
    assert Review.objects.get(pk=review.pk).agency == review_world.agency


def test_a_second_conclusion_is_refused_and_writes_no_history(review_world, concluded):
    with pytest.raises(TransitionRefused, match="已出结论"):
        services.review_conclude(review=concluded, actor=review_world.agency_user)
    assert history_for(concluded).filter(action="作出评审结论").count() == 1


def test_a_second_answer_from_the_same_page_is_refused(review_world, nonconformity):
    page = Nonconformity.objects.get(pk=nonconformity.pk)
    services.nonconformity_answer(
        nonconformity=nonconformity, actor=review_world.firm_user, response="已整改"
    )
    services.nonconformity_verify(
        nonconformity=nonconformity, actor=review_world.agency_user, accepted=False, comment="不全"
    )
    with pytest.raises(TransitionRefused, match="已被他人处理"):
        services.nonconformity_answer(
            nonconformity=page, actor=review_world.firm_user, response="旧页面"
        )
    assert history_for(nonconformity).filter(action="提交整改情况").count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_assignments_at_once_apply_once(review_world):
    review = review_world.apply()
    agencies = iter([review_world.agency, review_world.extra["other_agency"]])

    def assign():
        services.review_assign(
            review=Review.objects.get(pk=review.pk),
            actor=review_world.county_user,
            agency=next(agencies),
            funding=Funding.GOVERNMENT,
        )

    assert race(assign) == ["TransitionRefused", "ok"]
    assert history_for(review).filter(action="委派评审机构").count() == 1
    assert history_for(review_world.firm).filter(action="委派评审机构").count() == 1
    assert Enterprise.objects.get(pk=review_world.firm.pk).status == Status.UNDER_REVIEW


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_conclusions_at_once_apply_once(review_world):
    review = review_world.scored({0: 5})

    def conclude():
        services.review_conclude(
            review=Review.objects.get(pk=review.pk), actor=review_world.agency_user
        )

    assert race(conclude) == ["TransitionRefused", "ok"]
    assert history_for(review).filter(action="作出评审结论").count() == 1
    assert history_for(review_world.firm).filter(action="作出评审结论").count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_verifications_at_once_apply_once(review_world):
    review = review_world.with_team()
    nonconformity = services.nonconformity_add(
        review=review,
        actor=review_world.agency_user,
        item=None,
        description="x",
        deadline=timezone.localdate(),
    )
    services.nonconformity_answer(
        nonconformity=nonconformity, actor=review_world.firm_user, response="已整改"
    )

    def verify():
        services.nonconformity_verify(
            nonconformity=Nonconformity.objects.get(pk=nonconformity.pk),
            actor=review_world.agency_user,
            accepted=True,
            comment="",
        )

    assert race(verify) == ["TransitionRefused", "ok"]
    assert history_for(nonconformity).filter(action__startswith="核查整改").count() == 1
