"""Who may do what in the standardization path: self-assessment, review, rectification,
conclusion, confirmation, certificates and announcements. Rules ``(user, obj) -> reason | None``
registered with ``portal.policy.rule``; see that module for the idiom."""

from __future__ import annotations

from typing import Any

from enterprises.models import Enterprise
from portal.policy import only, role_of, rule, system
from portal.roles import Role

# --- Who someone is, to a firm ------------------------------------------------------------------


def firm_user(user: Any, enterprise: Enterprise) -> str | None:
    """The firm's own user (or an administrator)."""
    if role_of(user) == Role.ADMIN:
        return None
    if role_of(user) == Role.ENTERPRISE and user.enterprise_id == enterprise.pk:
        return None
    return "只有本企业的用户可以执行此操作"


def county_of_firm(user: Any, enterprise: Enterprise) -> str | None:
    """Staff of the county the firm belongs to (or an administrator)."""
    if role_of(user) == Role.ADMIN:
        return None
    if role_of(user) == Role.COUNTY and user.county_id == enterprise.county_id:
        return None
    return "只有企业所在县市区的监管部门可以执行此操作"


def city_or_county_of_firm(user: Any, enterprise: Enterprise) -> str | None:
    if role_of(user) == Role.CITY:
        return None
    return county_of_firm(user, enterprise) and "只有市局或企业所在县市区的监管部门可以执行此操作"


def reviewing_agency(user: Any, enterprise: Enterprise) -> str | None:
    """The agency assigned to the firm's review now in progress (or an administrator)."""
    from ..choices import ReviewStatus

    if role_of(user) == Role.ADMIN:
        return None
    at_work = (ReviewStatus.ASSIGNED, ReviewStatus.UNDER_REVIEW, ReviewStatus.RECTIFYING)
    if (
        role_of(user) == Role.AGENCY
        and enterprise.reviews.filter(agency_id=user.agency_id, status__in=at_work).exists()
    ):
        return None
    return "只有受委派的评审机构可以执行此操作"


# --- The firm's lifecycle (reviews.workflows.lifecycle.LIFECYCLE) -------------------------

rule(Enterprise, "start_self_assessment", "apply")(firm_user)
rule(
    Enterprise,
    "return_application",
    "assign",
    "withdraw_assignment",
    "confirm",
    "reject_conclusion",
    "announce",
)(county_of_firm)
rule(Enterprise, "list_nonconformities", "conclude")(reviewing_agency)
rule(Enterprise, "revoke")(city_or_county_of_firm)
# 退回重新评审 follows an upheld objection or the city's re-review (their services, trusted):
# no one takes it on the firm directly.
rule(Enterprise, "send_back")(system)
# 二级 and 一级 are recommended upward by the city (reviews.rules); moved by the review's hook.
rule(Enterprise, "recommend")(only(Role.CITY, Role.ADMIN, reason="只有市局可以推荐上报"))
rule(Enterprise, "expire")(system)
