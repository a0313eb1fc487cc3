"""Who is told what along the standardization path (``portal.events``).

Each transition below tells the people whose turn it now is: the county of an application and
of a conclusion, the firm of every decision on its review, the agency of its assignment and of
each answer to a nonconformity, the city and the listed firms of a published announcement.
Events that are not transitions (a nonconformity raised, a certificate suspended, a hold
placed or lifted, an agency's standing changed) are declared here and emitted by the service.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from portal.events import (
    Event,
    agency_users,
    city_users,
    cn_date,
    county_staff,
    declare,
    firm_users,
    firms_users,
    on_transition,
)
from portal.roles import Role

from .workflows import ANNOUNCEMENT, LIFECYCLE, NONCONFORMITY, REVIEW

FIRM, COUNTY, AGENCY, CITY = Role.ENTERPRISE, Role.COUNTY, Role.AGENCY, Role.CITY


def _firm_of_review(review, ctx):
    return firm_users(review.enterprise_id)


def _county_of_review(review, ctx):
    return county_staff(review.enterprise.county_id)


def _firm_of_nc(nc, ctx):
    return firm_users(nc.review.enterprise_id)


def _result(review) -> str:
    return review.get_result_display() or "未达标"


# --- The application ------------------------------------------------------------------------

on_transition(
    LIFECYCLE,
    "apply",
    Event(
        kind="reviews.application_received",
        label="企业申请评审",
        audience=(COUNTY,),
        recipients=lambda firm, ctx: county_staff(firm.county_id),
        title=lambda firm, ctx: f"{firm.name}申请评审，请受理",
        reason="本县市区企业提交了评审申请，由县级受理并委派评审机构",
        url=lambda firm, ctx: reverse("reviews:applications"),
    ),
)
on_transition(
    REVIEW,
    "return",
    Event(
        kind="reviews.application_returned",
        label="评审申请被退回",
        audience=(FIRM,),
        recipients=_firm_of_review,
        title="评审申请被退回，请按意见修改后重新申请",
        body=lambda review, ctx: f"退回理由：{review.return_reason}",
        reason="县级监管部门退回了您企业的评审申请",
    ),
)
on_transition(
    REVIEW,
    "assign",
    Event(
        kind="reviews.application_accepted",
        label="评审申请已受理并委派评审机构",
        audience=(FIRM,),
        recipients=_firm_of_review,
        title=lambda review, ctx: f"评审申请已受理，委派{review.agency}开展评审",
        reason="县级监管部门受理了您企业的评审申请",
        mail=False,
    ),
    Event(
        kind="reviews.assignment_letter",
        label="评审委派单",
        audience=(AGENCY,),
        recipients=lambda review, ctx: agency_users(review.agency_id),
        title=lambda review, ctx: f"评审委派单{review.assignment_no}：{review.enterprise.name}",
        reason="县级监管部门委派贵机构评审该企业",
        url=lambda review, ctx: reverse("reviews:assignment_letter", args=[review.pk]),
        link=lambda review, ctx: review,
    ),
)

# --- Nonconformities --------------------------------------------------------------------------

NONCONFORMITY_RAISED = declare(
    Event(
        kind="reviews.nonconformity_raised",
        label="评审提出不符合项",
        audience=(FIRM,),
        recipients=_firm_of_nc,
        title=lambda nc, ctx: f"1项不符合项待整改，期限{cn_date(nc.deadline)}",
        body=lambda nc, ctx: nc.description,
        reason="评审机构在评审中提出了不符合项，由企业整改并提交整改情况",
        url=lambda nc, ctx: nc.review.get_absolute_url(),
    )
)
on_transition(
    NONCONFORMITY,
    "answer",
    Event(
        kind="reviews.nonconformity_answered",
        label="企业提交整改情况",
        audience=(AGENCY,),
        recipients=lambda nc, ctx: agency_users(nc.review.agency_id),
        title=lambda nc, ctx: f"{nc.review.enterprise.name}提交了整改情况，请核查",
        body=lambda nc, ctx: nc.response,
        reason="贵机构评审的企业提交了不符合项整改情况，由评审机构核查",
        url=lambda nc, ctx: nc.review.get_absolute_url(),
    ),
)
on_transition(
    NONCONFORMITY,
    "accept",
    Event(
        kind="reviews.nonconformity_accepted",
        label="整改核查通过",
        audience=(FIRM,),
        recipients=_firm_of_nc,
        title=lambda nc, ctx: f"不符合项整改到位：{nc}",
        body=lambda nc, ctx: nc.verification_comment,
        reason="评审机构核查了您企业的整改情况",
        url=lambda nc, ctx: nc.review.get_absolute_url(),
        mail=False,
    ),
)
on_transition(
    NONCONFORMITY,
    "reject",
    Event(
        kind="reviews.nonconformity_rejected",
        label="整改核查未通过",
        audience=(FIRM,),
        recipients=_firm_of_nc,
        title=lambda nc, ctx: f"整改未通过，请重新整改（期限{cn_date(nc.deadline)}）",
        body=lambda nc, ctx: f"核查意见：{nc.verification_comment}",
        reason="评审机构核查您企业的整改情况未通过",
        url=lambda nc, ctx: nc.review.get_absolute_url(),
    ),
)

# --- Conclusion, confirmation, announcement ----------------------------------------------------

on_transition(
    REVIEW,
    "conclude",
    Event(
        kind="reviews.review_concluded_county",
        label="评审结论待县级确认",
        audience=(COUNTY,),
        recipients=_county_of_review,
        title=lambda r, ctx: f"{r.enterprise.name}评审结论：{_result(r)}，请确认",
        reason="评审机构作出了本县市区企业的评审结论，由县级确认",
        url=lambda r, ctx: reverse("reviews:report", args=[r.pk]),
        link=lambda r, ctx: r,
    ),
    Event(
        kind="reviews.review_concluded_firm",
        label="评审作出结论",
        audience=(FIRM,),
        recipients=_firm_of_review,
        title=lambda r, ctx: f"评审结论：{_result(r)}（得分{r.score}），待县级确认",
        reason="评审机构作出了您企业的评审结论",
        mail=False,
    ),
)
on_transition(
    REVIEW,
    "confirm",
    Event(
        kind="reviews.review_confirmed",
        label="县级确认评审结论、颁发证书",
        audience=(FIRM,),
        recipients=_firm_of_review,
        title=lambda r, ctx: (
            f"县级已确认评审结论：{_result(r)}，等级证书已颁发"
            if r.result
            else "县级已确认评审结论：未达标，请整改后重新自评"
        ),
        reason="县级监管部门确认了您企业的评审结论",
        url=lambda r, ctx: r.enterprise.get_absolute_url(),
        link=lambda r, ctx: r,
    ),
)


def _listed_firm_ids(announcement, ctx) -> list[int]:
    certificates = ctx.get("certificates") or announcement.certificates.all()
    return [c.enterprise_id for c in certificates]


def _until(announcement) -> str:
    return cn_date(announcement.objection_until)


on_transition(
    ANNOUNCEMENT,
    "publicize",
    Event(
        kind="reviews.publicity_published_city",
        label="县市区发布达标公示",
        audience=(CITY,),
        recipients=lambda a, ctx: city_users(),
        title=lambda a, ctx: f"{a.county}发布公示{a.number}（{len(_listed_firm_ids(a, ctx))}家）",
        body=lambda a, ctx: f"异议期至{_until(a)}",
        reason="县市区发布的达标公示报市局，异议期内可能有异议需要处理",
        url=lambda a, ctx: reverse("reviews:announcement_detail", args=[a.pk]),
        mail=False,
    ),
    Event(
        kind="reviews.publicity_published_firm",
        label="本企业列入达标公示",
        audience=(FIRM,),
        recipients=lambda a, ctx: firms_users(_listed_firm_ids(a, ctx)),
        title=lambda a, ctx: f"您企业已列入公示{a.number}，异议期至{_until(a)}",
        reason="县级监管部门发布的达标公示列有您的企业；异议期满无异议后予以公告",
        url=lambda a, ctx: reverse("reviews:public_list"),
        mail=False,
    ),
)
on_transition(
    ANNOUNCEMENT,
    "publish",
    Event(
        kind="reviews.announcement_published_city",
        label="县市区发布达标公告",
        audience=(CITY,),
        recipients=lambda a, ctx: city_users(),
        title=lambda a, ctx: f"{a.county}发布公告{a.number}（{len(_listed_firm_ids(a, ctx))}家）",
        reason="县市区发布的达标公告报市局备案",
        url=lambda a, ctx: reverse("reviews:announcement_detail", args=[a.pk]),
        mail=False,
    ),
    Event(
        kind="reviews.announcement_published_firm",
        label="本企业列入达标公告",
        audience=(FIRM,),
        recipients=lambda a, ctx: firms_users(_listed_firm_ids(a, ctx)),
        title=lambda a, ctx: f"您企业已列入公告{a.number}，在达标企业名单中公开",
        reason="县级监管部门发布的达标公告列有您的企业",
        url=lambda a, ctx: reverse("reviews:announcement_detail", args=[a.pk]),
        mail=False,
    ),
)

# --- Objections to a 公示 ----------------------------------------------------------------------


def _confirming_level_of(objection, ctx):
    """The issuing county, which decides the objection, and the city when the objected result
    is one it confirms (三级; a failure recommended upward)."""
    from .choices import ConfirmingLevel
    from .rules import confirming_level

    certificate = objection.certificate
    users = list(county_staff(objection.announcement.county_id))
    if confirming_level(result=certificate.grade) != ConfirmingLevel.COUNTY:
        users += list(city_users())
    return users


OBJECTION_FILED = declare(
    Event(
        kind="reviews.objection_filed",
        label="公示期间收到异议",
        audience=(COUNTY, CITY),
        recipients=_confirming_level_of,
        title=lambda o, ctx: (
            f"{o.announcement.number}公示收到对{o.certificate.enterprise.name}的异议"
        ),
        body=lambda o, ctx: o.content,
        reason="公示的评审结果收到异议，由确认该结果的监管部门核实处理（异议成立的退回重新评审）",
        url=lambda o, ctx: reverse("reviews:announcement_detail", args=[o.announcement_id]),
        link=lambda o, ctx: o.announcement,
    )
)
OBJECTION_UPHELD = declare(
    Event(
        kind="reviews.objection_upheld",
        label="公示异议成立、退回重新评审",
        audience=(FIRM,),
        recipients=lambda o, ctx: firm_users(o.certificate.enterprise_id),
        title=lambda o, ctx: f"{o.announcement.number}公示异议成立，评审结论退回重新评审",
        body=lambda o, ctx: o.decision,
        reason="公示期间对您企业的异议经核实成立，评审结论退回重新评审",
        url=lambda o, ctx: ctx["redo"].get_absolute_url(),
        link=lambda o, ctx: ctx["redo"],
    )
)

# --- Revocation, suspension, holds, the agencies' standing -----------------------------------

on_transition(
    LIFECYCLE,
    "revoke",
    Event(
        kind="reviews.grade_revoked",
        label="撤销等级",
        audience=(FIRM, COUNTY),
        recipients=lambda firm, ctx: [
            *firm_users(firm.pk),
            *county_staff(firm.county_id),
        ],
        title=lambda firm, ctx: f"{firm.name}的标准化等级已撤销",
        body=lambda firm, ctx: ctx.get("note", ""),
        reason="您企业（或本县市区企业）的标准化等级被撤销",
    ),
)

CERTIFICATE_SUSPENDED = declare(
    Event(
        kind="reviews.certificate_suspended",
        label="证书暂停",
        audience=(FIRM, COUNTY),
        recipients=lambda c, ctx: [
            *firm_users(c.enterprise_id),
            *county_staff(c.enterprise.county_id),
        ],
        title=lambda c, ctx: f"{c.enterprise.name}的等级证书{c.number}已暂停，待重新评审",
        body=lambda c, ctx: c.suspend_reason,
        reason="市局抽查审核发现评审结果有误，证书暂停",
        url=lambda c, ctx: reverse("reviews:certificate_detail", args=[c.pk]),
    )
)


SUSPENSION_LIFTED = declare(
    Event(
        kind="reviews.suspension_lifted",
        label="证书解除暂停",
        audience=(FIRM, COUNTY),
        recipients=lambda c, ctx: [
            *firm_users(c.enterprise_id),
            *county_staff(c.enterprise.county_id),
        ],
        title=lambda c, ctx: f"{c.enterprise.name}的等级证书{c.number}已解除暂停",
        body=lambda c, ctx: ctx.get("reason", ""),
        reason="市局核实后解除了证书暂停，证书恢复有效",
        url=lambda c, ctx: reverse("reviews:certificate_detail", args=[c.pk]),
        mail=False,
    )
)


def _hold_title(verb: str):
    return lambda hold, ctx: f"市局{verb}本县市区{hold.year}年评审结果的公告"


HOLD_PLACED = declare(
    Event(
        kind="reviews.hold_placed",
        label="市局暂缓公告",
        audience=(COUNTY,),
        recipients=lambda hold, ctx: county_staff(hold.county_id),
        title=_hold_title("暂缓"),
        body=lambda hold, ctx: hold.reason,
        reason="暂缓期间本县市区该年度的结果不能公告",
        url=lambda hold, ctx: reverse("reviews:announcement_list"),
    )
)
HOLD_RELEASED = declare(
    Event(
        kind="reviews.hold_released",
        label="市局解除暂缓公告",
        audience=(COUNTY,),
        recipients=lambda hold, ctx: county_staff(hold.county_id),
        title=_hold_title("解除暂缓"),
        body=lambda hold, ctx: ctx.get("note", ""),
        reason="本县市区该年度的结果可以公告了",
        url=lambda hold, ctx: reverse("reviews:announcement_list"),
    )
)


RE_REVIEWS_OPENED = declare(
    Event(
        kind="reviews.re_reviews_opened",
        label="抽查审核不合格、须重新评审",
        audience=(COUNTY,),
        recipients=lambda hold, ctx: county_staff(hold.county_id),
        title=lambda hold, ctx: (
            f"{hold.county.name}{hold.year}年度评定结果须重新评审（{ctx['count']}家）"
        ),
        body=lambda hold, ctx: hold.reason,
        reason="市局抽查审核误差率超标，本县市区该年度的结果由其他评审机构重新评审",
        url=lambda hold, ctx: reverse("reviews:re_review_queue"),
    )
)


def _standing_title(agency: Any, ctx: dict) -> str:
    return f"贵机构在评审机构名单中的状态调整为“{agency.get_standing_display()}”"


AGENCY_STANDING_CHANGED = declare(
    Event(
        kind="reviews.agency_standing_changed",
        label="评审机构名单状态调整（警告、限期整改、清除）",
        audience=(AGENCY,),
        recipients=lambda agency, ctx: agency_users(agency.pk),
        title=_standing_title,
        body=lambda agency, ctx: ctx.get("reason", ""),
        reason="市局动态调整评审机构名单",
        url=lambda agency, ctx: reverse("reviews:agency_home"),
        when=lambda agency, ctx: ctx.get("changed", True),
    )
)

# A warning (警告, 限期整改) is told by ``reviews.services.agencies`` itself, with its deadline
# and 整改要求 (``notify(kind=...)``); declared here so that its e-mail may be turned off too.
AGENCY_WARNED = declare(
    Event(
        kind="reviews.agency_warned",
        label="评审机构被警告、限期整改",
        audience=(AGENCY,),
        recipients=lambda agency, ctx: agency_users(agency.pk),
        title="市局对贵机构作出警告决定",
        reason="贵机构被警告，须在期限内按整改要求整改到位",
    )
)
