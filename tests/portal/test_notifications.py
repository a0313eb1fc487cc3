"""The bell and the notification list: each user sees only their own, why they got it, and a
link to the object; e-mail goes out after the commit."""

import pytest
from django.core import mail
from django.urls import reverse

from portal.models import Notification
from portal.notifications import mark_read, notify
from tests.access import assert_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def note(county_user, firm, django_capture_on_commit_callbacks):
    county_user.email = "zhifu@example.invalid"
    county_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = notify(
            recipients=[county_user], obj=firm, title="企业信息已更新", reason="辖区企业有变更"
        )
    return row


def test_notify_links_to_the_object_and_mails_after_commit(note, firm):
    assert note.url == firm.get_absolute_url()
    assert note.object_id == str(firm.pk)
    assert len(mail.outbox) == 1
    assert "辖区企业有变更" in mail.outbox[0].body
    assert mail.outbox[0].subject.endswith("企业信息已更新")


def test_no_mail_for_a_user_without_an_address(city_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[city_user], title="测试", reason="测试")
    assert mail.outbox == []
    assert Notification.objects.filter(recipient=city_user).count() == 1


def test_every_page_shows_the_unread_count(client, county_user, note):
    client.force_login(county_user)
    response = client.get(reverse("portal:notifications"))
    assert response.context["unread_notification_count"] == 1
    assert "1 条未读" in response.content.decode()


def test_the_list_shows_why_and_opening_marks_read_and_follows_the_link(client, county_user, note):
    client.force_login(county_user)
    page = client.get(reverse("portal:notifications")).content.decode()
    assert "辖区企业有变更" in page
    response = client.post(reverse("portal:notification_read", args=[note.pk]))
    assert response["Location"] == note.url
    note.refresh_from_db()
    assert note.is_read


def test_users_see_only_their_own_notifications(note, county_user, city_user, make_user, zhifu):
    colleague = make_user(role="county", county=zhifu)
    assert list(Notification.objects.for_user(county_user)) == [note]
    assert not Notification.objects.for_user(colleague).exists()
    assert not Notification.objects.for_user(city_user).exists()
    assert mark_read(user=colleague) == 0


def test_notification_pages_permission_matrix(note, county_user, city_user, make_user, zhifu):
    colleague = make_user(role="county", county=zhifu)
    assert_access(reverse("portal:notifications"), {None: 302, county_user: 200, city_user: 200})
    assert_access(
        reverse("portal:notification_read", args=[note.pk]),
        {None: 302, colleague: 404, city_user: 404},
        method="post",
    )
    assert_access(
        reverse("portal:notifications_read_all"), {None: 302, colleague: 302}, method="post"
    )
    note.refresh_from_db()
    assert not note.is_read


def test_notification_list_queries_are_pinned(client, county_user, note,
                                              django_assert_max_num_queries):  # fmt: skip
    client.force_login(county_user)
    with django_assert_max_num_queries(8):
        client.get(reverse("portal:notifications"))


def test_mail_is_sent_inline_when_the_broker_cannot_be_reached(
    city_user, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from portal import tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(tasks.send_notification_mail_task, "apply_async", broker_down)
    city_user.email = "city@example.invalid"
    city_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[city_user], title="测试", reason="测试")
    assert [m.to for m in mail.outbox] == [["city@example.invalid"]]


def test_the_unread_counter_follows_notify_and_mark_read(county_user, firm, note):
    county_user.refresh_from_db()
    assert county_user.unread_notifications == 1
    notify(recipients=[county_user, county_user], obj=firm, title="再次", reason="测试")
    county_user.refresh_from_db()
    assert county_user.unread_notifications == 3
    assert mark_read(user=county_user, notification_ids=[note.pk]) == 1
    county_user.refresh_from_db()
    assert county_user.unread_notifications == 2
    mark_read(user=county_user)
    county_user.refresh_from_db()
    assert county_user.unread_notifications == 0


def test_the_bell_costs_no_query(rf, county_user, django_assert_num_queries):
    from portal.context_processors import notifications

    request = rf.get("/")
    request.user = county_user
    with django_assert_num_queries(0):
        assert notifications(request)["unread_notification_count"] == 0


def test_a_user_turns_off_the_mail_of_one_kind_on_the_settings_page(client, county_user):
    from portal.models import MailOptOut

    client.force_login(county_user)
    page = client.get(reverse("portal:notification_settings")).content.decode()
    assert "企业申请评审" in page and "整改核查未通过" not in page  # the firm's, not the county's
    offered = [
        r["event"].kind for r in client.get(reverse("portal:notification_settings")).context["rows"]
    ]
    keep = [k for k in offered if k != "reviews.application_received"]
    response = client.post(reverse("portal:notification_settings"), {"mail": keep})
    assert response.status_code == 302
    assert list(MailOptOut.objects.filter(user=county_user).values_list("kind", flat=True)) == [
        "reviews.application_received"
    ]
    client.post(reverse("portal:notification_settings"), {"mail": offered})
    assert not MailOptOut.objects.filter(user=county_user).exists()


def test_every_event_on_a_transition_names_a_real_one_and_says_who_and_why():
    from portal import events
    from portal.statemachine import machine_for

    for (model, name), declared in events.transition_events().items():
        assert name in machine_for(model).transitions, (model, name)
        for event in declared:
            assert event.label and event.reason and event.audience
