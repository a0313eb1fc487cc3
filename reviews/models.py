"""Review agencies, their experts, and the review of one enterprise."""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from enterprises.models import Enterprise, Industry
from portal.concurrency import VersionedModel
from portal.scoping import ScopedQuerySet

from .choices import AgencyStanding, Funding


class AgencyQuerySet(ScopedQuerySet):
    agency_lookup = "pk"

    def scope_county(self, user):
        # Counties choose agencies for their firms: they read the whole list.
        return self.all()

    def scope_enterprise(self, user):
        return self.all()

    def in_good_standing(self):
        return self.filter(standing__in=[AgencyStanding.REGISTERED, AgencyStanding.WARNED])


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

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = "评审机构"
        verbose_name_plural = "评审机构"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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

    objects = ExpertQuerySet.as_manager()

    class Meta:
        verbose_name = "评审专家"
        verbose_name_plural = "评审专家"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReviewQuerySet(ScopedQuerySet):
    county_lookup = "enterprise__county"
    enterprise_lookup = "enterprise"
    agency_lookup = "agency"


class Review(VersionedModel):
    """One review (评审) of one enterprise by the agency the county assigned.

    Ties an agency to the firms it may see: ``Enterprise.objects.for_user`` follows
    ``reviews__agency``.
    """

    enterprise = models.ForeignKey(
        Enterprise, verbose_name="企业", on_delete=models.PROTECT, related_name="reviews"
    )
    agency = models.ForeignKey(
        ReviewAgency,
        verbose_name="评审机构",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviews",
    )
    funding = models.CharField("评审经费方式", max_length=20, choices=Funding.choices, blank=True)
    fee = models.DecimalField(
        "评审费用（元）", max_digits=10, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        verbose_name = "评审"
        verbose_name_plural = "评审"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.enterprise} 评审"

    def get_absolute_url(self) -> str:
        return reverse("reviews:detail", args=[self.pk])
