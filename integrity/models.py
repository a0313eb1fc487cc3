"""Programme integrity (诚信监督): draws anyone can verify, integrity signals, the city's
thresholds for them, and the revocation candidates that accidents raise."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from enterprises.models import Accident, County, Enterprise
from lookback.models import AuditRound, Campaign, SpotCheck
from portal.concurrency import VersionedModel
from portal.links import row_url
from portal.scoping import ScopedQuerySet, SharedQuerySet
from reviews.models import Certificate, Expert, Review, ReviewAgency

# --- 公开可验证的随机抽取 ----------------------------------------------------------------------


class Draw(VersionedModel):
    """One random draw: the population frozen (with its digest) before the public value that
    seeds it exists; then the value, the seed and the result. Every draw is public."""

    class Kind(models.TextChoices):
        AUDIT = "audit", "抽查审核样本（不低于10%）"
        SPOT_CHECK = "spot_check", "回头看抽查企业（每县市区3-5家）"
        EXPERTS = "experts", "回头看抽查专家"

    class Status(models.TextChoices):
        FROZEN = "frozen", "总体已冻结，待录入公开随机数"
        DRAWN = "drawn", "已抽取"
        PUBLISHED = "published", "已抽取，检查结果已公开"
        SUPERSEDED = "superseded", "已被重新抽取替代"

    number = models.CharField("抽取编号", max_length=20, unique=True)
    kind = models.CharField("抽取类型", max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("年度")
    county = models.ForeignKey(
        County, verbose_name="县市区", on_delete=models.PROTECT, null=True, blank=True
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name="回头看活动", on_delete=models.PROTECT, null=True, blank=True
    )
    spot_check = models.ForeignKey(
        SpotCheck,
        verbose_name="回头看抽查",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    audit_round = models.ForeignKey(
        AuditRound,
        verbose_name="抽查审核",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rule = models.TextField("总体与抽取规则")
    members = models.JSONField("抽取总体")
    quotas = models.JSONField("各层应抽数量")
    # 回头看抽查: how many of each county's firms the city chose to draw from the stratum with
    # findings (None: that stratum first); kept so that a redraw draws the same way.
    with_findings = models.PositiveSmallIntegerField(
        "每县市区从第1层抽取家数", null=True, blank=True
    )
    digest = models.CharField("总体摘要（SHA-256）", max_length=64)
    algorithm_version = models.PositiveSmallIntegerField("算法版本", default=1)
    public_value_source = models.CharField(
        "公开随机数来源", max_length=200, help_text="如：中国福利彩票双色球开奖号码"
    )
    public_value_date = models.DateField("公开随机数产生日期")
    public_value = models.CharField("公开随机数", max_length=200, blank=True)
    seed = models.CharField("随机种子（SHA-256）", max_length=64, blank=True)
    result = models.JSONField("抽取结果", default=list, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.FROZEN)
    replaces = models.OneToOneField(
        "self",
        verbose_name="替代的抽取",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
    )
    reason = models.TextField("重新抽取理由", blank=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    frozen_at = models.DateTimeField("冻结时间", auto_now_add=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    published_at = models.DateTimeField("结果公开时间", null=True, blank=True)

    objects = SharedQuerySet.as_manager()  # public to everyone, signed in or not

    class Meta:
        verbose_name = "随机抽取"
        verbose_name_plural = "随机抽取"
        ordering = ["-year", "-number"]

    def __str__(self) -> str:
        return f"抽取编号 {self.number}"

    def get_absolute_url(self) -> str:
        return row_url("integrity:draw_detail", self.pk)

    def get_public_url(self) -> str:
        return reverse("integrity:public_draw", args=[self.number])

    @property
    def drawn_members(self) -> list[dict]:
        by_code = {m["code"]: m for m in self.members}
        return [by_code[code] for code in self.result if code in by_code]

    @property
    def size(self) -> int:
        return sum(int(n) for n in self.quotas.values())


# --- 城市设置（诚信预警的阈值） ---------------------------------------------------------------


class IntegritySettings(VersionedModel):
    """The city's thresholds for the integrity signals: one row, every change in the history."""

    feasible_review_days = models.PositiveSmallIntegerField(
        "每名专家每年可行的现场评审天数上限", default=120
    )
    min_onsite_days_large = models.PositiveSmallIntegerField("大型企业最少现场评审天数", default=3)
    min_onsite_days_medium = models.PositiveSmallIntegerField("中型企业最少现场评审天数", default=2)
    min_onsite_days_small = models.PositiveSmallIntegerField("小型企业最少现场评审天数", default=1)
    min_onsite_days_micro = models.PositiveSmallIntegerField("微型企业最少现场评审天数", default=1)
    min_reviews = models.PositiveSmallIntegerField(
        "机构比较的最少评审数", default=10, help_text="评审数少于此数的机构不作离群判断，避免误报"
    )
    outlier_z = models.DecimalField(
        "离群判断的 z 值",
        max_digits=4,
        decimal_places=2,
        default=2.58,
        help_text="2.58 约相当于单侧 0.5% 的显著性",
    )
    fee_ratio = models.DecimalField(
        "收费偏离倍数",
        max_digits=4,
        decimal_places=1,
        default=2,
        help_text="高于同县同规模中位数的此倍数（或低于其几分之一）即预警",
    )
    fee_min_group = models.PositiveSmallIntegerField("收费比较的最少评审数", default=5)
    failure_rate = models.DecimalField(
        "机构通过企业后续不合格率上限", max_digits=4, decimal_places=2, default=0.2
    )
    copy_min_deductions = models.PositiveSmallIntegerField(
        "雷同评分的最少扣分项数", default=3, help_text="扣分项完全相同且不少于此数才视为雷同"
    )

    objects = SharedQuerySet.as_manager()

    class Meta:
        verbose_name = "诚信预警设置"
        verbose_name_plural = "诚信预警设置"

    def __str__(self) -> str:
        return "诚信预警设置"

    def min_onsite_days(self, size: str) -> int:
        return getattr(self, f"min_onsite_days_{size}", 1)


