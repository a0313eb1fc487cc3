"""Review agencies, their experts, and the review of one enterprise."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone

from enterprises.choices import Grade
from enterprises.models import County, Enterprise, FirmOwnedQuerySet, Industry
from portal.concurrency import VersionedModel
from portal.links import row_url
from portal.scoping import CountyOwnedQuerySet, ScopedQuerySet, SharedQuerySet

from .choices import (
    ASSIGNABLE_STANDINGS,
    AgencyStanding,
    AnnouncementKind,
    AnnouncementStatus,
    AssessmentStatus,
    ChangeKind,
    ChangeStatus,
    Funding,
    NonconformityStatus,
    ObjectionStatus,
    ReviewStatus,
    RiskKind,
    StandardIssuer,
    StandardKind,
    WarningProblem,
    WarningStatus,
)

POINTS = {"max_digits": 6, "decimal_places": 1}


class AgencyQuerySet(ScopedQuerySet):
    agency_lookup = "pk"

    def scope_county(self, user):
        # Counties choose agencies for their firms: they read the whole list.
        return self.all()

    def scope_enterprise(self, user):
        return self.all()

    def in_good_standing(self):
        return self.filter(standing__in=ASSIGNABLE_STANDINGS)


class ReviewAgency(VersionedModel):
    """A firm the bureau lets review (评审机构), with the industries it may review."""

    name = models.CharField("机构名称", max_length=200, unique=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    industries = models.ManyToManyField(Industry, verbose_name="可评审行业", blank=True)
    standing = models.CharField(
        "名单状态", max_length=20, choices=AgencyStanding.choices, default=AgencyStanding.REGISTERED
    )
    contact = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    # The last decision on the standing (the dynamic list prints its date and reason).
    standing_since = models.DateField("名单决定日期", null=True, blank=True)
    standing_reason = models.TextField("名单决定理由", blank=True)

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = "评审机构"
        verbose_name_plural = "评审机构"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return row_url("reviews:agency_detail", self.pk)

    @property
    def is_assignable(self) -> bool:
        return self.standing in ASSIGNABLE_STANDINGS


class ExpertQuerySet(ScopedQuerySet):
    agency_lookup = "agency"

    def scope_county(self, user):
        return self.all()


class Expert(models.Model):
    """评审专家: belongs to an agency, or to the city's pool when ``agency`` is empty."""

    agency = models.ForeignKey(
        ReviewAgency,
        verbose_name="所属机构",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="experts",
    )
    name = models.CharField("姓名", max_length=50)
    certificate_no = models.CharField("证书编号", max_length=50, blank=True)
    industries = models.ManyToManyField(Industry, verbose_name="专业行业", blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    is_active = models.BooleanField("在库", default=True)
    spot_checks = models.BooleanField(
        "可参加抽查", default=True, help_text="列入市局双随机抽查的专家库"
    )

    objects = ExpertQuerySet.as_manager()

    class Meta:
        verbose_name = "评审专家"
        verbose_name_plural = "评审专家"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return row_url("reviews:expert_edit", self.pk)


class AgencyOwnedQuerySet(ScopedQuerySet):
    """Rows about one agency: the city and the counties read them all, the agency its own."""

    agency_lookup = "agency"

    def scope_county(self, user):
        return self.all()


class StandingDecision(models.Model):
    """The city's decision on an agency's standing (名单决定): what it moved from and to, and
    why. The counties' ratings it rests on cite it (``lookback.AgencyRating.decisions``)."""

    agency = models.ForeignKey(
        ReviewAgency, verbose_name="评审机构", on_delete=models.PROTECT, related_name="decisions"
    )
    year = models.PositiveSmallIntegerField("年度")
    label = models.CharField("决定", max_length=50)
    before = models.CharField("原名单状态", max_length=20, choices=AgencyStanding.choices)
    after = models.CharField("新名单状态", max_length=20, choices=AgencyStanding.choices)
    reason = models.TextField("理由")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("决定时间", default=timezone.now)

    objects = AgencyOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "名单决定"
        verbose_name_plural = "名单决定"
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.agency} {self.label}"

    def get_absolute_url(self) -> str:
        return self.agency.get_absolute_url()


