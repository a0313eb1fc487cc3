"""The programme's outreach (一（二）): meetings for principal leaders, training classes in
batches, on-site guidance, visits to model firms and pilot designations; who organised each,
which firms took part and the people who came."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from enterprises.models import County, Enterprise
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
        return f"{self.held_on:%Y-%m-%d} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("outreach:event_detail", args=[self.pk])


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
