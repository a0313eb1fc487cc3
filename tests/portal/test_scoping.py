"""Scoping is security: each role sees its own objects; another's answers 404."""

import pytest

from enterprises.models import Enterprise
from tests.access import assert_access
from tests.factories import ReviewFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_firm(make_enterprise, fushan):
    return make_enterprise(county=fushan, name="烟台福山某建材有限公司")


def test_enterprise_detail_permission_matrix(
    firm, other_firm, city_user, county_user, enterprise_user, agency_user, agency
):
    ReviewFactory(enterprise=firm, agency=agency)
    assert_access(
        firm.get_absolute_url(),
        {
            None: 302,
            city_user: 200,
            county_user: 200,
            enterprise_user: 200,
            agency_user: 200,
        },
    )
    assert_access(
        other_firm.get_absolute_url(),
        {city_user: 200, county_user: 404, enterprise_user: 404, agency_user: 404},
    )


def test_county_staff_see_only_their_county(firm, other_firm, county_user):
    assert list(Enterprise.objects.for_user(county_user)) == [firm]


def test_agency_sees_only_firms_assigned_to_it(firm, other_firm, agency_user, agency):
    assert Enterprise.objects.for_user(agency_user).count() == 0
    ReviewFactory(enterprise=firm, agency=agency)
    ReviewFactory(enterprise=firm, agency=agency)  # a re-review: still one firm
    assert list(Enterprise.objects.for_user(agency_user)) == [firm]


def test_unbound_or_inactive_users_see_nothing(firm, make_user, county_user):
    unbound = make_user(role="county")  # bypasses clean(): a broken account
    county_user.is_active = False
    assert Enterprise.objects.for_user(unbound).count() == 0
    assert Enterprise.objects.for_user(county_user).count() == 0


def test_enterprise_list_is_forbidden_to_enterprise_users(enterprise_user, county_user):
    assert_access("/enterprises/", {enterprise_user: 403, county_user: 200, None: 302})


def test_enterprise_list_shows_county_staff_only_their_firms(client, firm, other_firm, county_user):
    client.force_login(county_user)
    body = client.get("/enterprises/").content.decode()
    assert firm.name in body
    assert other_firm.name not in body


def test_enterprise_list_query_count_does_not_grow(
    client, make_enterprise, city_user, django_assert_max_num_queries
):
    for _ in range(30):
        make_enterprise()
    client.force_login(city_user)
    with django_assert_max_num_queries(10):
        assert client.get("/enterprises/?sort=-county").status_code == 200
