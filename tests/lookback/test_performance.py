"""The performance record of an agency and year, on a small world whose numbers are known;
each figure backed by its reviews; the ranking at a constant number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enterprises.choices import SizeClass
from enterprises.models import Accident
from lookback.models import (
    AgencyRating,
    AuditFinding,
    AuditRound,
    Campaign,
    SpotCheck,
    SpotCheckOutcome,
)
from lookback.performance import performance, performance_of, ranking, reviews_behind
from reviews.choices import StandardKind
from reviews.models import Certificate, Review, ScoringStandard, SelfAssessment
from reviews.services.agencies import agency_standing_decide
from tests.factories import AgencyFactory
from tests.reviews.factories_review import record_risks_and_hazards

from .performance_world import RANKING_PAGE_QUERIES, build

pytestmark = pytest.mark.django_db
Y = timezone.localdate().year
D = Decimal
FOUR = {
    "responsibility_system": "已建立安全生产责任制",
    "training_date": dt.date(Y, 1, 5),
    "trained_count": 30,
}


@pytest.fixture
def world(make_enterprise, zhifu, city_user, county_user):
    """Agency A: three reviews concluded this year (80 vs self 90, 70 vs 65, 50 failed vs 60),
    fees 10,000 / 20,000 / 30,000, only the first with all four combinations; its first firm
    has an audit error and a fatal accident within its certificate's validity, its second a
    failed spot-check. Agency B: one review, fee 40,000, no self-score. Same county and size:
    the median fee is 25,000."""
    standard = ScoringStandard.objects.create(
        code="T", version="1", name="测试标准", kind=StandardKind.SMALL_MICRO,
        effective_from=dt.date(2000, 1, 1),
    )  # fmt: skip
    a, b = AgencyFactory(name="甲评审机构"), AgencyFactory(name="乙评审机构")
    at = timezone.make_aware(dt.datetime(Y, 1, 10, 10))

    def review(agency, score, self_score, result, fee, four=False):
        firm = make_enterprise(county=zhifu, size=SizeClass.SMALL)
        assessment = SelfAssessment.objects.create(
            enterprise=firm, standard=standard, status="submitted", score=self_score
        )
        made = Review.objects.create(
            enterprise=firm, agency=agency, self_assessment=assessment if self_score else None,
            status="confirmed", assigned_at=at, concluded_at=at, score=score, result=result,
            fee=fee, **(FOUR if four else {}),
        )  # fmt: skip
        if four:
            record_risks_and_hazards([made], hazards=4)
        return made

    r1 = review(a, D(80), D(90), "3", D(10000), four=True)
    r2 = review(a, D(70), D(65), "3", D(20000))
    r3 = review(a, D(50), D(60), "", D(30000))
    r4 = review(b, D(90), None, "3", D(40000))
    review(a, D(85), D(85), "3", D(99999)).__class__.objects.filter(
        enterprise__name__isnull=False, fee=D(99999)
    ).update(concluded_at=at.replace(year=Y - 1))  # last year's: not this year's record
    issued = dt.date(Y, 1, 15)
    for r in (r1, r2, r4):
        Certificate.objects.create(
            enterprise=r.enterprise, review=r, grade="3", number=f"C{r.pk}",
            issued_on=issued, valid_until=issued.replace(year=Y + 3),
        )  # fmt: skip
    Accident.objects.create(enterprise=r1.enterprise, occurred_on=dt.date(Y, 1, 20), deaths=1)
    Accident.objects.create(enterprise=r2.enterprise, occurred_on=dt.date(Y, 1, 5), deaths=2)
    Accident.objects.create(enterprise=r1.enterprise, occurred_on=dt.date(Y, 1, 21), deaths=0)
    audit = AuditRound.objects.create(county=zhifu, year=Y, tolerance=10, sampled=2,
                                      created_by=city_user)  # fmt: skip
    AuditFinding.objects.create(audit=audit, enterprise=r1.enterprise, reported_result="3",
                                agency=a, recorded=True, in_error=True)  # fmt: skip
    AuditFinding.objects.create(audit=audit, enterprise=r2.enterprise, reported_result="3",
                                agency=a, recorded=True, in_error=False)  # fmt: skip
    campaign = Campaign.objects.create(
        year=Y, self_check_deadline=dt.date(Y, 6, 30), summary_deadline=dt.date(Y, 8, 30),
        spot_check_deadline=dt.date(Y, 10, 20), created_by=city_user,
    )  # fmt: skip
    spot = SpotCheck.objects.create(campaign=campaign, county=zhifu)
    SpotCheckOutcome.objects.create(spot_check=spot, enterprise=r2.enterprise, outcome="rectify")
    SpotCheckOutcome.objects.create(spot_check=spot, enterprise=r1.enterprise, outcome="passes")
    for n, rating in enumerate(("good", "warning"), start=1):
        AgencyRating.objects.create(campaign=campaign, county=zhifu, agency=a, rating=rating,
                                    reason="-", created_by=county_user, sequence=n,
                                    rectify_by=dt.date(Y, 12, 1))  # fmt: skip
    later = timezone.localdate() + dt.timedelta(days=30)
    for decision in ("warn", "order_rectification"):
        agency_standing_decide(agency=a, decision=decision, reason="重收费", actor=city_user,
                               problem="fees", requirements="退费", deadline=later)  # fmt: skip
    return {"a": a, "b": b, "reviews": (r1, r2, r3, r4)}


def test_every_figure_of_the_record_on_a_known_world(world):
    a = performance_of(world["a"], Y)
    assert (a.reviews_done, a.passed, a.pass_rate) == (3, 2, D("66.7"))
    assert a.gap == D("8.3")  # (10 + 5 + 10) / 3
    assert (a.audit_errors, a.spot_failures, a.fatal_accidents) == (1, 1, 1)
    assert (a.four_complete, a.four_rate) == (1, D("33.3"))
    assert (a.fee_total, a.fee_per_review) == (D(60000), D("20000.00"))
    assert a.fee_index == D("80.0")  # (10/25 + 20/25 + 30/25) / 3
    assert a.ratings == {"good": 1, "warning": 1}
    assert (a.warnings, a.repeat_warnings) == (2, 1)
    b = performance_of(world["b"], Y)
    assert (b.reviews_done, b.pass_rate, b.gap, b.fee_index) == (1, D("100.0"), None, D("160.0"))
    assert (b.audit_errors, b.spot_failures, b.fatal_accidents, b.warnings) == (0, 0, 0, 0)


def test_the_one_agency_record_is_the_rankings_row(world):
    rows = {r.agency.pk: r for r in performance(Y)}
    assert rows[world["a"].pk] == performance_of(world["a"], Y)


def test_each_figure_links_to_the_reviews_behind_it(world):
    a, (r1, r2, r3, _) = world["a"], world["reviews"]

    def behind(figure):
        return set(reviews_behind(a, Y, figure))

    assert behind("done") == {r1, r2, r3}
    assert behind("passed") == {r1, r2}
    assert behind("audit") == {r1}
    assert behind("spot") == {r2}
    assert behind("fatal") == {r1}
    assert behind("incomplete") == {r2, r3}


def test_the_ranking_puts_fewest_problems_per_review_first(world):
    assert [r.agency.name for r in ranking(Y)] == ["乙评审机构", "甲评审机构"]


def test_the_figure_pages_list_the_reviews(world, city_user):
    client = Client()
    client.force_login(city_user)
    a, r2 = world["a"], world["reviews"][1]
    page = client.get(f"/lookback/performance/{a.pk}/reviews/?year={Y}&figure=spot")
    assert r2.enterprise.name in page.content.decode()
    ranking_page = client.get(f"/lookback/performance/?year={Y}").content.decode()
    assert f"/lookback/performance/{a.pk}/reviews/?year={Y}&figure=audit" in ranking_page
    assert client.get(f"/lookback/performance.xlsx?year={Y}").status_code == 200


def _ranking_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/lookback/performance/?year={Y}").status_code == 200
    return len(queries)


def test_the_ranking_takes_the_same_number_of_queries_at_any_size(reference, city_user):
    client = Client()
    client.force_login(city_user)
    build(agencies=3, per_agency=4, year=Y)
    assert _ranking_queries(client) == RANKING_PAGE_QUERIES
    build(agencies=30, per_agency=10, year=Y, serial_base=71_000_000)
    assert _ranking_queries(client) == RANKING_PAGE_QUERIES
