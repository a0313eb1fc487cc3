"""Who may read the standards in force, choose a county's small/micro standard, and change the
city's settings for reviews."""

from __future__ import annotations

from typing import Any

from portal.policy import only, role_of, rule
from portal.roles import Role

from ..models import CountyStandard, ReviewSettings, ScoringStandard

rule(ScoringStandard, "browse")(
    only(
        Role.CITY, Role.COUNTY, Role.ENTERPRISE, Role.AGENCY, Role.ADMIN,
        reason="请登录后查看评定标准",
    )
)  # fmt: skip


@rule(CountyStandard, "choose")
def the_countys_own_staff(user: Any, choice: Any) -> str | None:
    """The county decides for itself (asked of the class: any county staff)."""
    if role_of(user) != Role.COUNTY:
        return "适用的小微企业评定标准由县市区监管部门选定"
    if not isinstance(choice, type) and choice.county_id != user.county_id:
        return "只能为本县市区选定标准"
    return None


rule(ReviewSettings, "view")(
    only(Role.CITY, Role.COUNTY, Role.ADMIN, reason="此页面仅限市局和县市区监管部门查看")
)
rule(ReviewSettings, "edit")(only(Role.CITY, reason="评审设置由市局维护"))
