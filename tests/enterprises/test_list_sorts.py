"""The lists' sorts are the ones their indexes serve (issue 16): a descending sort breaks ties
by id descending too (its (field, id) index read backwards), and a year's creation list runs by
target date, soonest first (the entry's own (year, target_date, id) index)."""

import datetime as dt

import pytest

from enterprises.choices import Status
from enterprises.models import CreationListEntry
from enterprises.selectors import creation_list, enterprise_list

pytestmark = pytest.mark.django_db


def test_a_descending_sort_breaks_ties_the_same_way(make_enterprise, city_user):
    firms = [make_enterprise(status=Status.LISTED) for _ in range(3)]
    firms.append(make_enterprise(status=Status.NOT_LISTED))
    shown = list(enterprise_list(user=city_user, params={"sort": "-status"}))
    listed = [f.pk for f in shown if f.status == Status.LISTED]
    assert listed == sorted((f.pk for f in firms[:3]), reverse=True)
    ascending = list(enterprise_list(user=city_user, params={"sort": "status"}))
    assert [f.pk for f in ascending if f.status == Status.LISTED] == sorted(listed)


def test_a_years_creation_list_runs_by_target_date(make_enterprise, fushan, zhifu, city_user):
    dates = [dt.date(2016, 12, 31), dt.date(2016, 6, 30), dt.date(2016, 9, 30)]
    for county, day in zip([zhifu, fushan, zhifu], dates, strict=True):
        CreationListEntry.objects.create(
            enterprise=make_enterprise(county=county), year=2016, target_date=day
        )
    shown = [e.target_date for e in creation_list(user=city_user, year=2016, params={})]
    assert shown == sorted(dates)
