"""A city of agencies and reviews for the performance record, built in bulk: ``agencies``
agencies with ``per_agency`` concluded reviews each in ``year``, spread over the counties and
sizes, half with a certificate, every tenth firm with an audit error, a failed spot-check or a
fatal accident, and a rating and a warning for every fifth agency. Used by the query-count test
(small) and by ``benchmarks/agency_performance.py`` (500 agencies, 50,000 reviews)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from tests.reviews.factories_review import record_risks_and_hazards

SERIAL_BASE = 70_000_000  # reserved range of organization-code bodies for these firms
# The ranking page's queries as the city sees it, whatever the number of agencies and reviews
# (asserted by the query-count test at two sizes and by the benchmark at 500 / 50,000).
RANKING_PAGE_QUERIES = 10  # 13 while every request saved its session


def build(*, agencies: int, per_agency: int, year: int, serial_base: int = SERIAL_BASE) -> dict:
    from enterprises.choices import Grade, SizeClass, Status
    from enterprises.credit_code import make_credit_code
    from enterprises.models import Accident, County, Enterprise, Industry
    from lookback.models import (
        AgencyRating,
        AuditFinding,
        AuditRound,
        Campaign,
        SpotCheck,
        SpotCheckOutcome,
    )
    from reviews.choices import ReviewStatus, StandardKind
    from reviews.models import (
        AgencyWarning,
        Certificate,
        Review,
        ReviewAgency,
        ScoringStandard,
        SelfAssessment,
        StandingDecision,
    )

    User = get_user_model()
    city = User.objects.filter(role="city").first() or User.objects.create(
        username=f"perf_city_{serial_base}", role="city"
    )
    counties = list(County.objects.order_by("pk"))
    industry = Industry.objects.order_by("pk").first()
    sizes = [SizeClass.SMALL, SizeClass.MICRO, SizeClass.MEDIUM]
    standard, _ = ScoringStandard.objects.get_or_create(
        code="PERF", version="1", defaults={"name": "基准标准", "kind": StandardKind.SMALL_MICRO,
                                            "effective_from": dt.date(2000, 1, 1)},
    )  # fmt: skip
    made = ReviewAgency.objects.bulk_create(
        ReviewAgency(name=f"履职基准机构{serial_base}-{n:04d}") for n in range(agencies)
    )
    total = agencies * per_agency
    firms = Enterprise.objects.bulk_create(
        (
            Enterprise(
                credit_code=make_credit_code("370602", serial_base + i),
                name=f"履职基准企业{serial_base + i}",
                county=counties[i % len(counties)],
                industry=industry,
                size=sizes[i % len(sizes)],
                status=Status.ANNOUNCED,
            )
            for i in range(total)
        ),
        batch_size=2000,
    )
    concluded = timezone.make_aware(dt.datetime(year, 5, 1, 10))
    assessments = SelfAssessment.objects.bulk_create(
        (
            SelfAssessment(enterprise=firm, standard=standard, status="submitted",
                           score=Decimal(70 + i % 20))
            for i, firm in enumerate(firms)
        ),
        batch_size=2000,
    )  # fmt: skip
    reviews = Review.objects.bulk_create(
        (
            Review(
                enterprise=firm,
                agency=made[i % agencies],
                self_assessment=assessments[i],
                status=ReviewStatus.CONFIRMED,
                assigned_at=concluded - dt.timedelta(days=30),
                concluded_at=concluded,
                score=Decimal(60 + i % 35),
                result=Grade.LEVEL3 if i % 4 else "",
                fee=Decimal(8000 + (i % 7) * 1000),
                responsibility_system="已建立" if i % 3 else "",
                training_date=dt.date(year, 4, 1),
                trained_count=50,
            )
            for i, firm in enumerate(firms)
        ),
        batch_size=2000,
    )
    record_risks_and_hazards(reviews, hazards=3)
    issued = dt.date(year, 5, 10)
    certificates = Certificate.objects.bulk_create(
        (
            Certificate(enterprise_id=r.enterprise_id, review=r, grade=Grade.LEVEL3,
                        number=f"PERF-{serial_base}-{i}", issued_on=issued,
                        valid_until=issued.replace(year=year + 3))
            for i, r in enumerate(reviews)
            if i % 2
        ),
        batch_size=2000,
    )  # fmt: skip
    tenth = certificates[::10]
    Accident.objects.bulk_create(
        Accident(enterprise_id=c.enterprise_id, occurred_on=dt.date(year, 8, 1), deaths=1)
        for c in tenth
    )
    county = counties[0]
    audit = AuditRound.objects.create(county=county, year=year, tolerance=10,
                                      created_by=city, status=AuditRound.Status.CLOSED)  # fmt: skip
    AuditFinding.objects.bulk_create(
        AuditFinding(audit=audit, enterprise_id=c.enterprise_id, reported_result=Grade.LEVEL3,
                     recorded=True, in_error=True, agency_id=c.review.agency_id)
        for c in tenth
    )  # fmt: skip
    campaign, _ = Campaign.objects.get_or_create(
        year=year,
        defaults={"self_check_deadline": dt.date(year, 6, 30), "created_by": city,
                  "summary_deadline": dt.date(year, 8, 30),
                  "spot_check_deadline": dt.date(year, 10, 20)},
    )  # fmt: skip
    spot = SpotCheck.objects.filter(campaign=campaign, county=county).first()
    if spot is None:
        spot = SpotCheck.objects.create(campaign=campaign, county=county)
    SpotCheckOutcome.objects.bulk_create(
        SpotCheckOutcome(spot_check=spot, enterprise_id=c.enterprise_id,
                         outcome=SpotCheckOutcome.Outcome.RECTIFY)
        for c in tenth
    )  # fmt: skip
    fifth = made[::5]
    AgencyRating.objects.bulk_create(
        AgencyRating(campaign=campaign, county=county, agency=a, rating="good", reason="良好",
                     created_by=city, sequence=1)
        for a in fifth
    )  # fmt: skip
    decisions = StandingDecision.objects.bulk_create(
        StandingDecision(agency=a, year=year, label="警告", before="registered", after="warned",
                         reason="重收费", decided_by=city)
        for a in fifth
    )  # fmt: skip
    AgencyWarning.objects.bulk_create(
        AgencyWarning(agency_id=d.agency_id, decision=d, year=year, problem="fees",
                      requirements="整改", deadline=dt.date(year, 12, 31))
        for d in decisions
    )  # fmt: skip
    return {"agencies": made, "reviews": len(reviews)}
