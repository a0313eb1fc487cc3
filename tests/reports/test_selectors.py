"""Selectors that depend on who asks take the user: a county asking sees only its own county,
whatever page hands it the answer."""

import datetime as dt
from urllib.parse import quote

import pytest
from django.urls import reverse

from enterprises.models import CreationListEntry
from portal import policy
from reports.evaluation import evaluate
from reports.policies import CityDashboard
from reports.selectors import county_progress, every_county_progress, submission_grid
from reports.services.progress import build_progress_report

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def listed(deadlines, make_enterprise, zhifu, fushan):
    for county in (zhifu, fushan):
        firm = make_enterprise(county=county)
        CreationListEntry.objects.create(enterprise=firm, year=2016, target_date=D(2016, 9, 30))


def test_a_county_asking_for_progress_gets_only_its_own_county(listed, county_staff, city_user):
    mine = county_progress(user=county_staff, year=2016, today=D(2016, 6, 30))
    assert [p.county.name for p in mine] == ["芝罘区"] and mine[0].listed == 1
    assert len(county_progress(user=city_user, year=2016, today=D(2016, 6, 30))) == 16
    assert len(every_county_progress(year=2016, today=D(2016, 6, 30))) == 16


def test_a_county_asking_for_the_grid_gets_only_its_own_row(deadlines, county_staff, city_user):
    _, rows = submission_grid(user=county_staff, year=2016)
    assert [row["county"].name for row in rows] == ["芝罘区"]
    assert len(submission_grid(user=city_user, year=2016)[1]) == 16


def test_a_county_asking_for_the_evaluation_gets_only_its_own_score(deadlines, county_staff):
    assert [s.county.name for s in evaluate(user=county_staff, year=2016)] == ["芝罘区"]


def test_a_county_given_the_city_dashboard_would_see_only_its_own_county(
    client, listed, county_staff, monkeypatch
):
    monkeypatch.setitem(policy._RULES[CityDashboard], "view", lambda user, obj: None)
    client.force_login(county_staff)
    response = client.get(reverse("reports:dashboard") + "?year=2016")
    assert [p.county.name for p in response.context["progress"]] == ["芝罘区"]
    assert response.context["totals"]["listed"] == 1


def test_downloads_carry_chinese_file_names(client, deadlines, city_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    snap = build_progress_report(today=D(2016, 6, 6))
    client.force_login(city_user)
    bulletin = client.get(reverse("reports:bulletin_xlsx", args=[snap.pk]))
    assert quote("进度通报20160606.xlsx") in bulletin["Content-Disposition"]
    scores = client.get(reverse("reports:evaluation_xlsx") + "?year=2016")
    assert quote("2016年年终考核.xlsx") in scores["Content-Disposition"]