# --- 诚信预警 ----------------------------------------------------------------------------------


class SignalQuerySet(ScopedQuerySet):
    """A county sees the signals about its own firms and about agencies that reviewed there."""

    def scope_county(self, user):
        return self.filter(Q(county=user.county_id) | Q(counties=user.county_id)).distinct()


class Signal(VersionedModel):
    """One integrity signal: what raised it, the objects, a score to rank by, the decision."""

    class Kind(models.TextChoices):
        AGENCY_OUTLIER = "agency_outlier", "机构通过率或平均分离群"
        COPIED_REVIEW = "copied_review", "评审扣分雷同"
        RUBBER_STAMP = "rubber_stamp", "评审照抄自评"
        SCORE_GAP = "score_gap", "评审得分远高于自评"
        EXPERT_OVERLAP = "expert_overlap", "专家同时在两地评审"
        EXPERT_OVERLOAD = "expert_overload", "专家年度评审天数超出可行上限"
        SHORT_ONSITE = "short_onsite", "现场评审时间不足"
        CLEAN_PASS = "clean_pass", "通过评审却未发现任何问题"
        AGENCY_FAILURES = "agency_failures", "机构通过的企业后续不合格"
        FEE_OUTLIER = "fee_outlier", "评审收费明显偏离"

    class Status(models.TextChoices):
        OPEN = "open", "待核实"
        EXPLAINED = "explained", "已说明，不予处理"
        CONFIRMED = "confirmed", "已确认并处理"

    class Action(models.TextChoices):
        WARN_AGENCY = "warn_agency", "警告评审机构"
        RE_REVIEW = "re_review", "重新评审"
        REVOCATION = "revocation", "列入撤销候选"

    kind = models.CharField("预警类型", max_length=30, choices=Kind.choices)
    key = models.CharField(max_length=100)  # what makes the signal the same one next night
    score = models.DecimalField("预警分值", max_digits=8, decimal_places=2)
    summary = models.CharField("预警摘要", max_length=300)
    evidence = models.JSONField("依据", default=list)
    county = models.ForeignKey(
        County, verbose_name="县市区", on_delete=models.PROTECT, null=True, blank=True
    )
    counties = models.ManyToManyField(County, related_name="+", blank=True)
    agency = models.ForeignKey(
        ReviewAgency, verbose_name="评审机构", on_delete=models.PROTECT, null=True, blank=True
    )
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, null=True, blank=True
    )
    review = models.ForeignKey(
        Review, verbose_name="评审", on_delete=models.PROTECT, null=True, blank=True
    )
    other_review = models.ForeignKey(
        Review,
        verbose_name="相关评审",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    expert = models.ForeignKey(
        Expert, verbose_name="专家", on_delete=models.PROTECT, null=True, blank=True
    )
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPEN)
    action = models.CharField("处理措施", max_length=20, choices=Action.choices, blank=True)
    note = models.TextField("核实说明", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    raised_at = models.DateTimeField("首次预警时间", auto_now_add=True)
    seen_at = models.DateTimeField("最近一次计算时间")

    objects = SignalQuerySet.as_manager()

    class Meta:
        verbose_name = "诚信预警"
        verbose_name_plural = "诚信预警"
        ordering = ["-score", "-raised_at"]
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="one_signal_per_key")]
        indexes = [models.Index(fields=["status", "-score"], name="signal_rank")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.summary}"

    def get_absolute_url(self) -> str:
        return row_url("integrity:signal_detail", self.pk)


# --- 事故引发的撤销候选 ------------------------------------------------------------------------


class CandidateQuerySet(ScopedQuerySet):
    county_lookup = "enterprise__county"
    enterprise_lookup = "enterprise"


class RevocationCandidate(VersionedModel):
    """An accident with a death, or a 较大 accident or worse, at a firm holding a grade (or a
    confirmed signal whose action is a revocation candidate): the level that issued the grade
    decides to revoke it or keep it, with a reason."""

    class Status(models.TextChoices):
        OPEN = "open", "待决定"
        REVOKED = "revoked", "已撤销等级"
        KEPT = "kept", "保留等级"

    class Level(models.TextChoices):
        COUNTY = "county", "县级（三级、小微企业达标）"
        CITY = "city", "市级（一级、二级）"

    accident = models.OneToOneField(
        Accident, verbose_name="事故", on_delete=models.PROTECT, null=True, blank=True
    )
    signal = models.OneToOneField(
        Signal, verbose_name="诚信预警", on_delete=models.PROTECT, null=True, blank=True
    )
    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", on_delete=models.PROTECT)
    certificate = models.ForeignKey(Certificate, verbose_name="等级证书", on_delete=models.PROTECT)
    level = models.CharField("决定层级", max_length=10, choices=Level.choices)
    why = models.CharField("列入原因", max_length=200)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    reason = models.TextField("决定理由", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    created_at = models.DateTimeField("列入时间", auto_now_add=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        verbose_name = "撤销候选"
        verbose_name_plural = "撤销候选"
        ordering = ["status", "-created_at"]

    def __str__(self) -> str:
        return f"{self.enterprise} 撤销候选"

    def get_absolute_url(self) -> str:
        return row_url("integrity:candidate_detail", self.pk)


__all__ = [
    "Draw",
    "IntegritySettings",
    "RevocationCandidate",
    "Signal",
]
