"""The performance record of the review agencies (评审机构履职情况), per agency and year,
computed from what the portal already knows, for every agency in a constant number of queries:

- 评审数: reviews the agency concluded in the year; 通过率: of those, the share with a grade;
- 与自评平均差: the mean absolute gap between its score and the firm's self-assessment score;
- 抽查审核误差: the city's audit findings in error traced to its reviews (``AuditFinding.agency``);
- 回头看抽查不合格: spot-check findings of the year (限期整改、依法查处、撤销等级) at firms holding,
  that year, a certificate from its review;
- 死亡事故: fatal accidents of the year at firms it passed, within the certificate's validity;
- 四个结合完整率: the share of its reviews with all four combinations recorded;
- 收费: the total, per review, and against the median fee of the same county and firm size
  (100 = the median);
- 县级考评 and 警告: the counties' ratings of the year, the warnings of the year (屡改屡犯).

Each figure is backed by a list of reviews (``reviews_behind``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Abs

from enterprises.models import Accident
from reviews.choices import RiskKind
from reviews.models import (
    AgencyWarning,
    Certificate,
    HazardFinding,
    Review,
    ReviewAgency,
    RiskIdentification,
)

from .models import AgencyRating, AuditFinding, SpotCheckOutcome

FAILED_SPOT_CHECKS = (
    SpotCheckOutcome.Outcome.RECTIFY,
    SpotCheckOutcome.Outcome.PUNISHED,
    SpotCheckOutcome.Outcome.REVOKED,
)


# 四个结合: 责任管理机制, 全员培训, 危险场所/特殊作业/风险节点辨识, 隐患查改.
def _identified(kind: str) -> Exists:
    return Exists(RiskIdentification.objects.filter(review=OuterRef("pk"), kind=kind))


FOUR_COMBINATIONS = (
    ~Q(responsibility_system="")
    & Q(training_date__isnull=False, trained_count__isnull=False)
    & Q(*(_identified(kind) for kind in RiskKind))
    & (Q(Exists(HazardFinding.objects.filter(review=OuterRef("pk")))) | ~Q(hazards_note=""))
)
HUNDRED = Decimal(100)


@dataclass
class Record:
    """One agency's figures for one year."""

    agency: ReviewAgency
    year: int
    reviews_done: int = 0
    passed: int = 0
    gap: Decimal | None = None
    four_complete: int = 0
    fee_total: Decimal = Decimal(0)
    fee_count: int = 0
    fee_index: Decimal | None = None  # 100 = the county median for the same size
    audit_errors: int = 0
    spot_failures: int = 0
    fatal_accidents: int = 0
    ratings: dict[str, int] = field(default_factory=dict)
    warnings: int = 0
    repeat_warnings: int = 0

    @property
    def pass_rate(self) -> Decimal | None:
        return _share(self.passed, self.reviews_done)

    @property
    def four_rate(self) -> Decimal | None:
        return _share(self.four_complete, self.reviews_done)

    @property
    def fee_per_review(self) -> Decimal | None:
        if not self.fee_count:
            return None
        return (self.fee_total / self.fee_count).quantize(Decimal("0.01"))

    @property
    def problems(self) -> int:
        return self.audit_errors + self.spot_failures + self.fatal_accidents

    @property
    def problem_rate(self) -> Decimal:
        return _share(self.problems, self.reviews_done) or Decimal(0)

    def rating_count(self, rating: str) -> int:
        return self.ratings.get(rating, 0)


def _share(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal("0.1"))


# --- The figures ---------------------------------------------------------------------------------


def concluded_in(year: int) -> QuerySet[Review]:
    start = dt.datetime(year, 1, 1)
    return Review.objects.filter(
        agency__isnull=False,
        concluded_at__gte=_aware(start),
        concluded_at__lt=_aware(start.replace(year=year + 1)),
    )


def _aware(moment: dt.datetime) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(moment)


def _gap() -> ExpressionWrapper:
    return ExpressionWrapper(
        Abs(F("score") - F("self_assessment__score")), output_field=Review._meta.get_field("score")
    )


def _certificates_in_force(year: int) -> QuerySet[Certificate]:
    return Certificate.objects.filter(
        review__agency__isnull=False, issued_on__year__lte=year, valid_until__year__gte=year
    )


def _spot_failed_certificates(year: int) -> QuerySet[Certificate]:
    return _certificates_in_force(year).filter(
        enterprise__spotcheckoutcome__spot_check__campaign__year=year,
        enterprise__spotcheckoutcome__outcome__in=FAILED_SPOT_CHECKS,
    )


