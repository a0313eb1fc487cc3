"""Reads of the application, assignment and review path (who may review, what is missing)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from enterprises.models import Enterprise
from portal.http import id_filter

from ..choices import OPEN_NONCONFORMITY_STATUSES, AgencyStanding, AssessmentStatus, ReviewStatus
from ..models import (
    Nonconformity,
    Review,
    ReviewAgency,
    ReviewLine,
    ReviewTeamMember,
    SelfAssessment,
    SelfAssessmentLine,
    StandardItem,
)
from ..scoring import LARGE_GAP_POINTS, ItemResult, Score, compute_score

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
MIN_TEAM_SIZE = 2


def latest_submitted_assessment(enterprise: Enterprise) -> SelfAssessment | None:
    return (
        SelfAssessment.objects.filter(enterprise=enterprise, status=AssessmentStatus.SUBMITTED)
        .select_related("standard", "guide_expert")
        .order_by("-submitted_at", "-pk")
        .first()
    )


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


def exclusion_reason(
    agency: ReviewAgency, *, industry_ids: set[int], enterprise: Enterprise, conflicted: set[int]
) -> str | None:
    """Why ``agency`` may not review ``enterprise``, or None when it may."""
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
    options = [
        AgencyOption(
            agency,
            exclusion_reason(
                agency,
                industry_ids={industry.pk for industry in agency.industries.all()},
                enterprise=review.enterprise,
                conflicted=conflicted,
            ),
        )
        for agency in ReviewAgency.objects.prefetch_related("industries").order_by("name")
    ]
    return sorted(options, key=lambda option: not option.eligible)


# --- Lists ----------------------------------------------------------------------------------


def with_open_counts(qs: QuerySet[Review]) -> QuerySet[Review]:
    return qs.annotate(
        open_nonconformities=Count(
            "nonconformities",
            filter=Q(nonconformities__status__in=OPEN_NONCONFORMITY_STATUSES),
            distinct=True,
        ),
        answered_nonconformities=Count(
            "nonconformities",
            filter=Q(nonconformities__status="answered"),
            distinct=True,
        ),
    )


def review_list(*, user: Any, params: Any, default_status: str = "") -> QuerySet[Review]:
    """The user's scoped reviews, filtered by ``status`` and a name/credit-code search ``q``."""
    qs = Review.objects.for_user(user).select_related(
        "enterprise__county", "enterprise__industry", "agency"
    )
    status = params.get("status", default_status)
    if status in ReviewStatus.values:
        qs = qs.filter(status=status)
    query = (params.get("q") or "").strip()
    if query:
        qs = qs.filter(
            Q(enterprise__name__icontains=query) | Q(enterprise__credit_code__icontains=query)
        )
    asked, industry = id_filter(params, "industry")
    if asked:
        qs = qs.filter(enterprise__industry_id=industry) if industry else qs.none()
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


def conclusion_problems(review: Review) -> list[str]:
    """Everything that still stands between this review and its conclusion."""
    problems = []
    if review.status not in AGENCY_EDITABLE_STATUSES:
        problems.append(f"评审状态为“{review.get_status_display()}”")
    if review.standard_id is None:
        problems.append("评审未记录评定标准")
    problems += team_problems(list(review.team.all()))
    unscored = unscored_item_count(review)
    if unscored:
        problems.append(f"还有{unscored}个评分项未评分")
    still_open = open_nonconformity_count(review)
    if still_open:
        problems.append(f"还有{still_open}个不符合项未整改到位")
    return problems


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


def scoring_rows(review: Review) -> list[ScoringRow]:
    """Every item of the review's standard, with the agency's line and the firm's own line.
    Three queries whatever the number of items."""
    if review.standard_id is None:
        return []
    items = StandardItem.objects.filter(standard_id=review.standard_id).select_related("element")
    lines = {line.item_id: line for line in ReviewLine.objects.filter(review=review)}
    own = {}
    if review.self_assessment_id:
        own = {
            line.item_id: line
            for line in SelfAssessmentLine.objects.filter(assessment_id=review.self_assessment_id)
        }
    return [ScoringRow(item, lines.get(item.pk), own.get(item.pk)) for item in items]


def nonconformities_of(review: Review) -> QuerySet[Nonconformity]:
    return review.nonconformities.select_related("item").prefetch_related("evidence")
