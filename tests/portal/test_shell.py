"""Chinese first: language, time zone, dates, error pages, health."""

import datetime as dt

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_language_and_time_zone():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ


def test_dates_read_the_chinese_way():
    rendered = Template("{{ d|date }}").render(Context({"d": dt.date(2016, 6, 30)}))
    assert rendered == "2016年6月30日"


def test_typed_chinese_dates_are_accepted():
    from django import forms

    field = forms.DateField()
    assert field.clean("2016年9月5日") == dt.date(2016, 9, 5)
    assert field.clean("2016-09-05") == dt.date(2016, 9, 5)


def test_times_are_shown_in_shanghai_time():
    moment = dt.datetime(2016, 6, 29, 16, 30, tzinfo=dt.UTC)  # 00:30 next day in Shanghai
    assert timezone.localtime(moment).date() == dt.date(2016, 6, 30)


def test_not_found_page_is_chinese(client, city_user):
    client.force_login(city_user)
    response = client.get("/enterprises/999999/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_healthz_is_public_and_reports_database_and_broker(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] is True
    assert "broker" in body


def test_static_files_are_vendored_not_from_a_cdn(client, city_user):
    client.force_login(city_user)
    html = client.get("/enterprises/").content.decode()
    assert "/static/vendor/bootstrap/" in html
    assert "/static/vendor/htmx/" in html
    assert "cdn" not in html.lower()


def test_pages_carry_a_content_security_policy_without_inline_scripts(client, city_user):
    client.force_login(city_user)
    response = client.get("/enterprises/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "<script>" not in response.content.decode()
