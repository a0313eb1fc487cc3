"""The integrity signals' tests, one function per kind, each over rows fetched by a fixed
number of set-based queries (never one per firm or review): what the nightly job runs.

Each returns ``Found`` rows: the signal's key (the same signal next night), a score to rank by,
a one-line summary and its evidence in plain Chinese, and the objects it is about.
"""

from __future__ import annotations

import hashlib
import math
import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, Sum

from enterprises.choices import SizeClass
from enterprises.models import Accident
from lookback.models import AuditFinding, SpotCheckOutcome
from reviews.choices import ReviewStatus
from reviews.models import (
    Certificate,
    HazardFinding,
    Review,
    ReviewLine,
    ReviewTeamMember,
    SelfAssessmentLine,
)

from .models import IntegritySettings, Signal

K = Signal.Kind
CONCLUDED = (ReviewStatus.CONCLUDED, ReviewStatus.CONFIRMED)
SIZES = dict(SizeClass.choices)


@dataclass
class Found:
    kind: str
    key: str
    score: float
    summary: str
    evidence: list[list[str]]
    county_id: int | None = None
    counties: list[int] = field(default_factory=list)
    agency_id: int | None = None
    enterprise_id: int | None = None
    review_id: int | None = None
    other_review_id: int | None = None
    expert_id: int | None = None


def concluded_reviews():
    return Review.objects.filter(status__in=CONCLUDED).order_by()


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


# --- 1. 机构通过率或平均分离群 -----------------------------------------------------------------


def agency_outliers(config: IntegritySettings) -> list[Found]:
    """Per industry and size, each agency against the other agencies reviewing the same:
    a one-sided two-proportion z-test of the pass rate and a z-test of the mean score, only
    where the agency and the others each have at least ``min_reviews`` concluded reviews."""
    rows = (
        concluded_reviews()
        .filter(agency__isnull=False)
        .values("agency", "agency__name", "enterprise__industry", "enterprise__industry__name",
                "enterprise__size")
        .annotate(
            n=Count("pk"),
            passes=Count("pk", filter=~Q(result="")),
            scored=Count("score"),
            total=Sum("score"),
            squares=Sum(F("score") * F("score")),
        )
    )  # fmt: skip
    cells: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        cells[row["enterprise__industry"], row["enterprise__size"]].append(row)
    counties = _agency_counties()
    minimum, limit = config.min_reviews, float(config.outlier_z)
    found = []
    for (industry, size), agencies in cells.items():
        for row in agencies:
            others = [r for r in agencies if r is not row]
            n_o = sum(r["n"] for r in others)
            if row["n"] < minimum or n_o < minimum:
                continue
            z_pass, p_a, p_o = _pass_z(row, others)
            z_score, m_a, m_o = _score_z(row, others)
            z = max(z_pass, z_score)
            if z < limit:
                continue
            cell = f"{row['enterprise__industry__name']}·{SIZES.get(size, size)}企业"
            found.append(
                Found(
                    kind=K.AGENCY_OUTLIER,
                    key=f"{row['agency']}:{industry}:{size}",
                    score=round(z, 2),
                    summary=f"{row['agency__name']}在{cell}的评审通过率或平均分明显高于其他机构",
                    evidence=[
                        ["比较范围", cell],
                        ["本机构评审数", str(row["n"])],
                        ["其他机构评审数", str(n_o)],
                        ["本机构通过率", _pct(p_a)],
                        ["其他机构通过率", _pct(p_o)],
                        ["本机构平均分", f"{m_a:.1f}" if m_a is not None else "—"],
                        ["其他机构平均分", f"{m_o:.1f}" if m_o is not None else "—"],
                        ["检验", f"单侧 z 检验，z = {z:.2f}（阈值 {limit:.2f}）"],
                    ],
                    agency_id=row["agency"],
                    counties=sorted(counties.get(row["agency"], ())),
                )
            )
    return found


def _pass_z(row: dict, others: list[dict]) -> tuple[float, float, float]:
    n_a, n_o = row["n"], sum(r["n"] for r in others)
    x_a, x_o = row["passes"], sum(r["passes"] for r in others)
    p_a, p_o = x_a / n_a, x_o / n_o
    pooled = (x_a + x_o) / (n_a + n_o)
    variance = pooled * (1 - pooled) * (1 / n_a + 1 / n_o)
    return ((p_a - p_o) / math.sqrt(variance) if variance > 0 else 0.0), p_a, p_o


