"""Login throttling behind the proxy, the password policy and the absolute session lifetime
(issue 15: 等保 2.0 level 3 asks for login-failure handling, password complexity and
session timeouts)."""

import re
import time

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from portal.login import AbsoluteSessionLifetimeMiddleware, client_address
from reports.demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

GOOD = "Correct-horse-42"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


# --- Throttling ------------------------------------------------------------------------


def test_one_address_spraying_four_passwords_over_many_users_is_locked_out(make_user):
    users = [make_user(role="city") for _ in range(6)]
    sprayer = Client(REMOTE_ADDR="10.9.9.9")
    for user in users[:5]:
        for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
            login(sprayer, user.username, f"Guess-{attempt}-xyz!")
    # 20 failures from one address: even a right password for a sixth user is refused now.
    locked = login(sprayer, users[5].username, GOOD)
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()
    # Another address is not affected.
    assert login(Client(REMOTE_ADDR="10.8.8.8"), users[5].username, GOOD).status_code == 302


def test_fewer_failures_from_one_address_than_its_limit_lock_no_one(make_user):
    users = [make_user(role="city") for _ in range(2)]
    office = Client(REMOTE_ADDR="10.7.7.7")
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        login(office, users[0].username, f"Typo-{attempt}-xyz!")
    assert login(office, users[1].username, GOOD).status_code == 302


def test_behind_the_proxy_each_client_is_throttled_by_its_own_address(settings, county_user):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "172.18.0.5"}
    attacker = Client(HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login(attacker, county_user.username, f"Wrong-{attempt}-xyz!")
    assert login(attacker, county_user.username, GOOD).status_code == 429
    # The real user, through the same proxy from the office, still logs in.
    office = Client(HTTP_X_FORWARDED_FOR="10.1.1.20", **proxy)
    assert login(office, county_user.username, GOOD).status_code == 302


def test_the_client_address_trusts_only_the_configured_proxies(settings, rf):
    request = rf.get("/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.1.1.20")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request) == "172.18.0.5"  # no proxy configured: the header is ignored
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(request) == "10.1.1.20"  # what nginx saw, not what the client typed
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_address(request) == "1.2.3.4"
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_address(request) == "172.18.0.5"  # fewer hops than proxies: the socket
    bad = rf.get("/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="<script>")
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_address(bad) == "172.18.0.5"


# --- The password policy ----------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaa",  # one kind of character
        "abcdefgh2016",  # two kinds
        "Short-pw-1",  # too short
        "Yantai-2016-demo",  # the published demo password
        "yantai-2016-DEMO",  # ...in another case
        "Xx-zhangwei-2016",  # contains the user name
    ],
)
def test_weak_passwords_are_refused_in_chinese(make_user, password):
    user = make_user(role="city", username="zhangwei")
    with pytest.raises(ValidationError) as err:
        validate_password(password, user)
    assert err.value.messages
    assert all(CHINESE.search(message) for message in err.value.messages), err.value.messages


@pytest.mark.parametrize("password", ["Long-enough-pw-2016", "longenough#pw2016", "LONG2016pw!!"])
def test_passwords_with_three_kinds_and_twelve_characters_pass(make_user, password):
    validate_password(password, make_user(role="city", username="zhangwei"))


def test_the_demo_password_is_refused_although_it_has_three_kinds():
    assert DEMO_PASSWORD == "Yantai-2016-demo"
    with pytest.raises(ValidationError, match="演示密码"):
        validate_password(DEMO_PASSWORD)


def change_password(client, old, new):
    return client.post(
        "/accounts/password/",
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


def test_the_current_password_cannot_be_chosen_again(client, county_user):
    client.force_login(county_user)
    response = change_password(client, GOOD, GOOD)
    assert response.status_code == 200
    assert "不能与当前密码" in response.content.decode()


def test_none_of_the_last_five_passwords_may_come_back(client, county_user):
    client.force_login(county_user)
    history = [GOOD] + [f"Rotated-pw-{n}-2016" for n in range(1, 6)]
    for old, new in zip(history, history[1:], strict=False):
        assert change_password(client, old, new).status_code == 302
    # Five changes later the first password is still one of the last five before the current.
    response = change_password(client, history[-1], history[1])
    assert "最近 5 次" in response.content.decode()
    response = change_password(client, history[-1], GOOD)
    assert "最近 5 次" in response.content.decode()
    # A sixth change pushes the first one out of the history.
    assert change_password(client, history[-1], "Rotated-pw-6-2016").status_code == 302
    assert change_password(client, "Rotated-pw-6-2016", GOOD).status_code == 302


def test_the_demo_seeding_still_sets_the_published_password(db, settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", enterprises=10, verbosity=0)
    assert login(Client(), "city", DEMO_PASSWORD).status_code == 302


# --- Sessions --------------------------------------------------------------------------


def test_a_session_ends_twelve_hours_after_the_login_however_active(client, city_user):
    assert settings.SESSION_ABSOLUTE_AGE == 12 * 60 * 60
    assert settings.SESSION_COOKIE_AGE == 30 * 60  # the idle limit stays
    assert login(client, city_user.username, GOOD).status_code == 302
    assert client.get("/enterprises/").status_code == 200
    session = client.session
    session[AbsoluteSessionLifetimeMiddleware.KEY] = time.time() - 12 * 60 * 60 + 60
    session.save()
    assert client.get("/enterprises/").status_code == 200  # 11 h 59 min: still in
    session = client.session
    session[AbsoluteSessionLifetimeMiddleware.KEY] = time.time() - 12 * 60 * 60 - 1
    session.save()
    response = client.get("/enterprises/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/enterprises/").status_code == 302


def test_a_new_login_starts_the_clock_again(client, city_user):
    login(client, city_user.username, GOOD)
    assert time.time() - client.session[AbsoluteSessionLifetimeMiddleware.KEY] < 5
