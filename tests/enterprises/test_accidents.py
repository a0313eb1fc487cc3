# ruff: noqa: F811 - fixtures are imported from tests.reviews.fixtures_assessment
"""Accidents: listed for the firm and its supervisors, recorded by county or city staff."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from enterprises import services
from enterprises.models import Accident
from enterprises.selectors import deaths_in_year_before
from portal.audit import history_for
from tests.access import assert_access
from tests.reviews.fixtures_assessment import (  # noqa: F401
    ON_DATE,
    assessment,
    assigned_agency_user,
    listed_firm,
    other_county_user,
    other_firm_user,
    standards,
    unassigned_agency_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def accident(listed_firm):
    return Accident.objects.create(enterprise=listed_firm, occurred_on=ON_DATE, deaths=1)


def test_the_accident_list_shows_each_user_the_accidents_in_their_scope(
    accident, enterprise_user, county_user, other_county_user, other_firm_user, city_user
):
    url = reverse("enterprises:accident_list")
    everyone = [enterprise_user, county_user, other_county_user, other_firm_user, city_user]
    assert_access(url, {None: 302, **dict.fromkeys(everyone, 200)})
    for user, sees in [(county_user, True), (other_county_user, False), (other_firm_user, False)]:
        client = Client()
        client.force_login(user)
        assert (accident.enterprise.name in client.get(url).content.decode()) is sees
    one_firm = f"{url}?enterprise={accident.enterprise_id}"
    assert_access(one_firm, {enterprise_user: 200, county_user: 200, other_county_user: 404})


def test_only_county_and_city_staff_record_accidents(
    listed_firm,
    county_user,
    city_user,
    other_county_user,
    enterprise_user,
    other_firm_user,
    assigned_agency_user,
):
    url = reverse("enterprises:accident_create", args=[listed_firm.pk])
    expected = {None: 302, county_user: 200, city_user: 200, other_county_user: 404}
    expected |= {enterprise_user: 403, other_firm_user: 404, assigned_agency_user: 403}
    assert_access(url, expected)
    data = {"occurred_on": "2016-03-05", "deaths": "1", "injuries": "2", "description": "机械伤害"}
    assert_access(url, {enterprise_user: 403, other_county_user: 404}, method="post", data=data)
    assert_access(url, {county_user: 302}, method="post", data=data)
    assert Accident.objects.get().deaths == 1


def test_county_staff_correct_an_accident_and_the_history_shows_it(
    accident, county_user, other_county_user, enterprise_user
):
    url = reverse("enterprises:accident_edit", args=[accident.pk])
    assert_access(url, {None: 302, county_user: 200, other_county_user: 404, enterprise_user: 403})
    client = Client()
    client.force_login(county_user)
    data = {"occurred_on": "2016-09-01", "deaths": "2", "injuries": "0", "description": "更正"}
    assert client.post(url, data).status_code == 302
    accident.refresh_from_db()
    assert accident.deaths == 2
    assert "修改事故信息" in client.get(url).content.decode()


# --- The service and the lookback ------------------------------------------------------


def test_deaths_count_in_the_365_days_up_to_the_date(listed_firm):
    on = dt.date(2016, 9, 1)
    for day, deaths in [
        (dt.date(2015, 9, 1), 1),  # 366 days before: out
        (dt.date(2015, 9, 2), 2),  # 365 days before: in
        (dt.date(2016, 9, 1), 1),  # the day itself: in
        (dt.date(2016, 9, 2), 5),  # after: out
    ]:
        Accident.objects.create(enterprise=listed_firm, occurred_on=day, deaths=deaths)
    assert deaths_in_year_before(listed_firm, on) == 3


def test_county_staff_record_accidents_with_history(listed_firm, county_user):
    accident = services.accident_save(
        enterprise=listed_firm, actor=county_user, occurred_on=ON_DATE, deaths=1, injuries=2
    )
    services.accident_save(
        enterprise=listed_firm,
        actor=county_user,
        accident=accident,
        occurred_on=ON_DATE,
        deaths=2,
        injuries=2,
    )
    actions = [(e.action, e.changes.get("deaths")) for e in history_for(accident)]
    assert actions == [("修改事故信息", [1, 2]), ("登记事故", [None, 1])]


def test_the_firm_does_not_record_its_own_accidents(listed_firm, enterprise_user):
    with pytest.raises(PermissionDenied):
        services.accident_save(
            enterprise=listed_firm, actor=enterprise_user, occurred_on=ON_DATE, deaths=0, injuries=1
        )


def test_an_accident_in_the_future_is_refused(listed_firm, county_user):
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.accident_save(
            enterprise=listed_firm,
            actor=county_user,
            occurred_on=dt.date.today() + dt.timedelta(days=2),
            deaths=0,
            injuries=0,
        )
