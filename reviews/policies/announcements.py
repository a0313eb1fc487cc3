"""Who may do what with announcements (公告): a county composes, edits and publishes its own;
the city reads what was reported to it. Which entries may be published and when is the
announcement machine's (``reviews.workflows.announcements``)."""

from __future__ import annotations

from typing import Any

from portal.policy import only, role_of, rule
from portal.roles import Role

from ..models import Announcement, Objection
from .assessment import per_row


def county_staff_of(user: Any, announcement: Announcement) -> str | None:
    """Staff of the announcement's own county (the issuer of the document)."""
    if role_of(user) == Role.COUNTY and user.county_id == announcement.county_id:
        return None
    return "只有本县市区监管部门可以编制和发布公告"


readers = only(Role.CITY, Role.COUNTY, Role.ADMIN, reason="只有监管部门可以查看达标公告")

rule(Announcement, "list", "view", "export")(readers)
rule(Announcement, "create")(only(Role.COUNTY, reason="只有县市区监管部门可以编制公告"))
rule(Announcement, "edit", "publish")(per_row(county_staff_of))


def records_objections(user: Any, announcement: Announcement) -> str | None:
    """The issuing county receives objections to its 公示 (and only to a 公示)."""
    if not announcement.is_publicity:
        return "只有公示可以登记异议"
    return county_staff_of(user, announcement) and "只有发布公示的监管部门可以登记和处理异议"


def decides_objection(user: Any, objection: Objection) -> str | None:
    return records_objections(user, objection.announcement)


rule(Announcement, "record_objection")(per_row(records_objections))
rule(Objection, "decide")(per_row(decides_objection))
