"""The agency's standing on the dynamic list (动态梳理评审单位名单), as the notice has it: 警告 and
限期整改 for "重收费、轻服务", 清除 for 屡改屡犯, 取消资格 for 弄虚作假. Only the city decides,
always with a reason; a removed agency comes back only by the city's explicit decision; a
disqualified one not in the same year."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from portal.audit import history_for
from portal.statemachine import TransitionRefused
from reviews.choices import AgencyStanding, WarningStatus
from reviews.models import AgencyWarning, ReviewAgency, StandingDecision
from reviews.services.agencies import agency_standing_decide, agency_warning_follow_up
from reviews.workflows.agencies import STANDING, WARNING
from tests.machines import (
    assert_only_these_may,
    assert_refused_from_other_states,
    assert_table,
    on_postgresql,
    race,
)

pytestmark = pytest.mark.django_db

R, W, RT, X, D = (
    AgencyStanding.REGISTERED,
    AgencyStanding.WARNED,
    AgencyStanding.RECTIFYING,
    AgencyStanding.REMOVED,
    AgencyStanding.DISQUALIFIED,
)
STANDING_TABLE = {
    "warn": ({R, W}, W),
    "order_rectification": ({R, W}, RT),
    "remove": ({R, W, RT}, X),
    "disqualify": ({R, W, RT, X}, D),
    "reinstate": ({X, D}, R),
    "rectified": ({W, RT}, R),
    "not_rectified": ({W, RT}, X),
}
WARNING_TABLE = {
    "rectified": ({WarningStatus.OPEN}, WarningStatus.RECTIFIED),
    "not_rectified": ({WarningStatus.OPEN}, WarningStatus.NOT_RECTIFIED),
}
CITY_ONLY = {"city", "admin"}
LATER = timezone.localdate() + dt.timedelta(days=30)
WARNED_FOR = {"problem": "fees", "requirements": "降低收费，补足现场评审时间", "deadline": LATER}


def decide(agency, name, actor, reason="市局研究决定", **kwargs):
    return agency_standing_decide(
        agency=ReviewAgency.objects.get(pk=agency.pk),
        decision=name,
        reason=reason,
        actor=actor,
        **kwargs,
    )


def standing(agency) -> str:
    return ReviewAgency.objects.get(pk=agency.pk).standing


def test_the_standing_moves_as_the_notice_says():
    assert_table(STANDING, STANDING_TABLE)


def test_the_warning_is_followed_up_once():
    assert_table(WARNING, WARNING_TABLE)


@pytest.mark.parametrize("name", list(STANDING_TABLE))
def test_only_the_city_decides_a_standing(name, seats, agency):
    assert_only_these_may(STANDING, name, agency, seats, CITY_ONLY)


@pytest.mark.parametrize("name", ["warn", "order_rectification", "remove", "reinstate"])
def test_a_decision_is_refused_from_the_other_standings(name, seats, agency):
    assert_refused_from_other_states(STANDING, name, agency, seats["city"])


def test_every_decision_needs_a_reason(seats, agency):
    with pytest.raises(TransitionRefused, match="须说明决定的理由"):
        decide(agency, "remove", seats["city"], reason="  ")
    assert standing(agency) == R


def test_a_county_cannot_decide_a_standing(seats, agency):
    with pytest.raises(PermissionDenied):
        decide(agency, "remove", seats["county"])


def test_a_removed_agency_is_reinstated_only_by_a_city_decision_with_a_reason(seats, agency):
    city = seats["city"]
    decide(agency, "remove", city, reason="屡改屡犯")
    with pytest.raises(TransitionRefused, match="理由"):
        decide(agency, "reinstate", city, reason="")
    assert standing(agency) == X
    record = decide(agency, "reinstate", city, reason="经复核，原清除依据不成立")
    assert standing(agency) == R
    assert (record.before, record.after, record.reason) == (X, R, "经复核，原清除依据不成立")
    entry = history_for(agency).filter(action="恢复在册").get()
    assert entry.changes["standing"] == ["清除", "在册"] and entry.actor == city


def test_a_disqualified_agency_is_refused_reinstatement_within_the_year(seats, agency):
    city = seats["city"]
    decide(agency, "disqualify", city, reason="出具虚假评审报告（弄虚作假）")
    with pytest.raises(TransitionRefused, match="当年"):
        decide(agency, "reinstate", city, reason="已整改")
    assert standing(agency) == D


def test_a_disqualified_agency_may_be_reinstated_in_a_later_year(seats, agency):
    last_year = timezone.localdate().replace(month=1, day=1) - dt.timedelta(days=1)
    ReviewAgency.objects.filter(pk=agency.pk).update(standing=D, standing_since=last_year)
    decide(agency, "reinstate", seats["city"], reason="资格恢复期满，重新核准")
    assert standing(agency) == R


def test_a_warning_carries_its_requirements_and_a_deadline(seats, agency):
    city = seats["city"]
    with pytest.raises(ValidationError) as refused:
        decide(agency, "warn", city, problem="fees", requirements="", deadline=None)
    assert "整改要求" in str(refused.value) and "整改期限" in str(refused.value)
    decide(agency, "warn", city, **WARNED_FOR)
    warning = AgencyWarning.objects.get(agency=agency)
    assert (warning.deadline, warning.status, warning.repeat) == (LATER, "open", False)
    assert standing(agency) == W


def test_a_warned_agency_is_told_at_once(seats, agency):
    from portal.models import Notification

    decide(agency, "warn", seats["city"], **WARNED_FOR)
    note = Notification.objects.get(recipient=seats["agency"])
    assert "整改期限" in note.title and note.url == agency.get_absolute_url()


def test_rectified_returns_to_the_register(seats, agency):
    city = seats["city"]
    decide(agency, "order_rectification", city, **WARNED_FOR)
    warning = AgencyWarning.objects.get(agency=agency)
    agency_warning_follow_up(warning=warning, rectified=True, note="已退还多收费用", actor=city)
    assert standing(agency) == R
    assert AgencyWarning.objects.get(pk=warning.pk).status == WarningStatus.RECTIFIED
    assert StandingDecision.objects.filter(agency=agency).first().label == "整改到位，恢复在册"


def test_a_missed_deadline_goes_to_removal(seats, agency):
    city = seats["city"]
    decide(agency, "warn", city, **WARNED_FOR)
    warning = AgencyWarning.objects.get(agency=agency)
    with pytest.raises(TransitionRefused, match="未到"):
        agency_warning_follow_up(warning=warning, rectified=False, note="未整改", actor=city)
    AgencyWarning.objects.filter(pk=warning.pk).update(deadline=timezone.localdate())
    warning = AgencyWarning.objects.get(pk=warning.pk)
    agency_warning_follow_up(warning=warning, rectified=False, note="逾期未整改", actor=city)
    assert standing(agency) == X
    assert AgencyWarning.objects.get(pk=warning.pk).status == WarningStatus.NOT_RECTIFIED


def test_a_follow_up_is_recorded_once(seats, agency):
    city = seats["city"]
    decide(agency, "warn", city, **WARNED_FOR)
    page = AgencyWarning.objects.get(agency=agency)
    agency_warning_follow_up(
        warning=AgencyWarning.objects.get(pk=page.pk), rectified=True, note="到位", actor=city
    )
    with pytest.raises(TransitionRefused):
        agency_warning_follow_up(warning=page, rectified=True, note="到位", actor=city)
    assert history_for(agency).filter(action="整改到位，恢复在册").count() == 1


def test_warned_again_for_the_same_problem_within_the_year_is_flagged(seats, agency):
    city = seats["city"]
    decide(agency, "warn", city, **WARNED_FOR)
    decide(agency, "warn", city, **WARNED_FOR | {"problem": "quality"})
    assert not AgencyWarning.objects.filter(repeat=True).exists()
    decide(agency, "order_rectification", city, **WARNED_FOR)
    assert AgencyWarning.objects.filter(repeat=True).get().problem == "fees"


def test_a_rectifying_or_removed_agency_cannot_be_assigned(seats, agency):
    decide(agency, "warn", seats["city"], **WARNED_FOR)
    assert ReviewAgency.objects.in_good_standing().filter(pk=agency.pk).exists()
    decide(agency, "order_rectification", seats["city"], **WARNED_FOR)
    assert not ReviewAgency.objects.in_good_standing().filter(pk=agency.pk).exists()


def test_the_admin_does_not_edit_the_standing(agency, make_user):
    from django.test import Client

    client = Client()
    client.force_login(make_user(role="admin", is_staff=True, is_superuser=True))
    url = f"/admin/reviews/reviewagency/{agency.pk}/change/"
    assert client.get(url).status_code == 200  # read
    response = client.post(url, {"name": agency.name, "standing": X, "standing_reason": "后台"})
    assert response.status_code == 403
    assert standing(agency) == R and not StandingDecision.objects.exists()
    for path in ("reviews/reviewagency/add/", "reviews/expert/add/"):
        assert client.get(f"/admin/{path}").status_code == 403


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_removals_at_once_apply_once(reference, make_user):
    from tests.factories import AgencyFactory

    city = make_user(role="city")
    agency = AgencyFactory()

    def remove():
        decide(agency, "remove", city, reason="屡改屡犯")

    assert sorted(race(remove)) == ["TransitionRefused", "ok"]
    assert StandingDecision.objects.filter(agency=agency).count() == 1
