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


# A one-page PDF standing for the photos and records a team saw on site.
DEMO_PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def seed_reviews(year: int) -> int:
    """Demo reviews: firms of several counties at every stage from application to conclusion,
    moved by the real services (so the state machine and the history are real). The demo
    agency (the first by pk) reviews firms of 芝罘区, and the demo firm (the first of 芝罘区)
    is rectifying a nonconformity. Idempotent: does nothing once any review exists."""
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from enterprises.choices import SMALL_MICRO, Status
    from enterprises.demo import demo_enterprise
    from enterprises.models import County, CreationListEntry, Enterprise

    from .choices import AssessmentStatus, Funding, StandardKind
    from .models import Review, ScoringStandard, SelfAssessment, SelfAssessmentLine, StandardItem
    from .scoring import ItemResult, compute_score
    from .selectors.review import gap_problems
    from .services import review as services
    from .workflows.lifecycle import LIFECYCLE

    if Review.objects.exists() or not ReviewAgency.objects.exists():
        return 0
    User = get_user_model()
    standard = _demo_standard(ScoringStandard, StandardItem, StandardKind)
    items = list(standard.items.order_by("order"))
    agencies = list(ReviewAgency.objects.order_by("pk").prefetch_related("industries", "experts"))
    stages = ["applied", "assigned", "under_review", "rectifying", "concluded"]
    today = timezone.localdate()
    made = 0

    def stand_in(**binding):
        # Demo history is written "by the system": an unsaved user that carries the role.
        return User(username="demo", **binding)

    def agency_for(firm, prefer_first):
        pool = agencies if prefer_first else agencies[1:] + agencies[:1]
        return next(a for a in pool if firm.industry_id in {i.pk for i in a.industries.all()})

    def submit_self_assessment(firm):
        deductions = {n: Decimal(n % 3) for n in range(len(items))}
        score = compute_score(
            ItemResult(item.points, deductions[n], False, item.is_veto)
            for n, item in enumerate(items)
        )
        assessment = SelfAssessment.objects.create(
            enterprise=firm,
            standard=standard,
            status=AssessmentStatus.SUBMITTED,
            score=score.value,
            veto_failed=score.veto_failed,
            submitted_at=timezone.now(),
            team_leader="企业安全负责人",
            team_members="安全管理员\n车间主任",
        )
        SelfAssessmentLine.objects.bulk_create(
            SelfAssessmentLine(
                assessment=assessment,
                item=item,
                deducted=deductions[n],
                reason="自查发现问题" if deductions[n] else "",
            )
            for n, item in enumerate(items)
        )

    def walk(firm, stage, prefer_first):
        county_actor = stand_in(role="county", county_id=firm.county_id)
        firm_actor = stand_in(role="enterprise", enterprise_id=firm.pk)
        if firm.status == Status.NOT_LISTED:
            CreationListEntry.objects.get_or_create(
                enterprise=firm, year=year, defaults={"target_date": dt.date(year, 12, 31)}
            )
            Enterprise.objects.filter(pk=firm.pk).update(status=Status.LISTED)
            firm.status = Status.LISTED
        LIFECYCLE.apply(firm, "start_self_assessment", actor=firm_actor)
        submit_self_assessment(firm)
        review = services.review_apply(enterprise=firm, actor=firm_actor)
        if stage == "applied":
            return
        agency = agency_for(firm, prefer_first)
        agency_actor = stand_in(role="agency", agency_id=agency.pk)
        services.review_assign(
            review=review,
            actor=county_actor,
            agency=agency,
            funding=[Funding.GOVERNMENT, Funding.SUBSIDY, Funding.SELF][firm.pk % 3],
            fee=Decimal(6000 + firm.pk % 5 * 500),
        )
        if stage == "assigned":
            return
        experts = list(agency.experts.all())
        services.review_set_team(
            review=review, actor=agency_actor, experts=experts[:3], leader=experts[0]
        )
        services.review_update(
            review=review,
            actor=agency_actor,
            expected_version=review.version,
            data={
                "onsite_from": today,
                "onsite_to": today,
                "responsibility_system": "已建立全员安全生产责任制，逐级签订责任书",
                "training_date": today,
                "trained_count": firm.employees or 30,
                "hazardous_places": "配电室\n仓库",
                "special_operation_sites": "动火作业点",
                "risk_points": "机械伤害\n触电\n火灾",
            },
        )
        scored = items if stage != "under_review" else items[: len(items) // 2]
        services.review_save_scores(
            review=review,
            actor=agency_actor,
            expected_version=review.version,
            scores={
                item.pk: services.ItemScore(
                    Decimal(n % 20 == 1), reason="现场检查发现不足" if n % 20 == 1 else ""
                )
                for n, item in enumerate(scored)
            },
        )
        if stage == "under_review":
            return
        nonconformity = services.nonconformity_add(
            review=review,
            actor=agency_actor,
            item=items[1],
            description="安全生产责任制未覆盖全部岗位",
            # Three days ahead: the morning job's first rectification reminder falls today.
            deadline=today + dt.timedelta(days=3),
        )
        services.hazard_record(
            review=review,
            actor=agency_actor,
            description="部分岗位未签订安全生产责任书",
            nonconformity=nonconformity,
        )
        if stage == "rectifying":
            return
        services.nonconformity_answer(
            nonconformity=nonconformity, actor=firm_actor, response="已修订并补签全部岗位责任书"
        )
        services.nonconformity_verify(
            nonconformity=nonconformity, actor=agency_actor, accepted=True, comment="整改到位"
        )
        complete_the_review(review, agency_actor, skip=items[1])
        services.review_conclude(review=review, actor=agency_actor)

    def complete_the_review(review, agency_actor, skip):
        # Every deduction but the nonconformity's was fixed during the visit; a gap is explained.
        for line in review.lines.filter(deducted__gt=0).exclude(item=skip).select_related("item"):
            services.review_record_onsite_fix(
                review=review,
                actor=agency_actor,
                item=line.item,
                evidence="现场已整改，评审组查看整改记录",
                files=[SimpleUploadedFile("现场整改记录.pdf", DEMO_PDF)],
            )
        if gap_problems(review):
            review.refresh_from_db()
            services.review_update(
                review=review,
                actor=agency_actor,
                expected_version=review.version,
                data={"gap_explanation": "评审组现场核实，企业自评时对部分条款理解有偏差"},
            )

    for county in County.objects.filter(code__in=["370602", "370611", "370613", "370681"]):
        demo_firm = demo_enterprise() if county.code == "370602" else None
        candidates = Enterprise.objects.filter(
            county=county, size__in=SMALL_MICRO, status=Status.LISTED
        ).exclude(pk=getattr(demo_firm, "pk", None))
        if county.code == "370602":  # the demo agency's own industries
            candidates = candidates.filter(industry__in=agencies[0].industries.all())
        firms = list(candidates.order_by("pk")[: len(stages)])
        for firm, stage in zip(firms, stages, strict=False):
            walk(firm, stage, prefer_first=county.code == "370602")
            made += 1
        if county.code == "370602" and demo_firm is not None:
            walk(demo_firm, "rectifying", prefer_first=True)
            made += 1
    return made


def _demo_standard(ScoringStandard, StandardItem, StandardKind):
    """Part of the demo: a published small/micro standard if one is loaded, else a tiny one."""
    import datetime as dt
    from decimal import Decimal

    from django.db.models import Case, When

    from .choices import StandardIssuer
    from .models import StandardElement

    loaded = (
        ScoringStandard.objects.filter(kind=StandardKind.SMALL_MICRO)
        .exclude(code="DEMO-MINI")
        .order_by(Case(When(issuer=StandardIssuer.PROVINCE, then=0), default=1), "-effective_from")
        .first()
    )
    if loaded is not None and loaded.items.exists():
        return loaded
    standard, created = ScoringStandard.objects.get_or_create(
        code="DEMO-MINI",
        version="2016",
        defaults={
            "name": "小微企业安全生产标准化评定标准（演示简本）",
            "kind": StandardKind.SMALL_MICRO,
            "effective_from": dt.date(2016, 1, 1),
            "source": "演示数据",
        },
    )
    if created:
        elements = [
            "目标职责",
            "制度化管理",
            "教育培训",
            "现场管理",
            "安全风险管控及隐患排查治理",
            "应急管理",
            "事故管理",
            "持续改进",
        ]
        order = 0
        for number, name in enumerate(elements, start=1):
            element = StandardElement.objects.create(standard=standard, number=number, name=name)
            for sub in (1, 2):
                order += 1
                StandardItem.objects.create(
                    standard=standard,
                    element=element,
                    code=f"{number}.{sub}",
                    order=order,
                    content=f"{name}：演示考评内容{sub}",
                    method="缺一项扣1分",
                    points=Decimal(10 if sub == 1 else 5),
                    is_veto=number == 4 and sub == 1,
                )
    return standard


def seed_standards() -> list[str]:
    """Load the demo standards (the provincial and the national small/micro standard and one
    graded standard per industry); versions already loaded are kept."""
    from .models import ScoringStandard
    from .standards import demo_standard_files, load_standard, read_standard_file

    loaded = []
    for path in demo_standard_files():
        data = read_standard_file(path)
        if ScoringStandard.objects.filter(code=data["code"], version=data["version"]).exists():
            continue
        loaded.append(str(load_standard(path)))
    return loaded


# --- Confirmed results, certificates and announcements (公告) --------------------------------

# Short issuers of the counties' documents (文号); other counties use their name's first two
# characters and 安监.
ISSUERS = {"370602": "芝安监", "370611": "福安监", "370681": "龙安监"}
# The share of each county's listed firms that have passed in the demo year.
PASS_SHARE = 0.12


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
    from decimal import Decimal

    from enterprises.choices import Grade

    from .rules import confirming_level
    from .services.certificates import review_confirm

    result = Grade.PASS if firm.is_small_micro else Grade.LEVEL3
    review = _demo_concluded(firm, result, issued_on, Decimal(rng.randint(640, 890)) / 10)
    # 三级 is the city's to confirm (reviews.rules), 达标 the county's.
    actor = staff if confirming_level(result=result) == "county" else _demo_city_staff()
    return review_confirm(review=review, actor=actor, issued_on=issued_on)


def _demo_concluded(firm, result, day, score):
    """A conclusion as the agency leaves it (the agency's part is built by seed_reviews)."""
    import datetime as dt

    from django.utils import timezone

    from enterprises.choices import Grade, Status

    from .choices import ReviewStatus
    from .models import Review

    firm.status = Status.CONCLUDED
    type(firm).objects.filter(pk=firm.pk).update(status=Status.CONCLUDED)
    concluded_at = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    return Review.objects.create(
        enterprise=firm,
        status=ReviewStatus.CONCLUDED,
        result=result,
        applied_grade="" if result == Grade.PASS else result,
        score=score,
        applied_at=concluded_at - dt.timedelta(days=30),
        concluded_at=concluded_at,
    )


def _demo_city_staff():
    from portal.models import User
    from portal.roles import Role

    user = User.objects.filter(role=Role.CITY, is_active=True).order_by("pk").first()
    if user is None:
        user = User(username="demo-city", full_name="市局工商贸科（演示）", role=Role.CITY)
        user.set_unusable_password()
        user.save()
    return user


def seed_city_queue(year: int) -> int:
    """The city's own queue (reviews.rules): in 芝罘区 one graded firm's 三级 conclusion waits
    for the city's confirmation and one 二级 for its recommendation upward. Idempotent."""
    from decimal import Decimal

    from django.utils import timezone

    from enterprises.choices import SMALL_MICRO, Grade, Status
    from enterprises.models import Enterprise

    from .choices import ReviewStatus
    from .models import Review

    waiting = Review.objects.filter(
        status=ReviewStatus.CONCLUDED, result__in=[Grade.LEVEL3, Grade.LEVEL2]
    )
    if waiting.exists():
        return 0
    firms = list(
        Enterprise.objects.filter(
            county__code="370602", status=Status.LISTED, list_entries__year=year
        )
        .exclude(size__in=SMALL_MICRO)
        .order_by("pk")[:2]
    )
    today = timezone.localdate()
    for firm, (grade, score) in zip(
        firms, [(Grade.LEVEL3, "68.5"), (Grade.LEVEL2, "81.0")], strict=False
    ):
        _demo_concluded(firm, grade, today, Decimal(score))
    return len(firms)


def demo_issue_date(year: int, today):
    """The day the demo's certificates are issued: 20 June of the year (the notice's first
    batch), or today when the year has not reached it yet; valid three years from then."""
    import datetime as dt

    return min(dt.date(year, 6, 20), today)


def seed_announcements(year: int, today=None) -> int:
    """Every demo pass of ``year``: in every county a share of the firms on its list passes
    through a review its confirming level confirms (certificate numbered and dated in the
    year), goes through the county's 公示 (published the day after, its objection period run)
    and, once the period has passed, the county's 公告, so the dashboard, the audit population
    and the public list count the same firms. In 芝罘区 one more firm's 公示 is out now, with an
    objection waiting for the county's decision. Idempotent: a county with documents of the
    year is left alone. Returns the number of 公告 created."""
    import random

    from django.utils import timezone

    from enterprises.choices import Status
    from enterprises.models import County, Enterprise

    from .models import Announcement

    rng = random.Random(year * 7)
    today = today or timezone.localdate()
    issued_on = demo_issue_date(year, today)
    created = 0
    for county in County.objects.current():
        if Announcement.objects.filter(county=county, number__contains=f"〔{year}〕").exists():
            continue
        listed = Enterprise.objects.filter(
            county=county, status=Status.LISTED, list_entries__year=year
        )
        count = round(listed.count() * PASS_SHARE) or min(1, listed.count())
        # The last listed firms, so the demo enterprise login (the first firm) keeps its path.
        firms = list(listed.order_by("-pk")[:count])
        if not firms:
            continue
        staff = _demo_county_staff(county)
        certificates = [_demo_confirm(firm, staff, issued_on, rng) for firm in firms]
        issuer = ISSUERS.get(county.code, county.name[:2] + "安监")
        serial = rng.randint(3, 9)
        current = None
        if county.code == "370602":  # one more firm, whose 公示 is out now with an objection
            extra = list(listed.order_by("-pk")[:1])  # the rest are confirmed by now
            current = _demo_confirm(extra[0], staff, today, rng) if extra else None
        _demo_publicity(staff, county, certificates, f"{issuer}〔{year}〕{serial}号", issued_on)
        created += _demo_announcement(
            staff, county, certificates, f"{issuer}〔{year}〕{serial + 10}号", year, today
        )
        if current is not None:
            _demo_objection(staff, county, current, f"{issuer}〔{year}〕{serial + 20}号", today)
    return created


def _demo_publicity(staff, county, certificates, number, day):
    """A 公示 published the day after ``day`` (its period backdated with it)."""
    import datetime as dt

    from django.utils import timezone

    from .choices import AnnouncementKind
    from .models import Announcement
    from .rules import objection_period_end
    from .services.announcements import announcement_create, announcement_publish

    publicity = announcement_create(
        actor=staff,
        county=county,
        number=number,
        title=f"关于{county.name}安全生产标准化达标企业的公示",
        certificates=certificates,
        kind=AnnouncementKind.PUBLICITY,
    )
    announcement_publish(announcement=publicity, actor=staff)
    published_on = min(day + dt.timedelta(days=1), timezone.localdate())
    Announcement.objects.filter(pk=publicity.pk).update(
        published_at=timezone.make_aware(dt.datetime.combine(published_on, dt.time(9))),
        objection_until=objection_period_end(published_on),
    )
    return publicity


def _demo_announcement(staff, county, certificates, number, year, today) -> int:
    """The 公告 of what the 公示 cleared; none yet while the period runs."""
    from .selectors.announcements import announceable_certificates
    from .services.announcements import announcement_create, announcement_publish

    cleared = list(
        announceable_certificates(county=county).filter(pk__in=[c.pk for c in certificates])
    )
    if not cleared:
        return 0
    published = announcement_create(
        actor=staff,
        county=county,
        number=number,
        title=f"关于公布{year}年安全生产标准化达标企业名单的公告",
        certificates=cleared,
    )
    announcement_publish(announcement=published, actor=staff)
    return 1


def _demo_objection(staff, county, certificate, number, today) -> None:
    """A 公示 out today with an objection the county has yet to decide."""
    from .services.objections import objection_record

    publicity = _demo_publicity(staff, county, [certificate], number, today)
    publicity.refresh_from_db()
    objection_record(
        announcement=publicity,
        actor=staff,
        certificate=certificate,
        objector="匿名来电",
        contact="",
        content="反映该企业喷漆房通风设施长期停用，评审时临时开启",
        received_on=today,
    )