class AgencyWarning(VersionedModel):
    """警告，限期整改: the city's 整改要求 and deadline; at the deadline the city records the
    follow-up (整改到位 → 在册, 未整改到位 → 清除). A second warning for the same problem in
    the same year is flagged 屡改屡犯."""

    agency = models.ForeignKey(
        ReviewAgency, verbose_name="评审机构", on_delete=models.PROTECT, related_name="warnings"
    )
    decision = models.OneToOneField(
        StandingDecision, verbose_name="名单决定", on_delete=models.PROTECT, related_name="warning"
    )
    year = models.PositiveSmallIntegerField("年度")
    problem = models.CharField("问题类别", max_length=20, choices=WarningProblem.choices)
    requirements = models.TextField("整改要求")
    deadline = models.DateField("整改期限", db_index=True)
    status = models.CharField(
        "状态", max_length=20, choices=WarningStatus.choices, default=WarningStatus.OPEN
    )
    repeat = models.BooleanField("屡改屡犯", default=False)
    follow_up_note = models.TextField("整改情况", blank=True)
    followed_up_at = models.DateTimeField("复查时间", null=True, blank=True)
    created_at = models.DateTimeField("下达时间", auto_now_add=True)

    objects = AgencyOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "警告整改"
        verbose_name_plural = "警告整改"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.agency} {self.get_problem_display()}"

    def get_absolute_url(self) -> str:
        return self.agency.get_absolute_url()


class AgencyChangeRequest(VersionedModel):
    """An agency's own change to its qualification scope or its experts, for the city to
    approve; approval applies it (with history)."""

    agency = models.ForeignKey(
        ReviewAgency, verbose_name="评审机构", on_delete=models.PROTECT, related_name="changes"
    )
    kind = models.CharField("变更类型", max_length=20, choices=ChangeKind.choices)
    expert = models.ForeignKey(
        Expert, verbose_name="专家", on_delete=models.PROTECT, null=True, blank=True
    )
    payload = models.JSONField("变更内容", default=dict)
    summary = models.TextField("变更说明")
    status = models.CharField(
        "状态", max_length=20, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decision_note = models.TextField("审核意见", blank=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)

    objects = AgencyOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "机构变更申请"
        verbose_name_plural = "机构变更申请"
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.agency} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return self.agency.get_absolute_url()


class AgencyListEdition(models.Model):
    """One dated edition of the yearly dynamic list (动态名单): every agency's standing as the
    city published it. Editions are never changed; a change is a new edition."""

    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveSmallIntegerField("版次")
    published_on = models.DateField("发布日期")
    note = models.TextField("发布说明", blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("发布时间", auto_now_add=True)

    objects = SharedQuerySet.as_manager()  # public

    class Meta:
        verbose_name = "动态名单"
        verbose_name_plural = "动态名单"
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "number"], name="one_list_edition_number")
        ]

    def __str__(self) -> str:
        return f"{self.year}年评审机构动态名单（第{self.number}版）"

    def get_absolute_url(self) -> str:
        return f"{reverse('reviews:agency_public')}?year={self.year}&edition={self.number}"


