"""Who may do what in the reports app: targets, submissions, deadlines, bulletins, the city's
dashboard, the yearly evaluation (年终考核) and the county's work page. Rules
``(user, obj) -> reason | None`` registered with ``portal.policy.rule``; ``obj`` is a row or,
for a page or an action on no single row, the class (the pages below are marker classes).

What a user may *see* is the scoping's (``for_user``); these rules decide what they may do.
"""

from __future__ import annotations

from typing import Any

from portal.policy import only, role_of, rule
from portal.roles import Role

from .models import (
    CountyTarget,
    EvaluationCriterion,
    ProgressSnapshot,
    Submission,
    SubmissionDeadline,
)


class CityDashboard:
    """The city's progress dashboard (a page, not a row)."""


class CountyWorkPage:
    """The county's start page (a page, not a row)."""


class CountyDashboard:
    """One county's progress dashboard: its own staff's, and the city's drill-down."""


class Evaluation:
    """The yearly evaluation of the counties (年终考核; a page, not a row)."""


class YearSetup:
    """The city's setting up of a programme year (goal, deadlines, lists, look-back)."""


CITY = (Role.CITY, Role.ADMIN)
city = only(*CITY, reason="此操作仅限市局")
city_or_county = only(*CITY, Role.COUNTY)
county_staff = only(Role.COUNTY, reason="此页面仅限县市区监管部门用户")


def own_county(refusal: str):
    """Staff of the row's county (of some county, for the class)."""

    def check(user: Any, obj: Any) -> str | None:
        if role_of(user) != Role.COUNTY:
            return refusal
        if not isinstance(obj, type) and obj.county_id != user.county_id:
            return refusal
        return None

    return check


# --- County targets (reports.workflows.TARGET) ----------------------------------------------

rule(CountyTarget, "view_list")(city_or_county)
rule(CountyTarget, "revise")(own_county("只有本县市区用户可以填报目标"))
rule(CountyTarget, "submit")(own_county("只有本县市区用户可以提交目标"))
rule(CountyTarget, "accept", "return")(only(*CITY, reason="只有市局可以审定或退回目标"))

# --- Submissions (reports.workflows.SUBMISSION) and their deadlines -------------------------

rule(Submission, "view_list")(city_or_county)
rule(Submission, "view_grid")(only(*CITY, reason="各县市区上报情况仅限市局查看"))
rule(Submission, "upload")(own_county("只有本县市区用户可以上报"))
rule(Submission, "accept", "return")(only(*CITY, reason="只有市局可以审核上报材料"))
rule(Submission, "reclassify")(only(*CITY, reason="只有市局可以调整上报截止日期"))


@rule(SubmissionDeadline, "setup")
def city_or_system(user: Any, obj: Any) -> str | None:
    """The city, or the demo seeding and commands (the system)."""
    return None if user is None or role_of(user) in CITY else "只有市局可以设置上报截止日期"


# --- Progress snapshots and bulletins --------------------------------------------------------

rule(ProgressSnapshot, "view_list", "download")(city_or_county)
rule(ProgressSnapshot, "generate")(city)

# --- Setting up a year -----------------------------------------------------------------------

rule(YearSetup, "set_up")(only(*CITY, reason="只有市局可以设置年度工作"))

# --- Pages ----------------------------------------------------------------------------------

rule(CityDashboard, "view")(only(*CITY, reason="进度看板仅限市局查看"))
rule(CountyWorkPage, "view")(county_staff)
rule(CountyDashboard, "view")(only(*CITY, Role.COUNTY, reason="县市区进度看板仅限市局和县市区查看"))
rule(Evaluation, "view", "download")(only(*CITY, reason="年终考核仅限市局查看"))
rule(EvaluationCriterion, "set_weights")(only(*CITY, reason="只有市局可以设置考核指标"))
