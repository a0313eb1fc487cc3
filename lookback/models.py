"""The city's audit of the counties' results (抽查审核) and the look-back campaign (回头看).

The random draws behind the audit sample and the spot-checks are the integrity app's: each
round keeps the number of the public draw that chose its firms."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from enterprises.choices import Grade
from enterprises.models import County, Enterprise
from portal.concurrency import VersionedModel
from portal.links import row_url
from portal.scoping import CountyOwnedQuerySet, ScopedQuerySet, SharedQuerySet


class AuditRound(VersionedModel):
    """The city's audit of one county's passes in one year: a sample of at least 10%."""

    class Status(models.TextChoices):
        OPEN = "open", "审核中"
        CLOSED = "closed", "已完成"

    county = models.ForeignKey(
        County, verbose_name="县市区", on_delete=models.PROTECT, related_name="audit_rounds"
    )
    year = models.PositiveSmallIntegerField("年度")
    tolerance = models.DecimalField("分数误差容限", max_digits=5, decimal_places=1)
    # The public draw (integrity) that chose the sample: its number opens the verification page.
    draw_number = models.CharField("抽取编号", max_length=20, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    is_re_audit = models.BooleanField("再次审核", default=False)
    sampled = models.PositiveIntegerField("抽查数", default=0)
    in_error = models.PositiveIntegerField("误差企业数", default=0)
    error_rate = models.DecimalField(
        "误差率", max_digits=5, decimal_places=4, null=True, blank=True
    )
    requires_re_review = models.BooleanField("须重新评审", default=False)
    hold = models.ForeignKey(
        "reviews.ResultHold",
        verbose_name="暂缓公告",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_rounds",
        help_text="再次审核所要解除的暂缓公告，或本轮审核不合格时作出的暂缓公告",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    closed_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = CountyOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "抽查审核"
        verbose_name_plural = "抽查审核"
        ordering = ["-year", "county__sort_order", "-created_at"]

    def __str__(self) -> str:
        return f"{self.year}年 {self.county} 抽查审核"

    def get_absolute_url(self) -> str:
        return row_url("lookback:audit_detail", self.pk)


class AuditFindingQuerySet(ScopedQuerySet):
    county_lookup = "audit__county"


class AuditFinding(models.Model):
    """One sampled firm: the reported result against the audit's own."""

    audit = models.ForeignKey(AuditRound, on_delete=models.CASCADE, related_name="findings")
    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", on_delete=models.PROTECT)
    reported_result = models.CharField("上报结论", max_length=10, choices=Grade.choices)
    reported_score = models.DecimalField(
        "上报得分", max_digits=6, decimal_places=1, null=True, blank=True
    )
    audited_result = models.CharField(
        "审核结论", max_length=10, choices=Grade.choices, blank=True, help_text="留空表示未达标"
    )
    audited_score = models.DecimalField(
        "审核得分", max_digits=6, decimal_places=1, null=True, blank=True
    )
    recorded = models.BooleanField("已录入", default=False)
    in_error = models.BooleanField("存在误差", default=False)
    note = models.TextField("审核意见", blank=True)
    recorded_at = models.DateTimeField("录入时间", null=True, blank=True)
    # The agency whose review gave the reported result: an error counts against it.
    agency = models.ForeignKey(
        "reviews.ReviewAgency",
        verbose_name="评审机构",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_findings",
    )

    objects = AuditFindingQuerySet.as_manager()

    class Meta:
        verbose_name = "审核结果"
        verbose_name_plural = "审核结果"
        ordering = ["enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "enterprise"], name="one_finding_per_firm")
        ]

    def __str__(self) -> str:
        return f"{self.audit} {self.enterprise}"


# --- The look-back campaign (回头看) ---------------------------------------------------------


class Campaign(models.Model):
    """One year's look-back campaign with its three phase deadlines."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    self_check_deadline = models.DateField("自查自纠截止")
    summary_deadline = models.DateField("总结截止")
    spot_check_deadline = models.DateField("抽查截止")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SharedQuerySet.as_manager()  # the city's, read by all

    class Meta:
        verbose_name = "回头看活动"
        verbose_name_plural = "回头看活动"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年“回头看”活动"

    def get_absolute_url(self) -> str:
        return row_url("lookback:campaign_detail", self.pk)

    def deadline_of(self, phase: str):
        return getattr(self, f"{phase}_deadline")


class PhaseReopening(models.Model):
    """The city reopens a closed phase of a campaign for one county, until a date, with a
    reason: input of that county is accepted again until then."""

    class Phase(models.TextChoices):
        SELF_CHECK = "self_check", "自查自纠"
        SUMMARY = "summary", "总结"
        SPOT_CHECK = "spot_check", "抽查"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="reopenings")
    county = models.ForeignKey(County, verbose_name="县市区", on_delete=models.PROTECT)
    phase = models.CharField("阶段", max_length=20, choices=Phase.choices)
    until = models.DateField("开放至")
    reason = models.TextField("重新开放理由")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("开放时间", auto_now_add=True)

    objects = CountyOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "回头看阶段重新开放"
        verbose_name_plural = "回头看阶段重新开放"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.campaign} {self.county} {self.get_phase_display()}阶段重新开放"


class SelfCheckQuerySet(ScopedQuerySet):
    county_lookup = "enterprise__county"
    enterprise_lookup = "enterprise"


class SelfCheck(models.Model):
    """自查自纠 of one passed firm (by the firm itself, or by the county's inspection) on the
    notice's three points."""

    class Method(models.TextChoices):
        SELF = "self", "企业自查自纠"
        GOVERNMENT = "government", "政府组织排查"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="self_checks")
    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", on_delete=models.PROTECT)
    method = models.CharField("方式", max_length=20, choices=Method.choices)
    system_built = models.BooleanField("安全生产管理体系已建立")
    runs_daily = models.BooleanField("日常管理工作正常运行")
    agency_performed = models.BooleanField("评审机构评审中认真履职")
    problems = models.TextField("发现的问题", blank=True)
    rectification = models.TextField("整改措施", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField("填报时间", auto_now=True)

    objects = SelfCheckQuerySet.as_manager()

    class Meta:
        verbose_name = "自查自纠"
        verbose_name_plural = "自查自纠"
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "enterprise", "method"], name="one_self_check_per_method"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.get_method_display()}"

    @property
    def all_good(self) -> bool:
        return self.system_built and self.runs_daily and self.agency_performed