def _score_z(row: dict, others: list[dict]) -> tuple[float, float | None, float | None]:
    n_a, n_o = row["scored"], sum(r["scored"] for r in others)
    if n_a < 2 or n_o < 2:
        return 0.0, None, None
    s_a, s_o = float(row["total"]), float(sum(r["total"] or 0 for r in others))
    q = float(row["squares"]) + float(sum(r["squares"] or 0 for r in others))
    m_a, m_o = s_a / n_a, s_o / n_o
    n = n_a + n_o
    variance = max((q - (s_a + s_o) ** 2 / n) / (n - 1), 0.0)
    se = math.sqrt(variance * (1 / n_a + 1 / n_o))
    return ((m_a - m_o) / se if se > 0 else 0.0), m_a, m_o


def _agency_counties() -> dict[int, set[int]]:
    pairs = (
        Review.objects.filter(agency__isnull=False)
        .order_by()
        .values_list("agency", "enterprise__county")
        .distinct()
    )
    out: dict[int, set[int]] = defaultdict(set)
    for agency, county in pairs:
        out[agency].add(county)
    return out


# --- 2. 评审扣分雷同 / 评审照抄自评 ------------------------------------------------------------


def _fingerprints(lines: Iterator[tuple]) -> dict[int, tuple[str, tuple]]:
    """Per review (or self-assessment): a digest of every line, and its deductions."""
    out: dict[int, tuple[str, tuple]] = {}
    current, every, deducted = None, [], []

    def close() -> None:
        if current is not None:
            digest = hashlib.sha256(repr(every).encode()).hexdigest()
            out[current] = (digest, tuple(deducted))

    for owner, item, points, not_applicable in lines:
        if owner != current:
            close()
            current, every, deducted = owner, [], []
        every.append((item, str(points), bool(not_applicable)))
        if points and points > 0:
            deducted.append((item, str(points)))
    close()
    return out


def _review_lines() -> Iterator[tuple]:
    return (
        ReviewLine.objects.filter(review__status__in=CONCLUDED)
        .order_by("review_id", "item_id")
        .values_list("review_id", "item_id", "deducted", "not_applicable")
        .iterator(chunk_size=5000)
    )


def _own_lines() -> Iterator[tuple]:
    return (
        SelfAssessmentLine.objects.filter(assessment__review__status__in=CONCLUDED)
        .order_by("assessment_id", "item_id")
        .values_list("assessment_id", "item_id", "deducted", "not_applicable")
        .iterator(chunk_size=5000)
    )


def copied_and_stamped(config: IntegritySettings) -> list[Found]:
    reviews = {
        r["pk"]: r
        for r in concluded_reviews().values(
            "pk", "enterprise", "enterprise__name", "enterprise__county", "agency",
            "agency__name", "self_assessment",
        )
    }  # fmt: skip
    prints = _fingerprints(_review_lines())
    return _copies(config, reviews, prints) + _stamps(reviews, prints)


def _copies(config, reviews: dict[int, dict], prints: dict) -> list[Found]:
    by_deductions: dict[tuple, list[int]] = defaultdict(list)
    for pk, (_, deducted) in prints.items():
        if len(deducted) >= config.copy_min_deductions:
            by_deductions[deducted].append(pk)
    teams = _teams([pk for group in by_deductions.values() if len(group) > 1 for pk in group])
    found = []
    for deducted, group in by_deductions.items():
        group.sort()
        for index, later in enumerate(group[1:], start=1):
            first = group[index - 1]
            a, b = reviews[first], reviews[later]
            if a["enterprise"] == b["enterprise"]:
                continue
            shared = teams.get(first, set()) & teams.get(later, set())
            same_agency = a["agency"] == b["agency"] and a["agency"] is not None
            found.append(
                Found(
                    kind=K.COPIED_REVIEW,
                    key=f"{first}:{later}",
                    score=len(deducted) + (5 if same_agency else 0) + 3 * len(shared),
                    summary=f"{b['enterprise__name']}的评审扣分与{a['enterprise__name']}完全相同",
                    evidence=[
                        ["相同的扣分项数", str(len(deducted))],
                        [
                            "两次评审的机构",
                            f"{a['agency__name'] or '—'}；{b['agency__name'] or '—'}",
                        ],
                        ["共同的评审组成员", str(len(shared))],
                    ],
                    county_id=b["enterprise__county"],
                    agency_id=b["agency"],
                    enterprise_id=b["enterprise"],
                    review_id=later,
                    other_review_id=first,
                )
            )
    return found


