"""Who may do what in enforcement (执法推进): rules ``(user, obj) -> reason | None``.

The county where a firm is registered enforces there: it marks refusers, opens cases,
inspects, records violations, orders correction, decides penalties, follows up and closes.
The city (and administrators) read every county's lists and cases; firms and agencies have no
part here. Actions on no single row (open a list) are asked of the class.
"""

from __future__ import annotations

from typing import Any

from enterprises.choices import Status
from enterprises.models import Enterprise
from portal.policy import only, role_of, rule
from portal.roles import Role

from .models import Case, Inspection, LegalBasis, Refusal

city_or_county = only(
    Role.CITY, Role.ADMIN, Role.COUNTY, reason="执法推进页面仅限市局和县市区监管部门查看"
)


def county_of(enterprise: Enterprise, user: Any) -> str | None:
    if role_of(user) == Role.COUNTY and user.county_id == enterprise.county_id:
        return None
    return "只有企业所在县市区的监管部门可以执法"


# A firm refuses before it starts: on the list (or not yet), or after losing its grade.
NOT_STARTED = (Status.NOT_LISTED, Status.LISTED, Status.EXPIRED, Status.REVOKED)


@rule(Enterprise, "open_case")
def county_of_the_firm(user: Any, enterprise: Enterprise) -> str | None:
    if enterprise.closed_on:
        return "该企业已关闭"
    return county_of(enterprise, user)


@rule(Enterprise, "mark_refuser")
def county_of_a_firm_not_started(user: Any, enterprise: Enterprise) -> str | None:
    if enterprise.status not in NOT_STARTED:
        return "该企业已开展标准化创建，不能登记为拒不创建"
    return county_of_the_firm(user, enterprise)


@rule(
    Case, "inspect", "record_violation", "order", "decide", "follow_up", "decide_escalated", "close"
)
def county_of_the_case(user: Any, case: Case) -> str | None:
    return county_of(case.enterprise, user)


rule(Refusal, "list")(city_or_county)
rule(Case, "list")(city_or_county)
rule(LegalBasis, "list")(city_or_county)
# The table of violations is the city's: it adds rows and amends them (retiring by 适用).
rule(LegalBasis, "add", "edit")(only(Role.CITY, Role.ADMIN, reason="违法行为及处罚依据由市局维护"))
rule(Inspection, "print")(city_or_county)
