"""Demo review agencies and experts."""

from __future__ import annotations

from enterprises.models import Industry

from .models import Expert, ReviewAgency

AGENCIES = [
    ("烟台安华安全技术咨询有限公司", ["冶金", "有色", "机械", "建材"]),
    ("山东鲁安安全评价有限公司", ["机械", "轻工", "纺织", "商贸"]),
    ("烟台正信安全科技有限公司", ["建材", "轻工", "烟草", "商贸"]),
    ("胶东安全生产技术服务中心", ["冶金", "有色", "机械", "轻工", "纺织", "建材", "烟草", "商贸"]),
    ("烟台恒安安全评估有限公司", ["机械", "商贸"]),
]
EXPERT_NAMES = [
    "李建国",
    "王海峰",
    "张秀英",
    "刘明",
    "陈静",
    "杨磊",
    "赵强",
    "孙丽",
    "周涛",
    "吴敏",
]


def seed_agencies() -> list[ReviewAgency]:
    industries = {industry.name: industry for industry in Industry.objects.all()}
    agencies = []
    for number, (name, sectors) in enumerate(AGENCIES, start=1):
        agency, created = ReviewAgency.objects.get_or_create(
            name=name, defaults={"contact": EXPERT_NAMES[number], "phone": f"0535-660{number:04d}"}
        )
        if created:
            agency.industries.set([industries[s] for s in sectors if s in industries])
            for offset in range(3):
                expert = Expert.objects.create(
                    agency=agency,
                    name=EXPERT_NAMES[(number * 3 + offset) % len(EXPERT_NAMES)],
                    certificate_no=f"SD-AQ-{number:02d}{offset:02d}",
                )
                expert.industries.set(agency.industries.all())
        agencies.append(agency)
    return agencies


# --- Confirmed results, certificates and announcements (公告) --------------------------------

# (county code, short issuer of its documents, number of firms confirmed, draft too?)
ANNOUNCING_COUNTIES = [("370602", "芝安监", 6, True), ("370611", "福安监", 4, False),
                       ("370681", "龙安监", 4, False)]  # fmt: skip


def _demo_county_staff(county):
    """The acting county official of the demo: the ``county`` login for 芝罘区, else an
    account that cannot log in (no usable password)."""
    from django.contrib.auth import get_user_model

    from portal.roles import Role

    User = get_user_model()
    user = User.objects.filter(role=Role.COUNTY, county=county).order_by("pk").first()
    if user is None:
        user = User(
            username=f"county-{county.code}",
            full_name=f"{county.name}安监局（演示）",
            role=Role.COUNTY,
            county=county,
        )
        user.set_unusable_password()
        user.save()
    return user


def _demo_confirm(firm, staff, issued_on, rng):
    """Stand in for the agency's part of the path (built by the review workflow) and let the
    county confirm the conclusion through the real service."""
    import datetime as dt
    from decimal import Decimal

    from django.utils import timezone

    from enterprises.choices import Grade, Status

    from .choices import ReviewStatus
    from .models import Review
    from .services.certificates import review_confirm

    firm.status = Status.CONCLUDED
    type(firm).objects.filter(pk=firm.pk).update(status=Status.CONCLUDED)
    review = Review.objects.create(
        enterprise=firm,
        status=ReviewStatus.CONCLUDED,
        result=Grade.PASS if firm.is_small_micro else Grade.LEVEL3,
        score=Decimal(rng.randint(640, 890)) / 10,
        applied_at=timezone.now(),
        concluded_at=timezone.make_aware(dt.datetime.combine(issued_on, dt.time(10))),
    )
    return review_confirm(review=review, actor=staff, issued_on=issued_on)


def seed_announcements() -> int:
    """A few firms in three counties confirmed with certificates (dated in the demo year), one
    published announcement per county and one draft in 芝罘区. Idempotent: a county that has
    announcements already is left alone. Returns the number of announcements created."""
    import datetime as dt
    import random

    from enterprises.choices import Status
    from enterprises.demo import DEMO_YEAR
    from enterprises.models import County, Enterprise

    from .models import Announcement
    from .services.announcements import announcement_create, announcement_publish

    rng = random.Random(DEMO_YEAR * 7)
    created = 0
    for code, issuer, count, with_draft in ANNOUNCING_COUNTIES:
        county = County.objects.filter(code=code).first()
        if county is None or Announcement.objects.filter(county=county).exists():
            continue
        staff = _demo_county_staff(county)
        # The last listed firms, so the demo enterprise login (the first firm) keeps its path.
        firms = list(
            Enterprise.objects.filter(county=county, status=Status.LISTED).order_by("-pk")[:count]
        )
        issued_on = dt.date(DEMO_YEAR, 6, 20)
        certificates = [_demo_confirm(firm, staff, issued_on, rng) for firm in firms]
        if not certificates:
            continue
        half = max(1, len(certificates) - 2) if with_draft else len(certificates)
        published = announcement_create(
            actor=staff,
            county=county,
            number=f"{issuer}〔{DEMO_YEAR}〕{rng.randint(3, 9)}号",
            title=f"关于公布{DEMO_YEAR}年第一批安全生产标准化达标企业名单的公告",
            certificates=certificates[:half],
        )
        announcement_publish(announcement=published, actor=staff)
        created += 1
        if with_draft and certificates[half:]:
            announcement_create(
                actor=staff,
                county=county,
                number=f"{issuer}〔{DEMO_YEAR}〕{rng.randint(10, 19)}号",
                title=f"关于公布{DEMO_YEAR}年第二批安全生产标准化达标企业名单的公告",
                certificates=certificates[half:],
            )
            created += 1
    return created
