"""The bulletin (定期通报) prints like an official notice: the red header, its 期号 (the year's
bulletins numbered in date order) and its date."""

import datetime as dt

import pytest
from django.test import Client

from reports.models import ProgressSnapshot

pytestmark = pytest.mark.django_db


def test_the_bulletin_has_the_red_header_its_issue_number_and_date(city_user, reference):
    ProgressSnapshot.objects.create(year=2016, taken_on=dt.date(2016, 6, 23))
    second = ProgressSnapshot.objects.create(year=2016, taken_on=dt.date(2016, 6, 30))
    ProgressSnapshot.objects.create(year=2017, taken_on=dt.date(2017, 1, 6))
    client = Client()
    client.force_login(city_user)
    page = client.get(f"/reports/bulletins/{second.pk}/").content.decode()
    assert 'class="portal-notice-issuer">安全生产标准化工作通报' in page
    assert "2016年第2期" in page and "2016年6月30日" in page
    assert "css/notice.css" in page