def _fatal_certificates(year: int) -> QuerySet[Certificate]:
    return Certificate.objects.filter(
        review__agency__isnull=False,
        enterprise__accidents__deaths__gt=0,
        enterprise__accidents__occurred_on__year=year,
        enterprise__accidents__occurred_on__gte=F("issued_on"),
        enterprise__accidents__occurred_on__lte=F("valid_until"),
    )


def _by_agency(qs, key: str, **figures) -> dict[int, dict[str, Any]]:
    rows = qs.order_by().values(key).annotate(**figures)
    return {row.pop(key): row for row in rows}


def _review_figures(year: int, agencies: Q) -> dict[int, dict[str, Any]]:
    """Per agency: the review counts, the gap, 四个结合, the fees and the fee index, from one
    scan grouped by agency, county and size (and one small scan for the medians)."""
    both = Q(score__isnull=False, self_assessment__score__isnull=False)
    groups = (
        concluded_in(year)
        .filter(agencies)
        .order_by()
        .values_list("agency", "enterprise__county", "enterprise__size")
        .annotate(
            done=Count("pk"),
            passed=Count("pk", filter=~Q(result="")),
            gap_sum=Sum(_gap(), filter=both),
            gap_n=Count("pk", filter=both),
            four=Count("pk", filter=FOUR_COMBINATIONS),
            fee_total=Sum("fee"),
            fee_count=Count("fee"),
        )
    )
    medians = _medians(year)
    figures: dict[int, dict[str, Any]] = {}
    for agency, county, size, done, passed, gap_sum, gap_n, four, fee_total, fee_n in groups:
        f = figures.setdefault(agency, dict.fromkeys(
            ("done", "passed", "gap_sum", "gap_n", "four", "fee_total", "fee_count", "ratio"), 0
        ))  # fmt: skip
        for name, value in (("done", done), ("passed", passed), ("gap_sum", gap_sum or 0),
                            ("gap_n", gap_n), ("four", four), ("fee_total", fee_total or 0),
                            ("fee_count", fee_n)):  # fmt: skip
            f[name] += value
        median = medians.get((county, size))
        if fee_n and median:
            f["ratio"] += (fee_total or 0) / median
    for f in figures.values():
        f["gap"] = f["gap_sum"] / f["gap_n"] if f["gap_n"] else None
        f["fee_index"] = (
            (f["ratio"] / f["fee_count"] * HUNDRED).quantize(Decimal("0.1"))
            if f["fee_count"]
            else None
        )
    return figures


def _medians(year: int) -> dict[tuple, Decimal]:
    """The median fee of each county and firm size in the year (all agencies)."""
    distribution: dict[tuple, list[tuple[Decimal, int]]] = defaultdict(list)
    for county, size, fee, n in (
        concluded_in(year)
        .filter(fee__isnull=False)
        .order_by()
        .values_list("enterprise__county", "enterprise__size", "fee")
        .annotate(n=Count("pk"))
    ):
        distribution[(county, size)].append((fee, n))
    return {key: _median(values) for key, values in distribution.items()}


def _median(values: list[tuple[Decimal, int]]) -> Decimal:
    ordered = sorted(values)
    total = sum(n for _, n in ordered)
    lower, upper = (total - 1) // 2, total // 2
    picked, seen = [], 0
    for fee, n in ordered:
        for position in (lower, upper):
            if seen <= position < seen + n:
                picked.append(fee)
        seen += n
    return sum(picked) / len(picked)


