"""Demo outreach in ``year``: in 芝罘区 a meeting for principal leaders, a training class on
the standard attended by most listed firms with their people, and an on-site guidance visit;
in 福山区 a training class. Needs the demo county logins; idempotent."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from enterprises.models import CreationListEntry

from .models import EventKind, OutreachEvent
from .services import event_record

POSTS = ["主要负责人", "安全管理负责人", "安全员"]


def _listed(county_id: int, year: int) -> list:
    entries = CreationListEntry.objects.filter(year=year, enterprise__county_id=county_id)
    return [e.enterprise for e in entries.select_related("enterprise").order_by("enterprise_id")]


def _people(firms: list) -> list[tuple[str, str]]:
    return [
        (f"{firm.safety_contact or '联络员'}", POSTS[n % len(POSTS)])
        for n, firm in enumerate(firms)
    ]


def demo_day(year: int, today: dt.date, latest: tuple[int, int]):
    """The demo's dates in ``year``, moved back together so that the latest, ``latest``
    (month, day), is not after ``today``: a demo of this year never shows the future."""
    late = max(0, (dt.date(year, *latest) - today).days)
    return lambda month, day: dt.date(year, month, day) - dt.timedelta(days=late)


def seed_outreach(year: int, today: dt.date | None = None) -> int:
    """The year's demo events; returns how many were made."""
    if OutreachEvent.objects.exists():
        return 0
    day = demo_day(year, today or timezone.localdate(), (5, 16))
    users = get_user_model().objects
    made = 0
    for username, share in (("county", 0.7), ("county_370611", 0.4)):
        actor = users.filter(username=username).first()
        if actor is None:
            continue
        firms = _listed(actor.county_id, year)
        trained = firms[: int(len(firms) * share)]
        county = actor.county.name
        plans = [
            (
                EventKind.LEADERS_MEETING,
                f"{county}安全生产标准化推进会",
                day(3, 18),
                firms[:5],
            ),
            (
                EventKind.TRAINING,
                f"{county}第一期评定标准业务培训班",
                day(4, 22),
                trained,
            ),
            (EventKind.GUIDANCE, "专家上门指导自评", day(5, 16), firms[-2:]),
        ]
        for kind, title, held_on, attending in plans:
            event_record(
                actor=actor, kind=kind, title=title, held_on=held_on,
                place="企业现场" if kind == EventKind.GUIDANCE else f"{county}安监局会议室",
                organiser=actor.county.supervisor, firms=attending, people=_people(attending),
            )  # fmt: skip
            made += 1
    return made


def seed_dispatch(year: int, today: dt.date | None = None) -> int:
    """A dispatch meeting in ``year`` with three items: one done, one open, one overdue."""
    from enterprises.models import County

    from .models import DispatchMeeting
    from .services import dispatch_hold, dispatch_item_complete

    city = get_user_model().objects.filter(username="city").first()
    if city is None or DispatchMeeting.objects.exists():
        return 0
    day = demo_day(year, today or timezone.localdate(), (8, 15))
    zhifu, fushan, muping = (County.objects.get(code=c) for c in ("370602", "370611", "370612"))
    meeting = dispatch_hold(
        actor=city, title=f"{year}年第二季度安全生产标准化工作调度会", held_on=day(6, 28),
        counties=[zhifu, fushan, muping],
        issues="部分县市区创建名单企业自评进度滞后；拒不创建企业执法检查尚未全覆盖。",
        items=[
            (zhifu, "7月底前完成拒不创建企业执法检查全覆盖", day(7, 31)),
            (fushan, "组织第二期评定标准业务培训班", day(8, 15)),
            (muping, "报送创建名单企业自评进度滞后原因及整改措施", day(7, 10)),
        ],
    )  # fmt: skip
    county_user = get_user_model().objects.filter(username="county").first()
    first = meeting.items.get(owner=zhifu)
    if county_user is not None:
        dispatch_item_complete(
            item=first, actor=county_user, done_note="已对6家拒不创建企业全部实施执法检查",
            done_on=day(7, 25),
        )  # fmt: skip
    return 1


PRACTICES = [
    (
        "county",
        "“一企一策”上门指导推动小微企业自评",
        "组织专家分片包企业，逐家上门指导对照评定标准开展自评，建立问题清单和整改台账，"
        "每周调度一次进度，创建名单企业自评率明显提升。",
    ),
    (
        "county_370611",
        "分批次举办评定标准业务培训班",
        "按行业分批次组织创建名单企业主要负责人和安全管理人员参加培训，现场讲解自评方法和常见问题。",
    ),
]


NOTES = {True: "主要负责人亲自部署，专项经费已落实", False: "部署到位，经费部分落实"}


def seed_practices(year: int, today: dt.date | None = None) -> int:
    """Two counties' write-ups in ``year``, the first with an attachment and featured by the
    city; and the city's hand scores for three counties (the rest are left unscored)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .models import GoodPractice, HandCriterion
    from .services import hand_score_enter, practice_feature, practice_submit

    users = get_user_model().objects
    city = users.filter(username="city").first()
    if city is None or GoodPractice.objects.exists():
        return 0
    day = demo_day(year, today or timezone.localdate(), (6, 10))
    made = []
    for username, title, text in PRACTICES:
        actor = users.filter(username=username).first()
        if actor is None:
            continue
        attachment = SimpleUploadedFile("经验材料.pdf", b"%PDF-1.4 demo write-up")
        made.append(practice_submit(actor=actor, title=title, text=text, attachment=attachment))
    # Submitted early in June; the first featured in the period of the demo's 6月13日 bulletin.
    when = timezone.make_aware(dt.datetime.combine(day(6, 3), dt.time(9)))
    GoodPractice.objects.filter(pk__in=[p.pk for p in made]).update(submitted_at=when)
    if made:
        practice_feature(practice=made[0], actor=city, featured_on=day(6, 10))
    for county_user, leadership, funding in (("county", 90, 80), ("county_370611", 75, 60)):
        actor = users.filter(username=county_user).first()
        if actor is None:
            continue
        for code, score in (
            (HandCriterion.LEADERSHIP, leadership),
            (HandCriterion.FUNDING, funding),
        ):
            hand_score_enter(
                actor=city, county=actor.county, year=year, criterion=code, score=score,
                note=NOTES[score >= 80],
            )  # fmt: skip
    return len(made)
