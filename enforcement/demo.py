"""Demo enforcement in ``year``: refusers in 芝罘区 and 福山区, and cases against them at each
stage: closed after its follow-up, decided at the upper limit with its deadline passed, just
opened, ordered, just inspected, and a refuser with no case yet. Needs the demo county logins
(``county`` and ``county_370611``); idempotent."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from enterprises.choices import Status
from enterprises.models import County, Enterprise

from . import legal_bases, services
from .choices import CheckPoint, Finding, FollowUpResult
from .models import LegalBasis, Refusal

ANSWERS = [
    "企业负责人称生产任务重，暂不开展标准化创建",
    "企业认为创建费用过高，拒绝签收告知书后口头答复不参加",
    "企业答复本年度无创建计划",
]
# How far each demo case goes, in order: the last stage reached.
# The seventh, a follow-up that found the order not obeyed and awaits its second decision,
# falls to the second county's first firm.
STAGES = ["closed", "decided", "opened", "none", "ordered", "inspected", "escalated"]


def demo_day(year: int, today: dt.date, latest: tuple[int, int]):
    """The demo's dates in ``year``, moved back together so that the latest, ``latest``
    (month, day), is not after ``today``: a demo of this year never shows the future."""
    late = max(0, (dt.date(year, *latest) - today).days)
    return lambda month, day: dt.date(year, month, day) - dt.timedelta(days=late)


def seed_enforcement(year: int, today: dt.date | None = None) -> int:
    """Refusers and their cases in the demo year; returns the number of refusals made."""
    if Refusal.objects.exists():
        return 0
    day = demo_day(year, today or timezone.localdate(), (5, 31))
    # The migration seeds the table; a flushed test database (transactional tests) has lost it.
    for row in legal_bases.rows():
        LegalBasis.objects.get_or_create(code=row["code"], defaults=row)
    users = get_user_model().objects
    made = 0
    for code, username, firms in (("370602", "county", 6), ("370611", "county_370611", 6)):
        actor = users.filter(username=username).first()
        if actor is None:
            continue
        county = County.objects.get(code=code)
        # Firms on the list that have not started, then (in a small demo) firms not listed yet.
        listed = Enterprise.objects.filter(
            county=county, status__in=(Status.LISTED, Status.NOT_LISTED), closed_on__isnull=True
        ).order_by("status", "pk")
        for n, firm in enumerate(listed[:firms]):
            refusal = services.refusal_mark(
                enterprise=firm, actor=actor, notice_no=f"{county.name}安监告〔{year}〕{n + 1}号",
                served_on=day(3, 10 + n), firm_answer=ANSWERS[n % len(ANSWERS)],
            )  # fmt: skip
            _walk(refusal, actor=actor, stage=STAGES[made % len(STAGES)], day=day, n=n)
            made += 1
    return made


def _walk(refusal: Refusal, *, actor, stage: str, day, n: int) -> None:
    if stage == "none":
        return
    firm = refusal.enterprise
    case = services.case_open(
        enterprise=firm, actor=actor, refusal=refusal, opened_on=day(4, 1 + n),
        cause="不具备安全生产条件、拒不开展安全生产标准化创建",
    )  # fmt: skip
    if stage == "opened":
        return
    violating = (CheckPoint.TRAINING, CheckPoint.EMERGENCY_PLAN)
    findings = {
        point: (
            Finding.VIOLATION if point in violating else Finding.CONFORMS,
            "查阅培训档案，2015年以来未记录新员工三级安全教育"
            if point == CheckPoint.TRAINING
            else "未编制生产安全事故应急救援预案，未备案"
            if point == CheckPoint.EMERGENCY_PLAN
            else "现场查看相关台账和记录，符合要求",
        )
        for point in CheckPoint
    }
    services.inspection_record(
        case=case, actor=actor, inspected_on=day(4, 10 + n),
        place=firm.address or f"{firm.name}生产现场", firm_present="安全管理负责人",
        inspectors=[("王建国", f"37060{n}0001"), ("李明", f"37060{n}0002")], findings=findings,
    )  # fmt: skip
    for code, facts in (
        ("AQFA2014-94-4", "未如实记录从业人员安全生产教育和培训情况"),
        ("AQFA2014-94-6", "未按照规定制定生产安全事故应急救援预案"),
    ):
        services.violation_record(
            case=case, actor=actor, basis=LegalBasis.objects.get(code=code), facts=facts
        )
    if stage == "inspected":
        return
    _order_to_close(case, actor=actor, stage=stage, day=day, n=n)


def _order_to_close(case, *, actor, stage: str, day, n: int) -> None:
    year = case.opened_on.year
    county = case.enterprise.county.name
    services.case_order(
        case=case, actor=actor, order_no=f"{county}安监责改〔{year}〕{n + 1}号",
        ordered_on=day(4, 12 + n), rectify_by=day(5, 12 + n),
    )  # fmt: skip
    if stage == "ordered":
        return
    services.penalty_decide(
        case=case, actor=actor, number=f"{county}安监罚〔{year}〕{n + 1}号",
        decided_on=day(4, 20 + n),
    )  # fmt: skip
    if stage == "decided":
        return
    if stage == "escalated":
        services.case_follow_up(
            case=case, actor=actor, followed_up_on=day(5, 13 + n),
            result=FollowUpResult.ESCALATED, note="复查发现应急预案仍未编制，逾期未改正",
        )  # fmt: skip
        return
    services.case_follow_up(
        case=case, actor=actor, followed_up_on=day(5, 13 + n),
        result=FollowUpResult.CORRECTED, note="培训记录已补齐，应急预案已编制并备案",
    )  # fmt: skip
    services.case_close(case=case, actor=actor, closed_on=day(5, 20 + n))