def performance(year: int, agency: ReviewAgency | None = None) -> list[Record]:
    """Every agency's record for ``year`` (or one agency's), in eight queries whatever their
    number."""
    agencies = ReviewAgency.objects.order_by("name", "pk")
    only = Q()
    if agency is not None:
        agencies = agencies.filter(pk=agency.pk)
        only = Q(agency=agency.pk)
    reviews = _review_figures(year, only)
    by_cert = Q(review__agency=agency.pk) if agency is not None else Q()
    audit = _by_agency(
        AuditFinding.objects.filter(only, audit__year=year, in_error=True, agency__isnull=False),
        "agency",
        n=Count("pk"),
    )
    spot = _by_agency(
        _spot_failed_certificates(year).filter(by_cert),
        "review__agency",
        n=Count("enterprise__spotcheckoutcome", distinct=True),
    )
    fatal = _by_agency(
        _fatal_certificates(year).filter(by_cert),
        "review__agency",
        n=Count("enterprise__accidents", distinct=True),
    )
    ratings: dict[int, dict[str, int]] = defaultdict(dict)
    for agency_id, rating, n in (
        AgencyRating.objects.filter(only, campaign__year=year)
        .order_by()
        .values_list("agency", "rating")
        .annotate(n=Count("pk"))
    ):
        ratings[agency_id][rating] = n
    warnings = _by_agency(
        AgencyWarning.objects.filter(only, year=year),
        "agency",
        n=Count("pk"),
        repeat=Count("pk", filter=Q(repeat=True)),
    )
    records = []
    for one in agencies:
        r = reviews.get(one.pk, {})
        records.append(
            Record(
                agency=one,
                year=year,
                reviews_done=r.get("done", 0),
                passed=r.get("passed", 0),
                gap=_one_place(r.get("gap")),
                four_complete=r.get("four", 0),
                fee_total=r.get("fee_total") or Decimal(0),
                fee_count=r.get("fee_count", 0),
                fee_index=r.get("fee_index"),
                audit_errors=audit.get(one.pk, {}).get("n", 0),
                spot_failures=spot.get(one.pk, {}).get("n", 0),
                fatal_accidents=fatal.get(one.pk, {}).get("n", 0),
                ratings=ratings.get(one.pk, {}),
                warnings=warnings.get(one.pk, {}).get("n", 0),
                repeat_warnings=warnings.get(one.pk, {}).get("repeat", 0),
            )
        )
    return records


def _one_place(value: Any) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.1"))


def performance_of(agency: ReviewAgency, year: int) -> Record:
    return performance(year, agency)[0]


# --- Ranking -------------------------------------------------------------------------------------

# Column → how it sorts (best first). The default ranking: fewest problems per review
# (audit errors, spot-check failures, fatal accidents), then more reviews done.
SORTS = {
    "rank": lambda r: (r.problem_rate, -r.reviews_done, r.agency.name),
    "done": lambda r: (-r.reviews_done, r.agency.name),
    "pass": lambda r: (-(r.pass_rate or 0), r.agency.name),
    "gap": lambda r: (r.gap if r.gap is not None else Decimal(10**6), r.agency.name),
    "audit": lambda r: (r.audit_errors, r.agency.name),
    "spot": lambda r: (r.spot_failures, r.agency.name),
    "fatal": lambda r: (r.fatal_accidents, r.agency.name),
    "four": lambda r: (-(r.four_rate or 0), r.agency.name),
    "fee": lambda r: (r.fee_index if r.fee_index is not None else Decimal(10**6), r.agency.name),
    "warnings": lambda r: (r.warnings, r.agency.name),
}


def ranking(year: int, sort: str = "rank") -> list[Record]:
    return sorted(performance(year), key=SORTS.get(sort, SORTS["rank"]))


# --- The reviews behind each figure --------------------------------------------------------------

FIGURES = {
    "done": "评审数",
    "passed": "通过",
    "gap": "与自评差异",
    "audit": "抽查审核误差",
    "spot": "回头看抽查不合格",
    "fatal": "死亡事故",
    "incomplete": "四个结合不完整",
    "fees": "收费",
}


def reviews_behind(agency: ReviewAgency, year: int, figure: str) -> QuerySet[Review]:
    """The reviews a figure of the agency's record counts."""
    done = concluded_in(year).filter(agency=agency)
    if figure == "passed":
        return done.exclude(result="")
    if figure == "gap":
        return done.filter(score__isnull=False, self_assessment__score__isnull=False)
    if figure == "incomplete":
        return done.exclude(FOUR_COMBINATIONS)
    if figure == "fees":
        return done.filter(fee__isnull=False)
    if figure == "audit":
        firms = AuditFinding.objects.filter(agency=agency, audit__year=year, in_error=True)
        return Review.objects.filter(agency=agency, certificate__isnull=False).filter(
            enterprise__in=firms.values("enterprise")
        )
    if figure == "spot":
        certs = _spot_failed_certificates(year).filter(review__agency=agency)
        return Review.objects.filter(certificate__in=certs.values("pk"))
    if figure == "fatal":
        certs = _fatal_certificates(year).filter(review__agency=agency)
        return Review.objects.filter(certificate__in=certs.values("pk"))
    return done


def accidents_behind(agency: ReviewAgency, year: int) -> QuerySet[Accident]:
    return Accident.objects.filter(
        deaths__gt=0,
        occurred_on__year=year,
        enterprise__certificates__review__agency=agency,
        occurred_on__gte=F("enterprise__certificates__issued_on"),
        occurred_on__lte=F("enterprise__certificates__valid_until"),
    ).distinct()
