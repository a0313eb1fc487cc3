"""The look-back keeps its calendar (回头看: 自查自纠 6月30日前, 总结 8月30日前, 抽查 10月20日前):
each phase accepts input until its deadline; after it, only where the city has reopened the
phase for the county, with a reason kept in the history. Before each deadline those who still
owe input are reminded, once."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from enterprises.choices import Status
from lookback.models import PhaseReopening, SelfCheck
from lookback.rules import phase_closed_reason
from lookback.services import (
    agency_rating_submit,
    campaign_open,
    phase_reopen,
    self_check_record,
    spot_check_draw,
    spot_check_record,
)
from portal.audit import history_for
from portal.models import Notification
from reports.models import Reminder
from reports.services.reminders import send_reminders
from tests.factories import phases_ahead, review_in
from tests.lookback.samples import spot_sample

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)
ANSWERS = {"system_built": True, "runs_daily": True, "agency_performed": True}


def campaign_with(city_user, **deadlines):
    return campaign_open(
        year=TODAY.year, actor=city_user, deadlines={**phases_ahead(), **deadlines}
    )


def closed_everything(city_user):
    """A campaign whose three phases all closed yesterday or before."""
    return campaign_with(
        city_user,
        self_check=TODAY - 3 * DAY,
        summary=TODAY - 2 * DAY,
        spot_check=TODAY - DAY,
    )


@pytest.fixture
def passed_firm(firm):
    firm.status = Status.ANNOUNCED
    firm.save()
    return firm


def test_a_phase_takes_input_on_its_deadline_day_and_not_the_day_after():
    deadline = dt.date(2016, 6, 30)
    assert phase_closed_reason("self_check", deadline, deadline) is None
    reason = phase_closed_reason("self_check", deadline, deadline + DAY)
    assert "自查自纠阶段已于2016年6月30日截止" in reason and "重新开放" in reason
    assert (
        phase_closed_reason("self_check", deadline, deadline + DAY, reopened_until=deadline + DAY)
        is None
    )


def test_the_phases_follow_one_another(city_user):
    with pytest.raises(ValidationError, match="总结截止日期不能早于自查自纠截止日期"):
        campaign_with(city_user, self_check=TODAY + 9 * DAY, summary=TODAY + DAY)


def test_a_self_check_after_its_deadline_is_refused_with_the_reason(
    city_user, passed_firm, enterprise_user, county_user
):
    campaign = campaign_with(city_user, self_check=TODAY - DAY)
    for actor in (enterprise_user, county_user):
        with pytest.raises(ValidationError, match="自查自纠阶段已于.*截止，不再接受填报"):
            self_check_record(campaign=campaign, enterprise=passed_firm, actor=actor, **ANSWERS)
    assert not SelfCheck.objects.exists()


def test_a_rating_a_draw_and_a_finding_after_their_deadlines_are_refused(
    city_user, county_user, agency, zhifu, make_enterprise
):
    for _ in range(3):
        make_enterprise(county=zhifu, status=Status.ANNOUNCED)
    campaign = campaign_with(city_user)
    outcome = spot_check_draw(
        campaign=campaign, county=zhifu, actor=city_user, sample=spot_sample(zhifu)
    ).outcomes.first()
    campaign.summary_deadline = campaign.spot_check_deadline = TODAY - DAY
    campaign.self_check_deadline = TODAY - 2 * DAY
    campaign.save()
    with pytest.raises(ValidationError, match="总结阶段已于"):
        agency_rating_submit(
            campaign=campaign, agency=agency, rating="good", reason="认真", actor=county_user
        )
    with pytest.raises(ValidationError, match="抽查阶段已于"):
        spot_check_record(outcome=outcome, actor=city_user, result="passes", note="运行正常")
    outcome.refresh_from_db()
    assert outcome.outcome == "pending"


def test_the_city_reopens_a_closed_phase_for_one_county_with_a_reason(
    city_user, passed_firm, county_user, fushan, make_enterprise, make_user
):
    campaign = closed_everything(city_user)
    with pytest.raises(ValidationError):
        phase_reopen(
            campaign=campaign, county=passed_firm.county, phase="self_check",
            until=TODAY + 7 * DAY, reason=" ", actor=city_user,
        )  # fmt: skip
    phase_reopen(
        campaign=campaign, county=passed_firm.county, phase="self_check",
        until=TODAY + 7 * DAY, reason="汛期停产，延期补报", actor=city_user,
    )  # fmt: skip
    check = self_check_record(
        campaign=campaign, enterprise=passed_firm, actor=county_user, **ANSWERS
    )
    assert check.pk
    # Another county's phase stays closed, and so does another phase of this county.
    other = make_enterprise(county=fushan, status=Status.ANNOUNCED)
    with pytest.raises(ValidationError, match="自查自纠阶段已于"):
        self_check_record(
            campaign=campaign, enterprise=other,
            actor=make_user(role="county", county=fushan), **ANSWERS,
        )  # fmt: skip
    assert (
        history_for(campaign)
        .filter(action="重新开放回头看阶段", note__contains="汛期停产，延期补报")
        .exists()
    )


def test_a_reopening_ends_on_its_date(city_user, passed_firm, county_user):
    campaign = closed_everything(city_user)
    PhaseReopening.objects.create(
        campaign=campaign, county=passed_firm.county, phase="self_check",
        until=TODAY - DAY, reason="已过期的补报", created_by=city_user,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="自查自纠阶段已于"):
        self_check_record(campaign=campaign, enterprise=passed_firm, actor=county_user, **ANSWERS)


def test_the_campaign_page_says_a_phase_closed_and_offers_no_input(
    client, city_user, passed_firm, county_user
):
    campaign = closed_everything(city_user)
    client.force_login(county_user)
    body = client.get(f"/lookback/{campaign.pk}/self-checks/").content.decode()
    assert "录入排查" not in body
    body = client.get(f"/lookback/{campaign.pk}/ratings/").content.decode()
    assert "不再接受填报" in body and "提交考评" not in body
    response = client.post(
        f"/lookback/{campaign.pk}/self-checks/{passed_firm.pk}/",
        {"system_built": "on", "runs_daily": "on", "agency_performed": "on"},
    )
    assert response.status_code == 200 and not SelfCheck.objects.exists()


def test_the_city_reopens_a_phase_through_the_campaign_page(client, city_user, zhifu):
    campaign = closed_everything(city_user)
    client.force_login(city_user)
    assert "重新开放阶段" in client.get(campaign.get_absolute_url()).content.decode()
    until = TODAY + 5 * DAY
    response = client.post(
        f"/lookback/{campaign.pk}/reopen/",
        {"county": zhifu.pk, "phase": "summary", "until": until.isoformat(), "reason": "补报考评"},
    )
    assert response.status_code == 302
    assert PhaseReopening.objects.get().until == until
    body = client.get(campaign.get_absolute_url()).content.decode()
    assert f"已由市局重新开放至{until.year}年{until.month}月{until.day}日" in body


# --- Reminders before a phase ends ----------------------------------------------------------


def test_firms_and_counties_that_owe_the_self_check_are_reminded_a_week_before_once(
    city_user, passed_firm, enterprise_user, county_user, make_enterprise, make_user
):
    checked = make_enterprise(status=Status.ANNOUNCED)
    checked_user = make_user(role="enterprise", enterprise=checked)
    campaign = campaign_with(city_user, self_check=TODAY + 7 * DAY)
    self_check_record(campaign=campaign, enterprise=checked, actor=checked_user, **ANSWERS)
    send_reminders(today=TODAY)
    reminded = set(
        Reminder.objects.filter(kind__startswith="lookback").values_list("recipient", flat=True)
    )
    assert reminded == {enterprise_user.pk, county_user.pk}
    note = Notification.objects.get(recipient=county_user, title__contains="回头看")
    assert "自查自纠阶段将于" in note.title and "辖区1家已达标企业尚无自查或排查记录" in note.title
    assert send_reminders(today=TODAY) == {}


def test_nothing_is_sent_on_other_days_or_once_the_input_is_in(
    city_user, passed_firm, enterprise_user, county_user
):
    campaign = campaign_with(city_user, self_check=TODAY + 5 * DAY)
    assert send_reminders(today=TODAY) == {}
    self_check_record(campaign=campaign, enterprise=passed_firm, actor=enterprise_user, **ANSWERS)
    assert send_reminders(today=TODAY + 4 * DAY) == {}


def test_counties_that_rated_no_agency_are_reminded_the_day_before_the_summary_ends(
    city_user, county_user, fushan, make_user, agency, make_enterprise
):
    fushan_user = make_user(role="county", county=fushan)
    campaign = campaign_with(city_user, self_check=TODAY, summary=TODAY + DAY)
    review_in(agency, make_enterprise(county=county_user.county), TODAY.year)
    agency_rating_submit(
        campaign=campaign, agency=agency, rating="good", reason="认真", actor=county_user
    )
    assert send_reminders(today=TODAY) == {"lookback_summary": 1}
    assert Reminder.objects.get(kind__startswith="lookback").recipient == fushan_user


def test_the_city_is_reminded_of_drawn_firms_without_a_finding(city_user, zhifu, make_enterprise):
    for _ in range(3):
        make_enterprise(county=zhifu, status=Status.ANNOUNCED)
    campaign = campaign_with(
        city_user, self_check=TODAY, summary=TODAY + 2 * DAY, spot_check=TODAY + 7 * DAY
    )
    spot_check_draw(campaign=campaign, county=zhifu, actor=city_user, sample=spot_sample(zhifu))
    send_reminders(today=TODAY)
    note = Notification.objects.get(recipient=city_user, title__contains="抽查阶段")
    assert "还有3家抽查企业未录入检查结论" in note.title
