"""Pages of confirmation, certificates and standing, announcements (公告) and the public list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from enterprises.models import County
from enterprises.workflows import PROGRESS_CACHE
from portal.audit import history_for
from portal.http import perform, refuse_form, xlsx_response
from portal.paging import paginate
from portal.policy import allowed_actions, can, fetch, require
from portal.xlsx import xlsx_bytes

from ..choices import AnnouncementKind, AnnouncementStatus, ConfirmingLevel, ObjectionStatus
from ..forms.announcements import (
    AnnouncementForm,
    ObjectionDecisionForm,
    ObjectionForm,
    PublishForm,
    RevokeForm,
)
from ..models import Announcement, Certificate, Objection, Review
from ..rules import grades_confirmed_by, publicity_working_days
from ..selectors import announcements as selectors
from ..services import announcements as services
from ..services import objections as objection_services
from ..services.certificates import (
    certificate_lift_suspension,
    certificate_revoke,
    certificate_send_to_re_review,
    review_confirm,
    review_recommend,
)
from ..workflows.announcements import ANNOUNCEMENT

PAGE_SIZE = 50


def _page(request, qs, size: int = PAGE_SIZE):
    return paginate(request, qs, size)


def _tabs(request) -> dict:
    """What the tabs between confirmation, certificates and announcements may offer."""
    return {"tab_actions": allowed_actions(request.user, Certificate)}


def _objections(request, announcement: Announcement) -> list[Objection]:
    """The 公示's objections, each with its decision form when the user may decide it."""
    if not announcement.is_publicity:
        return []
    rows = list(
        Objection.objects.for_user(request.user)
        .filter(announcement=announcement)
        .select_related("certificate__enterprise", "announcement")
    )
    for row in rows:
        if row.status == ObjectionStatus.OPEN and can(request.user, "decide", row):
            row.decision_form = ObjectionDecisionForm(
                initial={"version": row.version}, prefix=f"objection{row.pk}"
            )
    return rows


@require_POST
def objection_add(request, pk: int):
    """登记异议, posted from the 公示's page during its objection period."""
    announcement = fetch(request.user, Announcement, "record_objection", pk=pk)
    form = ObjectionForm(
        request.POST, choices=announcement.certificates.select_related("enterprise")
    )
    if not form.is_valid():
        refuse_form(request, form)
        return redirect(announcement)
    perform(
        request,
        lambda: objection_services.objection_record(
            announcement=announcement, actor=request.user, **form.cleaned_data
        ),
        success="异议已登记，请在处理后作出决定",
    )
    return redirect(announcement)


@require_POST
def objection_decide(request, pk: int):
    """处理异议: upheld (the result goes back for review) or dismissed with the reason."""
    objection = fetch(
        request.user, Objection.objects.select_related("announcement"), "decide", pk=pk
    )
    form = ObjectionDecisionForm(request.POST, prefix=f"objection{objection.pk}")
    if not form.is_valid():
        refuse_form(request, form)
        return redirect(objection.announcement)
    data = form.cleaned_data
    perform(
        request,
        lambda: objection_services.objection_decide(
            objection=objection,
            actor=request.user,
            upheld=data["upheld"],
            decision=data["decision"],
            expected_version=form.expected_version,
        ),
        success="异议成立：该企业的评审结论已退回重新评审"
        if data["upheld"]
        else "已记录异议不成立及理由",
    )
    return redirect(objection.announcement)


# --- Confirmation -------------------------------------------------------------------------


def confirmation_list(request):
    """The county's conclusions waiting for confirmation (待确认评审结论)."""
    require(request.user, "issue", Certificate)
    page = _page(request, selectors.concluded_reviews(user=request.user))
    upward = grades_confirmed_by(ConfirmingLevel.RECOMMEND)
    context = {"page_obj": page, "upward_grades": upward, **_tabs(request)}
    return render(request, "reviews/certificates/confirmation_list.html", context)