def _teams(review_ids: list[int]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = defaultdict(set)
    if review_ids:
        rows = ReviewTeamMember.objects.filter(review__in=review_ids).values_list(
            "review", "expert"
        )
        for review, expert in rows:
            out[review].add(expert)
    return out


def _stamps(reviews: dict[int, dict], prints: dict) -> list[Found]:
    own = _fingerprints(_own_lines())
    found = []
    for pk, (digest, deducted) in prints.items():
        row = reviews.get(pk)
        if row is None or row["self_assessment"] not in own:
            continue
        if own[row["self_assessment"]][0] != digest:
            continue
        found.append(
            Found(
                kind=K.RUBBER_STAMP,
                key=str(pk),
                score=2 + len(deducted),
                summary=f"{row['enterprise__name']}的评审逐项照抄企业自评",
                evidence=[
                    ["逐项比较", "评审每一项的扣分、空项与企业自评完全相同"],
                    ["扣分项数", str(len(deducted))],
                ],
                county_id=row["enterprise__county"],
                agency_id=row["agency"],
                enterprise_id=row["enterprise"],
                review_id=pk,
            )
        )
    return found


# --- 3. 评审得分远高于自评 ---------------------------------------------------------------------


def score_gaps(config: IntegritySettings, gap: Decimal) -> list[Found]:
    rows = (
        concluded_reviews()
        .filter(score__isnull=False, self_assessment__score__isnull=False)
        .annotate(gap=F("score") - F("self_assessment__score"))
        .filter(gap__gt=gap)
        .values("pk", "gap", "score", "self_assessment__score", "enterprise",
                "enterprise__name", "enterprise__county", "agency", "gap_explanation")
    )  # fmt: skip
    return [
        Found(
            kind=K.SCORE_GAP,
            key=str(r["pk"]),
            score=float(r["gap"]),
            summary=f"{r['enterprise__name']}的评审得分比自评高 {r['gap']} 分",
            evidence=[
                ["评审得分", str(r["score"])],
                ["自评得分", str(r["self_assessment__score"])],
                ["允许的差距", f"{gap} 分（评审章节的城市设置）"],
                ["评审组的说明", r["gap_explanation"] or "未说明"],
            ],
            county_id=r["enterprise__county"],
            agency_id=r["agency"],
            enterprise_id=r["enterprise"],
            review_id=r["pk"],
        )
        for r in rows
    ]


# --- 4. 专家同时在两地 / 年度天数超限 ----------------------------------------------------------


def expert_schedules(config: IntegritySettings) -> list[Found]:
    rows = (
        ReviewTeamMember.objects.filter(
            review__onsite_from__isnull=False, review__onsite_to__isnull=False
        )
        .exclude(review__status=ReviewStatus.CANCELLED)
        .order_by("expert", "review__onsite_from", "review")
        .values_list("expert", "expert__name", "review", "review__enterprise",
                     "review__enterprise__name", "review__enterprise__county",
                     "review__onsite_from", "review__onsite_to", "review__agency")
    )  # fmt: skip
    found: list[Found] = []
    days: dict[tuple[int, int], int] = defaultdict(int)
    names: dict[int, str] = {}
    counties: dict[int, set[int]] = defaultdict(set)
    previous = None
    for row in rows:
        expert, name, review, firm, firm_name, county, start, end, _ = row
        names[expert] = name
        counties[expert].add(county)
        days[expert, start.year] += (end - start).days + 1
        if previous and previous[0] == expert and previous[7] >= start and previous[3] != firm:
            found.append(_overlap(previous, row))
        if not previous or previous[0] != expert or end > previous[7]:
            previous = row
    limit = config.feasible_review_days
    for (expert, year), total in days.items():
        if total > limit:
            found.append(
                Found(
                    kind=K.EXPERT_OVERLOAD,
                    key=f"{expert}:{year}",
                    score=round(total / limit, 2),
                    summary=(
                        f"专家{names[expert]}{year}年现场评审 {total} 天，超过可行上限 {limit} 天"
                    ),
                    evidence=[["年度现场评审天数", str(total)], ["城市设置的上限", str(limit)]],
                    counties=sorted(counties[expert]),
                    expert_id=expert,
                )
            )
    return found


def _overlap(first: tuple, second: tuple) -> Found:
    expert, name = first[0], first[1]
    return Found(
        kind=K.EXPERT_OVERLAP,
        key=f"{expert}:{first[2]}:{second[2]}",
        score=float((min(first[7], second[7]) - second[6]).days + 1) + 3,
        summary=f"专家{name}同时在{first[4]}和{second[4]}现场评审",
        evidence=[
            [first[4], f"{_day(first[6])}至{_day(first[7])}"],
            [second[4], f"{_day(second[6])}至{_day(second[7])}"],
        ],
        county_id=second[5],
        counties=sorted({first[5], second[5]}),
        agency_id=second[8],
        enterprise_id=second[3],
        review_id=second[2],
        other_review_id=first[2],
        expert_id=expert,
    )


def _day(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --- 5. 现场评审时间不足 -----------------------------------------------------------------------


def short_onsite(config: IntegritySettings) -> list[Found]:
    rows = concluded_reviews().filter(
        onsite_from__isnull=False, onsite_to__isnull=False
    ).values("pk", "onsite_from", "onsite_to", "enterprise", "enterprise__name",
             "enterprise__size", "enterprise__county", "agency")  # fmt: skip
    found = []
    for r in rows:
        length = (r["onsite_to"] - r["onsite_from"]).days + 1
        minimum = config.min_onsite_days(r["enterprise__size"])
        if length >= minimum:
            continue
        found.append(
            Found(
                kind=K.SHORT_ONSITE,
                key=str(r["pk"]),
                score=minimum - length + 1,
                summary=f"{r['enterprise__name']}的现场评审只用了 {length} 天",
                evidence=[
                    ["企业规模", SIZES.get(r["enterprise__size"], "")],
                    ["现场评审", f"{_day(r['onsite_from'])}至{_day(r['onsite_to'])}，{length} 天"],
                    ["城市设置的最少天数", f"{minimum} 天"],
                ],
                county_id=r["enterprise__county"],
                agency_id=r["agency"],
                enterprise_id=r["enterprise"],
                review_id=r["pk"],
            )
        )
    return found


# --- 6. 通过却未发现任何问题 -------------------------------------------------------------------


def clean_passes(config: IntegritySettings) -> list[Found]:
    rows = (
        concluded_reviews()
        .exclude(result="")
        .filter(~Exists(HazardFinding.objects.filter(review=OuterRef("pk"))))
        .annotate(findings=Count("nonconformities"))
        .filter(findings=0)
        .values("pk", "score", "enterprise", "enterprise__name", "enterprise__county", "agency")
    )
    return [
        Found(
            kind=K.CLEAN_PASS,
            key=str(r["pk"]),
            score=1 + float(r["score"] or 0) / 100,
            summary=f"{r['enterprise__name']}通过评审，却没有任何不符合项和隐患",
            evidence=[
                ["不符合项", "0"],
                ["发现隐患数", "0 或未填写"],
                ["评审得分", str(r["score"])],
            ],
            county_id=r["enterprise__county"],
            agency_id=r["agency"],
            enterprise_id=r["enterprise"],
            review_id=r["pk"],
        )
        for r in rows
    ]


# --- 7. 机构通过的企业后续不合格 ---------------------------------------------------------------


BAD_OUTCOMES = (
    SpotCheckOutcome.Outcome.RECTIFY,
    SpotCheckOutcome.Outcome.PUNISHED,
    SpotCheckOutcome.Outcome.REVOKED,
)


def agency_failures(config: IntegritySettings) -> list[Found]:
    """Per agency: of the firms it passed, the share that later failed an audit or a
    spot-check, or had a fatal accident while the grade was valid."""
    passed: dict[int, dict[int, tuple]] = defaultdict(dict)
    names: dict[int, str] = {}
    for agency, name, firm, issued, until in Certificate.objects.filter(
        review__agency__isnull=False
    ).order_by().values_list("review__agency", "review__agency__name", "enterprise",
                             "issued_on", "valid_until"):  # fmt: skip
        names[agency] = name
        passed[agency][firm] = (issued, until)
    audited = defaultdict(set)
    for agency, firm in AuditFinding.objects.filter(
        in_error=True, agency__isnull=False
    ).values_list("agency", "enterprise"):
        audited[agency].add(firm)
    spot = defaultdict(list)
    for firm, at in SpotCheckOutcome.objects.filter(outcome__in=BAD_OUTCOMES).values_list(
        "enterprise", "recorded_at"
    ):
        spot[firm].append(at.date() if at else None)
    deaths = defaultdict(list)
    for firm, day in Accident.objects.filter(deaths__gt=0).values_list("enterprise", "occurred_on"):
        deaths[firm].append(day)
    counties = _agency_counties()
    found = []
    for agency, firms in passed.items():
        if len(firms) < config.min_reviews:
            continue
        bad = {"audit": 0, "spot": 0, "death": 0}
        failing = set()
        for firm, (issued, until) in firms.items():
            if firm in audited[agency]:
                bad["audit"] += 1
                failing.add(firm)
            if any(d is None or d >= issued for d in spot.get(firm, ())):
                bad["spot"] += 1
                failing.add(firm)
            if any(issued <= d <= until for d in deaths.get(firm, ())):
                bad["death"] += 1
                failing.add(firm)
        rate = len(failing) / len(firms)
        if rate < float(config.failure_rate):
            continue
        found.append(
            Found(
                kind=K.AGENCY_FAILURES,
                key=str(agency),
                score=round(rate * 10, 2),
                summary=f"{names[agency]}通过的企业中 {_pct(rate)} 后来被查出问题",
                evidence=[
                    ["通过的企业", str(len(firms))],
                    ["抽查审核存在误差", str(bad["audit"])],
                    ["回头看抽查不合格", str(bad["spot"])],
                    ["有效期内发生死亡事故", str(bad["death"])],
                    ["比例", f"{_pct(rate)}（上限 {_pct(float(config.failure_rate))}）"],
                ],
                agency_id=agency,
                counties=sorted(counties.get(agency, ())),
            )
        )
    return found


# --- 8. 评审收费明显偏离（重收费） -------------------------------------------------------------


def fee_outliers(config: IntegritySettings) -> list[Found]:
    rows = list(
        Review.objects.filter(fee__isnull=False, fee__gt=0)
        .exclude(status=ReviewStatus.CANCELLED)
        .order_by()
        .values("pk", "fee", "enterprise", "enterprise__name", "enterprise__county",
                "enterprise__county__name", "enterprise__size", "agency", "agency__name")
    )  # fmt: skip
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for r in rows:
        groups[r["enterprise__county"], r["enterprise__size"]].append(r)
    ratio = float(config.fee_ratio)
    found = []
    for group in groups.values():
        if len(group) < config.fee_min_group:
            continue
        median = statistics.median(float(r["fee"]) for r in group)
        for r in group:
            fee = float(r["fee"])
            factor = fee / median if median else 0
            if median <= 0 or (factor < ratio and factor > 1 / ratio):
                continue
            higher = factor >= ratio
            found.append(
                Found(
                    kind=K.FEE_OUTLIER,
                    key=str(r["pk"]),
                    score=round(factor if higher else 1 / factor, 2),
                    summary=(
                        f"{r['agency__name'] or '评审机构'}对{r['enterprise__name']}的收费"
                        f"{'高于' if higher else '低于'}同县同规模中位数"
                    ),
                    evidence=[
                        ["本次收费", f"{fee:,.0f} 元"],
                        [
                            "同县同规模中位数",
                            f"{median:,.0f} 元（{r['enterprise__county__name']}"
                            f"{SIZES.get(r['enterprise__size'], '')}企业 {len(group)} 次评审）",
                        ],
                        ["倍数", f"{factor:.1f} 倍（预警倍数 {ratio:g}）"],
                    ],
                    county_id=r["enterprise__county"],
                    agency_id=r["agency"],
                    enterprise_id=r["enterprise"],
                    review_id=r["pk"],
                )
            )
    return found


def detect_all(config: IntegritySettings, gap: Decimal) -> list[Found]:
    return [
        *agency_outliers(config),
        *copied_and_stamped(config),
        *score_gaps(config, gap),
        *expert_schedules(config),
        *short_onsite(config),
        *clean_passes(config),
        *agency_failures(config),
        *fee_outliers(config),
    ]


__all__ = ["Any", "Found", "detect_all"]
