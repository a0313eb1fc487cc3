"""The yearly evaluation's weights make 100 together: a set that does not is refused, with its
sum on the page and what was typed kept, and the year's weights stay as they were."""

from decimal import Decimal as D

import pytest
from django.test import Client

from reports import evaluation
from reports.models import EvaluationCriterion

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(city_user, reference):
    client = Client()
    client.force_login(city_user)
    return client


def _weights(**given):
    return {code: str(given.get(code, 0)) for code in evaluation.CRITERIA}


def test_weights_that_do_not_make_100_are_refused_with_their_sum(city):
    response = city.post(
        "/reports/evaluation/weights/?year=2016", _weights(targets_met=60, timeliness=30)
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "各项权重合计须为100，现在合计为90，未保存" in page
    assert 'value="30"' in page  # what was typed stays in the form
    assert not EvaluationCriterion.objects.filter(year=2016).exists()
    assert evaluation.weights_for(2016) == evaluation.DEFAULT_WEIGHTS


def test_weights_over_100_are_refused_too(city):
    response = city.post(
        "/reports/evaluation/weights/?year=2016",
        _weights(targets_met=60, timeliness=40, audit_accuracy="0.5"),
    )
    assert "现在合计为100.5" in response.content.decode()


def test_weights_that_make_100_are_saved(city):
    response = city.post(
        "/reports/evaluation/weights/?year=2016",
        _weights(targets_met="50", timeliness="30.5", audit_accuracy="19.5"),
    )
    assert response.status_code == 302
    assert evaluation.weights_for(2016) == {
        "targets_met": D(50), "timeliness": D("30.5"), "audit_accuracy": D("19.5"),
    }  # fmt: skip
