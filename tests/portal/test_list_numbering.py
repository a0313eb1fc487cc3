"""Every list has a 序号 column (components/list_page.html, counted by CSS), going on from the
page before; experts of the same name are told apart by agency and certificate."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_lists_number_their_rows_from_the_page_before(county_user, make_enterprise, zhifu):
    for _ in range(55):
        make_enterprise(county=zhifu)
    client = Client()
    client.force_login(county_user)
    first = client.get("/enterprises/").content.decode()
    second = client.get("/enterprises/?page=2").content.decode()
    assert "portal-numbered" in first and "counter-reset: portal-row 0" in first
    assert "counter-reset: portal-row 50" in second


def test_experts_of_the_same_name_are_told_apart(db, agency):
    from reviews.forms.assessment import expert_label
    from reviews.models import Expert
    from tests.factories import AgencyFactory

    other = AgencyFactory(name="烟台另一评审机构")
    one = Expert.objects.create(agency=agency, name="王军", certificate_no="AQ-1")
    two = Expert.objects.create(agency=other, name="王军")
    pool = Expert.objects.create(name="王军", certificate_no="AQ-9")
    labels = {expert_label(e) for e in (one, two, pool)}
    assert len(labels) == 3
    assert f"王军（{agency.name}，证书AQ-1）" in labels
    assert "王军（市级专家库，证书AQ-9）" in labels
