"""Standards, self-assessments, experts and reviews at each stage, without part A's loader.

Use the fixture in a test module with ``review_world = factories_review.review_world``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from enterprises.choices import Status
from reviews.choices import AssessmentStatus, Funding, StandardKind
from reviews.models import (
    Expert,
    Review,
    ReviewAgency,
    ScoringStandard,
    SelfAssessment,
    SelfAssessmentLine,
    StandardElement,
    StandardItem,
)
from reviews.scoring import ItemResult, compute_score
from reviews.services import review as services
from tests.factories import AgencyFactory, UserFactory

_numbers = itertools.count(1)


def make_standard(
    *,
    items: int = 4,
    points: Decimal | int = 25,
    veto: tuple[int, ...] = (),
    kind: str = StandardKind.SMALL_MICRO,
    industry: Any = None,
) -> ScoringStandard:
    """A standard of ``items`` items of ``points`` each over two elements; ``veto`` lists the
    0-based positions of veto items."""
    number = next(_numbers)
    standard = ScoringStandard.objects.create(
        code=f"T-{number}",
        version="1",
        name=f"测试标准{number}",
        kind=kind,
        industry=industry,
        effective_from=dt.date(2016, 1, 1),
    )
    elements = [
        StandardElement.objects.create(standard=standard, number=n, name=name)
        for n, name in ((1, "目标职责"), (2, "现场管理"))
    ]
    StandardItem.objects.bulk_create(
        StandardItem(
            standard=standard,
            element=elements[position % 2],
            code=f"{position % 2 + 1}.{position + 1}",
            order=position,
            content=f"考评内容{position + 1}",
            points=Decimal(points),
            is_veto=position in veto,
        )
        for position in range(items)
    )
    return standard


def make_submitted_assessment(
    enterprise: Any,
    standard: ScoringStandard,
    *,
    deductions: dict[int, Decimal] | None = None,
    guide_agency: ReviewAgency | None = None,
    guide_expert: Expert | None = None,
    score: Decimal | None = None,
    team: bool = True,
) -> SelfAssessment:
    """A submitted (locked) self-assessment with its team (自评组); ``deductions`` maps item
    positions to points; ``score`` stands in for the computed one when given."""
    deductions = deductions or {}
    items = list(standard.items.order_by("order"))
    computed = compute_score(
        ItemResult(item.points, Decimal(deductions.get(n, 0)), False, item.is_veto)
        for n, item in enumerate(items)
    )
    assessment = SelfAssessment.objects.create(
        score=computed.value if score is None else score,
        veto_failed=computed.veto_failed,
        team_leader="张安全（安全科长）" if team else "",
        team_members="李明（车间主任）\n王芳（设备员）" if team else "",
        enterprise=enterprise,
        standard=standard,
        status=AssessmentStatus.SUBMITTED,
        guide_agency=guide_agency,
        guide_expert=guide_expert,
        submitted_at=timezone.now(),
    )
    SelfAssessmentLine.objects.bulk_create(
        SelfAssessmentLine(
            assessment=assessment,
            item=item,
            deducted=Decimal(deductions.get(position, 0)),
            reason="自查扣分" if deductions.get(position) else "",
        )
        for position, item in enumerate(items)
    )
    return assessment


def make_agency(*, industries: list[Any], experts: int = 3, **kwargs: Any) -> ReviewAgency:
    agency = AgencyFactory(**kwargs)
    agency.industries.set(industries)
    for n in range(experts):
        Expert.objects.create(agency=agency, name=f"{agency.name}专家{n}", certificate_no=f"C-{n}")
    return agency


YESTERDAY = timezone.localdate() - dt.timedelta(days=1)
COMPLETE_DETAILS = {
    "onsite_from": YESTERDAY - dt.timedelta(days=1),
    "onsite_to": YESTERDAY,
    "responsibility_system": "建立全员安全生产责任制，主要负责人与各车间签订责任书",
    "training_date": YESTERDAY,
    "trained_count": 500,
    "hazardous_places": "配电室\n危化品仓库",
    "special_operation_sites": "焊接动火作业点",
    "risk_points": "冲压设备、行车吊装",
    "hazards_note": "评审组检查了各车间、配电室和仓库，现场未发现隐患",
}
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def photo(name: str = "现场整改照片.pdf") -> SimpleUploadedFile:
    """A file standing for the photos and records a team saw on site."""
    return SimpleUploadedFile(name, PDF)


GAP_EXPLANATION = "评审组现场核实，企业自评时对部分条款理解有误"


@dataclass
class World:
    """One firm of 芝罘区 on its way through review, with a user of every role."""

    firm: Any
    standard: ScoringStandard
    agency: ReviewAgency
    firm_user: Any
    county_user: Any
    agency_user: Any
    city_user: Any
    other_county_user: Any
    other_agency_user: Any
    other_firm_user: Any
    assessment: SelfAssessment | None = None
    extra: dict = field(default_factory=dict)

    def apply(self) -> Review:
        self.firm.status = Status.SELF_ASSESSING
        self.firm.save(update_fields=["status"])
        if self.assessment is None:
            self.assessment = make_submitted_assessment(self.firm, self.standard)
        return services.review_apply(enterprise=self.firm, actor=self.firm_user)

    def assigned(self) -> Review:
        review = self.apply()
        return services.review_assign(
            review=review, actor=self.county_user, agency=self.agency, funding=Funding.GOVERNMENT
        )

    def with_team(self) -> Review:
        review = self.assigned()
        experts = list(self.agency.experts.order_by("pk"))
        services.review_set_team(
            review=review, actor=self.agency_user, experts=experts[:2], leader=experts[0]
        )
        return review

    def scored(
        self, deductions: dict[int, Any] | None = None, not_applicable=(), *, explain=True
    ) -> Review:
        """Scored and otherwise complete: dates, the four combinations, each deduction
        rectified on site, and (``explain``) the team's explanation of any gap."""
        review = self.with_team()
        self.complete(review, explain=explain)
        self.score(review, deductions or {}, not_applicable)
        self.fix_on_site(review)
        return review

    def complete(self, review: Review, *, explain: bool = True, **changes: Any) -> None:
        review.refresh_from_db()
        data = {**COMPLETE_DETAILS, "gap_explanation": GAP_EXPLANATION if explain else ""}
        services.review_update(
            review=review,
            actor=self.agency_user,
            expected_version=review.version,
            data={**data, **changes},
        )
        review.refresh_from_db()

    def fix_on_site(self, review: Review) -> None:
        for line in review.lines.filter(deducted__gt=0).select_related("item"):
            services.review_record_onsite_fix(
                review=review,
                actor=self.agency_user,
                item=line.item,
                evidence="现场补齐记录",
                files=[photo()],
            )
        review.refresh_from_db()

    def score(self, review: Review, deductions: dict[int, Any], not_applicable=()) -> None:
        review.refresh_from_db()
        items = list(self.standard.items.order_by("order"))
        scores = {
            item.pk: services.ItemScore(
                deducted=None
                if position in not_applicable
                else Decimal(deductions.get(position, 0)),
                not_applicable=position in not_applicable,
                reason="扣分理由" if deductions.get(position) else "",
            )
            for position, item in enumerate(items)
        }
        services.review_save_scores(
            review=review, actor=self.agency_user, expected_version=review.version, scores=scores
        )
        review.refresh_from_db()


