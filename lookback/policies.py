"""Who may do what in the look-back campaign (回头看) and the city's audit of results (抽查审核).

The city opens the campaign, draws the spot-checks and records their findings, decides on the
counties' ratings of agencies, and runs the audits. A county inspects its passed firms
(政府组织排查) and rates the agencies that reviewed there; a passed firm checks itself
(企业自查自纠). Rules ``(user, obj) -> reason | None`` registered with ``portal.policy.rule``;
actions that create a row (open, start, browse a list) are asked of the class.
"""

from __future__ import annotations

from typing import Any

from portal.policy import only, reason, role_of, rule
from portal.roles import Role
from reviews.models import ReviewAgency

from .models import AgencyRating, AuditFinding, AuditRound, Campaign, SelfCheck, SpotCheckOutcome

city = only(Role.CITY, Role.ADMIN, reason="此操作仅限市局")
a_county = only(Role.COUNTY, reason="此操作仅限县市区监管部门")
city_or_county = only(
    Role.CITY, Role.ADMIN, Role.COUNTY, reason="此页面仅限市局和县市区监管部门查看"
)
a_firm = only(Role.ENTERPRISE, reason="此操作仅限企业用户")


# --- The campaign: what one does within it --------------------------------------------------

rule(Campaign, "open", "draw", "reopen")(city)  # 启动活动; 抽查阶段的随机抽取; 重新开放阶段
rule(Campaign, "oversee")(city_or_county)  # 自查、考评、抽查的进度与清单
rule(Campaign, "inspect", "rate")(a_county)  # 政府组织排查; 评审机构考评
rule(Campaign, "check_own")(a_firm)  # 本企业自查自纠


# --- 自查自纠: the firm checks itself, its county inspects it -----------------------------------


def self_check_method(user: Any) -> str | None:
    """How ``user`` takes part in 自查自纠: a firm checks itself, a county inspects."""
    return {
        Role.ENTERPRISE: SelfCheck.Method.SELF,
        Role.COUNTY: SelfCheck.Method.GOVERNMENT,
    }.get(role_of(user))


@rule(SelfCheck, "record")
def records_the_check(user: Any, check: SelfCheck) -> str | None:
    """A firm's own check by the firm; an inspection by the firm's county."""
    role = role_of(user)
    if check.method == SelfCheck.Method.SELF and role == Role.ENTERPRISE:
        if user.enterprise_id == check.enterprise_id:
            return None
    if check.method == SelfCheck.Method.GOVERNMENT and role == Role.COUNTY:
        if user.county_id == check.enterprise.county_id:
            return None
    return "只有企业本身或其所在县市区可以填报自查自纠"


# --- 总结: the counties' ratings of agencies, the city's decision --------------------------------


@rule(AgencyRating, "resubmit")
def county_of_rating(user: Any, rating: AgencyRating) -> str | None:
    if role_of(user) == Role.COUNTY and user.county_id == rating.county_id:
        return None
    return "只有作出考评的县市区可以重新考评"


rule(AgencyRating, "decide")(city)


# --- 抽查: the experts' findings on the drawn firms ---------------------------------------------

rule(SpotCheckOutcome, "record")(city)


# --- 抽查审核: the city audits the counties' results --------------------------------------------

rule(AuditRound, "browse")(city_or_county)
rule(AuditRound, "start", "redraw", "record_finding", "close")(city)


@rule(AuditFinding, "record")
def may_record_on_its_audit(user: Any, finding: AuditFinding) -> str | None:
    return reason(user, "record_finding", finding.audit)


# --- 评审机构履职情况: the city and the counties read every agency's record, an agency its own --


@rule(ReviewAgency, "performance")
def reads_the_record(user: Any, agency: Any) -> str | None:
    if role_of(user) in (Role.CITY, Role.ADMIN, Role.COUNTY):
        return None
    if role_of(user) == Role.AGENCY and not isinstance(agency, type):
        if user.agency_id == agency.pk:
            return None
    return "履职情况仅限市局、县市区和该评审机构本身查看"
