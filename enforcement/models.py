"""Enforcement (执法推进): firms refusing to standardize, the cases opened against them, the
inspections on the notice's five points, violations with their legal basis, orders to correct
and penalty decisions at the upper limit, and the follow-up inspection."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from enterprises.models import Enterprise
from portal.concurrency import VersionedModel
from portal.links import row_url
from portal.scoping import ScopedQuerySet, SharedQuerySet

from . import rules
from .choices import CaseStatus, CheckPoint, Finding, FollowUpResult

MONEY = {"max_digits": 12, "decimal_places": 2}


class GovernmentQuerySet(ScopedQuerySet):
    """Rows about a firm kept by the governments: its county and the city read them."""

    county_lookup = "enterprise__county"


class LegalBasis(models.Model):
    """One provision of the table of violations the city keeps (违法行为及处罚依据): what it
    forbids, the penalty range, and what follows when the order to correct is not obeyed."""

    code = models.CharField("编号", max_length=30, unique=True)
    law = models.CharField("法律法规", max_length=100)
    article = models.CharField("条款", max_length=50)
    forbids = models.TextField("违法行为")
    point = models.CharField("对应检查事项", max_length=30, choices=CheckPoint.choices, blank=True)
    penalty = models.TextField("处罚规定")
    fine_max = models.DecimalField("首次罚款上限（元）", **MONEY)
    escalation = models.TextField("逾期未改正的处理", blank=True)
    escalated_fine_max = models.DecimalField(
        "逾期未改正罚款上限（元）", **MONEY, null=True, blank=True
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("适用", default=True)

    objects = SharedQuerySet.as_manager()

    class Meta:
        verbose_name = "违法行为及处罚依据"
        verbose_name_plural = "违法行为及处罚依据"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"《{self.law}》{self.article}"


class Refusal(models.Model):
    """拒不创建: a county records that a listed firm refuses to standardize, with the notice it
    served and the firm's answer. The firm leaves the refusers list when it starts a
    self-assessment after the notice (``selectors.refusers``: by query, no flag to keep)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="refusals"
    )
    notice_no = models.CharField("告知书文号", max_length=60)
    served_on = models.DateField("送达日期")
    firm_answer = models.TextField("企业答复", help_text="企业拒绝创建的书面或口头答复")
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = GovernmentQuerySet.as_manager()

    class Meta:
        verbose_name = "拒不创建企业"
        verbose_name_plural = "拒不创建企业"
        ordering = ["-served_on"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "served_on"], name="one_refusal_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.enterprise}（拒不创建）"


class Case(VersionedModel):
    """执法案件: 立案 → 检查 → 责令改正 → 处罚决定 → 复查 → 结案 (``workflows.CASE``)."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="enforcement_cases"
    )
    refusal = models.ForeignKey(
        Refusal, verbose_name="拒不创建登记", on_delete=models.PROTECT, null=True, blank=True,
        related_name="cases",
    )  # fmt: skip
    number = models.CharField("立案编号", max_length=60, unique=True)
    opened_on = models.DateField("立案日期")
    cause = models.CharField("案由", max_length=200)
    status = models.CharField(
        "状态", max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPENED
    )
    order_no = models.CharField("责令限期整改指令书文号", max_length=60, blank=True)
    ordered_on = models.DateField("责令改正日期", null=True, blank=True)
    rectify_by = models.DateField("整改期限", null=True, blank=True)
    followed_up_on = models.DateField("复查日期", null=True, blank=True)
    follow_up_result = models.CharField(
        "复查结论", max_length=20, choices=FollowUpResult.choices, blank=True
    )
    follow_up_note = models.TextField("复查情况", blank=True)
    closed_on = models.DateField("结案日期", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = GovernmentQuerySet.as_manager()

    class Meta:
        verbose_name = "执法案件"
        verbose_name_plural = "执法案件"
        ordering = ["-opened_on", "-pk"]
        indexes = [models.Index(fields=["status", "rectify_by"])]

    def __str__(self) -> str:
        return f"{self.number} {self.enterprise}"

    def get_absolute_url(self) -> str:
        return row_url("enforcement:case_detail", self.pk)

    def clean(self) -> None:
        if self.status == CaseStatus.ORDERED and not (self.rectify_by and self.ordered_on):
            raise ValidationError({"rectify_by": "责令改正须给出整改期限"})
        if self.rectify_by and self.ordered_on and self.rectify_by <= self.ordered_on:
            raise ValidationError({"rectify_by": "整改期限须晚于责令改正日期"})

    def fine_upper_limit(self) -> Decimal:
        """The upper limit of the fine for this case's violations (``rules.upper_limit``)."""
        bases = LegalBasis.objects.filter(violations__case=self).distinct()
        return rules.upper_limit(bases.values_list("fine_max", flat=True))

    def escalated_fine_upper_limit(self) -> Decimal:
        """The limit when the order is not obeyed: the provisions' escalation limits (a
        provision without one keeps its first limit)."""
        bases = LegalBasis.objects.filter(violations__case=self).distinct()
        return rules.upper_limit(b.escalated_fine_max or b.fine_max for b in bases)

    @property
    def needs_escalated_decision(self) -> bool:
        """``awaiting_second_decision`` for this case (no query unless it was escalated)."""
        return (
            self.follow_up_result == FollowUpResult.ESCALATED
            and Case.objects.filter(awaiting_second_decision(), pk=self.pk).exists()
        )


