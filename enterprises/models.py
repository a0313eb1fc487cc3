"""The ground floor: places, sectors and the enterprises themselves."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from portal.concurrency import VersionedModel
from portal.links import row_url
from portal.scoping import ScopedQuerySet, SharedQuerySet

from .choices import SMALL_MICRO, Grade, RemovalReason, SizeClass, Status
from .credit_code import credit_code_error, normalize
from .rules import size_disagreement
from .search import Includes


class CountyQuerySet(ScopedQuerySet):
    county_lookup = "pk"
    enterprise_lookup = "enterprises"

    def scope_agency(self, user):
        return self.all()

    def current(self):
        return self.filter(valid_until__isnull=True)


class County(models.Model):
    """A county-level unit (县市区 or zone) with its own supervising body."""

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=50)
    supervisor = models.CharField("监管部门", max_length=100)
    is_zone = models.BooleanField("功能区", default=False)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    valid_from = models.DateField("启用日期", null=True, blank=True)
    valid_until = models.DateField("停用日期", null=True, blank=True)

    objects = CountyQuerySet.as_manager()

    class Meta:
        verbose_name = "县市区"
        verbose_name_plural = "县市区"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class Industry(models.Model):
    """One of the eight 工贸 sectors."""

    code = models.CharField("代码", max_length=20, unique=True)
    name = models.CharField("行业", max_length=20, unique=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    objects = SharedQuerySet.as_manager()

    class Meta:
        verbose_name = "行业"
        verbose_name_plural = "行业"
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name


class EnterpriseQuerySet(ScopedQuerySet):
    county_lookup = "county"
    enterprise_lookup = "pk"
    agency_lookup = "reviews__agency"

    def small_micro(self):
        return self.filter(size__in=SMALL_MICRO)

    def open(self):
        return self.filter(closed_on__isnull=True)


class Enterprise(VersionedModel):
    """A firm, identified by its 统一社会信用代码. Never hard-deleted: it closes."""

    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    # Sorted on (name, id); searched by part with ``name__includes`` (enterprises.search).
    name = models.CharField("企业名称", max_length=200)
    county = models.ForeignKey(
        County,
        verbose_name="所属区县",
        on_delete=models.PROTECT,
        related_name="enterprises",
        db_index=False,  # the (county, status) index below serves lookups by county
    )
    industry = models.ForeignKey(
        Industry, verbose_name="行业", on_delete=models.PROTECT, related_name="enterprises"
    )
    size = models.CharField("企业规模", max_length=10, choices=SizeClass.choices)
    employees = models.PositiveIntegerField("从业人员数", null=True, blank=True)
    revenue = models.DecimalField(
        "营业收入（万元）",
        max_digits=12,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="上一年度营业收入，单位万元；与从业人员数一起按工信部联企业〔2011〕300号划型",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    safety_contact = models.CharField("安全管理负责人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    status = models.CharField(
        "创建状态", max_length=20, choices=Status.choices, default=Status.NOT_LISTED
    )
    grade = models.CharField("等级", max_length=10, choices=Grade.choices, blank=True)
    certificate_no = models.CharField("证书编号", max_length=50, blank=True)
    grade_valid_from = models.DateField("等级生效日期", null=True, blank=True)
    grade_valid_until = models.DateField("等级有效期至", null=True, blank=True)
    closed_on = models.DateField("关闭日期", null=True, blank=True)
    closed_reason = models.CharField("关闭原因", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = "企业"
        verbose_name_plural = "企业"
        ordering = ["county__sort_order", "name"]
        # The list's default sort and each sort it offers, with the id as the tie-break, so a
        # page of 200,000 firms is read from an index instead of sorting them all. County and
        # industry sort through the related row's order and take the county filter instead.
        indexes = [
            models.Index(fields=["county", "status"]),
            # The open firms (the list's default) by name: its deep pages skip through this index
            # alone, with no row read to test ``closed_on``.
            models.Index(
                fields=["name", "id"],
                name="enterprise_open_name_id",
                condition=models.Q(closed_on__isnull=True),
            ),
            # A county's own list in its default sort (it walked the city-wide name index).
            models.Index(fields=["county", "name", "id"], name="enterprise_county_name_id"),
            models.Index(fields=["status", "id"], name="enterprise_status_id"),
            models.Index(fields=["size", "id"], name="enterprise_size_id"),
            models.Index(fields=["employees", "id"], name="enterprise_employees_id"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return row_url("enterprises:detail", self.pk)

    def clean(self) -> None:
        self.credit_code = normalize(self.credit_code)
        errors = {}
        error = credit_code_error(self.credit_code)
        if error:
            errors["credit_code"] = error
        size_error = size_disagreement(
            size=self.size, employees=self.employees, revenue=self.revenue
        )
        if size_error:
            errors["size"] = size_error
        if errors:
            raise ValidationError(errors)

    @property
    def is_small_micro(self) -> bool:
        return self.size in SMALL_MICRO


class FirmOwnedQuerySet(ScopedQuerySet):
    """Rows that belong to one firm (an ``enterprise`` foreign key): its county, the firm
    itself and the agencies reviewing it read them."""

    county_lookup = "enterprise__county"
    enterprise_lookup = "enterprise"
    agency_lookup = "enterprise__reviews__agency"


class CreationListRemoval(models.Model):
    """A firm taken off a county's creation list: the reason (a fixed set) and its evidence.
    Kept after the entry is gone, so removals are counted per county and year."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="list_removals"
    )
    county = models.ForeignKey(
        County, verbose_name="县市区", on_delete=models.PROTECT, related_name="list_removals"
    )
    year = models.PositiveSmallIntegerField("年度")
    reason = models.CharField("移出原因", max_length=20, choices=RemovalReason.choices)
    evidence = models.FileField("证明材料", upload_to="list-removals/%Y/")
    evidence_name = models.CharField("证明材料文件名", max_length=200)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField("移出时间", auto_now_add=True)

    objects = FirmOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "移出创建名单记录"
        verbose_name_plural = "移出创建名单记录"
        ordering = ["-removed_at"]

    def __str__(self) -> str:
        return f"{self.enterprise} 移出{self.year}年名单（{self.get_reason_display()}）"