@pytest.fixture
def review_world(reference, make_enterprise, zhifu, fushan) -> World:
    machinery = reference["industries"][3]
    firm = make_enterprise(county=zhifu, industry=machinery, name="烟台芝罘评审测试有限公司")
    other_firm = make_enterprise(county=zhifu, industry=machinery)
    agency = make_agency(industries=[machinery])
    other_agency = make_agency(industries=[machinery])
    return World(
        firm=firm,
        standard=make_standard(),
        agency=agency,
        firm_user=UserFactory(role="enterprise", enterprise=firm),
        county_user=UserFactory(role="county", county=zhifu),
        agency_user=UserFactory(role="agency", agency=agency),
        city_user=UserFactory(role="city"),
        other_county_user=UserFactory(role="county", county=fushan),
        other_agency_user=UserFactory(role="agency", agency=other_agency),
        other_firm_user=UserFactory(role="enterprise", enterprise=other_firm),
        extra={"other_agency": other_agency, "machinery": machinery},
    )


def record_risks_and_hazards(reviews, *, hazards: int = 1) -> None:
    """For reviews made directly in the database: one place, site and risk point each, and
    ``hazards`` hazards rectified on site (the four combinations' rows)."""
    from reviews.choices import RiskKind
    from reviews.models import HazardFinding, RiskIdentification

    RiskIdentification.objects.bulk_create(
        RiskIdentification(review=review, kind=kind, name=f"{kind.label}1")
        for review in reviews
        for kind in RiskKind
    )
    HazardFinding.objects.bulk_create(
        HazardFinding(review=review, description="隐患", rectified_on_site=True,
                      rectification="现场整改")
        for review in reviews
        for _ in range(hazards)
    )  # fmt: skip
