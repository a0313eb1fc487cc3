"""The enforcement case's machine: 立案 → 检查 → 责令改正 → 处罚决定 → 复查 → 结案, each step only
for the firm's county, only from its states, every refusal says why, and a raced decision
applies once."""

import datetime as dt
import threading

import pytest

from enforcement import services
from enforcement.choices import CaseStatus as S
from enforcement.choices import FollowUpResult
from enforcement.models import Case, EscalatedDecision, PenaltyDecision
from enforcement.workflows import CASE
from portal.audit import history_for
from portal.statemachine import TransitionRefused
from tests.machines import (
    assert_only_these_may,
    assert_refused_from_other_states,
    assert_table,
    on_postgresql,
    race,
)

pytestmark = pytest.mark.django_db

TABLE = {
    "inspect": ({S.OPENED}, S.INSPECTED),
    "record_violation": ({S.INSPECTED}, S.INSPECTED),
    "order": ({S.INSPECTED}, S.ORDERED),
    "decide": ({S.ORDERED}, S.DECIDED),
    "follow_up": ({S.DECIDED}, S.FOLLOWED_UP),
    "decide_escalated": ({S.FOLLOWED_UP}, S.FOLLOWED_UP),
    "close": ({S.INSPECTED, S.FOLLOWED_UP}, S.CLOSED),
}


def test_the_case_goes_from_filing_to_closing_through_its_follow_up():
    assert_table(CASE, TABLE)


@pytest.mark.parametrize("name", list(TABLE))
def test_only_the_firms_county_moves_a_case(name, case, seats):
    assert_only_these_may(CASE, name, case, seats, {"county"})


@pytest.mark.parametrize("name", list(TABLE))
def test_each_step_is_refused_from_the_other_states(name, case, county_user):
    assert_refused_from_other_states(CASE, name, case, county_user)


def test_an_order_needs_a_violation_first(case, county_user):
    from .conftest import five_points, inspect

    inspect(case, county_user, five_points())
    with pytest.raises(TransitionRefused, match="尚未登记违法行为"):
        CASE.check(case, "order", actor=county_user)


def test_the_buttons_follow_the_case(inspected, county_user, city_user):
    assert {t.name for t in CASE.allowed(inspected, actor=county_user)} == {
        "record_violation",
        "order",
    }
    assert CASE.allowed(inspected, actor=city_user) == []


def test_every_step_is_in_the_cases_history(followed_up, county_user):
    services.case_close(case=followed_up, actor=county_user, closed_on=dt.date(2016, 5, 20))
    actions = list(history_for(followed_up).values_list("action", flat=True))
    for label in (
        "立案",
        "现场检查",
        "登记违法行为",
        "责令限期改正",
        "作出处罚决定",
        "复查",
        "结案",
    ):
        assert label in actions


def test_a_replayed_decision_records_one(ordered, county_user):
    page = Case.objects.get(pk=ordered.pk)
    services.penalty_decide(
        case=ordered, actor=county_user, number="罚1号", decided_on=dt.date(2016, 4, 20)
    )
    with pytest.raises(TransitionRefused, match="已被他人处理"):
        services.penalty_decide(
            case=page, actor=county_user, number="罚2号", decided_on=dt.date(2016, 4, 20)
        )
    assert PenaltyDecision.objects.count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_decisions_at_once_record_one(ordered, county_user):
    def decide():
        services.penalty_decide(
            case=Case.objects.get(pk=ordered.pk), actor=county_user,
            number=f"罚{threading.get_ident()}号",
            decided_on=dt.date(2016, 4, 20),
        )  # fmt: skip

    assert race(decide) == ["TransitionRefused", "ok"]
    assert PenaltyDecision.objects.count() == 1
    assert Case.objects.get(pk=ordered.pk).status == S.DECIDED


def _escalate(decided, county_user):
    return services.case_follow_up(
        case=decided, actor=county_user, followed_up_on=dt.date(2016, 5, 13),
        result=FollowUpResult.ESCALATED, note="责令停产停业整顿，并处加重罚款",
    )  # fmt: skip


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_escalated_decisions_at_once_record_one(decided, county_user):
    _escalate(decided, county_user)

    def decide():
        services.escalated_decide(
            case=Case.objects.get(pk=decided.pk), actor=county_user,
            number=f"加罚{threading.get_ident()}号", decided_on=dt.date(2016, 5, 20),
        )  # fmt: skip

    assert sorted(race(decide)) == ["TransitionRefused", "ok"]
    assert EscalatedDecision.objects.count() == 1