# Whether the city has cited a county's rating in a decision on the agency's standing (the
# rating machine moves it). A rating never moves the standing itself.
PENDING, DECIDED = False, True
DECISION_CHOICES = [(PENDING, "待市局研究"), (DECIDED, "已纳入市局决定")]


class AgencyRating(models.Model):
    """总结阶段: a county's rating of an agency's performance. Every rating is kept: a county
    that rates again adds a rating (``sequence`` 2, 3, …) beside the earlier ones. The city's
    decisions on the standing cite the ratings they rest on (``decisions``)."""

    class Rating(models.TextChoices):
        GOOD = "good", "履职良好"
        WARNING = "warning", "警告，限期整改（重收费、轻服务）"
        REMOVAL = "removal", "建议清除（屡改屡犯、弄虚作假）"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="ratings")
    county = models.ForeignKey(County, verbose_name="县市区", on_delete=models.PROTECT)
    agency = models.ForeignKey(
        "reviews.ReviewAgency", verbose_name="评审机构", on_delete=models.PROTECT
    )
    rating = models.CharField("考评结果", max_length=20, choices=Rating.choices)
    reason = models.TextField("考评意见")
    rectify_by = models.DateField("建议整改期限", null=True, blank=True)
    sequence = models.PositiveSmallIntegerField("第几次考评", default=1)
    decided = models.BooleanField("市局处理", default=False, choices=DECISION_CHOICES)
    decisions = models.ManyToManyField(
        "reviews.StandingDecision", verbose_name="所依据的名单决定", related_name="ratings"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("考评时间", auto_now_add=True)

    objects = CountyOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "评审机构考评"
        verbose_name_plural = "评审机构考评"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # A double click (or three at once) records one rating; a later one is the next.
            models.UniqueConstraint(
                fields=["campaign", "county", "agency", "sequence"],
                name="one_rating_per_county_agency_sequence",
            )
        ]

    def __str__(self) -> str:
        return f"{self.county} 对 {self.agency} 的考评"

    def clean(self) -> None:
        if self.rating == self.Rating.WARNING and self.rectify_by is None:
            raise ValidationError({"rectify_by": "警告须同时给出整改期限"})


class SpotCheck(models.Model):
    """抽查阶段: the city's random draw of 3-5 passed firms of one county."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="spot_checks")
    county = models.ForeignKey(County, verbose_name="县市区", on_delete=models.PROTECT)
    draw_number = models.CharField("抽取编号", max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CountyOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "回头看抽查"
        verbose_name_plural = "回头看抽查"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "county"], name="one_spot_check_per_county")
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.county} 抽查"


class SpotCheckOutcomeQuerySet(ScopedQuerySet):
    county_lookup = "spot_check__county"
    enterprise_lookup = "enterprise"


class SpotCheckOutcome(models.Model):
    """The experts' finding on one drawn firm."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "待检查"
        PASSES = "passes", "合格"
        RECTIFY = "rectify", "限期整改"
        PUNISHED = "punished", "依法查处"
        REVOKED = "revoked", "撤销标准化等级"

    spot_check = models.ForeignKey(SpotCheck, on_delete=models.CASCADE, related_name="outcomes")
    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", on_delete=models.PROTECT)
    outcome = models.CharField(
        "检查结论", max_length=20, choices=Outcome.choices, default=Outcome.PENDING
    )
    rectify_by = models.DateField("整改期限", null=True, blank=True)
    experts = models.CharField("检查专家", max_length=200, blank=True)
    note = models.TextField("检查情况", blank=True)
    recorded_at = models.DateTimeField("录入时间", null=True, blank=True)

    objects = SpotCheckOutcomeQuerySet.as_manager()

    class Meta:
        verbose_name = "抽查结论"
        verbose_name_plural = "抽查结论"
        ordering = ["enterprise__name"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.get_outcome_display()}"
