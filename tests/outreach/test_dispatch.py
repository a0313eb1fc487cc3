"""定期调度 (三（一）): the city records a meeting with the counties present, the issues and
items each with an owner county and a due date; items are reminded once per step and closed
by their owner county with what was done."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from outreach import services
from outreach.models import DispatchItem, DispatchMeeting
from outreach.workflows import DISPATCH_ITEM
from portal.models import Notification
from portal.statemachine import TransitionRefused
from reports.services.reminders import send_reminders
from tests.machines import (
    assert_only_these_may,
    assert_refused_from_other_states,
    assert_table,
    on_postgresql,
    race,
)

pytestmark = pytest.mark.django_db
D = dt.date
DUE = D(2016, 7, 31)
S = DispatchItem.Status


@pytest.fixture
def meeting(city_user, zhifu, fushan):
    return services.dispatch_hold(
        actor=city_user, title="第二季度调度会", held_on=D(2016, 6, 28), counties=[zhifu, fushan],
        issues="自评进度滞后", items=[(zhifu, "完成执法检查全覆盖", DUE)],
    )  # fmt: skip


@pytest.fixture
def item(meeting):
    return meeting.items.get()


def test_an_item_is_open_until_its_owner_reports_what_was_done():
    assert_table(DISPATCH_ITEM, {"complete": ({S.OPEN}, S.DONE)})


def test_only_the_owner_county_closes_its_item(item, seats):
    assert_only_these_may(DISPATCH_ITEM, "complete", item, seats, {"county"})


def test_a_done_item_cannot_be_closed_again(item, county_user):
    assert_refused_from_other_states(DISPATCH_ITEM, "complete", item, county_user)


def test_closing_an_item_needs_what_was_done(item, county_user):
    with pytest.raises(ValidationError, match="落实情况"):
        services.dispatch_item_complete(item=item, actor=county_user, done_note=" ", done_on=DUE)
    services.dispatch_item_complete(item=item, actor=county_user, done_note="已全覆盖", done_on=DUE)
    assert DispatchItem.objects.get(pk=item.pk).status == S.DONE


def test_a_meeting_needs_an_item(city_user, zhifu):
    with pytest.raises(ValidationError, match="至少布置一项"):
        services.dispatch_hold(
            actor=city_user, title="会", held_on=D(2016, 6, 1), counties=[zhifu], issues="无",
            items=[],
        )  # fmt: skip


def test_a_county_sees_the_meetings_it_attended_or_owns_items_of(
    meeting, county_user, make_user, reference
):
    assert list(DispatchMeeting.objects.for_user(county_user)) == [meeting]
    elsewhere = make_user(role="county", county=reference["counties"][5])
    assert list(DispatchMeeting.objects.for_user(elsewhere)) == []


def test_an_items_due_date_is_reminded_to_its_owner_once(item, county_user):
    assert send_reminders(today=DUE - dt.timedelta(days=3))["dispatch"] == 1
    assert send_reminders(today=DUE - dt.timedelta(days=3))["dispatch"] == 0
    assert send_reminders(today=DUE - dt.timedelta(days=2))["dispatch"] == 0
    assert Notification.objects.filter(recipient=county_user).count() == 1


def test_a_done_item_is_not_reminded(item, county_user):
    services.dispatch_item_complete(item=item, actor=county_user, done_note="已完成", done_on=DUE)
    assert send_reminders(today=DUE)["dispatch"] == 0


def test_a_replayed_close_changes_nothing(item, county_user):
    page = DispatchItem.objects.get(pk=item.pk)
    services.dispatch_item_complete(item=item, actor=county_user, done_note="一", done_on=DUE)
    with pytest.raises(TransitionRefused):
        services.dispatch_item_complete(item=page, actor=county_user, done_note="二", done_on=DUE)
    assert DispatchItem.objects.get(pk=item.pk).done_note == "一"


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_closes_at_once_apply_once(item, county_user):
    def close():
        services.dispatch_item_complete(
            item=DispatchItem.objects.get(pk=item.pk), actor=county_user, done_note="已完成",
            done_on=DUE,
        )  # fmt: skip

    assert race(close) == ["TransitionRefused", "ok"]


def test_a_county_sees_only_its_own_items(meeting, county_user, make_user, fushan):
    assert DispatchItem.objects.for_user(county_user).count() == 1
    assert DispatchItem.objects.for_user(make_user(role="county", county=fushan)).count() == 0
