"""A case's deadline to correct is reminded to its county before the follow-up is due, and
each reminder is sent once however often the morning job runs."""

import datetime as dt

import pytest

from enforcement import services
from enforcement.choices import FollowUpResult
from portal.models import Notification
from reports.services.reminders import send_reminders

pytestmark = pytest.mark.django_db
DEADLINE = dt.date(2016, 5, 12)  # the ``ordered`` fixture's rectify_by


def sent(day: dt.date) -> int:
    return send_reminders(today=day)["enforcement"]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (DEADLINE - dt.timedelta(days=4), 0),
        (DEADLINE - dt.timedelta(days=3), 1),
        (DEADLINE - dt.timedelta(days=1), 0),
        (DEADLINE, 1),
        (DEADLINE + dt.timedelta(days=1), 1),  # overdue: the day after, then weekly
        (DEADLINE + dt.timedelta(days=2), 0),
        (DEADLINE + dt.timedelta(days=8), 1),
    ],
)
def test_a_cases_deadline_is_reminded_to_its_county(ordered, county_user, day, expected):
    assert sent(day) == expected
    if expected:
        note = Notification.objects.get(recipient=county_user)
        assert ordered.number in note.title and note.url == ordered.get_absolute_url()


def test_a_cases_deadline_reminder_is_sent_once(ordered, county_user):
    assert sent(DEADLINE) == 1
    assert sent(DEADLINE) == 0
    assert Notification.objects.filter(recipient=county_user).count() == 1


def test_a_followed_up_case_is_no_longer_reminded(decided, county_user):
    services.case_follow_up(
        case=decided, actor=county_user, followed_up_on=DEADLINE - dt.timedelta(days=5),
        result=FollowUpResult.CORRECTED, note="已改正",
    )  # fmt: skip
    assert sent(DEADLINE) == 0


def test_only_the_cases_county_is_reminded(ordered, county_user, seats, make_user):
    """Its own county's staff, and nobody of another county, the city, a firm or an agency."""
    colleague = make_user(role="county", county=county_user.county)
    assert sent(DEADLINE) == 2
    told = set(
        Notification.objects.filter(kind="reports.reminder_enforcement").values_list(
            "recipient", flat=True
        )
    )
    assert told == {county_user.pk, colleague.pk}
    assert Notification.objects.count() == 2
