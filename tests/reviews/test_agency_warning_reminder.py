"""The warned agency is reminded once before its deadline, through the morning reminder job."""

import datetime as dt

import pytest
from django.utils import timezone

from portal.models import Notification
from reports.services.reminders import send_reminders
from reviews.models import AgencyWarning, ReviewAgency
from reviews.rules import WARNING_REMINDER_DAYS_BEFORE
from reviews.services.agencies import agency_standing_decide, agency_warning_follow_up

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DEADLINE = TODAY + dt.timedelta(days=20)


@pytest.fixture
def warning(agency, agency_user, city_user):
    agency_standing_decide(
        agency=agency,
        decision="warn",
        reason="重收费、轻服务",
        actor=city_user,
        problem="fees",
        requirements="退还多收费用",
        deadline=DEADLINE,
    )
    return AgencyWarning.objects.get(agency=agency)


def reminders(day: dt.date) -> int:
    return send_reminders(today=day)["agency_warning"]


def test_a_warnings_reminder_is_sent_once_before_its_deadline(warning, agency_user):
    first_day = DEADLINE - dt.timedelta(days=WARNING_REMINDER_DAYS_BEFORE)
    assert reminders(first_day - dt.timedelta(days=1)) == 0
    assert reminders(first_day) == 1
    assert reminders(first_day) == 0  # the same morning again
    assert reminders(first_day + dt.timedelta(days=3)) == 0  # a later morning
    assert reminders(DEADLINE) == 0  # on the day it is the city's follow-up, not a reminder
    note = Notification.objects.filter(recipient=agency_user, title__contains="整改期限").last()
    assert note.url == warning.agency.get_absolute_url()


def test_a_job_that_missed_the_first_day_still_reminds_once(warning):
    assert reminders(DEADLINE - dt.timedelta(days=2)) == 1
    assert reminders(DEADLINE - dt.timedelta(days=1)) == 0


def test_a_warning_followed_up_early_is_not_reminded(warning, city_user):
    agency_warning_follow_up(warning=warning, rectified=True, note="已整改", actor=city_user)
    assert ReviewAgency.objects.get(pk=warning.agency_id).standing == "registered"
    assert reminders(DEADLINE - dt.timedelta(days=2)) == 0