@require_POST
def confirm_review(request, pk: int):
    """Posted from the 评审报告 page, with the version of the review the county read there."""
    review = fetch(request.user, Review.objects.select_related("enterprise"), "confirm", pk=pk)
    seen = request.POST.get("version", "")
    if not seen.isdigit():
        messages.error(request, "请在评审报告页面核对后确认评审结论")
        return redirect("reviews:report", pk=review.pk)
    outcome = perform(
        request,
        lambda: review_confirm(review=review, actor=request.user, expected_version=int(seen)),
    )
    if outcome and outcome.value:
        messages.success(
            request, f"已确认{review.enterprise.name}：证书编号 {outcome.value.number}"
        )
    elif outcome:
        messages.warning(request, f"已确认{review.enterprise.name}评审结论为未达标，退回自评")
    else:
        return redirect("reviews:report", pk=review.pk)
    return redirect("reviews:confirmation_list")


@require_POST
def recommend_review(request, pk: int):
    """推荐上报, posted from the 评审报告 page with the version the city read there."""
    review = fetch(request.user, Review.objects.select_related("enterprise"), "recommend", pk=pk)
    seen = request.POST.get("version", "")
    if not seen.isdigit():
        messages.error(request, "请在评审报告页面核对后推荐上报")
        return redirect("reviews:report", pk=review.pk)
    outcome = perform(
        request,
        lambda: review_recommend(
            review=review,
            actor=request.user,
            note=request.POST.get("note", "").strip(),
            expected_version=int(seen),
        ),
        success=f"已将{review.enterprise.name}的评审结论推荐上报",
    )
    if not outcome:
        return redirect("reviews:report", pk=review.pk)
    return redirect("reviews:confirmation_list")


# --- Certificates and standing --------------------------------------------------------------


def certificate_list(request):
    require(request.user, "list", Certificate)
    qs = selectors.certificate_list(user=request.user, params=request.GET)
    context = {
        "page_obj": _page(request, qs),
        "counties": County.objects.for_user(request.user),
        **_tabs(request),
    }
    return render(request, "reviews/certificates/certificate_list.html", context)


def certificate_detail(request, pk: int):
    certificate = fetch(
        request.user,
        Certificate.objects.select_related("enterprise__county", "review__agency"),
        pk=pk,
    )
    context = {
        "certificate": certificate,
        "announcements": certificate.announcements.filter(status=AnnouncementStatus.PUBLISHED),
        "history": history_for(certificate)[:50],
        "revoke_form": RevokeForm(),
        "actions": allowed_actions(request.user, certificate),
        **_tabs(request),
    }
    return render(request, "reviews/certificates/certificate_detail.html", context)


def certificate_print(request, pk: int):
    """The printable certificate (证书): issuing body, firm, industry, grade, number, dates."""
    certificate = fetch(
        request.user,
        Certificate.objects.select_related("enterprise__county", "enterprise__industry"),
        pk=pk,
    )
    return render(request, "reviews/certificates/certificate_print.html", {"c": certificate})


@require_POST
def revoke_certificate(request, pk: int):
    certificate = fetch(
        request.user, Certificate.objects.select_related("enterprise"), "revoke", pk=pk
    )
    form = RevokeForm(request.POST)
    if not form.is_valid():
        refuse_form(request, form, "撤销失败：")
        return redirect("reviews:certificate_detail", pk=certificate.pk)
    perform(
        request,
        lambda: certificate_revoke(
            certificate=certificate, actor=request.user, **form.cleaned_data
        ),
        success=f"已撤销{certificate.enterprise.name}的等级（{certificate.number}）",
    )
    return redirect("reviews:certificate_detail", pk=certificate.pk)


@require_POST
def lift_suspension(request, pk: int):
    """解除暂停, with the reason (the city)."""
    certificate = fetch(
        request.user, Certificate.objects.select_related("enterprise"), "lift_suspension", pk=pk
    )
    perform(
        request,
        lambda: certificate_lift_suspension(
            certificate=certificate, actor=request.user, reason=request.POST.get("reason", "")
        ),
        success=f"已解除{certificate.enterprise.name}等级证书的暂停",
    )
    return redirect("reviews:certificate_detail", pk=certificate.pk)


