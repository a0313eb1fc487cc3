"""Reads for scoring standards and self-assessments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Case, Prefetch, Q, QuerySet, When

from enterprises.models import Enterprise
from reviews.choices import AssessmentStatus, StandardIssuer, StandardKind
from reviews.models import (
    CountyStandard,
    Evidence,
    ScoringStandard,
    SelfAssessment,
    SelfAssessmentLine,
    StandardElement,
    StandardItem,
)
from reviews.scoring import ItemResult, Score, compute_score


class NoApplicableStandard(ValidationError):
    pass


def standards_in_force(on_date: dt.date) -> QuerySet[ScoringStandard]:
    return ScoringStandard.objects.filter(effective_from__lte=on_date).filter(
        Q(effective_until__isnull=True) | Q(effective_until__gte=on_date)
    )


def applicable_standard(enterprise: Enterprise, on_date: dt.date) -> ScoringStandard:
    """Small/micro firms: the small/micro standard in force that their county chose (where a
    provincial and a national one are in force at once), else the provincial one; others:
    their industry's.

    When two versions of the chosen standard are in force, the one that took effect last wins."""
    in_force = standards_in_force(on_date).order_by("-effective_from", "-loaded_at")
    if enterprise.is_small_micro:
        candidates = in_force.filter(kind=StandardKind.SMALL_MICRO)
        chosen = county_small_micro_code(enterprise.county_id)
        standard = candidates.filter(code=chosen).first() if chosen else None
        if standard is None:
            standard = candidates.order_by(
                Case(When(issuer=StandardIssuer.PROVINCE, then=0), default=1),
                "-effective_from",
                "-loaded_at",
            ).first()
        what = "小微企业评定标准"
    else:
        standard = in_force.filter(
            kind=StandardKind.INDUSTRY, industry_id=enterprise.industry_id
        ).first()
        what = f"“{enterprise.industry}”行业评定标准" if enterprise.industry_id else "行业评定标准"
    if standard is None:
        raise NoApplicableStandard(
            f"{on_date:%Y年%-m月%-d日}没有施行中的{what}，请联系市局导入标准后再开始自评"
        )
    return standard


def county_small_micro_code(county_id: int | None) -> str:
    """The code of the small/micro standard the county chose ("" when it has not chosen)."""
    if county_id is None:
        return ""
    return (
        CountyStandard.objects.filter(county_id=county_id)
        .values_list("small_micro_code", flat=True)
        .first()
        or ""
    )


@dataclass(frozen=True)
class StandardShape:
    """A standard with the size of its table: categories, projects, contents and points."""

    standard: ScoringStandard
    categories: int
    projects: int
    contents: int
    points: Decimal
    vetoes: int


def standard_shapes(standards: QuerySet[ScoringStandard]) -> list[StandardShape]:
    """Each standard with its counts (2 queries, whatever the number of items)."""
    standards = list(standards.select_related("industry"))
    counts: dict[int, dict] = {
        standard.pk: {"elements": set(), "projects": set(), "contents": 0, "points": Decimal(0),
                      "vetoes": 0}
        for standard in standards
    }  # fmt: skip
    rows = StandardItem.objects.filter(standard__in=[s.pk for s in standards]).values_list(
        "standard_id", "element_id", "project", "points", "is_veto"
    )
    for standard_id, element_id, project, points, is_veto in rows:
        entry = counts[standard_id]
        entry["elements"].add(element_id)
        entry["projects"].add((element_id, project))
        entry["contents"] += 1
        entry["points"] += points
        entry["vetoes"] += int(is_veto)
    return [
        StandardShape(
            standard,
            categories=len(counts[standard.pk]["elements"]),
            projects=len(counts[standard.pk]["projects"]),
            contents=counts[standard.pk]["contents"],
            points=counts[standard.pk]["points"],
            vetoes=counts[standard.pk]["vetoes"],
        )
        for standard in standards
    ]


def current_assessment(enterprise: Enterprise) -> SelfAssessment | None:
    """The firm's latest self-assessment (a draft being worked on, or the last submitted)."""
    return (
        SelfAssessment.objects.filter(enterprise=enterprise)
        .select_related("standard")
        .order_by("-created_at", "-pk")
        .first()
    )


def draft_assessment(enterprise: Enterprise) -> SelfAssessment | None:
    return SelfAssessment.objects.filter(
        enterprise=enterprise, status=AssessmentStatus.DRAFT
    ).first()


def latest_submitted_assessment(enterprise: Enterprise) -> SelfAssessment | None:
    """The firm's last submitted self-assessment (what an application for review carries)."""
    return (
        SelfAssessment.objects.filter(enterprise=enterprise, status=AssessmentStatus.SUBMITTED)
        .select_related("standard", "guide_agency", "guide_expert")
        .order_by("-submitted_at", "-pk")
        .first()
    )


def self_lines_by_item(assessment: SelfAssessment | None) -> dict[int, SelfAssessmentLine]:
    """The firm's own line for each item id, to show beside a reviewer's score (1 query)."""
    if assessment is None:
        return {}
    return {line.item_id: line for line in assessment.lines.all()}


def assessment_lines(assessment: SelfAssessment) -> list[SelfAssessmentLine]:
    """Every line with its item, element and evidence, in the standard's order (3 queries)."""
    lines = list(
        assessment.lines.select_related("item__element")
        .prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "pk"))
        )
        .order_by("item__order")
    )
    for line in lines:
        line.earned = line_earned(line)
    return lines


def line_result(line: SelfAssessmentLine) -> ItemResult:
    return ItemResult(
        points=line.item.points,
        deducted=line.deducted,
        not_applicable=line.not_applicable,
        is_veto=line.item.is_veto,
    )


def line_earned(line: SelfAssessmentLine) -> Decimal | None:
    return None if line.not_applicable else line_result(line).earned


@dataclass
class ElementTotals:
    """One first-level element's lines and totals (空项 points leave the applicable total)."""

    element: StandardElement
    lines: list = field(default_factory=list)
    points: Decimal = Decimal("0.0")
    not_applicable_points: Decimal = Decimal("0.0")
    earned: Decimal = Decimal("0.0")

    @property
    def applicable_points(self) -> Decimal:
        return self.points - self.not_applicable_points

    @property
    def deducted(self) -> Decimal:
        return self.applicable_points - self.earned


def group_by_element(lines: list[SelfAssessmentLine], rows: list | None = None) -> list:
    """Group lines (or ``rows`` parallel to them, e.g. (line, form) pairs) by element."""
    groups: dict[int, ElementTotals] = {}
    for index, line in enumerate(lines):
        element = line.item.element
        group = groups.setdefault(element.pk, ElementTotals(element))
        group.lines.append(rows[index] if rows is not None else line)
        group.points += line.item.points
        if line.not_applicable:
            group.not_applicable_points += line.item.points
        else:
            group.earned += line_result(line).earned
    return sorted(groups.values(), key=lambda group: group.element.number)


def assessment_score(lines: list[SelfAssessmentLine]) -> Score:
    """The score by the programme's rules (reviews.scoring), from the lines as they stand."""
    return compute_score(line_result(line) for line in lines)


def assessments_for(user) -> QuerySet[SelfAssessment]:
    return SelfAssessment.objects.for_user(user).select_related(
        "enterprise__county", "standard", "guide_agency", "guide_expert"
    )
