"""The programme's outreach (一（二）): meetings for principal leaders, training classes in
batches, on-site guidance, visits to model firms and pilot designations; who organised each,
which firms took part and the people who came. And the city's regular dispatch (三（一）定期调度):
meetings with the counties and the follow-up items they hand out."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from enterprises.models import County, Enterprise
from portal.audit import chinese_date
from portal.concurrency import VersionedModel
from portal.links import row_url
from portal.scoping import CountyOwnedQuerySet, ScopedQuerySet


class EventKind(models.TextChoices):
    LEADERS_MEETING = "leaders_meeting", "推进会（主要负责人）"
    TRAINING = "training", "培训班（评定标准业务培训）"
    GUIDANCE = "guidance", "上门指导"
    MODEL_VISIT = "model_visit", "样板企业参观学习"
    PILOT = "pilot", "试点/示范"


# What reaches a firm for the county's reach share: trained or guided (三（一）的考核口径).
REACHING_KINDS = (EventKind.TRAINING, EventKind.GUIDANCE)


class OutreachEvent(models.Model):
    """One outreach event of a county (the city's own events are the city's)."""

    county = models.ForeignKey(
        County, verbose_name="县市区", on_delete=models.PROTECT, related_name="outreach_events"
    )
    kind = models.CharField("活动类型", max_length=20, choices=EventKind.choices)
    title = models.CharField("活动名称", max_length=200)
    held_on = models.DateField("日期")
    place = models.CharField("地点", max_length=200)
    organiser = models.CharField("组织单位", max_length=100)
    note = models.TextField("活动情况", blank=True)
    firms = models.ManyToManyField(
        Enterprise, verbose_name="参加企业", through="Attendance", related_name="outreach_events"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = CountyOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "推进活动"
        verbose_name_plural = "推进活动"
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{chinese_date(self.held_on)} {self.title}"

    def get_absolute_url(self) -> str:
        return row_url("outreach:event_detail", self.pk)


class AttendanceQuerySet(ScopedQuerySet):
    county_lookup = "event__county"
    enterprise_lookup = "enterprise"


class Attendance(models.Model):
    """A firm that took part in an event."""

    event = models.ForeignKey(OutreachEvent, on_delete=models.CASCADE, related_name="attendances")
    enterprise = models.ForeignKey(Enterprise, verbose_name="企业", on_delete=models.PROTECT)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = "参加企业"
        verbose_name_plural = "参加企业"
        constraints = [
            models.UniqueConstraint(fields=["event", "enterprise"], name="one_attendance_per_firm")
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.enterprise}"


class Attendee(models.Model):
    """A person who came (name and post), for the firm they came from when known."""

    event = models.ForeignKey(OutreachEvent, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField("姓名", max_length=50)
    post = models.CharField("职务", max_length=100, blank=True)
    enterprise = models.ForeignKey(
        Enterprise, verbose_name="所在企业", on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        verbose_name = "参加人员"
        verbose_name_plural = "参加人员"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


# --- 定期调度: the city's dispatch meetings and their follow-up items ---------------------------


class DispatchMeetingQuerySet(ScopedQuerySet):
    """The city reads every meeting; a county those it attended or owns an item of."""

    def scope_county(self, user):
        return self.filter(
            models.Q(counties=user.county_id) | models.Q(items__owner=user.county_id)
        ).distinct()


class DispatchMeeting(models.Model):
    """定期调度: a meeting the city holds with the counties, the issues raised and the items
    it hands out, each to an owner county with a due date."""

    title = models.CharField("会议名称", max_length=200)
    held_on = models.DateField("会议日期")
    counties = models.ManyToManyField(County, verbose_name="参会县市区", related_name="+")
    issues = models.TextField("调度的问题")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    objects = DispatchMeetingQuerySet.as_manager()

    class Meta:
        verbose_name = "调度会议"
        verbose_name_plural = "调度会议"
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return row_url("outreach:dispatch_detail", self.pk)


class DispatchItemQuerySet(ScopedQuerySet):
    county_lookup = "owner"


class DispatchItem(VersionedModel):
    """One follow-up item of a dispatch meeting: open until its owner county closes it with
    what was done (``workflows.DISPATCH_ITEM``)."""

    class Status(models.TextChoices):
        OPEN = "open", "待落实"
        DONE = "done", "已落实"

    meeting = models.ForeignKey(DispatchMeeting, on_delete=models.CASCADE, related_name="items")
    owner = models.ForeignKey(
        County, verbose_name="责任县市区", on_delete=models.PROTECT, related_name="+"
    )
    task = models.CharField("调度事项", max_length=300)
    due_on = models.DateField("完成期限")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    done_note = models.TextField("落实情况", blank=True)
    done_on = models.DateField("落实日期", null=True, blank=True)

    objects = DispatchItemQuerySet.as_manager()

    class Meta:
        verbose_name = "调度事项"
        verbose_name_plural = "调度事项"
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"{self.owner}：{self.task}"

    def get_absolute_url(self) -> str:
        return self.meeting.get_absolute_url()

    def clean(self) -> None:
        if self.status == self.Status.DONE and not (self.done_note.strip() and self.done_on):
            raise ValidationError({"done_note": "须写明落实情况和落实日期"})


# --- 经验做法 (三（三）): a county's write-up, marked by the city for a bulletin -----------------


class GoodPractice(VersionedModel):
    """A county's short write-up of good practice; the city features it in a bulletin or
    returns it (``workflows.GOOD_PRACTICE``). Featured write-ups appear on the bulletin of the
    period in which they were featured."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已报送"
        FEATURED = "featured", "已选入通报"
        RETURNED = "returned", "已退回"

    county = models.ForeignKey(
        County, verbose_name="县市区", on_delete=models.PROTECT, related_name="good_practices"
    )
    title = models.CharField("标题", max_length=200)
    text = models.TextField("经验做法")
    attachment = models.FileField("附件", upload_to="practices/", blank=True)
    original_name = models.CharField("附件名称", max_length=200, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    featured_on = models.DateField("选入通报日期", null=True, blank=True)
    city_note = models.TextField("市局意见", blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField("报送时间", auto_now_add=True)

    objects = CountyOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "经验做法"
        verbose_name_plural = "经验做法"
        ordering = ["-submitted_at", "-pk"]
        indexes = [models.Index(fields=["status", "featured_on"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return row_url("outreach:practice_detail", self.pk)

    def clean(self) -> None:
        if self.status == self.Status.FEATURED and not self.featured_on:
            raise ValidationError({"featured_on": "须写明选入通报的日期"})
        if self.status == self.Status.RETURNED and not self.city_note.strip():
            raise ValidationError({"city_note": "退回须写明理由"})


# --- 一把手工程、资金投入: criteria of the yearly evaluation the city scores by hand -------------


class HandCriterion(models.TextChoices):
    LEADERSHIP = "leadership", "一把手工程（主要负责人亲自部署、推动）"
    FUNDING = "funding", "资金投入（标准化创建专项经费落实）"


class HandScore(VersionedModel):
    """The city's score (0–100) with its note for one county, year and hand-scored criterion;
    a change keeps the old score in the history (``portal.audit``)."""

    county = models.ForeignKey(County, verbose_name="县市区", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField("年度")
    criterion = models.CharField("考核指标", max_length=20, choices=HandCriterion.choices)
    score = models.PositiveSmallIntegerField(
        "得分", validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    note = models.TextField("评分说明")
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    objects = CountyOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "人工评分"
        verbose_name_plural = "人工评分"
        ordering = ["year", "county__sort_order", "criterion"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year", "criterion"], name="one_hand_score_per_county_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.county} {self.get_criterion_display()}"

    def get_absolute_url(self) -> str:
        return f"{reverse('outreach:hand_scores')}?year={self.year}"
