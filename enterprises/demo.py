"""Demo data of the registry: the city's 16 county-level units, the 8 sectors, and enterprises
with valid credit codes. Deterministic and idempotent."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from .choices import SMALL_MICRO, SizeClass, Status
from .credit_code import make_credit_code
from .models import County, CreationListEntry, Enterprise, Industry

# The registry's firms do not depend on the programme year: one fixed seed, the same city
# whichever year is seeded (the year is chosen by ``seed_demo --year``, by default this one).
REGISTRY_SEED = 2016

# (code, name, supervising body, is_zone); zones without a statistical code get stable internal
# codes starting with "Z".
COUNTIES = [
    ("370602", "芝罘区", "芝罘区安全生产监督管理局", False),
    ("370611", "福山区", "福山区安全生产监督管理局", False),
    ("370612", "牟平区", "牟平区安全生产监督管理局", False),
    ("370613", "莱山区", "莱山区安全生产监督管理局", False),
    ("370634", "长岛县", "长岛县安全生产监督管理局", False),
    ("370681", "龙口市", "龙口市安全生产监督管理局", False),
    ("370682", "莱阳市", "莱阳市安全生产监督管理局", False),
    ("370683", "莱州市", "莱州市安全生产监督管理局", False),
    ("370684", "蓬莱市", "蓬莱市安全生产监督管理局", False),
    ("370685", "招远市", "招远市安全生产监督管理局", False),
    ("370686", "栖霞市", "栖霞市安全生产监督管理局", False),
    ("370687", "海阳市", "海阳市安全生产监督管理局", False),
    ("370672", "烟台经济技术开发区", "烟台经济技术开发区安全生产监督管理局", True),
    ("370671", "烟台高新技术产业开发区", "烟台高新技术产业开发区安全生产监督管理局", True),
    ("Z3706BS", "烟台保税港区", "烟台保税港区经济发展局", True),
    ("Z3706KYS", "昆嵛山保护区", "昆嵛山保护区管委综合执法局", True),
]
INDUSTRIES = [
    ("metallurgy", "冶金"),
    ("nonferrous", "有色"),
    ("building", "建材"),
    ("machinery", "机械"),
    ("light", "轻工"),
    ("textile", "纺织"),
    ("tobacco", "烟草"),
    ("commerce", "商贸"),
]
# Share of the city's firms in each unit (larger districts hold more firms).
COUNTY_WEIGHTS = [9, 7, 6, 5, 1, 10, 8, 9, 6, 7, 5, 6, 8, 4, 2, 1]
INDUSTRY_WEIGHTS = [4, 5, 14, 30, 20, 8, 1, 18]
INDUSTRY_PRODUCTS = {
    "冶金": ["钢铁", "铸造", "金属制品"],
    "有色": ["铝业", "铜业", "黄金冶炼"],
    "建材": ["水泥", "建材", "石材", "玻璃制品"],
    "机械": ["机械", "汽车配件", "机电设备", "精密机械"],
    "轻工": ["食品", "包装", "家具", "塑料制品", "葡萄酒"],
    "纺织": ["纺织", "服装", "针织"],
    "烟草": ["烟草物流"],
    "商贸": ["商贸", "物流", "仓储", "超市"],
}
BRAND_WORDS = "华鑫宏达盛泰恒远德信永安金海鸿运兴隆东方瑞丰万通嘉禾新宇蓝海天诚福港"
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国海峰"


def seed_reference() -> tuple[list[County], list[Industry]]:
    counties = []
    for order, (code, name, supervisor, is_zone) in enumerate(COUNTIES):
        county, _ = County.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "supervisor": supervisor,
                "is_zone": is_zone,
                "sort_order": order,
            },
        )
        counties.append(county)
    industries = []
    for order, (code, name) in enumerate(INDUSTRIES):
        industry, _ = Industry.objects.update_or_create(
            code=code, defaults={"name": name, "sort_order": order}
        )
        industries.append(industry)
    return counties, industries


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def _size_and_employees(rng: random.Random) -> tuple[str, int]:
    roll = rng.random()
    if roll < 0.03:
        return SizeClass.LARGE, rng.randint(1000, 5000)
    if roll < 0.15:
        return SizeClass.MEDIUM, rng.randint(300, 999)
    if roll < 0.55:
        return SizeClass.SMALL, rng.randint(20, 299)
    return SizeClass.MICRO, rng.randint(3, 19)


# Revenue (万元) in the band of each size class, so the declared size is the law's.
REVENUE_BANDS = {
    SizeClass.LARGE: (40000, 200000),
    SizeClass.MEDIUM: (2000, 39999),
    SizeClass.SMALL: (300, 1999),
    SizeClass.MICRO: (20, 299),
}


def build_enterprise(serial: int, counties, industries, rng: random.Random) -> Enterprise:
    county = rng.choices(counties, weights=COUNTY_WEIGHTS[: len(counties)])[0]
    industry = rng.choices(industries, weights=INDUSTRY_WEIGHTS[: len(industries)])[0]
    size, employees = _size_and_employees(rng)
    division = county.code if county.code.isdigit() else "370600"
    place = county.name.replace("烟台", "")[:2]
    product = rng.choice(INDUSTRY_PRODUCTS[industry.name])
    brand = "".join(rng.sample(BRAND_WORDS, 2))
    return Enterprise(
        credit_code=make_credit_code(division, 10_000_000 + serial),
        name=f"烟台{place}{brand}{product}有限公司",
        county=county,
        industry=industry,
        size=size,
        employees=employees,
        revenue=Decimal(rng.randint(*REVENUE_BANDS[size])),
        address=f"{county.name}{brand}路{rng.randint(1, 300)}号",
        legal_representative=_person(rng),
        safety_contact=_person(rng),
        phone=f"0535-{rng.randint(2000000, 8999999)}",
    )


def seed_enterprises(total: int, *, batch_size: int = 2000) -> int:
    """Make the city hold ``total`` demo enterprises; returns how many were created."""
    counties, industries = seed_reference()
    existing = Enterprise.objects.count()
    rng = random.Random(REGISTRY_SEED)
    for start in range(0, total, batch_size):
        batch = [
            build_enterprise(serial, counties, industries, rng)
            for serial in range(start, min(start + batch_size, total))
        ]
        if start + len(batch) <= existing:
            continue
        Enterprise.objects.bulk_create(batch, ignore_conflicts=True)
    return Enterprise.objects.count() - existing


def list_target_dates(year: int, today: dt.date) -> list[dt.date]:
    """The planned pass dates of the demo list: mid and end of June, September and December,
    and, in the year of ``today``, yesterday (so the morning job has firms to remind about)."""
    dates = [dt.date(year, m, d) for m in (6, 9, 12) for d in (15, 30)]
    yesterday = today - dt.timedelta(days=1)
    return dates + ([yesterday] if yesterday.year == year else [])


def seed_creation_lists(year: int, today: dt.date | None = None) -> int:
    """Put about 70% of each county's small and micro firms on its list for ``year``."""
    dates = list_target_dates(year, today or timezone.localdate())
    listed = set(CreationListEntry.objects.filter(year=year).values_list("enterprise", flat=True))
    rng = random.Random(year)
    entries = []
    candidates = Enterprise.objects.small_micro().values_list("pk", flat=True).order_by("pk")
    for pk in candidates.iterator():
        if pk in listed or rng.random() > 0.7:
            continue
        entries.append(
            CreationListEntry(enterprise_id=pk, year=year, target_date=rng.choice(dates))
        )
    CreationListEntry.objects.bulk_create(entries, batch_size=2000, ignore_conflicts=True)
    new_ids = [entry.enterprise_id for entry in entries]
    for start in range(0, len(new_ids), 5000):
        Enterprise.objects.filter(
            pk__in=new_ids[start : start + 5000], status=Status.NOT_LISTED
        ).update(status=Status.LISTED)
    return len(entries)


def demo_enterprise() -> Enterprise | None:
    """The firm behind the demo ``enterprise`` login: a small 机械 firm of 芝罘区, so the
    small/micro standard applies and the demo agency (qualified for 机械) can review it."""
    return (
        Enterprise.objects.filter(
            county__code="370602", size__in=SMALL_MICRO, industry__code="machinery"
        )
        .order_by("pk")
        .first()
    )
