"""Goals and targets, submissions with deadlines, reminders sent once, weekly progress
snapshots and the yearly evaluation of the counties (年终考核)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from enterprises.models import County
from portal.audit import chinese_date
from portal.concurrency import VersionedModel
from portal.links import row_url
from portal.scoping import CountyOwnedQuerySet, ScopedQuerySet

from .choices import OWED_STATUSES, SubmissionStatus, TargetStatus


class CityScopedQuerySet(ScopedQuerySet):
    """City-wide rows every county reads (goals, kinds, deadlines, snapshots)."""

    def scope_county(self, user):
        return self.all()


class CityGoal(models.Model):
    """The city's goal: by ``due_on``, ``pass_percent`` of the small/micro firms on the lists
    pass (the notice: 50% by the end of 2016, all by the end of 2017)."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    due_on = models.DateField("完成日期")
    pass_percent = models.PositiveSmallIntegerField("达标率目标（%）")
    firms_total = models.PositiveIntegerField("小微企业总数", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    objects = CityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "全市年度目标"
        verbose_name_plural = "全市年度目标"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}年：{chinese_date(self.due_on)}前达标率{self.pass_percent}%"


class CountyTarget(VersionedModel):
    """A county's target for a year: firms on its list and the milestones of its timetable.

    Entered by county staff, then submitted; the city accepts (locked) or returns it."""

    county = models.ForeignKey(
        County, verbose_name="县市区", on_delete=models.PROTECT, related_name="targets"
    )
    year = models.PositiveSmallIntegerField("年度")
    listed_count = models.PositiveIntegerField("纳入创建名单企业数", default=0)
    status = models.CharField(
        "状态", max_length=12, choices=TargetStatus.choices, default=TargetStatus.DRAFT
    )
    return_reason = models.TextField("退回原因", blank=True)
    shortfall_explanation = models.TextField(
        "低于最低目标的说明",
        blank=True,
        help_text="年底累计达标数低于全市目标折算的本地最低数时，须说明原因",
    )
    accept_reason = models.TextField("审定理由", blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    decided_at = models.DateTimeField("审定时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = CountyOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "县市区年度目标"
        verbose_name_plural = "县市区年度目标"
        ordering = ["year", "county__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["county", "year"], name="one_target_per_county_year")
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.year}年目标"

    def get_absolute_url(self) -> str:
        return row_url("reports:target_detail", self.pk)

    @property
    def year_target(self) -> int:
        """Firms to pass by the year's last milestone."""
        counts = [m.passed_count for m in self.milestones.all()]
        return max(counts) if counts else 0


class TargetMilestone(models.Model):
    """One step of a county's timetable: by ``due_on``, ``passed_count`` firms passed."""

    target = models.ForeignKey(
        CountyTarget, verbose_name="目标", on_delete=models.CASCADE, related_name="milestones"
    )
    due_on = models.DateField("时间节点")
    passed_count = models.PositiveIntegerField("累计达标企业数")

    class Meta:
        verbose_name = "时间节点"
        verbose_name_plural = "时间节点"
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(fields=["target", "due_on"], name="one_milestone_per_day")
        ]

    def __str__(self) -> str:
        return f"{chinese_date(self.due_on)} 累计 {self.passed_count} 家"


class SubmissionKind(models.Model):
    """A kind of document the counties submit, with its default yearly deadline."""

    code = models.CharField("代码", max_length=30, unique=True)
    name = models.CharField("材料名称", max_length=100)
    default_month = models.PositiveSmallIntegerField("默认截止月")
    default_day = models.PositiveSmallIntegerField("默认截止日")
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    objects = CityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "上报材料种类"
        verbose_name_plural = "上报材料种类"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    def default_due_on(self, year: int) -> dt.date:
        return dt.date(year, self.default_month, self.default_day)


class SubmissionDeadline(models.Model):
    """A kind's deadline in one year (defaults to the kind's month and day)."""

    kind = models.ForeignKey(
        SubmissionKind, verbose_name="材料种类", on_delete=models.PROTECT, related_name="deadlines"
    )
    year = models.PositiveSmallIntegerField("年度")
    due_on = models.DateField("截止日期")

    objects = CityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "上报截止日期"
        verbose_name_plural = "上报截止日期"
        ordering = ["year", "due_on", "kind__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="one_deadline_per_kind_year")
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.kind}（{self.due_on.month}月{self.due_on.day}日前）"

    @property
    def closes_at(self) -> dt.datetime:
        """The moment the deadline passes: the end of ``due_on`` in the portal's time zone."""
        next_day = self.due_on + dt.timedelta(days=1)
        return timezone.make_aware(dt.datetime.combine(next_day, dt.time()))


def submission_upload_to(instance: Submission, filename: str) -> str:
    return f"submissions/{instance.deadline.year}/{instance.county_id}/{filename}"


class Submission(VersionedModel):
    """One county's document for one deadline. A row exists for every county and deadline
    from the start (status 未上报), so the grid and the reminders read rows, not gaps."""

    deadline = models.ForeignKey(
        SubmissionDeadline,
        verbose_name="截止日期",
        on_delete=models.PROTECT,
        related_name="submissions",
    )
    county = models.ForeignKey(
        County, verbose_name="县市区", on_delete=models.PROTECT, related_name="submissions"
    )
    status = models.CharField(
        "状态",
        max_length=16,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.NOT_SUBMITTED,
        db_index=True,
    )
    document = models.FileField("材料文件", upload_to=submission_upload_to, blank=True)
    original_name = models.CharField("文件名", max_length=200, blank=True)
    submitted_at = models.DateTimeField("上报时间", null=True, blank=True)
    is_late = models.BooleanField("逾期", default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    city_comment = models.TextField("市局意见", blank=True)

    objects = CountyOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "上报材料"
        verbose_name_plural = "上报材料"
        ordering = ["deadline__due_on", "county__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "county"], name="one_submission_per_county_deadline"
            )
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.deadline}"

    def get_absolute_url(self) -> str:
        return row_url("reports:submission_detail", self.pk)

    @property
    def is_overdue(self) -> bool:
        """Still owed after its deadline has passed (the county's work page says so in red)."""
        return self.status in OWED_STATUSES and timezone.now() >= self.deadline.closes_at


class Reminder(models.Model):
    """A reminder that was sent, under its key (object, recipient, kind, due date).

    The unique key is the exactly-once guarantee: the job inserts keys with ON CONFLICT DO
    NOTHING under its own ``run_token`` and sends only the rows that carry it, so a second run
    or a second worker finds the key taken and sends nothing."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField("类型", max_length=40)
    due_on = models.DateField("到期日期")
    sent_on = models.DateField("提醒日期")
    run_token = models.CharField(max_length=36, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "已发提醒"
        verbose_name_plural = "已发提醒"
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "recipient", "kind", "due_on"],
                name="reminder_sent_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.due_on} → {self.recipient_id}"


class ProgressSnapshot(models.Model):
    """The weekly progress report of every county, as of ``taken_on`` (a dated snapshot)."""

    year = models.PositiveSmallIntegerField("年度")
    taken_on = models.DateField("统计日期")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    workbook = models.FileField("Excel 文件", upload_to="progress/", blank=True)

    objects = CityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "进度快照"
        verbose_name_plural = "进度快照"
        ordering = ["-taken_on"]
        constraints = [
            models.UniqueConstraint(fields=["year", "taken_on"], name="one_snapshot_per_day")
        ]

    def __str__(self) -> str:
        return f"{chinese_date(self.taken_on)} 进度通报"

    def get_absolute_url(self) -> str:
        return row_url("reports:bulletin", self.pk)


class ProgressRow(models.Model):
    """One county's figures in a snapshot."""

    snapshot = models.ForeignKey(ProgressSnapshot, on_delete=models.CASCADE, related_name="rows")
    county = models.ForeignKey(County, verbose_name="县市区", on_delete=models.PROTECT)
    listed = models.PositiveIntegerField("纳入名单", default=0)
    self_assessed = models.PositiveIntegerField("已开展自评", default=0)
    applied = models.PositiveIntegerField("已申请评审", default=0)
    under_review = models.PositiveIntegerField("评审中", default=0)
    passed = models.PositiveIntegerField("已达标", default=0)
    target = models.PositiveIntegerField("年度目标达标数", default=0)
    expected_today = models.PositiveIntegerField("按时间表应达标数", default=0)
    projected = models.PositiveIntegerField("年底预计达标数", default=0)
    on_time = models.PositiveSmallIntegerField("按时上报", default=0)
    late = models.PositiveSmallIntegerField("逾期上报", default=0)
    missing = models.PositiveSmallIntegerField("未上报", default=0)
    rank = models.PositiveSmallIntegerField("排名", default=0)

    objects = CountyOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "进度快照行"
        verbose_name_plural = "进度快照行"
        ordering = ["rank", "county__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["snapshot", "county"], name="one_row_per_county")
        ]

    def __str__(self) -> str:
        return f"{self.snapshot} {self.county}"

    @property
    def pass_rate(self) -> float:
        return self.passed / self.listed if self.listed else 0.0

    @property
    def vs_target(self) -> float:
        return self.passed / self.target if self.target else 0.0

    @property
    def vs_timetable(self) -> float:
        return self.passed / self.expected_today if self.expected_today else 1.0


class EvaluationCriterion(models.Model):
    """A criterion of the yearly evaluation of the counties (年终考核) with the weight the city
    gives it. ``code`` names a scoring function registered in ``reports.evaluation``."""

    year = models.PositiveSmallIntegerField("年度")
    code = models.CharField("指标", max_length=40)
    weight = models.DecimalField("权重（分）", max_digits=5, decimal_places=1)

    objects = CityScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        ordering = ["year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="one_criterion_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.code} {self.weight}"
