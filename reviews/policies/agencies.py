"""Who may do what with review agencies and their experts: the city manages them and decides
their standing; counties read; an agency edits its own contact details directly and asks the
city to approve changes to its qualification scope and its experts."""

from __future__ import annotations

from typing import Any

from portal.policy import only, role_of, rule
from portal.roles import Role

from ..models import (
    AgencyChangeRequest,
    AgencyListEdition,
    AgencyWarning,
    Expert,
    Review,
    ReviewAgency,
)

city = only(Role.CITY, Role.ADMIN, reason="此操作仅限市局")
city_or_county = only(
    Role.CITY, Role.ADMIN, Role.COUNTY, reason="此页面仅限市局和县市区监管部门查看"
)


def own_agency(user: Any, agency: Any) -> str | None:
    """The city, or the agency itself (``agency`` may be the class: any agency user)."""
    role = role_of(user)
    if role in (Role.CITY, Role.ADMIN):
        return None
    if role == Role.AGENCY and (isinstance(agency, type) or user.agency_id == agency.pk):
        return None
    return "只有市局或该评审机构本身可以修改"


# --- Pages about no one agency ------------------------------------------------------------------

rule(ReviewAgency, "browse")(city_or_county)  # 评审机构名录
rule(ReviewAgency, "create")(city)
rule(Review, "reassign_list")(city_or_county)  # 被清除机构的未完成评审
rule(AgencyListEdition, "publish")(city)  # 发布动态名单新版
rule(AgencyChangeRequest, "review_queue")(city)  # 待审核的变更申请

# --- One agency ---------------------------------------------------------------------------------

rule(ReviewAgency, "decide_standing", "follow_up")(city)
rule(ReviewAgency, "edit", "add_expert")(own_agency)


@rule(Expert, "edit")
def experts_agency(user: Any, expert: Expert) -> str | None:
    if role_of(user) in (Role.CITY, Role.ADMIN):
        return None
    if role_of(user) == Role.AGENCY and expert.agency_id and user.agency_id == expert.agency_id:
        return None
    return "只有市局或专家所属机构可以修改专家信息"


rule(AgencyChangeRequest, "approve", "reject")(city)
rule(AgencyWarning, "follow_up")(city)
rule(ReviewAgency, "mine")(only(Role.AGENCY, reason="此页面仅限评审机构"))


@rule(ReviewAgency, "view")
def reads_the_agency(user: Any, agency: Any) -> str | None:
    """The city and the counties read every agency's page; an agency its own."""
    if role_of(user) in (Role.CITY, Role.ADMIN, Role.COUNTY):
        return None
    return own_agency(user, agency) and "此页面仅限市局、县市区和该评审机构查看"
