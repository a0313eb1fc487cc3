"""The security event log (issue 15): logins, failures, lockouts, password changes, refusals,
exports and downloads — who, what, when, from where — kept at least six months, searched by
the city."""

import datetime as dt
import io

import pytest
from django.conf import settings
from django.http import FileResponse
from django.test import Client
from django.utils import timezone

from portal.models import SecurityEvent
from portal.security import SecurityEventMiddleware, security_events_prune
from portal.tasks import prune_security_events
from portal.xlsx import read_first_sheet

pytestmark = pytest.mark.django_db
Kind = SecurityEvent.Kind
GOOD = "Correct-horse-42"


def kinds():
    return list(SecurityEvent.objects.order_by("id").values_list("kind", flat=True))


def sign_in(client, user):
    """force_login, and forget its own login event so the test sees only what follows."""
    client.force_login(user)
    SecurityEvent.objects.filter(kind=Kind.LOGIN, user=user).delete()


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_a_login_and_a_failure_are_recorded_with_who_and_from_where(county_user):
    client = Client(REMOTE_ADDR="10.3.3.3")
    login(client, county_user.username, "Wrong-pw-xyz-1")
    login(client, county_user.username, GOOD)
    failed, ok = SecurityEvent.objects.order_by("id")
    assert (failed.kind, failed.username, failed.address, failed.user) == (
        Kind.LOGIN_FAILED, county_user.username, "10.3.3.3", None,
    )  # fmt: skip
    assert (ok.kind, ok.user, ok.address) == (Kind.LOGIN, county_user, "10.3.3.3")
    assert ok.path == "/accounts/login/" and ok.method == "POST"


def test_behind_the_proxy_the_log_names_the_clients_address(settings, county_user):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="10.4.4.4")
    login(client, county_user.username, GOOD)
    assert SecurityEvent.objects.get(kind=Kind.LOGIN).address == "10.4.4.4"


def test_a_lockout_is_recorded(county_user):
    client = Client(REMOTE_ADDR="10.5.5.5")
    for n in range(settings.AXES_FAILURE_LIMIT):
        login(client, county_user.username, f"Wrong-{n}-xyz!")
    assert Kind.LOCKED_OUT in kinds()
    assert kinds().count(Kind.LOGIN_FAILED) == settings.AXES_FAILURE_LIMIT


def test_a_password_change_and_a_logout_are_recorded(client, county_user):
    sign_in(client, county_user)
    new = "Changed-pw-2016-x"
    data = {"old_password": GOOD, "new_password1": new, "new_password2": new}
    assert client.post("/accounts/password/", data).status_code == 302
    client.post("/accounts/logout/")
    assert kinds() == [Kind.PASSWORD_CHANGED, Kind.LOGOUT]
    assert SecurityEvent.objects.get(kind=Kind.PASSWORD_CHANGED).user == county_user


def test_a_refused_page_is_recorded(client, county_user):
    client.force_login(county_user)
    assert client.get("/security/log/?year=2016").status_code == 403
    refusal = SecurityEvent.objects.get(kind=Kind.FORBIDDEN)
    assert refusal.user == county_user and refusal.path == "/security/log/?year=2016"


def test_an_export_is_recorded_with_its_file_name(client, city_user):
    client.force_login(city_user)
    response = client.get("/security/log.xlsx")
    assert response.status_code == 200
    b"".join(response.streaming_content)
    export = SecurityEvent.objects.get(kind=Kind.EXPORT)
    assert export.user == city_user and export.detail.startswith(f"{timezone.now().year}年安全日志")


def test_a_file_download_is_recorded(rf, city_user):
    request = rf.get("/reviews/evidence/7/", REMOTE_ADDR="10.6.6.6")
    request.user = city_user
    middleware = SecurityEventMiddleware(
        lambda r: FileResponse(io.BytesIO(b"%PDF"), as_attachment=True, filename="自评报告.pdf")
    )
    middleware(request)
    event = SecurityEvent.objects.get()
    assert (event.kind, event.detail, event.address) == (Kind.DOWNLOAD, "自评报告.pdf", "10.6.6.6")


def test_an_ordinary_page_is_not_recorded(client, city_user):
    sign_in(client, city_user)
    assert client.get("/enterprises/").status_code == 200
    assert kinds() == []


# --- The city's page -------------------------------------------------------------------


def event(kind, at, **kwargs):
    return SecurityEvent.objects.create(kind=kind, at=at, **kwargs)


def local(y, m, d, hour=10):
    return timezone.make_aware(dt.datetime(y, m, d, hour))


