"""Who may do what on the review path: the firm's county accepts, returns and assigns; the
result's confirming level confirms it (``reviews.rules``: the county 达标, the city 三级, and
the city recommends 二级 and 一级 upward);
the assigned agency reviews (team, dates, scores, nonconformities), verifies and concludes; the
firm answers its nonconformities; the city reads. Rules ``(user, obj) -> reason | None``
(``portal.policy``); the machines are ``reviews.workflows.review``.

Rules registered on ``Review`` with a class in mind (``task_list``, ``application_queue``,
``apply_page``) name pages that concern no one review."""

from __future__ import annotations

from typing import Any

from portal.policy import first_refusal, only, role_of, rule
from portal.roles import Role

from ..choices import ConfirmingLevel, ReviewStatus
from ..models import Nonconformity, ResultHold, Review
from ..rules import confirming_level
from ..selectors.review import AGENCY_EDITABLE_STATUSES
from .lifecycle import county_of_firm, firm_user


def assigned_agency(user: Any, review: Review) -> str | None:
    """The agency the review is assigned to (or an administrator)."""
    if role_of(user) == Role.ADMIN:
        return None
    if role_of(user) == Role.AGENCY and review.agency_id and user.agency_id == review.agency_id:
        return None
    return "只有受委派的评审机构可以执行此操作"


def still_open(user: Any, review: Review) -> str | None:
    """The agency's record of the review is closed once the review is concluded."""
    if review.status in AGENCY_EDITABLE_STATUSES:
        return None
    if review.concluded_at:
        return "评审已作出结论，评审记录不能再修改"
    return f"评审状态为“{review.get_status_display()}”，不能修改评审记录"


# --- Pages of no one review -----------------------------------------------------------------

rule(Review, "task_list")(only(Role.AGENCY, Role.ADMIN, reason="评审任务页面仅限评审机构"))
rule(Review, "application_queue")(
    only(Role.COUNTY, Role.CITY, Role.ADMIN, reason="评审申请页面仅限市局和县市区监管部门")
)
rule(Review, "re_review_queue")(
    only(Role.COUNTY, Role.CITY, Role.ADMIN, reason="复审页面仅限市局和县市区监管部门")
)
rule(Review, "apply_page")(only(Role.ENTERPRISE, reason="只有企业用户可以申请评审"))

# --- One review (REVIEW) --------------------------------------------------------------------


@rule(Review, "return", "assign", "withdraw")
def county_of_review(user: Any, review: Review) -> str | None:
    return county_of_firm(user, review.enterprise)


def city_staff(user: Any) -> str | None:
    return None if role_of(user) in (Role.CITY, Role.ADMIN) else "只有市局可以执行此操作"


def level_of(review: Review) -> str:
    return confirming_level(result=review.result, applied_grade=review.applied_grade)


@rule(Review, "confirm")
def confirming_level_of_review(user: Any, review: Review) -> str | None:
    """The result's confirming level (``reviews.rules``): the firm's county for 达标, the city
    for 三级; 二级 and 一级 are recommended upward, confirmed by no one here."""
    level = level_of(review)
    what = review.get_result_display() or "未达标"
    if level == ConfirmingLevel.COUNTY:
        return county_of_firm(user, review.enterprise) and (
            f"评审结论“{what}”由企业所在县市区监管部门确认"
        )
    if level == ConfirmingLevel.CITY:
        return city_staff(user) and f"评审结论“{what}”由市局确认"
    return f"{what}由市局推荐上报省级或国家，不在本地确认"


@rule(Review, "recommend")
def city_recommends_upward(user: Any, review: Review) -> str | None:
    """推荐上报: 二级 and 一级 results go up from the city to the province or the nation."""
    if level_of(review) != ConfirmingLevel.RECOMMEND:
        return f"评审结论“{review.get_result_display() or '未达标'}”不需推荐上报"
    return city_staff(user) and "只有市局可以推荐上报"


@rule(Review, "review", "conclude")
def agency_of_review(user: Any, review: Review) -> str | None:
    return assigned_agency(user, review)


# Team, dates, the four combinations, scores and nonconformities: the assigned agency, while
# the review is open (refused with the reason once it is concluded).
rule(Review, "edit")(first_refusal(agency_of_review, still_open))

# --- Nonconformities (NONCONFORMITY) --------------------------------------------------------


def review_not_withdrawn(nonconformity: Nonconformity) -> str | None:
    if nonconformity.review.status == ReviewStatus.CANCELLED:
        return "该评审已撤回委派，其不符合项不再整改、核查"
    return None


@rule(Nonconformity, "answer")
def firm_of_nonconformity(user: Any, nonconformity: Nonconformity) -> str | None:
    return firm_user(user, nonconformity.review.enterprise) or review_not_withdrawn(nonconformity)


@rule(Nonconformity, "verify")
def agency_of_nonconformity(user: Any, nonconformity: Nonconformity) -> str | None:
    return assigned_agency(user, nonconformity.review) or review_not_withdrawn(nonconformity)


# --- The agency list and the city's holds on a county's results ---------------------------------

rule(ResultHold, "place", "release")(
    only(Role.CITY, Role.ADMIN, reason="只有市局可以暂缓或解除暂缓公告")
)
