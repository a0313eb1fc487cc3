"""The table of violations is kept by the city in the portal: the city adds and amends rows,
every change is kept in the row's history; a county reads the table but may not change it."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from enforcement import services
from enforcement.models import LegalBasis
from portal.audit import history_for

pytestmark = pytest.mark.django_db

CODE = "AQFA2014-94-4"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form_data(basis: LegalBasis, **overrides) -> dict:
    data = {
        "code": basis.code, "law": basis.law, "article": basis.article,
        "forbids": basis.forbids, "point": basis.point, "penalty": basis.penalty,
        "fine_max": str(basis.fine_max), "escalation": basis.escalation,
        "escalated_fine_max": str(basis.escalated_fine_max), "sort_order": basis.sort_order,
        "is_active": "on" if basis.is_active else "",
    }  # fmt: skip
    data.update(overrides)
    return data


def test_the_city_amends_the_penalty_range_and_the_change_is_in_the_history(bases, city_user):
    basis = bases[CODE]
    client = client_for(city_user)
    url = reverse("enforcement:basis_edit", args=[basis.pk])
    response = client.post(url, form_data(basis, escalated_fine_max="120000"))
    assert response.status_code == 302
    basis.refresh_from_db()
    assert basis.escalated_fine_max == Decimal("120000")
    entry = history_for(basis).first()
    assert entry.actor == city_user and entry.action == "修改处罚依据"
    assert entry.changes["escalated_fine_max"] == ["100000.00", "120000"]
    page = client.get(url).content.decode()
    assert "修改处罚依据" in page and "120000" in page


def test_the_city_adds_a_row(bases, city_user):
    template = bases[CODE]
    response = client_for(city_user).post(
        reverse("enforcement:basis_add"),
        form_data(template, code="AQFA2014-94-1", article="第九十四条第（一）项"),
    )
    assert response.status_code == 302
    added = LegalBasis.objects.get(code="AQFA2014-94-1")
    assert history_for(added).first().action == "新增处罚依据"
    listing = client_for(city_user).get(reverse("enforcement:basis_list")).content.decode()
    assert "第九十四条第（一）项" in listing and "新增处罚依据" in listing


def test_a_county_reads_the_table_but_is_refused_changing_it(bases, county_user):
    basis = bases[CODE]
    client = client_for(county_user)
    listing = client.get(reverse("enforcement:basis_list"))
    assert listing.status_code == 200 and "修改</a>" not in listing.content.decode()
    assert client.get(reverse("enforcement:basis_add")).status_code == 403
    url = reverse("enforcement:basis_edit", args=[basis.pk])
    assert client.post(url, form_data(basis, fine_max="1")).status_code == 403
    basis.refresh_from_db()
    assert basis.fine_max == Decimal("50000") and not history_for(basis).exists()
    with pytest.raises(PermissionDenied):
        services.basis_edit(actor=county_user, basis=basis, data={"fine_max": Decimal("1")})
