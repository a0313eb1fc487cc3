"""The machine of a county's documents, on ``Announcement.status``: a 公示 is drafted and
published ("publicize", which opens its objection period; ``reviews.events`` tells the city
and the listed firms); a 公告 is drafted and published ("publish") only for results whose 公示
passed with no objection open or upheld. Publishing a 公告 locks it, reports it to the city
(the city's list shows published ones only) and moves every listed firm to 已公告达标 through
``LIFECYCLE``'s "announce", all in one transaction.

Publishing is refused, with the reason, when the draft lists no firm, lists a grade the county
does not announce (一级 and 二级: the nation and the province), lists a result of a county-year
the city holds (``ResultHold``), or lists a result no longer confirmed, current and unlisted
(for a 公告: not through a clean 公示). ``edit`` goes from draft to draft: the service checks it
and saves the entries itself.

``OBJECTION`` (公示异议, ``Objection.status``): open → upheld (the result is sent back for
review: ``certificate_send_back``) or dismissed (with the reason).
"""

from __future__ import annotations

from typing import Any

from portal.statemachine import Machine, Transition

from ..choices import AnnouncementStatus, ObjectionStatus
from ..models import Announcement, Objection
from .lifecycle import LIFECYCLE

DRAFT, PUBLISHED = AnnouncementStatus.DRAFT, AnnouncementStatus.PUBLISHED


def entries(announcement: Announcement, context: dict[str, Any]) -> list:
    """The listed certificates, read once per check (kept in the check's context)."""
    if "certificates" not in context:
        context["certificates"] = list(announcement.certificates.select_related("enterprise"))
    return context["certificates"]


# --- Conditions of publishing ------------------------------------------------------------------
# The rules are the selectors' (reviews.selectors.announcements, one named place each); imported
# lazily, since the selectors read models that the workflows package is imported beside.


def is_announcement(announcement: Announcement, context: dict[str, Any]) -> str | None:
    return "这是公示，请发布公示" if announcement.is_publicity else None


def is_publicity(announcement: Announcement, context: dict[str, Any]) -> str | None:
    return None if announcement.is_publicity else "这是公告，请发布公告"


def lists_firms(announcement: Announcement, context: dict[str, Any]) -> str | None:
    return None if entries(announcement, context) else "公告未列入任何企业"


def grades_announced_by_county(announcement: Announcement, context: dict[str, Any]) -> str | None:
    from ..selectors.announcements import higher_grade_problems

    return "；".join(higher_grade_problems(entries(announcement, context))) or None


def not_held_by_city(announcement: Announcement, context: dict[str, Any]) -> str | None:
    from ..selectors.announcements import held_problems

    problems = held_problems(announcement.county, entries(announcement, context))
    return "；".join(problems) or None


def results_still_announceable(announcement: Announcement, context: dict[str, Any]) -> str | None:
    """Still confirmed, current and unlisted; for a 公告, its 公示 passed with no objection
    open or upheld (``reviews.rules``)."""
    from ..selectors.announcements import announcement_blockers

    problems = announcement_blockers(
        county=announcement.county, certificates=entries(announcement, context), draft=announcement
    )
    return "；".join(problems) or None


# --- Hooks --------------------------------------------------------------------------------------


def announce_listed_firms(announcement: Announcement, *, actor, transition, context) -> None:
    """Each listed firm moves to 已公告达标, noted with the announcement's number."""
    for certificate in entries(announcement, context):
        LIFECYCLE.apply(
            certificate.enterprise,
            "announce",
            actor=actor,
            trusted=True,
            note=f"公告文号：{announcement.number}",
        )


ANNOUNCEMENT = Machine(
    Announcement,
    [
        Transition("edit", (DRAFT,), DRAFT, "修改"),
        Transition(
            "publicize",
            (DRAFT,),
            PUBLISHED,
            "发布公示",
            action="publish",
            conditions=(is_publicity, lists_firms, not_held_by_city, results_still_announceable),
        ),
        Transition(
            "publish",
            (DRAFT,),
            PUBLISHED,
            "发布公告并报市局",
            conditions=(
                is_announcement,
                lists_firms,
                grades_announced_by_county,
                not_held_by_city,
                results_still_announceable,
            ),
            hooks=(announce_listed_firms,),
        ),
    ],
)


# --- 公示异议 ---------------------------------------------------------------------------------


def decision_is_given(objection: Objection, context: dict[str, Any]) -> str | None:
    if "decision" in context and not (context["decision"] or "").strip():
        return "请填写处理意见（异议不成立须说明理由）"
    return None


def send_the_result_back(objection: Objection, *, actor, transition, context) -> None:
    """异议成立: the firm's result goes back for review (``certificate_send_back``), and
    the firm is told (``reviews.objection_upheld``)."""
    from portal.events import emit

    from ..events import OBJECTION_UPHELD
    from ..services.certificates import RevokeSource, certificate_send_back

    certificate = objection.certificate
    redo = certificate_send_back(
        certificate=certificate,
        actor=actor,
        reason=f"{objection.announcement.number}公示期间异议成立：{objection.decision}",
        source=RevokeSource.OBJECTION,
    )
    emit(OBJECTION_UPHELD, objection, actor=actor, redo=redo)


OBJECTION = Machine(
    Objection,
    [
        Transition(
            "uphold",
            (ObjectionStatus.OPEN,),
            ObjectionStatus.UPHELD,
            "异议成立，退回重新评审",
            action="decide",
            conditions=(decision_is_given,),
            hooks=(send_the_result_back,),
        ),
        Transition(
            "dismiss",
            (ObjectionStatus.OPEN,),
            ObjectionStatus.DISMISSED,
            "异议不成立",
            action="decide",
            conditions=(decision_is_given,),
        ),
    ],
)