class AccidentQuerySet(FirmOwnedQuerySet):
    """An agency reads a firm's accidents only through a review of its own: while it holds the
    review, and afterwards those that happened before its conclusion (the year before a review
    caps the grade; what happens after is the next reviewer's business)."""

    def scope_agency(self, user: Any) -> ScopedQuerySet:
        # One filter() call: both conditions hold for the same review row.
        return self.filter(
            models.Q(enterprise__reviews__concluded_at__isnull=True)
            | models.Q(enterprise__reviews__concluded_at__date__gte=models.F("occurred_on")),
            enterprise__reviews__agency=user.agency_id,
        ).distinct()


class CreationListEntry(models.Model):
    """纳入创建名单: a county puts a firm on its list for a year, with a target date."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="list_entries"
    )
    year = models.PositiveSmallIntegerField("年度")
    target_date = models.DateField("计划达标日期")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField("纳入时间", auto_now_add=True)

    objects = FirmOwnedQuerySet.as_manager()

    class Meta:
        verbose_name = "创建名单"
        verbose_name_plural = "创建名单"
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="one_list_entry_per_year")
        ]
        # The list's sort (``creation_list``): a year's entries by target date, read in order.
        indexes = [
            models.Index(fields=["year", "target_date", "id"], name="list_entry_year_date_id")
        ]
        ordering = ["-year", "target_date"]

    def __str__(self) -> str:
        return f"{self.year}年 {self.enterprise}"


Enterprise._meta.get_field("name").register_lookup(Includes)


class Accident(models.Model):
    """A production-safety accident; deaths in the year before a review cap the grade."""

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="accidents"
    )
    occurred_on = models.DateField("发生日期")
    deaths = models.PositiveSmallIntegerField("死亡人数", default=0)
    injuries = models.PositiveSmallIntegerField("受伤人数", default=0)
    description = models.TextField("经过简述", blank=True)

    objects = AccidentQuerySet.as_manager()

    class Meta:
        verbose_name = "生产安全事故"
        verbose_name_plural = "生产安全事故"
        ordering = ["-occurred_on"]

    def __str__(self) -> str:
        return f"{self.enterprise} {self.occurred_on}"
