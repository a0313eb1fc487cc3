"""The announcement's machine (公告), on ``Announcement.status``: a county's draft is edited,
then published, which locks it, reports it to the city (the city's list shows published
announcements only) and moves every listed firm to 已公告达标 through ``LIFECYCLE``'s
"announce", all in one transaction.

Publishing is refused, with the reason, when the draft lists no firm, lists a grade the county
does not announce (一级 and 二级: the nation and the province), lists a result of a county-year
the city holds (``ResultHold``), or lists a result no longer confirmed, current and unannounced.
``edit`` goes from draft to draft: the service checks it and saves the entries itself.
"""

from __future__ import annotations

from typing import Any

from portal.statemachine import Machine, Transition

from ..choices import AnnouncementStatus
from ..models import Announcement
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
        Transition("edit", (DRAFT,), DRAFT, "修改公告"),
        Transition(
            "publish",
            (DRAFT,),
            PUBLISHED,
            "发布公告并报市局",
            conditions=(
                lists_firms,
                grades_announced_by_county,
                not_held_by_city,
                results_still_announceable,
            ),
            hooks=(announce_listed_firms,),
        ),
    ],
)
