"""Who may do what on the review path: the firm's county accepts, returns, assigns and confirms;
the assigned agency reviews (team, dates, scores, nonconformities), verifies and concludes; the
firm answers its nonconformities; the city reads. Rules ``(user, obj) -> reason | None``
(``portal.policy``); the machines are ``reviews.workflows.review``.

Rules registered on ``Review`` with a class in mind (``task_list``, ``application_queue``,
``apply_page``) name pages that concern no one review."""

from __future__ import annotations

from typing import Any

from portal.policy import first_refusal, only, role_of, rule
from portal.roles import Role

from ..models import Nonconformity, ResultHold, Review
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
rule(Review, "apply_page")(only(Role.ENTERPRISE, reason="只有企业用户可以申请评审"))

# --- One review (REVIEW) --------------------------------------------------------------------


@rule(Review, "return", "assign", "confirm")
def county_of_review(user: Any, review: Review) -> str | None:
    return county_of_firm(user, review.enterprise)


@rule(Review, "review", "conclude")
def agency_of_review(user: Any, review: Review) -> str | None:
    return assigned_agency(user, review)


# Team, dates, the four combinations, scores and nonconformities: the assigned agency, while
# the review is open (refused with the reason once it is concluded).
rule(Review, "edit")(first_refusal(agency_of_review, still_open))

# --- Nonconformities (NONCONFORMITY) --------------------------------------------------------


@rule(Nonconformity, "answer")
def firm_of_nonconformity(user: Any, nonconformity: Nonconformity) -> str | None:
    return firm_user(user, nonconformity.review.enterprise)


@rule(Nonconformity, "verify")
def agency_of_nonconformity(user: Any, nonconformity: Nonconformity) -> str | None:
    return assigned_agency(user, nonconformity.review)


# --- The agency list and the city's holds on a county's results ---------------------------------

rule(ResultHold, "place", "release")(
    only(Role.CITY, Role.ADMIN, reason="只有市局可以暂缓或解除暂缓公告")
)