@require_POST
def send_to_re_review(request, pk: int):
    """送交复审: the suspended result goes back for review by another agency (the city)."""
    certificate = fetch(
        request.user, Certificate.objects.select_related("enterprise"), "send_to_re_review", pk=pk
    )
    perform(
        request,
        lambda: certificate_send_to_re_review(
            certificate=certificate, actor=request.user, reason=request.POST.get("reason", "")
        ),
        success=f"已将{certificate.enterprise.name}送交复审，由县市区委派其他评审机构",
    )
    return redirect("reviews:certificate_detail", pk=certificate.pk)


def re_review_due(request):
    """以备复评: certificates in their last three months, so the county can remind the firms."""
    require(request.user, "list", Certificate)
    today = timezone.localdate()
    qs = selectors.certificates_due_for_re_review(user=request.user, today=today)
    context = {"page_obj": _page(request, qs), "today": today, **_tabs(request)}
    return render(request, "reviews/certificates/re_review_due.html", context)


# --- Announcements ---------------------------------------------------------------------------


def announcement_list(request):
    """The county's announcements; for the city, every county's with their dates."""
    require(request.user, "list", Announcement)
    qs = selectors.announcement_list(user=request.user, params=request.GET)
    context = {
        "page_obj": _page(request, qs),
        "counties": County.objects.for_user(request.user),
        "list_actions": allowed_actions(request.user, Announcement),
        "narrowed": selectors.announcement_filter_label(request.GET),
        **_tabs(request),
    }
    if "create" in context["list_actions"]:
        county = request.user.county
        context["holds"] = selectors.active_holds(county)
        context["waiting"] = selectors.announceable_certificates(county=county).count()
        context["waiting_publicity"] = selectors.announceable_certificates(
            county=county, kind=AnnouncementKind.PUBLICITY
        ).count()
        context["publicity_days"] = publicity_working_days()
    return render(request, "reviews/announcements/announcement_list.html", context)


def _form_page(request, form, county: County, announcement=None, kind: str = ""):
    kind = announcement.kind if announcement else kind
    context = {
        "form": form,
        "announcement": announcement,
        "kind": kind,
        "kind_label": AnnouncementKind(kind).label,
        "holds": selectors.active_holds(county),
        "higher": selectors.confirmed_unannounced(county=county).filter(
            grade__in=selectors.HIGHER_GRADES
        ),
    }
    return render(request, "reviews/announcements/announcement_form.html", context)


def announcement_create(request):
    require(request.user, "create", Announcement)
    county = request.user.county
    kind = request.POST.get("kind") or request.GET.get("kind") or AnnouncementKind.ANNOUNCEMENT
    if kind not in AnnouncementKind.values:
        kind = AnnouncementKind.ANNOUNCEMENT
    choices = selectors.announceable_certificates(county=county, kind=kind)
    form = AnnouncementForm(data=request.POST or None, choices=choices, kind=kind)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        outcome = perform(
            request,
            lambda: services.announcement_create(
                actor=request.user,
                county=county,
                number=data["number"],
                title=data["title"],
                certificates=data["certificates"],
                kind=kind,
            ),
            form=form,
        )
        if outcome:
            label = AnnouncementKind(kind).label
            messages.success(request, f"{label}草稿“{outcome.value.number}”已保存")
            return redirect("reviews:announcement_detail", pk=outcome.value.pk)
    return _form_page(request, form, county, kind=kind)


def announcement_edit(request, pk: int):
    announcement = fetch(request.user, Announcement.objects.select_related("county"), "edit", pk=pk)
    refused = ANNOUNCEMENT.refusal(announcement, "edit", actor=request.user)
    if refused:  # published meanwhile: say so on the notice itself
        messages.error(request, refused)
        return redirect("reviews:announcement_detail", pk=pk)
    choices = selectors.announceable_certificates(county=announcement.county, draft=announcement)
    form = AnnouncementForm(data=request.POST or None, choices=choices, instance=announcement)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if perform(
            request,
            lambda: services.announcement_update(
                announcement=announcement,
                actor=request.user,
                expected_version=form.expected_version,
                number=data["number"],
                title=data["title"],
                certificates=data["certificates"],
            ),
            success=f"{announcement.get_kind_display()}草稿已保存",
            form=form,
        ):
            return redirect("reviews:announcement_detail", pk=pk)
    return _form_page(request, form, announcement.county, announcement)