class AgencyListEntry(models.Model):
    """One agency in one edition, as printed (name and standing kept as they were)."""

    edition = models.ForeignKey(AgencyListEdition, on_delete=models.CASCADE, related_name="entries")
    agency = models.ForeignKey(ReviewAgency, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("机构名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    standing = models.CharField("名单状态", max_length=20, choices=AgencyStanding.choices)
    decided_on = models.DateField("决定日期", null=True, blank=True)
    reason = models.TextField("理由", blank=True)

    objects = SharedQuerySet.as_manager()

    class Meta:
        verbose_name = "动态名单条目"
        verbose_name_plural = "动态名单条目"
        ordering = ["edition", "pk"]

    def __str__(self) -> str:
        return f"{self.name} {self.get_standing_display()}"


# --- Scoring standards (data, versioned) ---------------------------------------------------


class ScoringStandard(models.Model):
    """A scoring standard (评定标准与评分细则) in one version; loaded from a file, never edited
    in place: a new version is a new row, and every assessment records the one it used."""

    code = models.CharField("标准代码", max_length=50)
    version = models.CharField("版本", max_length=20)
    name = models.CharField("标准名称", max_length=200)
    kind = models.CharField("适用类型", max_length=20, choices=StandardKind.choices)
    issuer = models.CharField(
        "发布层级", max_length=20, choices=StandardIssuer.choices, default=StandardIssuer.PROVINCE
    )
    industry = models.ForeignKey(
        Industry, verbose_name="适用行业", on_delete=models.PROTECT, null=True, blank=True
    )
    effective_from = models.DateField("施行日期")
    effective_until = models.DateField("废止日期", null=True, blank=True)
    source = models.CharField("来源文件", max_length=200, blank=True)
    loaded_at = models.DateTimeField("导入时间", auto_now_add=True)

    objects = SharedQuerySet.as_manager()  # public reference data

    class Meta:
        verbose_name = "评定标准"
        verbose_name_plural = "评定标准"
        ordering = ["code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="one_standard_version")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.version}）"


class StandardElement(models.Model):
    """一级要素, e.g. 目标职责."""

    standard = models.ForeignKey(ScoringStandard, on_delete=models.CASCADE, related_name="elements")
    number = models.PositiveSmallIntegerField("序号")
    name = models.CharField("一级要素", max_length=100)

    class Meta:
        verbose_name = "一级要素"
        verbose_name_plural = "一级要素"
        ordering = ["standard", "number"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "number"], name="one_element_number")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class StandardItem(models.Model):
    """评分项 (考评内容): content, scoring method, points, and whether it is a veto item
    (否决项). In the 2016 layout the contents of a first-level category (一级考评类目) are
    grouped under second-level items (二级考评项目, ``project``): the Shandong small/micro
    standard has 13 categories, 35 项目 and 135 内容. The 项目 is only a heading: points,
    deductions and nonconformities belong to the 内容."""

    standard = models.ForeignKey(ScoringStandard, on_delete=models.CASCADE, related_name="items")
    element = models.ForeignKey(StandardElement, on_delete=models.CASCADE, related_name="items")
    project = models.CharField("二级考评项目", max_length=100, blank=True)
    code = models.CharField("编号", max_length=20)
    order = models.PositiveIntegerField("排序")
    content = models.TextField("考评内容")
    method = models.TextField("评分方式", blank=True)
    points = models.DecimalField("标准分值", **POINTS)
    is_veto = models.BooleanField("否决项", default=False)

    class Meta:
        verbose_name = "评分项"
        verbose_name_plural = "评分项"
        ordering = ["standard", "order"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="one_item_code"),
            models.CheckConstraint(condition=models.Q(points__gt=0), name="item_points_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.content[:30]}"


class CountyStandard(VersionedModel):
    """The small/micro standard a county's firms are assessed against where more than one is
    in force (a provincial and a national one): the county decides. It names the standard by
    its code, so a new version of the same standard follows without a new decision."""

    county = models.OneToOneField(
        County, verbose_name="县市区", on_delete=models.PROTECT, related_name="+"
    )
    small_micro_code = models.CharField("适用的小微企业评定标准", max_length=50)
    decided_at = models.DateTimeField("决定时间", auto_now=True)

    objects = CountyOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "县市区适用标准"
        verbose_name_plural = "县市区适用标准"

    def __str__(self) -> str:
        return f"{self.county} 适用 {self.small_micro_code}"


class ReviewSettings(VersionedModel):
    """The city's settings for reviews: one row, every change in the history. Until the city
    saves it, the defaults in ``portal.settings`` apply."""

    score_gap_points = models.DecimalField(
        "评审得分高于自评须说明的分差（分）",
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="评审总分高于企业自评得分超过此数时，评审组须作出说明，并在读取结果处显示差距",
    )

    objects = SharedQuerySet.as_manager()

    class Meta:
        verbose_name = "评审设置"
        verbose_name_plural = "评审设置"

    def __str__(self) -> str:
        return "评审设置"


# --- Self-assessment (自评) ------------------------------------------------------------------


class SelfAssessmentQuerySet(FirmOwnedQuerySet):
    """An agency reads only the self-assessments its own reviews carry (``Review.self_assessment``),
    not every assessment of every firm it ever reviewed."""

    agency_lookup = "review__agency"


class SelfAssessment(VersionedModel):
    """An enterprise's self-assessment against one standard version; locked once submitted."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="self_assessments"
    )
    standard = models.ForeignKey(ScoringStandard, verbose_name="评定标准", on_delete=models.PROTECT)
    status = models.CharField(
        "状态", max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    guide_agency = models.ForeignKey(
        ReviewAgency,
        verbose_name="指导机构",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="guided_assessments",
    )
    guide_expert = models.ForeignKey(
        Expert, verbose_name="指导专家", on_delete=models.PROTECT, null=True, blank=True
    )
    score = models.DecimalField("自评得分", **POINTS, null=True, blank=True)
    veto_failed = models.BooleanField("否决项不合格", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    # 自评组: who did the self-assessment (a condition of applying for review).
    team_leader = models.CharField("自评组组长", max_length=100, blank=True)
    team_members = models.TextField("自评组成员", blank=True, help_text="每行一人：姓名、职务")

    objects = SelfAssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = "企业自评"
        verbose_name_plural = "企业自评"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.enterprise} 自评"

    @property
    def is_locked(self) -> bool:
        return self.status == AssessmentStatus.SUBMITTED

    @property
    def team_member_names(self) -> list[str]:
        return [line.strip() for line in self.team_members.splitlines() if line.strip()]


class ScoreLine(models.Model):
    """One item's score, shared shape of self-assessment and review lines."""

    item = models.ForeignKey(StandardItem, verbose_name="评分项", on_delete=models.PROTECT)
    deducted = models.DecimalField("扣分", **POINTS, default=0)
    not_applicable = models.BooleanField("空项（不适用）", default=False)
    reason = models.TextField("扣分理由/说明", blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.item.code} 扣{self.deducted}分"


class SelfAssessmentLine(ScoreLine):
    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        verbose_name = "自评评分"
        verbose_name_plural = "自评评分"
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="one_self_line_per_item")
        ]


# --- Application, assignment and review (评审) -----------------------------------------------


class ReviewQuerySet(ScopedQuerySet):
    county_lookup = "enterprise__county"
    enterprise_lookup = "enterprise"
    agency_lookup = "agency"


class Review(VersionedModel):
    """One application for review of one enterprise, and the review the assigned agency does.

    Ties an agency to the firms it may see: ``Enterprise.objects.for_user`` follows
    ``reviews__agency``.
    """

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="reviews"
    )
    self_assessment = models.ForeignKey(
        SelfAssessment, verbose_name="自评", on_delete=models.PROTECT, null=True, blank=True
    )
    standard = models.ForeignKey(
        ScoringStandard, verbose_name="评定标准", on_delete=models.PROTECT, null=True, blank=True
    )
    status = models.CharField(
        "评审状态", max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.APPLIED
    )
    applied_at = models.DateTimeField("申请时间", null=True, blank=True)
    applied_grade = models.CharField("申请等级", max_length=10, choices=Grade.choices, blank=True)
    return_reason = models.TextField("退回理由", blank=True)
    agency = models.ForeignKey(
        ReviewAgency,
        verbose_name="评审机构",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
    )
    assigned_at = models.DateTimeField("委派时间", null=True, blank=True)
    assignment_no = models.CharField("委派单编号", max_length=50, blank=True)
    funding = models.CharField("评审经费方式", max_length=20, choices=Funding.choices, blank=True)
    fee = models.DecimalField(
        "评审费用（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    onsite_from = models.DateField("现场评审开始", null=True, blank=True)
    onsite_to = models.DateField("现场评审结束", null=True, blank=True)
    # 四个结合 (the notice's "four combinations")
    responsibility_system = models.TextField("责任管理机制建立情况", blank=True)
    training_date = models.DateField("全员培训日期", null=True, blank=True)
    trained_count = models.PositiveIntegerField("培训人数", null=True, blank=True)
    training_shortfall_reason = models.TextField("培训人数少于职工人数的原因", blank=True)
    # Risk identification and hazards are rows: ``risks`` (RiskIdentification) and
    # ``hazards`` (HazardFinding); the note says why none were found, if none were.
    hazards_note = models.TextField(
        "隐患查改情况说明",
        blank=True,
        help_text="逐项登记发现的隐患；现场未发现隐患的，在此说明检查了哪些场所和环节",
    )
    gap_explanation = models.TextField("评审与自评差异说明", blank=True)
    # The conclusion, computed by reviews.scoring, never typed in.
    score = models.DecimalField("评审得分", **POINTS, null=True, blank=True)
    veto_failed = models.BooleanField("否决项不合格", default=False)
    result = models.CharField("评审结论", max_length=10, choices=Grade.choices, blank=True)
    concluded_at = models.DateTimeField("结论时间", null=True, blank=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    # A review sent back (an upheld objection to the 公示): the new review names the old one.
    redo_of = models.ForeignKey(
        "self",
        verbose_name="重新评审的原评审",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="redone_by",
    )
    redo_reason = models.TextField("重新评审原因", blank=True)
    # A re-review the city's audit ordered (error rate >= 30%): the hold it answers to.
    hold = models.ForeignKey(
        "ResultHold",
        verbose_name="复审所属的暂缓公告",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="re_reviews",
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "评审"
        verbose_name_plural = "评审"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment_no"],
                condition=~models.Q(assignment_no=""),
                name="one_assignment_number",
            )
        ]
        # The lists' sorts: the application queue (a status's reviews in the order applied) and
        # an agency's tasks (its reviews, the latest assigned first).
        indexes = [
            models.Index(fields=["status", "applied_at", "id"], name="review_status_applied_id"),
            models.Index(fields=["agency", "assigned_at", "id"], name="review_agency_assigned_id"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} 评审"

    def get_absolute_url(self) -> str:
        return row_url("reviews:detail", self.pk)


class ReviewScopedQuerySet(ScopedQuerySet):
    county_lookup = "review__enterprise__county"
    enterprise_lookup = "review__enterprise"
    agency_lookup = "review__agency"


class ReviewTeamMember(models.Model):
    """A reviewer on the team (at least two, one leader); signs with the certificate number."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="team")
    expert = models.ForeignKey(Expert, verbose_name="专家", on_delete=models.PROTECT)
    is_leader = models.BooleanField("组长", default=False)

    objects = ReviewScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "评审组成员"
        verbose_name_plural = "评审组成员"
        constraints = [
            models.UniqueConstraint(fields=["review", "expert"], name="one_membership_per_expert")
        ]

    def __str__(self) -> str:
        return f"{self.expert}{'（组长）' if self.is_leader else ''}"


class ReviewLine(ScoreLine):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        verbose_name = "评审评分"
        verbose_name_plural = "评审评分"
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="one_review_line_per_item")
        ]


class Nonconformity(VersionedModel):
    """不符合项: tied to an item, with a rectification deadline; fixed by the firm, verified by
    the agency. No conclusion while one is open."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="nonconformities")
    item = models.ForeignKey(
        StandardItem, verbose_name="对应评分项", on_delete=models.PROTECT, null=True, blank=True
    )
    description = models.TextField("不符合项描述")
    deadline = models.DateField("整改期限", db_index=True)
    status = models.CharField(
        "状态", max_length=20, choices=NonconformityStatus.choices, default=NonconformityStatus.OPEN
    )
    response = models.TextField("整改情况", blank=True)
    responded_at = models.DateTimeField("整改提交时间", null=True, blank=True)
    verification_comment = models.TextField("核查意见", blank=True)
    verified_at = models.DateTimeField("核查时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ReviewScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "不符合项"
        verbose_name_plural = "不符合项"
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.description[:40]


class OnsiteRectification(models.Model):
    """An item with a deduction that the firm rectified while the team was on site, with the
    evidence the team saw; the alternative to a 不符合项 for that item."""

    review = models.ForeignKey(
        Review, on_delete=models.CASCADE, related_name="onsite_rectifications"
    )
    item = models.ForeignKey(StandardItem, verbose_name="评分项", on_delete=models.PROTECT)
    evidence = models.TextField("现场整改情况及佐证")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    objects = ReviewScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "现场整改"
        verbose_name_plural = "现场整改"
        ordering = ["item__order"]
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="one_onsite_fix_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item.code} 现场已整改"


class RiskIdentification(models.Model):
    """One hazardous place, special-operation site or risk point the team identified."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="risks")
    kind = models.CharField("类别", max_length=30, choices=RiskKind.choices)
    name = models.CharField("名称", max_length=200)
    order = models.PositiveSmallIntegerField("序号", default=0)

    objects = ReviewScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "风险辨识"
        verbose_name_plural = "风险辨识"
        ordering = ["kind", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.name}"


class HazardFinding(models.Model):
    """A hidden hazard the team found on site (隐患查改): listed as a 不符合项 of this review
    (which carries its deadline), or rectified on site with evidence files."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="hazards")
    description = models.TextField("隐患描述")
    nonconformity = models.ForeignKey(
        Nonconformity,
        verbose_name="列为不符合项",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hazards",
    )
    rectified_on_site = models.BooleanField("现场已整改", default=False)
    rectification = models.TextField("现场整改情况", blank=True)
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = ReviewScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "隐患"
        verbose_name_plural = "隐患"
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return self.description[:40]


class EvidenceQuerySet(FirmOwnedQuerySet):
    """An agency reads the evidence of the self-assessment its review carries and of its own
    review's nonconformities, nothing else of the firm's."""

    def scope_agency(self, user: Any) -> ScopedQuerySet:
        return self.filter(
            models.Q(self_assessment_line__assessment__review__agency=user.agency_id)
            | models.Q(nonconformity__review__agency=user.agency_id)
            | models.Q(onsite_rectification__review__agency=user.agency_id)
            | models.Q(hazard__review__agency=user.agency_id)
        ).distinct()


class Evidence(models.Model):
    """An uploaded evidence file (pdf, image, office file; type checked by content)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="evidence")
    self_assessment_line = models.ForeignKey(
        SelfAssessmentLine, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    nonconformity = models.ForeignKey(
        Nonconformity, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    # What the review team saw on site: an item or a hazard rectified while it was there.
    onsite_rectification = models.ForeignKey(
        OnsiteRectification,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="files",
    )
    hazard = models.ForeignKey(
        HazardFinding, on_delete=models.CASCADE, null=True, blank=True, related_name="files"
    )
    file = models.FileField("文件", upload_to="evidence/%Y/%m/")
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    # Empty only for files the portal itself recorded (the demo's, written "by the system").
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"

    def __str__(self) -> str:
        return self.original_name


# --- Certificates, revocation and announcements ---------------------------------------------


class Certificate(models.Model):
    """The grade (or 达标) a confirmed review gives, with number and three-year validity."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="certificates"
    )
    review = models.OneToOneField(Review, on_delete=models.PROTECT, related_name="certificate")
    grade = models.CharField("等级", max_length=10, choices=Grade.choices)
    number = models.CharField("证书编号", max_length=50, unique=True)
    issued_on = models.DateField("发证日期")
    valid_until = models.DateField("有效期至")
    issued_by = models.CharField("发证机关", max_length=100, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoke_reason = models.TextField("撤销理由", blank=True)
    revoke_source = models.CharField("撤销依据", max_length=100, blank=True)
    # 暂停: held pending re-review after the city's audit found the result in error.
    suspended_at = models.DateTimeField("暂停时间", null=True, blank=True)
    suspend_reason = models.TextField("暂停原因", blank=True)

    objects = FirmOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "等级证书"
        verbose_name_plural = "等级证书"
        ordering = ["-issued_on"]
        # The certificate list's sort, newest first, read from the index backwards.
        indexes = [models.Index(fields=["issued_on", "number"], name="certificate_issued_number")]

    def __str__(self) -> str:
        return self.number

    def validity_on(self, day: dt.date) -> str:
        """The certificate's standing on ``day``, from its own dates (not from the nightly job's
        last run): 已撤销, 暂停 (pending re-review), 已过期 (past its end date), 已失效 (replaced
        by a later one), 有效."""
        if self.revoked_at:
            return "已撤销"
        if self.suspended_at:
            return "暂停"
        if self.valid_until < day:
            return "已过期"
        if self.enterprise.certificate_no != self.number:
            return "已失效"
        return "有效"

    @property
    def issuer(self) -> str:
        """发证机关: as recorded at issue (older rows: the firm's county's supervisor)."""
        return self.issued_by or self.enterprise.county.supervisor

    @property
    def validity(self) -> str:
        return self.validity_on(timezone.localdate())

    @property
    def is_valid(self) -> bool:
        return self.validity == "有效"


class AnnouncementQuerySet(ScopedQuerySet):
    """A draft is its county's own work; everyone else reads what was published (the city:
    what was reported to it)."""

    county_lookup = "county"

    def scope_city(self, user):
        return self.published()

    def scope_enterprise(self, user):
        return self.filter(
            status=AnnouncementStatus.PUBLISHED, county__enterprises=user.enterprise_id
        )

    def scope_agency(self, user):
        return self.filter(status=AnnouncementStatus.PUBLISHED)

    def published(self):
        return self.filter(status=AnnouncementStatus.PUBLISHED)


class Announcement(VersionedModel):
    """A county's numbered document of confirmed results: a 公示 (open to objection for a
    period, ``objection_until``) and, once that has passed without an open or upheld
    objection, the 公告 (the decision), reported to the city on publication."""

    county = models.ForeignKey(
        County, verbose_name="县市区", on_delete=models.PROTECT, related_name="announcements"
    )
    kind = models.CharField(
        "文件类型",
        max_length=20,
        choices=AnnouncementKind.choices,
        default=AnnouncementKind.ANNOUNCEMENT,
    )
    number = models.CharField("文号", max_length=50, help_text="如：烟安监〔2016〕6号")
    title = models.CharField("标题", max_length=200)
    status = models.CharField(
        "状态", max_length=20, choices=AnnouncementStatus.choices, default=AnnouncementStatus.DRAFT
    )
    objection_until = models.DateField("异议期截止", null=True, blank=True)
    certificates = models.ManyToManyField(
        Certificate, verbose_name="公告企业", related_name="announcements"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        verbose_name = "达标公告"
        verbose_name_plural = "达标公告"
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["county", "number"], name="one_announcement_number")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_publicity(self) -> bool:
        return self.kind == AnnouncementKind.PUBLICITY

    def get_absolute_url(self) -> str:
        return row_url("reviews:announcement_detail", self.pk)


class ObjectionQuerySet(ScopedQuerySet):
    """The issuing county's (and the city's) business; firms and agencies do not see who
    objected."""

    county_lookup = "announcement__county"


class Objection(VersionedModel):
    """异议: an objection to one firm of a 公示, received by the issuing level during the
    objection period and decided by it: upheld (the result goes back for review) or dismissed
    with the reason."""

    announcement = models.ForeignKey(
        Announcement, verbose_name="公示", on_delete=models.PROTECT, related_name="objections"
    )
    certificate = models.ForeignKey(
        Certificate, verbose_name="异议企业", on_delete=models.PROTECT, related_name="objections"
    )
    objector = models.CharField("异议人", max_length=100)
    contact = models.CharField("联系方式", max_length=100, blank=True)
    content = models.TextField("异议内容")
    received_on = models.DateField("收到日期")
    status = models.CharField(
        "处理状态", max_length=20, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    decision = models.TextField("处理意见", blank=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["received_on", "pk"]

    def __str__(self) -> str:
        return f"{self.certificate.enterprise} 异议"


class ResultHold(models.Model):
    """The city holds a county's results of a year (audit error rate >= 30%): they may not be
    announced until the hold is released after a passing re-audit."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="result_holds")
    year = models.PositiveSmallIntegerField("年度")
    reason = models.TextField("原因")
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField("解除时间", null=True, blank=True)

    class Meta:
        verbose_name = "结果暂缓公告"
        verbose_name_plural = "结果暂缓公告"

    def __str__(self) -> str:
        return f"{self.county} {self.year}"
