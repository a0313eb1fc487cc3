"""What waits for each role along the path (``portal.todo``): the county's applications,
conclusions, announcements, objections and re-reviews; the city's 公示 in their objection
period; the agency's assignments, reviews, rectifications to verify and its warning; the
firm's next step, in words."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from enterprises.choices import Status
from enterprises.models import Enterprise
from portal.events import cn_date
from portal.roles import Role
from portal.todo import Todo, todo

from .choices import AgencyStanding, AssessmentStatus, ReviewStatus, WarningStatus
from .models import AgencyWarning, Nonconformity, ReviewAgency, SelfAssessment
from .selectors.agencies import open_assignments_of_removed
from .selectors.announcements import (
    announceable_certificates,
    announcement_list,
    certificates_due_for_re_review,
    concluded_reviews,
)
from .selectors.review import current_review, re_reviews_for, review_list

# --- The county ---------------------------------------------------------------------------


@todo(Role.COUNTY, order=10)
def applications(user: Any, today: dt.date) -> Todo:
    qs = review_list(user=user, params={}, default_status=ReviewStatus.APPLIED)
    return Todo(
        "待受理的评审申请", qs.count(), reverse("reviews:applications"),
        hint="受理并委派评审机构，或说明理由退回",
    )  # fmt: skip


@todo(Role.COUNTY, order=15)
def reassignments(user: Any, today: dt.date) -> Todo:
    return Todo(
        "待重新委派的评审", open_assignments_of_removed(user).count(),
        reverse("reviews:reassign_list"), hint="原评审机构已被清除或取消资格，撤回委派后改派",
    )  # fmt: skip


@todo(Role.COUNTY, order=20)
def conclusions(user: Any, today: dt.date) -> Todo:
    return Todo(
        "待确认的评审结论", concluded_reviews(user=user).count(),
        reverse("reviews:confirmation_list"), hint="确认后颁发等级证书（有效期三年）",
    )  # fmt: skip


@todo(Role.COUNTY, order=30)
def announceable(user: Any, today: dt.date) -> Todo:
    return Todo(
        "可公告的达标企业", announceable_certificates(county=user.county).count(),
        reverse("reviews:announcement_create"), hint="编制公告文件并报市局工商贸科",
        waiting=True,
    )  # fmt: skip


@todo(Role.COUNTY, order=40)
def re_reviews(user: Any, today: dt.date) -> Todo:
    return Todo(
        "三个月内到期、待复评的证书",
        certificates_due_for_re_review(user=user, today=today).count(),
        reverse("reviews:re_review_due"), hint="提醒企业在有效期满前申请复评",
    )  # fmt: skip


@todo(Role.COUNTY, order=35)
def objections(user: Any, today: dt.date) -> Todo:
    return Todo(
        "有异议待处理的公示", announcement_list(user=user, params={"objections": "open"}).count(),
        f"{reverse('reviews:announcement_list')}?objections=open",
        hint="核实异议：成立的退回重新评审，不成立的说明理由",
    )  # fmt: skip


@todo(Role.COUNTY, order=42)
def audit_re_reviews(user: Any, today: dt.date) -> Todo:
    return Todo(
        "抽查审核后待完成的复审", re_reviews_for(user, pending=True).count(),
        f"{reverse('reviews:re_review_queue')}?pending=1",
        hint="委派原评审机构以外的机构复审；全部完成后由市局再次审核",
    )  # fmt: skip


# --- The city -----------------------------------------------------------------------------


@todo(Role.CITY, order=25)
def publicities(user: Any, today: dt.date) -> Todo:
    return Todo(
        "异议期内的公示", announcement_list(user=user, params={"period": "open"}).count(),
        f"{reverse('reviews:announcement_list')}?period=open",
        hint="异议期满、无异议的结果方可公告；市级确认的结果收到异议时会通知市局",
    )  # fmt: skip


# --- The agency ---------------------------------------------------------------------------


def _agency_reviews(user: Any, status: str):
    return review_list(user=user, params={"status": status})


@todo(Role.AGENCY, order=10)
def assignments(user: Any, today: dt.date) -> Todo:
    return Todo(
        "新委派的评审", _agency_reviews(user, ReviewStatus.ASSIGNED).count(),
        f"{reverse('reviews:agency_home')}?status={ReviewStatus.ASSIGNED}",
        hint="组建评审组、开展现场评审",
    )  # fmt: skip


@todo(Role.AGENCY, order=20)
def reviews_to_finish(user: Any, today: dt.date) -> Todo:
    return Todo(
        "评审中、待作出结论", _agency_reviews(user, ReviewStatus.UNDER_REVIEW).count(),
        f"{reverse('reviews:agency_home')}?status={ReviewStatus.UNDER_REVIEW}",
        hint="评分、记录现场整改、提出不符合项，完成后作出评审结论",
    )  # fmt: skip


@todo(Role.AGENCY, order=30)
def rectifications(user: Any, today: dt.date) -> Todo:
    qs = review_list(user=user, params={"nonconformities": "answered"})
    return Todo(
        "企业已提交整改、待核查", qs.count(),
        f"{reverse('reviews:agency_home')}?nonconformities=answered",
        hint="逐项核查整改情况：整改到位，或退回企业",
    )  # fmt: skip


@todo(Role.AGENCY, order=40)
def standing(user: Any, today: dt.date) -> Todo | None:
    agency = ReviewAgency.objects.filter(pk=user.agency_id).first()
    if agency is None or agency.standing == AgencyStanding.REGISTERED:
        return None
    warning = (
        AgencyWarning.objects.filter(agency=agency, status=WarningStatus.OPEN)
        .order_by("deadline")
        .first()
    )
    text = f"贵机构在评审机构名单中的状态为“{agency.get_standing_display()}”"
    if warning is not None:
        text += f"，整改期限{cn_date(warning.deadline)}"
    return Todo(
        "评审机构名单状态", 1, agency.get_absolute_url(), text=text,
        hint=warning.requirements if warning is not None else "请按市局要求整改",
    )  # fmt: skip


# --- The firm: its next step in words ------------------------------------------------------


@todo(Role.ENTERPRISE, order=10)
def next_step(user: Any, today: dt.date) -> Todo | None:
    firm = Enterprise.objects.filter(pk=user.enterprise_id).first()
    if firm is None:
        return None
    return _step_of(firm)


def _step_of(firm: Enterprise) -> Todo | None:
    review = current_review(firm)
    if firm.status == Status.RECTIFYING and review is not None:
        return _rectification(review)
    return _STEPS.get(firm.status, lambda firm, review: None)(firm, review)


def _rectification(review) -> Todo:
    """ "1项不符合项待整改，期限2016年12月20日": the open and rejected ones, the nearest
    deadline first (as the review page lists them)."""
    todo_qs = Nonconformity.objects.filter(review=review, status__in=("open", "rejected"))
    first = todo_qs.order_by("deadline").values_list("deadline", flat=True).first()
    count = todo_qs.count()
    if not count:
        return Todo("整改情况已提交", 0, review.get_absolute_url(),
                    text="整改情况已提交，等待评审机构核查", waiting=True)  # fmt: skip
    return Todo(
        "不符合项待整改", count, review.get_absolute_url(),
        text=f"{count}项不符合项待整改，期限{cn_date(first)}",
        hint="逐项填写整改情况并上传佐证材料",
    )  # fmt: skip


def _self_assessing(firm: Enterprise, review) -> Todo:
    draft = SelfAssessment.objects.filter(enterprise=firm, status=AssessmentStatus.DRAFT).first()
    if draft is not None:
        url = reverse("reviews:assessment_detail", args=[draft.pk])
        text = "自评尚未提交：逐项评分，填写自评组后提交"
        return Todo("完成自评", 1, url, text=text, hint="提交后即可申请评审")
    return Todo("申请评审", 1, reverse("reviews:apply"),
                text="自评已提交：向县级监管部门申请评审")  # fmt: skip


def _waiting(label: str, text: str):
    def step(firm: Enterprise, review) -> Todo:
        url = review.get_absolute_url() if review is not None else firm.get_absolute_url()
        return Todo(label, 0, url, text=text, waiting=True)

    return step


def _start(firm: Enterprise, review) -> Todo:
    return Todo("开展自评", 1, reverse("reviews:assessment_list"),
                text="开展自评：按评定标准逐项自查评分", hint="自评达标后申请评审")  # fmt: skip


def _passed(firm: Enterprise, review) -> Todo:
    until = f"，有效期至{cn_date(firm.grade_valid_until)}" if firm.grade_valid_until else ""
    return Todo("已达标", 0, firm.get_absolute_url(),
                text=f"已达标{until}；持续运行，期满前三个月申请复评", waiting=True)  # fmt: skip


_STEPS = {
    Status.LISTED: _start,
    Status.EXPIRED: _start,
    Status.REVOKED: _start,
    Status.SELF_ASSESSING: _self_assessing,
    Status.APPLIED: _waiting("等待受理", "评审申请已提交，等待县级监管部门受理"),
    Status.UNDER_REVIEW: _waiting("评审中", "评审机构正在评审，请配合现场评审"),
    Status.CONCLUDED: _waiting("等待确认", "评审已作出结论，等待县级监管部门确认"),
    Status.CONFIRMED: _waiting("等待公告", "县级已确认达标，等待公告"),
    Status.ANNOUNCED: _passed,
}
