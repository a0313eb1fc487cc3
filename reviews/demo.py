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


def seed_standards() -> list[str]:
    """Load the two demo standards (small/micro and 机械); versions already loaded are kept."""
    from .models import ScoringStandard
    from .standards import demo_standard_files, load_standard, read_standard_file

    loaded = []
    for path in demo_standard_files():
        data = read_standard_file(path)
        if ScoringStandard.objects.filter(code=data["code"], version=data["version"]).exists():
            continue
        loaded.append(str(load_standard(path)))
    return loaded
