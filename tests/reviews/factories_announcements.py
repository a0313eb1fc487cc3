"""Factories for confirmation, certificates and announcements: concluded reviews are built
directly (the agency's part of the path is tested elsewhere)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.utils import timezone

from enterprises.choices import Grade, SizeClass, Status
from reviews.choices import AnnouncementKind, AnnouncementStatus, ReviewStatus
from reviews.models import Announcement, Certificate, Review
from reviews.scoring import validity_end
from tests.factories import EnterpriseFactory

_serial = itertools.count(1)


def concluded_review(enterprise, *, result: str = Grade.PASS, score: str = "82.0") -> Review:
    """A review the agency concluded: the firm waits for the county's confirmation."""
    enterprise.status = Status.CONCLUDED
    enterprise.save(update_fields=["status"])
    return Review.objects.create(
        enterprise=enterprise,
        status=ReviewStatus.CONCLUDED,
        result=result,
        score=Decimal(score),
        concluded_at=timezone.now(),
    )


def confirmed_certificate(
    enterprise,
    *,
    grade: str = Grade.PASS,
    issued_on: dt.date = dt.date(2016, 6, 30),
    status: str = Status.CONFIRMED,
) -> Certificate:
    """A firm confirmed by its county, holding a certificate (as review_confirm leaves it)."""
    review = Review.objects.create(
        enterprise=enterprise,
        status=ReviewStatus.CONFIRMED,
        result=grade,
        score=Decimal("80.0"),
        concluded_at=timezone.now(),
        confirmed_at=timezone.now(),
    )
    certificate = Certificate.objects.create(
        enterprise=enterprise,
        review=review,
        grade=grade,
        number=f"烟{enterprise.county.code}{issued_on.year}T{next(_serial):05d}",
        issued_on=issued_on,
        valid_until=validity_end(issued_on),
    )
    enterprise.status = status
    enterprise.grade = grade
    enterprise.certificate_no = certificate.number
    enterprise.grade_valid_from = certificate.issued_on
    enterprise.grade_valid_until = certificate.valid_until
    enterprise.save()
    return certificate


def certified_firm(
    county, industry, *, grade: str = Grade.PASS, publicized: bool = False, **kwargs
) -> Certificate:
    """A confirmed firm's certificate; ``publicized``: its 公示 has passed with no objection,
    so it may go into a 公告."""
    size = SizeClass.SMALL if grade == Grade.PASS else SizeClass.MEDIUM
    enterprise = EnterpriseFactory(county=county, industry=industry, size=size)
    certificate = confirmed_certificate(enterprise, grade=grade, **kwargs)
    if publicized:
        passed_publicity(county, [certificate])
    return certificate


def passed_publicity(county, certificates, *, until: dt.date | None = None) -> Announcement:
    """A published 公示 of ``certificates`` whose objection period ended (yesterday)."""
    from tests.factories import UserFactory

    user = UserFactory(role="county", county=county)
    item = Announcement.objects.create(
        county=county,
        kind=AnnouncementKind.PUBLICITY,
        number=f"芝安监公示〔2016〕{next(_serial)}号",
        title="安全生产标准化达标企业公示",
        created_by=user,
        status=AnnouncementStatus.PUBLISHED,
        published_at=timezone.now() - dt.timedelta(days=10),
        objection_until=until or timezone.localdate() - dt.timedelta(days=1),
    )
    item.certificates.set(certificates)
    return item


def announcement(
    county, user, certificates=(), *, number=None, published=False, kind=None
) -> Announcement:
    """An announcement built directly (published ones also move their firms to announced)."""
    item = Announcement.objects.create(
        **({"kind": kind} if kind else {}),
        county=county,
        number=number or f"烟芝安监〔2016〕{next(_serial)}号",
        title="关于公布安全生产标准化达标企业名单的公告",
        created_by=user,
        status=AnnouncementStatus.PUBLISHED if published else AnnouncementStatus.DRAFT,
        published_at=timezone.now() if published else None,
    )
    item.certificates.set(certificates)
    if published:
        for certificate in certificates:
            certificate.enterprise.status = Status.ANNOUNCED
            certificate.enterprise.save(update_fields=["status"])
    return item
