"""逾期未改正，依法加重处理: at the follow-up an escalated case gets a second penalty decision,
its fine at the table's escalation upper limit (lower only with a reason), before it closes."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from enforcement import services
from enforcement.choices import CaseStatus, FollowUpResult
from enforcement.models import Case, EscalatedDecision
from enforcement.rules import BELOW_UPPER_LIMIT_NEEDS_REASON
from portal.statemachine import TransitionRefused

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def escalated(decided, county_user):
    return services.case_follow_up(
        case=decided, actor=county_user, followed_up_on=D(2016, 5, 13),
        result=FollowUpResult.ESCALATED, note="逾期未改正，责令停产停业整顿并加处罚款",
    )  # fmt: skip


def decide(case, actor, **kwargs):
    return services.escalated_decide(
        case=case, actor=actor, number="芝罘区安监加罚〔2016〕1号", decided_on=D(2016, 5, 20),
        **kwargs,
    )  # fmt: skip


def test_an_escalated_case_cannot_close_without_the_second_decision(escalated, county_user):
    with pytest.raises(TransitionRefused, match="加重处罚决定后方可结案"):
        services.case_close(case=escalated, actor=county_user, closed_on=D(2016, 5, 21))
    assert Case.objects.get(pk=escalated.pk).status == CaseStatus.FOLLOWED_UP
    decide(Case.objects.get(pk=escalated.pk), county_user)
    closed = services.case_close(
        case=Case.objects.get(pk=escalated.pk), actor=county_user, closed_on=D(2016, 5, 21)
    )
    assert closed.status == CaseStatus.CLOSED


def test_the_second_decision_defaults_to_the_escalation_limit(escalated, county_user, bases):
    decision = decide(escalated, county_user)
    assert bases["AQFA2014-94-4"].escalated_fine_max == Decimal("100000")
    assert decision.amount == decision.upper_limit == Decimal("100000")
    assert escalated.decision.amount == Decimal("50000")  # the first stays at the first limit


def test_the_limit_follows_the_table_the_city_keeps(escalated, county_user, bases, city_user):
    basis = bases["AQFA2014-94-4"]
    services.basis_edit(actor=city_user, basis=basis, data={"escalated_fine_max": Decimal("80000")})
    assert decide(escalated, county_user).amount == Decimal("80000")


def test_a_lower_second_fine_needs_a_reason(escalated, county_user):
    with pytest.raises(ValidationError, match=BELOW_UPPER_LIMIT_NEEDS_REASON):
        decide(escalated, county_user, amount=Decimal("60000"))
    assert not EscalatedDecision.objects.exists()
    lower = decide(escalated, county_user, amount=Decimal("60000"), below_limit_reason="已部分改正")
    assert lower.amount == Decimal("60000") and not lower.at_upper_limit


def test_a_corrected_case_takes_no_second_decision_and_closes(followed_up, county_user):
    with pytest.raises(TransitionRefused, match="逾期未改正的案件方可"):
        decide(followed_up, county_user)
    services.case_close(case=followed_up, actor=county_user, closed_on=D(2016, 5, 20))


def test_the_case_page_offers_the_second_decision_at_the_limit(escalated, county_user):
    client = Client()
    client.force_login(county_user)
    page = client.get(escalated.get_absolute_url()).content.decode()
    assert "录入加重处罚决定" in page and 'value="100000' in page
    client.post(
        reverse("enforcement:case_decide_escalated", args=[escalated.pk]),
        {"number": "加罚1号", "decided_on": "2016-05-20", "amount": "100000"},
    )
    assert EscalatedDecision.objects.get(case=escalated).amount == Decimal("100000")
    assert "按逾期未改正罚款上限" in client.get(escalated.get_absolute_url()).content.decode()


def test_the_case_list_marks_a_case_awaiting_its_second_decision(escalated, county_user):
    client = Client()
    client.force_login(county_user)
    listing = client.get(reverse("enforcement:case_list")).content.decode()
    assert escalated.number in listing and "待作出加重处罚决定" in listing
    decide(Case.objects.get(pk=escalated.pk), county_user)
    listing = client.get(reverse("enforcement:case_list")).content.decode()
    assert escalated.number in listing and "待作出加重处罚决定" not in listing