@pytest.fixture
def log(city_user):
    event(Kind.LOGIN_FAILED, local(2026, 3, 1), username="zhangsan", address="10.1.1.1")
    event(Kind.LOGIN, local(2026, 3, 2), username="lisi", address="10.2.2.2")
    event(Kind.EXPORT, local(2026, 6, 30), username="city", detail="企业名录20260630.xlsx")
    event(Kind.LOGIN, local(2025, 12, 31), username="wangwu", address="10.1.1.1")
    return city_user


def listed(client, query):
    response = client.get(f"/security/log/?{query}")
    assert response.status_code == 200
    return [e.username for e in response.context["page_obj"]]


def test_the_city_searches_the_log_by_year_kind_name_address_and_dates(client, log):
    sign_in(client, log)
    assert listed(client, "year=2026") == ["city", "lisi", "zhangsan"]
    assert listed(client, "year=2025") == ["wangwu"]
    assert listed(client, "year=2026&kind=login_failed") == ["zhangsan"]
    assert listed(client, "year=2026&q=lis") == ["lisi"]
    assert listed(client, "year=2026&q=10.1.1.1") == ["zhangsan"]
    assert listed(client, "year=2026&date_from=2026-03-02&date_to=2026-06-30") == ["city", "lisi"]
    # A date that does not parse is dropped with a message, never a 500.
    page = client.get("/security/log/?year=2026&date_from=abc&kind=nope").content.decode()
    assert "该条件未生效" in page and "2026年3月2日" in page


def test_the_page_shows_dates_in_chinese_and_the_kinds_by_name(client, log):
    sign_in(client, log)
    page = client.get("/security/log/?year=2026").content.decode()
    assert "2026年3月1日" in page and "登录失败" in page and "企业名录20260630.xlsx" in page


def test_the_list_is_paginated_with_a_fixed_number_of_queries(
    client, city_user, django_assert_max_num_queries
):
    SecurityEvent.objects.bulk_create(
        SecurityEvent(kind=Kind.LOGIN, username=f"u{n}", at=local(2026, 5, 1)) for n in range(120)
    )
    client.force_login(city_user)
    with django_assert_max_num_queries(12):
        response = client.get("/security/log/?year=2026&page=3")
    # 120 logins and force_login's own: three pages of 50, 50 and 21.
    assert response.context["page_obj"].paginator.num_pages == 3
    assert len(response.context["page_obj"]) == 21


def test_the_export_is_the_filtered_list(client, log):
    sign_in(client, log)
    response = client.get("/security/log.xlsx?year=2026&kind=login")
    rows = read_first_sheet(io.BytesIO(b"".join(response.streaming_content)))
    assert rows[0][:3] == ["时间", "事件", "用户名"]
    assert [row[2] for row in rows[1:]] == ["lisi"]
    assert rows[1][1] == "登录成功" and rows[1][4] == "10.2.2.2"


@pytest.mark.parametrize("role", ["county_user", "enterprise_user", "agency_user"])
def test_only_the_city_reads_the_log(request, client, role):
    client.force_login(request.getfixturevalue(role))
    assert client.get("/security/log/").status_code == 403
    assert client.get("/security/log.xlsx").status_code == 403


# --- Retention -------------------------------------------------------------------------


def test_the_log_is_kept_at_least_six_months():
    assert settings.SECURITY_LOG_RETENTION_DAYS >= 183


def test_the_nightly_prune_removes_only_what_is_past_the_retention(settings):
    now = timezone.now()
    days = settings.SECURITY_LOG_RETENTION_DAYS
    event(Kind.LOGIN, now - dt.timedelta(days=days + 1), username="old")
    event(Kind.LOGIN, now - dt.timedelta(days=days - 1), username="kept")
    assert prune_security_events.delay().get() == 1
    assert list(SecurityEvent.objects.values_list("username", flat=True)) == ["kept"]
    assert security_events_prune() == 0  # a second run removes nothing more


def test_the_prune_is_on_the_reviewed_beat_schedule_and_expires():
    entry = settings.CELERY_BEAT_SCHEDULE["prune-security-events"]
    assert entry["task"] == "portal.tasks.prune_security_events"
    assert entry["options"]["expires"] > 0


def test_a_password_set_by_an_administrator_is_recorded(client, make_user, county_user):
    admin = make_user(role="admin", is_superuser=True)
    sign_in(client, admin)
    new = "Admin-set-pw-2016"
    response = client.post(
        f"/admin/portal/user/{county_user.pk}/password/",
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302
    event = SecurityEvent.objects.get(kind=Kind.PASSWORD_CHANGED)
    assert event.user == admin and county_user.username in event.detail
