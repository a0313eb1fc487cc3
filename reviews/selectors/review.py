"""Reads of the application, assignment and review path (who may review, what is missing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from enterprises.models import Enterprise
from enterprises.selectors import firm_search
from portal.http import id_filter
from portal.queries import counted

from ..choices import (
    OFF_THE_LIST_STANDINGS,
    OPEN_NONCONFORMITY_STATUSES,
    AgencyStanding,
    AssessmentStatus,
    ReviewStatus,
    RiskKind,
)
from ..models import (
    HazardFinding,
    Nonconformity,
    OnsiteRectification,
    Review,
    ReviewAgency,
    ReviewLine,
    ReviewSettings,
    ReviewTeamMember,
    RiskIdentification,
    ScoringStandard,
    SelfAssessment,
    SelfAssessmentLine,
    StandardItem,
)
from ..scoring import (
    LARGE_GAP_POINTS,
    REVIEW_SCORE_GAP_POINTS,
    ItemResult,
    Score,
    compute_score,
    item_differs_by_half,
    review_exceeds_self_assessment,
)

# A review in one of these is in progress: the firm may not apply again. (A concluded review
# waits for the county; the firm's own status already forbids applying then, and after the
# county turns a conclusion down the firm may apply anew.)
IN_PROGRESS_REVIEW_STATUSES = (
    ReviewStatus.APPLIED,
    ReviewStatus.ASSIGNED,
    ReviewStatus.UNDER_REVIEW,
    ReviewStatus.RECTIFYING,
)
ACTIVE_REVIEW_STATUSES = (*IN_PROGRESS_REVIEW_STATUSES, ReviewStatus.CONCLUDED)
# The agency works on the review (team, dates, scores, nonconformities) in these.
AGENCY_EDITABLE_STATUSES = (
    ReviewStatus.ASSIGNED,
    ReviewStatus.UNDER_REVIEW,
    ReviewStatus.RECTIFYING,
)
GOOD_STANDINGS = (AgencyStanding.REGISTERED, AgencyStanding.WARNED)
# The 评审委派单 asks for the on-site review within this many days of the assignment (the
# portal's default; the notice sets no figure).
ONSITE_REVIEW_DAYS = 30
MIN_TEAM_SIZE = 2


def latest_submitted_assessment(enterprise: Enterprise) -> SelfAssessment | None:
    return (
        SelfAssessment.objects.filter(enterprise=enterprise, status=AssessmentStatus.SUBMITTED)
        .select_related("standard", "guide_expert")
        .order_by("-submitted_at", "-pk")
        .first()
    )


def standard_is_current(standard: ScoringStandard) -> bool:
    """In force today, and no later version of the same standard is in force."""
    from .assessment import standards_in_force

    in_force = standards_in_force(timezone.localdate())
    if not in_force.filter(pk=standard.pk).exists():
        return False
    later = in_force.filter(code=standard.code, effective_from__gt=standard.effective_from)
    return not later.exists()


def onsite_review_due(review: Review):
    """The date by which the assigned agency should have done the on-site review."""
    if review.assigned_at is None:
        return None
    return timezone.localdate(review.assigned_at) + dt.timedelta(days=ONSITE_REVIEW_DAYS)


def current_review(
    enterprise: Enterprise, statuses: tuple[str, ...] = ACTIVE_REVIEW_STATUSES
) -> Review | None:
    return (
        Review.objects.filter(enterprise=enterprise, status__in=statuses)
        .order_by("-created_at", "-pk")
        .first()
    )


# --- Who may review ------------------------------------------------------------------------


def conflicted_agency_ids(assessment: SelfAssessment | None) -> set[int]:
    """Agencies that guided the self-assessment (directly or through one of their experts)."""
    if assessment is None:
        return set()
    ids = {assessment.guide_agency_id}
    if assessment.guide_expert_id:
        ids.add(assessment.guide_expert.agency_id)
    return {pk for pk in ids if pk}


def previous_agency_ids(review: Review | None) -> set[int]:
    """A review redone (after the city's audit, ``Review.hold``, a suspension, or an upheld
    objection to the 公示) goes to an agency other than the one whose result is redone
    (烟安监〔2016〕6号: 重新进行评审)."""
    if review is None or not review.redo_of_id:
        return set()
    return set(Review.objects.filter(pk=review.redo_of_id).values_list("agency_id", flat=True))


def exclusion_reason(
    agency: ReviewAgency,
    *,
    industry_ids: set[int],
    enterprise: Enterprise,
    conflicted: set[int],
    previous: set[int] = frozenset(),
) -> str | None:
    """Why ``agency`` may not review ``enterprise``, or None when it may."""
    if agency.pk in previous:
        return f"评审机构“{agency}”承担了被复审的原评审，复审须由其他评审机构进行"
    if agency.standing not in GOOD_STANDINGS:
        return f"评审机构“{agency}”在动态名单中为“{agency.get_standing_display()}”，不能承担评审"
    if enterprise.industry_id not in industry_ids:
        return f"评审机构“{agency}”不具备{enterprise.industry}行业的评审资质"
    if agency.pk in conflicted:
        return f"评审机构“{agency}”指导了该企业的自评，存在利益冲突，应回避"
    return None


def agency_exclusion_reason(
    agency: ReviewAgency, *, enterprise: Enterprise, review: Review | None = None
) -> str | None:
    assessment = (
        review.self_assessment
        if review is not None and review.self_assessment_id
        else latest_submitted_assessment(enterprise)
    )
    industry_ids = set(agency.industries.values_list("pk", flat=True))
    return exclusion_reason(
        agency,
        industry_ids=industry_ids,
        enterprise=enterprise,
        conflicted=conflicted_agency_ids(assessment),
        previous=previous_agency_ids(review),
    )


@dataclass(frozen=True)
class AgencyOption:
    agency: ReviewAgency
    reason: str | None  # None: may be assigned

    @property
    def eligible(self) -> bool:
        return self.reason is None


def agency_options(review: Review) -> list[AgencyOption]:
    """Every agency on the list, each with why it is excluded for this review (if it is)."""
    conflicted = conflicted_agency_ids(review.self_assessment)
    previous = previous_agency_ids(review)
    options = [
        AgencyOption(
            agency,
            exclusion_reason(
                agency,
                industry_ids={industry.pk for industry in agency.industries.all()},
                enterprise=review.enterprise,
                conflicted=conflicted,
                previous=previous,
            ),
        )
        for agency in ReviewAgency.objects.prefetch_related("industries").order_by("name")
    ]
    return sorted(options, key=lambda option: not option.eligible)


# --- Lists ----------------------------------------------------------------------------------


def _nonconformities(*statuses: str) -> QuerySet[Nonconformity]:
    return Nonconformity.objects.filter(review=OuterRef("pk"), status__in=statuses)


def with_open_counts(qs: QuerySet[Review]) -> QuerySet[Review]:
    # Counted per shown row (a COUNT ... GROUP BY took 124 ms at 20,000 reviews in rectification).
    return qs.annotate(
        open_nonconformities=counted(_nonconformities(*OPEN_NONCONFORMITY_STATUSES)),
        answered_nonconformities=counted(_nonconformities("answered")),
    )


def review_list(*, user: Any, params: Any, default_status: str = "") -> QuerySet[Review]:
    """The user's scoped reviews, filtered by ``status``, a name/credit-code search ``q`` and
    ``nonconformities=answered`` (rectifications waiting for the agency's verification)."""
    qs = Review.objects.for_user(user).select_related(
        "enterprise__county", "enterprise__industry", "agency"
    )
    status = params.get("status", default_status)
    if status in ReviewStatus.values:
        qs = qs.filter(status=status)
    query = (params.get("q") or "").strip()
    if query:
        qs = qs.filter(firm_search(query, "enterprise__"))
    asked, industry = id_filter(params, "industry")
    if asked:
        qs = qs.filter(enterprise__industry_id=industry) if industry else qs.none()
    if params.get("nonconformities") == "answered":
        answered = Nonconformity.objects.filter(review=OuterRef("pk"), status="answered")
        qs = qs.filter(Exists(answered))
    return with_open_counts(qs).order_by("applied_at", "pk")


# --- One review -----------------------------------------------------------------------------


def team_problems(members: list[ReviewTeamMember]) -> list[str]:
    problems = []
    if len(members) < MIN_TEAM_SIZE:
        problems.append(f"评审组至少需要{MIN_TEAM_SIZE}名评审专家")
    leaders = sum(1 for member in members if member.is_leader)
    if leaders != 1:
        problems.append("评审组须有且只有一名组长")
    return problems


def unscored_item_count(review: Review) -> int:
    if review.standard_id is None:
        return 0
    return (
        StandardItem.objects.filter(standard_id=review.standard_id)
        .exclude(pk__in=ReviewLine.objects.filter(review=review).values("item_id"))
        .count()
    )


def open_nonconformity_count(review: Review) -> int:
    return review.nonconformities.filter(status__in=OPEN_NONCONFORMITY_STATUSES).count()


def agency_off_the_list(review: Review) -> bool:
    """The assigned agency is removed (清除) or disqualified (取消资格): it concludes nothing
    more, and the county withdraws the assignment."""
    return review.agency is not None and review.agency.standing in OFF_THE_LIST_STANDINGS


def conclusion_problems(review: Review) -> list[str]:
    """Everything that still stands between this review and its conclusion."""
    problems = []
    if review.status not in AGENCY_EDITABLE_STATUSES:
        problems.append(f"评审状态为“{review.get_status_display()}”")
    if agency_off_the_list(review):
        problems.append(
            f"评审机构为“{review.agency.get_standing_display()}”，已不在动态名单内；"
            "请企业所在县市区撤回委派后重新委派"
        )
    if review.standard_id is None:
        problems.append("评审未记录评定标准")
    problems += onsite_problems(review)
    problems += team_problems(list(review.team.all()))
    problems += four_combinations_problems(review)
    unscored = unscored_item_count(review)
    if unscored:
        problems.append(f"还有{unscored}个评分项未评分")
    unresolved = unresolved_deduction_codes(review)
    if unresolved:
        problems.append(f"扣分项{'、'.join(unresolved)}既未列为不符合项，也未记录现场整改及佐证")
    still_open = open_nonconformity_count(review)
    if still_open:
        problems.append(f"还有{still_open}个不符合项未整改到位")
    if review.standard_id and not unscored:
        problems += gap_problems(review)
    return problems


# Words that say nothing: a field holding only one of them is as good as empty.
PLACEHOLDERS = {"无", "暂无", "没有", "-", "—", "/", "略", "见附件", "同上", "已完成"}


def has_substance(text: str | None) -> bool:
    stripped = (text or "").strip().strip("。.；;")
    return bool(stripped) and stripped not in PLACEHOLDERS


def onsite_problems(review: Review) -> list[str]:
    """On-site dates: both given, start ≤ end, not in the future."""
    start, end = review.onsite_from, review.onsite_to
    if start is None or end is None:
        return ["未填写现场评审日期"]
    if end < start:
        return ["现场评审结束日期早于开始日期"]
    if end > timezone.localdate():
        return ["现场评审日期不能晚于今天"]
    return []


def four_combinations_problems(review: Review) -> list[str]:
    """四个结合, each with substance: responsibility system, all-staff training (fewer trained
    than the firm's employees needs a reason), risk identification, hazards found and fixed."""
    problems = []
    if not has_substance(review.responsibility_system):
        problems.append("四个结合：未填写责任管理机制建立情况")
    problems += training_problems(review)
    identified = set(
        RiskIdentification.objects.filter(review=review).values_list("kind", flat=True)
    )
    for kind in RiskKind:
        if kind not in identified:
            problems.append(f"四个结合：未填写{kind.label}辨识")
    return problems + hazard_problems(review)


def hazard_problems(review: Review) -> list[str]:
    """Each hazard found is a row, listed as a 不符合项 or rectified on site with evidence
    files; a review that found none says so with substance."""
    hazards = list(HazardFinding.objects.filter(review=review).annotate(file_count=Count("files")))
    if not hazards and not has_substance(review.hazards_note):
        return ["四个结合：未登记发现的隐患（现场未发现隐患的，须说明检查情况）"]
    return [
        f"四个结合：隐患“{hazard.description[:20]}”既未列为不符合项，也未记录现场整改及佐证"
        for hazard in hazards
        if hazard.nonconformity_id is None and not (hazard.rectified_on_site and hazard.file_count)
    ]


def training_problems(review: Review) -> list[str]:
    if review.training_date is None or not review.trained_count:
        return ["四个结合：未填写全员培训日期和培训人数"]
    employees = review.enterprise.employees or 0
    if review.trained_count < employees and not has_substance(review.training_shortfall_reason):
        return [f"四个结合：培训{review.trained_count}人，少于企业职工{employees}人，须说明原因"]
    return []


def unresolved_deduction_codes(review: Review) -> list[str]:
    """Items with a deduction that are neither a nonconformity (which carries its deadline)
    nor rectified on site with evidence."""
    covered = Nonconformity.objects.filter(review=review, item__isnull=False).values("item_id")
    fixed = OnsiteRectification.objects.filter(review=review).values("item_id")
    lines = (
        ReviewLine.objects.filter(review=review, deducted__gt=0, not_applicable=False)
        .exclude(item_id__in=covered)
        .exclude(item_id__in=fixed)
        .order_by("item__order")
    )
    return list(lines.values_list("item__code", flat=True))


# --- The gap between the review and the firm's own score -----------------------------------


def score_gap_limit() -> Decimal:
    """Points by which the review may exceed the self-assessment unexplained: what the city
    saved on its settings page (``ReviewSettings``), else the installation's default."""
    saved = ReviewSettings.objects.order_by("pk").values_list("score_gap_points", flat=True).first()
    return Decimal(saved) if saved is not None else default_score_gap_limit()


def default_score_gap_limit() -> Decimal:
    return Decimal(getattr(settings, "REVIEW_SCORE_GAP_POINTS", REVIEW_SCORE_GAP_POINTS))


@dataclass(frozen=True)
class ScoreGap:
    """How far the review stands from the firm's own self-assessment."""

    review_score: Decimal | None
    own_score: Decimal | None
    limit: Decimal
    differing_items: tuple[str, ...]  # codes whose deductions differ by over half the points

    @property
    def total_gap(self) -> Decimal | None:
        if self.review_score is None or self.own_score is None:
            return None
        return Decimal(self.review_score) - Decimal(self.own_score)

    @property
    def total_exceeds(self) -> bool:
        return review_exceeds_self_assessment(self.review_score, self.own_score, self.limit)

    @property
    def needs_explanation(self) -> bool:
        return self.total_exceeds or bool(self.differing_items)


def score_gap(review: Review, rows: list[ScoringRow] | None = None) -> ScoreGap:
    """The review's total beside the self-assessment's, and the items far apart (3 queries,
    none when the scoring rows are given)."""
    rows = scoring_rows(review) if rows is None else rows
    differing = tuple(
        row.item.code
        for row in rows
        if row.line is not None
        and row.self_line is not None
        and not row.line.not_applicable
        and not row.self_line.not_applicable
        and item_differs_by_half(row.item.points, row.line.deducted, row.self_line.deducted)
    )
    score = compute_score(
        ItemResult(row.item.points, row.line.deducted, row.line.not_applicable, row.item.is_veto)
        for row in rows
        if row.line is not None
    )
    own = review.self_assessment.score if review.self_assessment_id else None
    return ScoreGap(score.value, own, score_gap_limit(), differing)


def gap_problems(review: Review) -> list[str]:
    gap = score_gap(review)
    if not gap.needs_explanation or has_substance(review.gap_explanation):
        return []
    reasons = []
    if gap.total_exceeds:
        reasons.append(
            f"评审得分{gap.review_score}分高于自评{gap.own_score}分{gap.total_gap}分"
            f"（超过{gap.limit}分）"
        )
    if gap.differing_items:
        reasons.append(f"评分项{'、'.join(gap.differing_items)}与自评扣分相差超过该项分值的一半")
    return [f"{'；'.join(reasons)}，评审组须填写差异说明"]


def review_lines_score(review: Review) -> Score:
    lines = ReviewLine.objects.filter(review=review).select_related("item")
    return compute_score(
        ItemResult(line.item.points, line.deducted, line.not_applicable, line.item.is_veto)
        for line in lines
    )


@dataclass
class ScoringRow:
    item: StandardItem
    line: ReviewLine | None
    self_line: SelfAssessmentLine | None

    @property
    def gap(self) -> Decimal | None:
        """Points between the firm's own deduction and the agency's, when both scored it."""
        if self.line is None or self.self_line is None:
            return None
        if self.line.not_applicable or self.self_line.not_applicable:
            return None
        return abs(self.line.deducted - self.self_line.deducted)

    @property
    def large_gap(self) -> bool:
        return self.gap is not None and self.gap > LARGE_GAP_POINTS


def scoring_rows(review: Review, *, with_evidence: bool = False) -> list[ScoringRow]:
    """Every item of the review's standard, with the agency's line and the firm's own line
    (and its evidence files, for the scoring page). Three queries (four) whatever the number of
    items."""
    if review.standard_id is None:
        return []
    items = StandardItem.objects.filter(standard_id=review.standard_id).select_related("element")
    lines = {line.item_id: line for line in ReviewLine.objects.filter(review=review)}
    own = {}
    if review.self_assessment_id:
        own = {
            line.item_id: line
            for line in SelfAssessmentLine.objects.filter(
                assessment_id=review.self_assessment_id
            ).prefetch_related(*(["evidence"] if with_evidence else []))
        }
    return [ScoringRow(item, lines.get(item.pk), own.get(item.pk)) for item in items]


def nonconformities_of(review: Review) -> QuerySet[Nonconformity]:
    return review.nonconformities.select_related("item").prefetch_related("evidence")


# --- The review report (评审报告) -----------------------------------------------------------


@dataclass
class ElementScore:
    """One first-level element: its points, the points that do not apply, and what the review
    and the self-assessment gave it."""

    element: Any
    points: Decimal = Decimal(0)
    not_applicable: Decimal = Decimal(0)
    review_earned: Decimal = Decimal(0)
    own_earned: Decimal = Decimal(0)


def element_scores(rows: list[ScoringRow]) -> list[ElementScore]:
    """Per element, from the scoring rows (no query)."""
    by_element: dict[int, ElementScore] = {}
    for row in rows:
        entry = by_element.setdefault(row.item.element_id, ElementScore(row.item.element))
        entry.points += row.item.points
        if row.line is not None and row.line.not_applicable:
            entry.not_applicable += row.item.points
        elif row.line is not None:
            entry.review_earned += max(row.item.points - row.line.deducted, Decimal(0))
        if row.self_line is not None and not row.self_line.not_applicable:
            entry.own_earned += max(row.item.points - row.self_line.deducted, Decimal(0))
    return sorted(by_element.values(), key=lambda entry: entry.element.number)


def four_combinations(review: Review) -> dict[str, Any]:
    """The risk identification by kind and the hazards found, each with its evidence files
    (3 queries whatever their number)."""
    names: dict[str, list[str]] = {kind: [] for kind in RiskKind}
    for row in RiskIdentification.objects.filter(review=review).order_by("order", "pk"):
        names[row.kind].append(row.name)
    hazards = list(
        HazardFinding.objects.filter(review=review)
        .select_related("nonconformity__item")
        .prefetch_related("files")
    )
    return {
        "risks": [(RiskKind(kind).label, found) for kind, found in names.items()],
        "risks_by_kind": names,
        "hazards": hazards,
    }


def onsite_fixes_of(review: Review) -> list[OnsiteRectification]:
    return list(review.onsite_rectifications.select_related("item").prefetch_related("files"))


def review_report(review: Review) -> dict[str, Any]:
    """Everything the printed 评审报告 shows, in a constant number of queries."""
    rows = scoring_rows(review)
    return {
        **four_combinations(review),
        "elements": element_scores(rows),
        "deducted_rows": [row for row in rows if row.line is not None and row.line.deducted > 0],
        "gap": score_gap(review, rows),
        "team": list(review.team.select_related("expert").order_by("-is_leader", "expert__name")),
        "nonconformities": list(review.nonconformities.select_related("item")),
        "onsite_fixes": onsite_fixes_of(review),
    }


# --- Re-review after the city's audit (复审) -----------------------------------------------------


def re_reviews_for(user: Any, *, pending: bool = False) -> QuerySet[Review]:
    """The audit's re-reviews ``user`` sees (the county's own; the city every county's), those
    still to do first; ``pending``: only those not yet done."""
    from ..services.holds import RE_REVIEW_DONE

    qs = Review.objects.for_user(user).filter(hold__isnull=False)
    if pending:
        qs = qs.exclude(status__in=RE_REVIEW_DONE)
    return qs.select_related("enterprise__county", "agency", "redo_of__agency", "hold").order_by(
        "status", "enterprise__name", "pk"
    )


def holds_with_re_reviews(user: Any) -> list[dict[str, Any]]:
    """Each held county-year with how many of its re-reviews are done (one query)."""
    from ..services.holds import RE_REVIEW_DONE

    rows = (
        re_reviews_for(user)
        .order_by()
        .values("hold", "hold__county__name", "hold__year", "hold__released_at")
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(status__in=RE_REVIEW_DONE)))
        .order_by("hold__year", "hold__county__name")
    )
    return list(rows)