def awaiting_second_decision() -> models.Q:
    """Escalated at the follow-up and the second penalty decision not yet made: the machine's
    conditions ask it of one case, the case list of every shown row in its one query."""
    made = EscalatedDecision.objects.filter(case=models.OuterRef("pk"))
    return models.Q(follow_up_result=FollowUpResult.ESCALATED) & ~models.Q(models.Exists(made))


class InspectionQuerySet(ScopedQuerySet):
    county_lookup = "case__enterprise__county"


class Inspection(models.Model):
    """现场检查 of a case's firm on the five points, by two or more inspectors."""

    case = models.OneToOneField(
        Case, verbose_name="执法案件", on_delete=models.PROTECT, related_name="inspection"
    )
    inspected_on = models.DateField("检查日期")
    place = models.CharField("检查地点", max_length=200)
    firm_present = models.CharField("企业在场人员", max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = "现场检查记录"
        verbose_name_plural = "现场检查记录"

    def __str__(self) -> str:
        return f"{self.case.enterprise} 现场检查记录"

    def get_absolute_url(self) -> str:
        return row_url("enforcement:inspection_print", self.pk)


class Inspector(models.Model):
    """One law-enforcement officer on an inspection, with the certificate number shown."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="inspectors")
    name = models.CharField("执法人员", max_length=50)
    certificate_no = models.CharField("执法证号", max_length=50)

    class Meta:
        verbose_name = "执法人员"
        verbose_name_plural = "执法人员"
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "certificate_no"], name="one_inspector_per_certificate"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.certificate_no}）"


class PointFinding(models.Model):
    """The finding on one of the five points, with its evidence."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    point = models.CharField("检查事项", max_length=30, choices=CheckPoint.choices)
    finding = models.CharField("检查结论", max_length=20, choices=Finding.choices)
    evidence = models.TextField("检查情况及证据")

    class Meta:
        verbose_name = "检查事项结论"
        verbose_name_plural = "检查事项结论"
        constraints = [
            models.UniqueConstraint(fields=["inspection", "point"], name="one_finding_per_point")
        ]

    def __str__(self) -> str:
        return f"{self.get_point_display()}：{self.get_finding_display()}"


class ViolationQuerySet(ScopedQuerySet):
    county_lookup = "case__enterprise__county"


class Violation(models.Model):
    """A violation found, citing its provision in the table of violations."""

    case = models.ForeignKey(
        Case, verbose_name="执法案件", on_delete=models.CASCADE, related_name="violations"
    )
    basis = models.ForeignKey(
        LegalBasis, verbose_name="违法行为及处罚依据", on_delete=models.PROTECT,
        related_name="violations",
    )  # fmt: skip
    facts = models.TextField("违法事实")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = ViolationQuerySet.as_manager()

    class Meta:
        verbose_name = "违法行为"
        verbose_name_plural = "违法行为"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.basis}：{self.facts[:30]}"


class PenaltyDecision(models.Model):
    """行政处罚决定: number, date and fine. The fine defaults to the upper limit of the
    violations' provisions; a lower fine is refused without a recorded reason."""

    case = models.OneToOneField(
        Case, verbose_name="执法案件", on_delete=models.PROTECT, related_name="decision"
    )
    number = models.CharField("处罚决定书文号", max_length=60, unique=True)
    decided_on = models.DateField("决定日期")
    amount = models.DecimalField("罚款金额（元）", **MONEY)
    upper_limit = models.DecimalField("规定上限（元）", **MONEY)
    below_limit_reason = models.TextField("低于上限的理由", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = "行政处罚决定"
        verbose_name_plural = "行政处罚决定"

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        problems = rules.penalty_problems(self.amount, self.upper_limit, self.below_limit_reason)
        if problems:
            raise ValidationError(problems)

    @property
    def at_upper_limit(self) -> bool:
        return self.amount == self.upper_limit


class EscalatedDecision(models.Model):
    """逾期未改正的加重处罚决定: at the follow-up of an escalated case, a second decision whose
    fine defaults to the escalation upper limit of the table; a lower fine needs a reason."""

    case = models.OneToOneField(
        Case, verbose_name="执法案件", on_delete=models.PROTECT, related_name="escalated_decision"
    )
    number = models.CharField("加重处罚决定书文号", max_length=60, unique=True)
    decided_on = models.DateField("决定日期")
    amount = models.DecimalField("罚款金额（元）", **MONEY)
    upper_limit = models.DecimalField("逾期未改正罚款上限（元）", **MONEY)
    below_limit_reason = models.TextField("低于上限的理由", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = "加重处罚决定"
        verbose_name_plural = "加重处罚决定"

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        problems = rules.penalty_problems(self.amount, self.upper_limit, self.below_limit_reason)
        if problems:
            raise ValidationError(problems)

    @property
    def at_upper_limit(self) -> bool:
        return self.amount == self.upper_limit
