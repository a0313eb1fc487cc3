"""一把手工程 and 资金投入: criteria of the yearly evaluation the city scores by hand, 0–100
with a note, per county and year. On a small world whose numbers are known: the city gives
芝罘区 90 and 70 (then corrects 70 to 60); 福山区 has no entry, so it scores nothing there and
the page says so."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from outreach import services
from outreach.models import HandCriterion, HandScore
from portal.models import AuditEntry
from reports import evaluation
from reports.models import EvaluationCriterion

pytestmark = pytest.mark.django_db
C = HandCriterion


@pytest.fixture
def scored(city_user, zhifu):
    services.hand_score_enter(
        actor=city_user, county=zhifu, year=2016, criterion=C.LEADERSHIP, score=90,
        note="区长亲自部署",
    )  # fmt: skip
    services.hand_score_enter(
        actor=city_user, county=zhifu, year=2016, criterion=C.FUNDING, score=70, note="部分落实"
    )


@pytest.fixture
def weights():
    EvaluationCriterion.objects.create(year=2016, code="hand_leadership", weight=Decimal("10"))
    EvaluationCriterion.objects.create(year=2016, code="hand_funding", weight=Decimal("20"))


def test_the_hand_scores_count_at_their_weight(scored, weights, city_user, zhifu, fushan):
    scores = {s.county.pk: s for s in evaluation.evaluate(user=city_user, year=2016)}
    assert scores[zhifu.pk].total == 9.0 + 14.0  # 90% of 10 + 70% of 20
    assert scores[fushan.pk].total == 0.0
    assert [p["value"] for p in scores[fushan.pk].parts] == [None, None]


def test_a_corrected_score_replaces_the_old_and_the_history_keeps_it(
    scored, weights, city_user, zhifu
):
    services.hand_score_enter(
        actor=city_user, county=zhifu, year=2016, criterion=C.FUNDING, score=60, note="复核后调整"
    )
    assert HandScore.objects.filter(county=zhifu, year=2016).count() == 2
    scores = {s.county.pk: s for s in evaluation.evaluate(user=city_user, year=2016)}
    assert scores[zhifu.pk].total == 9.0 + 12.0
    entry = HandScore.objects.get(county=zhifu, criterion=C.FUNDING)
    history = AuditEntry.objects.filter(object_id=str(entry.pk), action="修改人工评分").get()
    assert history.changes["score"] == [70, 60]


def test_a_score_of_another_year_does_not_count(scored, city_user, zhifu):
    EvaluationCriterion.objects.create(year=2017, code="hand_leadership", weight=Decimal("10"))
    scores = {s.county.pk: s for s in evaluation.evaluate(user=city_user, year=2017)}
    assert scores[zhifu.pk].total == 0.0


def test_a_score_is_between_0_and_100_with_a_note(city_user, zhifu):
    with pytest.raises(ValidationError):
        services.hand_score_enter(
            actor=city_user, county=zhifu, year=2016, criterion=C.FUNDING, score=101, note="多"
        )
    with pytest.raises(ValidationError):
        services.hand_score_enter(
            actor=city_user, county=zhifu, year=2016, criterion=C.FUNDING, score=50, note=""
        )


def test_only_the_city_scores(county_user, zhifu):
    with pytest.raises(PermissionDenied):
        services.hand_score_enter(
            actor=county_user, county=zhifu, year=2016, criterion=C.FUNDING, score=100, note="自评"
        )


def test_the_page_says_an_unscored_county_scores_nothing(scored, city_user):
    client = Client()
    client.force_login(city_user)
    page = client.get(reverse("outreach:hand_scores"), {"year": 2016}).content.decode()
    assert "区长亲自部署" in page and "尚未评分，不计分" in page


def test_the_city_enters_a_score_on_the_page(city_user, zhifu):
    client = Client()
    client.force_login(city_user)
    url = reverse("outreach:hand_scores") + "?year=2016"
    data = {"county": zhifu.pk, "criterion": C.LEADERSHIP, "score": 85, "note": "亲自部署"}
    assert client.post(url, data).status_code == 302
    assert HandScore.objects.get(county=zhifu, year=2016).score == 85
    assert client.post(url, {**data, "county": "99999999999999999999"}).status_code == 200


def test_the_evaluation_page_says_an_unscored_county_scores_nothing(weights, city_user):
    client = Client()
    client.force_login(city_user)
    page = client.get(reverse("reports:evaluation"), {"year": 2016}).content.decode()
    assert "一把手工程" in page and "不计分" in page
