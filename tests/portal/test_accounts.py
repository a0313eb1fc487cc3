"""Login, roles, start pages, passwords, throttling and sessions."""

import time

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import Client

from tests.access import assert_access

pytestmark = pytest.mark.django_db


def test_login_page_is_public_and_chinese(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert "用户登录" in response.content.decode()


@pytest.mark.parametrize("url", ["/", "/enterprises/", "/reviews/", "/accounts/password/"])
def test_every_page_needs_a_login(url):
    assert_access(url, {None: 302})


@pytest.mark.parametrize(
    ("role_fixture", "start"),
    [
        ("city_user", "/reports/"),
        ("county_user", "/reports/county/"),
        ("enterprise_user", "/enterprises/mine/"),
        ("agency_user", "/reviews/"),
    ],
)
def test_home_sends_each_role_to_its_start_page(request, client, role_fixture, start):
    client.force_login(request.getfixturevalue(role_fixture))
    response = client.get("/", follow=True)
    assert response.redirect_chain[0][0] == start
    assert response.status_code == 200


def _menu_labels(nav) -> list[str]:
    """Every entry of the menu, in its app's drop-down or standing alone."""
    return [entry["label"] for item in nav for entry in item.get("children", [item])]


def test_navigation_shows_each_role_only_its_entries(client, enterprise_user, city_user):
    client.force_login(enterprise_user)
    nav = client.get("/enterprises/mine/", follow=True).context["nav_items"]
    labels = _menu_labels(nav)
    assert "本企业" in labels and "企业名录" not in labels
    client.force_login(city_user)
    nav = client.get("/enterprises/").context["nav_items"]
    labels = _menu_labels(nav)
    assert "企业名录" in labels and "本企业" not in labels
    # Two or more pages of one app go under its drop-down, so the bar stays one line.
    assert "企业管理" in [item["label"] for item in nav]


def test_login_with_password_lands_on_start_page(county_user):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": county_user.username, "password": "Correct-horse-42"}
    )
    assert response.status_code == 302
    assert client.get(response["Location"], follow=True).status_code == 200


def test_passwords_need_twelve_characters(county_user):
    from django.contrib.auth.password_validation import validate_password

    with pytest.raises(ValidationError):
        validate_password("Short-pw-1", county_user)
    validate_password("Long-enough-pw-2016", county_user)


def test_login_is_throttled_by_user_and_address_together(county_user):
    bad = {"username": county_user.username, "password": "wrong-password-x"}
    office = Client(REMOTE_ADDR="10.1.1.1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        office.post("/accounts/login/", bad)
    good = {"username": county_user.username, "password": "Correct-horse-42"}
    locked = office.post("/accounts/login/", good)
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()
    # The same user from another address is not locked out.
    assert Client(REMOTE_ADDR="10.2.2.2").post("/accounts/login/", good).status_code == 302


def test_sessions_expire_after_thirty_idle_minutes(client, city_user):
    """Each minute of use pushes the session's end 30 minutes on; the requests in between
    write nothing."""
    from django.contrib.sessions.models import Session

    from portal.login import IdleSessionMiddleware

    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_REFRESH_SECONDS == 60
    client.force_login(city_user)
    assert client.get("/enterprises/").status_code == 200
    key = client.session.session_key

    def ends():
        return Session.objects.get(session_key=key).expire_date

    first = ends()
    client.get("/enterprises/")
    assert ends() == first  # within the minute: not saved again

    session = client.session
    session[IdleSessionMiddleware.KEY] = time.time() - 61
    session.save()
    saved = ends()
    client.get("/enterprises/")
    assert ends() > saved  # a minute on: the end moves


def test_logout_is_a_post(client, city_user):
    client.force_login(city_user)
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/enterprises/").status_code == 302


def test_role_bindings_are_validated(make_user, zhifu, firm):
    user = make_user.build(role="county")
    with pytest.raises(ValidationError) as err:
        user.full_clean()
    assert "county" in err.value.message_dict
    user = make_user.build(role="enterprise", enterprise=firm, county=zhifu)
    with pytest.raises(ValidationError):
        user.full_clean()


def test_admin_site_only_for_administrators(make_user, city_user):
    admin = make_user(role="admin", is_superuser=True)
    assert_access("/admin/", {admin: 200, city_user: 302})