def announcement_detail(request, pk: int):
    """The announcement as an official notice (printable), with its history."""
    announcement = fetch(
        request.user,
        Announcement.objects.select_related("county", "created_by"),
        "view",
        pk=pk,
    )
    entries = list(selectors.announcement_entries(announcement))
    context = {
        "announcement": announcement,
        "entries": entries,
        "history": history_for(announcement)[:50],
        "actions": allowed_actions(request.user, announcement),
        "objections": _objections(request, announcement),
        "publicity_days": publicity_working_days(),
    }
    if "record_objection" in context["actions"] and selectors.objection_period_open(announcement):
        context["objection_form"] = ObjectionForm(
            choices=announcement.certificates.select_related("enterprise"),
            initial={"received_on": timezone.localdate()},
        )
    if "edit" in context["actions"] and "publish" not in context["actions"]:
        # The county sees why its draft cannot go out yet (a hold, a revoked grade…).
        step = "publicize" if announcement.is_publicity else "publish"
        context["publish_refused"] = ANNOUNCEMENT.refusal(announcement, step, actor=request.user)
    return render(request, "reviews/announcements/announcement_detail.html", context)


@require_POST
def announcement_publish(request, pk: int):
    announcement = fetch(request.user, Announcement, "publish", pk=pk)
    form = PublishForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    perform(
        request,
        lambda: services.announcement_publish(
            announcement=announcement, actor=request.user, expected_version=version
        ),
        success=f"公示“{announcement.number}”已发布，异议期开始"
        if announcement.is_publicity
        else f"公告“{announcement.number}”已发布并报市局",
    )
    return redirect("reviews:announcement_detail", pk=pk)


XLSX_HEADERS = [
    "序号",
    "企业名称",
    "统一社会信用代码",
    "所属区县",
    "行业",
    "等级",
    "证书编号",
    "发证日期",
    "有效期至",
]


def announcement_workbook(announcement: Announcement, entries) -> bytes:
    """The announced firms as xlsx, under the announcement's 文号 and title (text that looks
    like a formula is written as text: portal.xlsx)."""
    rows = (
        [
            n,
            c.enterprise.name,
            c.enterprise.credit_code,
            announcement.county.name,
            c.enterprise.industry.name,
            c.get_grade_display(),
            c.number,
            c.issued_on,
            c.valid_until,
        ]
        for n, c in enumerate(entries, start=1)
    )
    return xlsx_bytes(
        XLSX_HEADERS,
        rows,
        sheet_title="公告企业名单",
        caption=f"{announcement.number} {announcement.title}",
    )


def announcement_export(request, pk: int):
    announcement = fetch(
        request.user,
        Announcement.objects.select_related("county"),
        "export",
        pk=pk,
    )
    body = announcement_workbook(announcement, selectors.announcement_entries(announcement))
    return xlsx_response(body, announcement.number)


# --- The public page ------------------------------------------------------------------------


@login_not_required
def public_list(request):
    """名单: announced firms holding a valid grade, and the 公示 open to objection; no login."""
    qs = selectors.public_announced(params=request.GET)
    # Read by anyone, changed by announcements, revocations, suspensions, closures, renames and
    # the nightly expiry, all of which forget the progress family: the sort of every valid
    # grade runs once per change.
    page = paginate(request, qs, selectors.PUBLIC_PAGE_SIZE, family=PROGRESS_CACHE)
    counties = County.objects.order_by("sort_order", "code")
    context = {
        "page_obj": page,
        "counties": counties,
        "publicities": selectors.public_publicities(),
    }
    return render(request, "reviews/public/public_list.html", context)
