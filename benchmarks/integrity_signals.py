"""The nightly integrity job at the scale of the issue: 200,000 firms and 50,000 reviews.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_integ_bench \\
        python benchmarks/integrity_signals.py [--firms 200000] [--reviews 50000] [--items 12]

Builds (once; a rerun at the same size reuses it) firms in every county, review agencies and
experts, concluded reviews with item scores, self-assessments with their own item scores,
teams with on-site dates, fees, nonconformities, certificates and fatal accidents, with a few
planted copies, rubber stamps and overlaps among honest noise. Then times the nightly job
(``integrity.tasks.nightly``: every signal, then the accident candidates) twice: the first
run creates the signals, the second finds them again (nothing new). It prints the time and the
number of queries of each; run it at two sizes to see the queries do not grow with the data.
Never run it against production: it deletes every firm, review and signal first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("EMAIL_URL", "consolemail://")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from enterprises.choices import Grade, SizeClass, Status  # noqa: E402
from enterprises.demo import seed_reference  # noqa: E402
from enterprises.models import Accident, Enterprise  # noqa: E402
from integrity.models import RevocationCandidate, Signal  # noqa: E402
from integrity.tasks import nightly  # noqa: E402
from portal.bulk import bulk_insert  # noqa: E402
from reviews.models import (  # noqa: E402
    Certificate,
    Expert,
    HazardFinding,
    Nonconformity,
    Review,
    ReviewAgency,
    ReviewLine,
    ReviewTeamMember,
    ScoringStandard,
    SelfAssessment,
    SelfAssessmentLine,
    StandardElement,
    StandardItem,
)

BATCH = 5000
DAY = dt.date(2025, 3, 3)


def wipe() -> None:
    with connection.cursor() as cursor:
        for model in (RevocationCandidate, Signal.counties.through, Signal, Accident,
                      Certificate, HazardFinding, Nonconformity, ReviewTeamMember, ReviewLine,
                      SelfAssessmentLine):  # fmt: skip
            cursor.execute(f"DELETE FROM {model._meta.db_table}")
        cursor.execute(f"UPDATE {Review._meta.db_table} SET self_assessment_id = NULL")
        for model in (Review, SelfAssessment, Expert, Enterprise):
            cursor.execute(f"DELETE FROM {model._meta.db_table}")


def build(firms: int, reviews: int, items: int) -> None:
    rng = random.Random(2016)
    counties, industries = seed_reference()
    sizes = [SizeClass.LARGE, SizeClass.MEDIUM, SizeClass.SMALL, SizeClass.SMALL, SizeClass.MICRO]
    for start in range(0, firms, 20_000):
        bulk_insert(Enterprise, [
            {"credit_code": f"9137{i:014d}", "name": f"基准企业{i}号",
             "county_id": rng.choice(counties).pk, "industry_id": rng.choice(industries).pk,
             "size": rng.choice(sizes), "status": Status.LISTED}
            for i in range(start, min(firms, start + 20_000))
        ])  # fmt: skip
    standard, _ = ScoringStandard.objects.get_or_create(
        code="BENCH", version="1",
        defaults={"name": "基准标准", "kind": "small_micro", "effective_from": dt.date(2016, 1, 1)},
    )  # fmt: skip
    element, _ = StandardElement.objects.get_or_create(standard=standard, number=1, name="要素")
    item_ids = [
        StandardItem.objects.get_or_create(
            standard=standard,
            element=element,
            code=f"B{n}",
            defaults={"order": n, "content": "…", "points": 10},
        )[0].pk  # fmt: skip
        for n in range(items)
    ]
    agencies = [ReviewAgency.objects.get_or_create(name=f"基准评审机构{n}")[0] for n in range(40)]
    Expert.objects.bulk_create(
        Expert(name=f"专家{n}", certificate_no=f"BE{n:05d}", agency=agencies[n % 40])
        for n in range(EXPERTS)
    )
    experts = list(Expert.objects.order_by("pk").values_list("pk", flat=True))
    firm_rows = list(Enterprise.objects.order_by("pk").values_list("pk", "size")[:reviews])
    reviews_of = _reviews(rng, firm_rows, agencies, standard)
    SelfAssessment.objects.bulk_create(
        (SelfAssessment(enterprise_id=f, standard=standard, score=own_score)
         for f, own_score in reviews_of["own_scores"]),
        batch_size=BATCH,
    )  # fmt: skip
    own = dict(SelfAssessment.objects.values_list("enterprise", "pk"))
    for row in reviews_of["rows"]:
        row.self_assessment_id = own[row.enterprise_id]
    Review.objects.bulk_create(reviews_of["rows"], batch_size=BATCH)
    review_ids = list(Review.objects.order_by("pk").values_list("pk", "enterprise", "result"))
    lines, own_lines, team, findings, certificates, hazard_rows = [], [], [], [], [], []
    previous: list[int] = []
    for n, (review, firm, result) in enumerate(review_ids):
        # Honest noise: deductions differ from firm to firm; one review in 1,000 copies the one
        # before it, one in 500 copies the firm's own self-assessment.
        scores = previous if n % 1000 == 999 else [rng.choice(DEDUCTIONS) for _ in item_ids]
        previous = scores
        mine = scores if n % 500 == 0 else [max(0, s + rng.choice((0, 0, 1))) for s in scores]
        lines += [{"review_id": review, "item_id": i, "deducted": s}
                  for i, s in zip(item_ids, scores, strict=True)]  # fmt: skip
        own_lines += [{"assessment_id": own[firm], "item_id": i, "deducted": s}
                      for i, s in zip(item_ids, mine, strict=True)]  # fmt: skip
        # Each week's slot has its own experts: nobody is on two sites at once, except a
        # planted one in 997 who also joins the review before.
        seat = (n % SLOT) * 3 + (n // SLOT) % 2 * (SLOT * 3)
        members = {experts[(seat + k) % len(experts)] for k in range(3)}
        if n % 997 == 996:
            members.add(experts[(seat - 3) % len(experts)])
        team += [{"review_id": review, "expert_id": e} for e in members]
        hazard_rows += [
            HazardFinding(review_id=review, description="隐患", rectified_on_site=True,
                          rectification="现场整改")
            for _ in range(reviews_of["hazards"][n])
        ]  # fmt: skip
        if rng.random() < 0.7:
            findings.append(Nonconformity(review_id=review, item_id=item_ids[0],
                                          description="问题", deadline=DAY))  # fmt: skip
        if result:
            certificates.append(Certificate(enterprise_id=firm, review_id=review, grade=Grade.PASS,
                                            number=f"BC{n}", issued_on=DAY,
                                            valid_until=DAY + dt.timedelta(days=1095)))  # fmt: skip
        if len(lines) >= 50_000:
            _flush(lines, own_lines, team, findings, certificates, hazard_rows)
    _flush(lines, own_lines, team, findings, certificates, hazard_rows)
    Accident.objects.bulk_create(
        Accident(enterprise_id=f, occurred_on=DAY + dt.timedelta(days=200), deaths=1)
        for f, _ in firm_rows[::400]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Enterprise._meta.db_table} AS e SET certificate_no = c.number, "
            f"status = 'announced' FROM {Certificate._meta.db_table} c WHERE c.enterprise_id = e.id"
        )
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")  # autovacuum is off on this machine


EXPERTS = 3000
SLOT = 500  # reviews a week
DEDUCTIONS = [0] * 8 + [1, 2, 3, 4]
ONSITE = {SizeClass.LARGE: (3, 5), SizeClass.MEDIUM: (2, 4), SizeClass.SMALL: (1, 3),
          SizeClass.MICRO: (1, 2)}  # fmt: skip


def _reviews(rng, firm_rows, agencies, standard) -> dict:
    """Concluded reviews, a week's slot each; a planted lax agency (the first), and one review
    in a hundred with a short visit, a score far above the self-score or a triple fee."""
    rows, own_scores, hazards = [], [], []
    for n, (firm, size) in enumerate(firm_rows):
        agency = agencies[n % len(agencies)]
        lax = agency == agencies[0]
        start = DAY + dt.timedelta(days=7 * (n // SLOT) + rng.randint(0, 2))
        low, high = ONSITE[size]
        length = 1 if n % 100 == 7 else rng.randint(low, high)
        score = rng.randint(85, 98) if lax else rng.randint(60, 95)
        own_score = score - (25 if n % 100 == 13 else rng.randint(-5, 10))
        passed = lax or rng.random() < 0.8
        found = rng.randint(0, 8)  # hazards found on site (one in nine finds none)
        rows.append(
            Review(
                enterprise_id=firm,
                agency=agency,
                status="concluded",
                result=Grade.PASS if passed else "",
                score=Decimal(score),
                standard=standard,
                onsite_from=start,
                onsite_to=start + dt.timedelta(days=length - 1),
                fee=Decimal(rng.randint(8, 12) * 1000 * (3 if n % 100 == 29 else 1)),
                assignment_no=f"BENCH{n}",
            )  # fmt: skip
        )
        own_scores.append((firm, Decimal(own_score)))
        hazards.append(found)
    return {"rows": rows, "own_scores": own_scores, "hazards": hazards}


def _flush(lines, own_lines, team, *objects) -> None:
    for model, rows in ((ReviewLine, lines), (SelfAssessmentLine, own_lines),
                        (ReviewTeamMember, team)):  # fmt: skip
        bulk_insert(model, rows)
        rows.clear()
    for rows in objects:
        if rows:
            type(rows[0]).objects.bulk_create(rows, batch_size=BATCH)
            rows.clear()


def timed(label: str) -> None:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = nightly()
        elapsed = time.perf_counter() - started
    print(f"{label}: {elapsed:.1f} s, {len(queries)} queries, {result}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--firms", type=int, default=200_000)
    parser.add_argument("--reviews", type=int, default=50_000)
    parser.add_argument("--items", type=int, default=20)
    args = parser.parse_args()
    if (Enterprise.objects.count(), Review.objects.count()) != (args.firms, args.reviews):
        started = time.perf_counter()
        wipe()
        build(args.firms, args.reviews, args.items)
        print(f"built {args.firms} firms, {args.reviews} reviews in "
              f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    firms, reviews = Enterprise.objects.count(), Review.objects.count()
    print(f"{connection.vendor}: {firms} firms, {reviews} reviews, "
          f"{ReviewLine.objects.count()} item scores")  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {RevocationCandidate._meta.db_table}")
        cursor.execute(f"DELETE FROM {Signal.counties.through._meta.db_table}")
        cursor.execute(f"DELETE FROM {Signal._meta.db_table}")
    timed("nightly job, first run (creates the signals)")
    timed("nightly job, second run (finds them again)")


if __name__ == "__main__":
    main()
