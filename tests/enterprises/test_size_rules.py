"""企业规模 follows the law (工信部联企业〔2011〕300号, 工业): 从业人员 and 营业收入 together decide
大型, 中型, 小型 or 微型, and a declared size that disagrees is refused, in the form and in the
import with its row."""

from decimal import Decimal

import pytest
from django.urls import reverse

from enterprises import services
from enterprises.models import Enterprise
from enterprises.rules import size_class, size_disagreement

from .conftest import row


@pytest.mark.parametrize(
    "employees, revenue, expected",
    [
        (19, Decimal(300), "micro"),  # fewer than 20 people: 微型 whatever the revenue
        (20, Decimal(300), "small"),  # 20 people and 300万: 小型
        (20, Decimal("299.9"), "micro"),  # 299.9万 is short of 300万
        (299, Decimal(2000), "small"),  # 299 people: not yet 中型
        (300, Decimal(2000), "medium"),  # 300 people and 2,000万: 中型
        (300, Decimal("1999.9"), "small"),
        (999, Decimal(40000), "medium"),  # 999 people: not yet 大型
        (1000, Decimal(40000), "large"),  # 1,000 people and 4亿元: 大型
        (1000, Decimal("39999.9"), "medium"),
        (5000, Decimal(100), "micro"),  # many people, revenue under 300万: 微型
    ],
)
def test_the_size_class_at_the_thresholds_of_the_law(employees, revenue, expected):
    assert size_class(employees=employees, revenue=revenue) == expected


def test_a_declared_size_that_disagrees_is_refused_saying_what_the_law_gives():
    reason = size_disagreement(size="micro", employees=5000, revenue=Decimal(50000))
    assert "工信部联企业〔2011〕300号" in reason and "大型" in reason and "微型" in reason
    assert size_disagreement(size="large", employees=5000, revenue=Decimal(50000)) is None


def test_without_both_figures_the_declared_size_stands():
    assert size_disagreement(size="micro", employees=5000, revenue=None) is None
    assert size_disagreement(size="micro", employees=None, revenue=Decimal(50000)) is None


@pytest.mark.django_db
def test_the_import_refuses_a_declared_size_that_disagrees_naming_its_row(sheet, reference):
    good = row(1, employees=30, revenue=500)
    bad = row(2, size="微型", employees=5000, revenue=50000)
    plan = services.enterprise_import(actor=None, file=sheet([good, bad]))
    assert [(e.row, e.column) for e in plan.errors] == [(3, "企业规模")]
    assert "大型" in plan.errors[0].message
    assert Enterprise.objects.count() == 0


@pytest.mark.django_db
def test_the_import_records_revenue(sheet, reference):
    plan = services.enterprise_import(actor=None, file=sheet([row(1, revenue="1,250.5")]))
    assert plan.ok
    assert Enterprise.objects.get().revenue == Decimal("1250.5")


@pytest.mark.django_db
def test_the_form_refuses_a_declared_size_that_disagrees(client, county_user, reference):
    client.force_login(county_user)
    data = {
        "credit_code": "914403001922038216",
        "name": "新企业",
        "industry": reference["industries"][0].pk,
        "size": "micro",
        "employees": 5000,
        "revenue": "50000",
    }
    response = client.post(reverse("enterprises:create"), data)
    assert response.status_code == 200
    assert "属于大型，不能登记为微型" in response.content.decode()
    assert not Enterprise.objects.exists()
    response = client.post(reverse("enterprises:create"), {**data, "size": "large"})
    assert response.status_code == 302 and Enterprise.objects.get().size == "large"
