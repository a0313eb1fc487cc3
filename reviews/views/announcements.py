"""Pages of confirmation, certificates and standing, announcements (公告) and the public list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from enterprises.models import County
from portal.audit import history_for
from portal.concurrency import ConcurrentEditError
from portal.roles import Role
from portal.scoping import get_scoped_object_or_404, require_role
from portal.xlsx import XLSX_MIME, xlsx_bytes

from ..choices import AnnouncementStatus
from ..forms.announcements import AnnouncementForm, PublishForm, RevokeForm
from ..models import Announcement, Certificate, Review
from ..selectors import announcements as selectors
from ..services import announcements as services
from ..services.certificates import certificate_revoke, review_confirm

READERS = (Role.CITY, Role.ADMIN, Role.COUNTY)
PAGE_SIZE = 50


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


# --- Confirmation -------------------------------------------------------------------------


def confirmation_list(request):
    """The county's conclusions waiting for confirmation (待确认评审结论)."""
    require_role(request.user, Role.COUNTY)
    qs = selectors.concluded_reviews(user=request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reviews/certificates/confirmation_list.html", {"page_obj": page})


@require_POST
def confirm_review(request, pk: int):
    require_role(request.user, Role.COUNTY)
    review = get_scoped_object_or_404(
        Review.objects.select_related("enterprise"), request.user, pk=pk
    )
    try:
        certificate = review_confirm(review=review, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
        return redirect("reviews:confirmation_list")
    if certificate:
        messages.success(request, f"已确认{review.enterprise.name}：证书编号 {certificate.number}")
    else:
        messages.warning(request, f"已确认{review.enterprise.name}评审结论为未达标，退回自评")
    return redirect("reviews:confirmation_list")


# --- Certificates and standing --------------------------------------------------------------


def certificate_list(request):
    require_role(request.user, *READERS)
    qs = selectors.certificate_list(user=request.user, params=request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "counties": County.objects.for_user(request.user)}
    return render(request, "reviews/certificates/certificate_list.html", context)


def certificate_detail(request, pk: int):
    certificate = get_scoped_object_or_404(
        Certificate.objects.select_related("enterprise__county", "review__agency"),
        request.user,
        pk=pk,
    )
    context = {
        "certificate": certificate,
        "announcements": certificate.announcements.filter(status=AnnouncementStatus.PUBLISHED),
        "history": history_for(certificate)[:50],
        "revoke_form": RevokeForm(),
        "can_revoke": request.user.role in (Role.CITY, Role.COUNTY)
        and not certificate.revoked_at
        and certificate.enterprise.certificate_no == certificate.number,
    }
    return render(request, "reviews/certificates/certificate_detail.html", context)


@require_POST
def revoke_certificate(request, pk: int):
    require_role(request.user, Role.CITY, Role.COUNTY)
    certificate = get_scoped_object_or_404(
        Certificate.objects.select_related("enterprise"), request.user, pk=pk
    )
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            certificate_revoke(certificate=certificate, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request, f"已撤销{certificate.enterprise.name}的等级（{certificate.number}）"
            )
    else:
        messages.error(
            request, "撤销失败：" + "；".join(e for es in form.errors.values() for e in es)
        )
    return redirect("reviews:certificate_detail", pk=certificate.pk)


def re_review_due(request):
    """以备复评: certificates in their last three months, so the county can remind the firms."""
    require_role(request.user, *READERS)
    today = timezone.localdate()
    qs = selectors.certificates_due_for_re_review(user=request.user, today=today)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "reviews/certificates/re_review_due.html", {"page_obj": page, "today": today}
    )


# --- Announcements ---------------------------------------------------------------------------


def announcement_list(request):
    """The county's announcements; for the city, every county's with their dates."""
    require_role(request.user, *READERS)
    qs = selectors.announcement_list(user=request.user, params=request.GET)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page_obj": page, "counties": County.objects.for_user(request.user)}
    if request.user.is_county:
        context["holds"] = selectors.active_holds(request.user.county)
        context["waiting"] = selectors.announceable_certificates(county=request.user.county).count()
    return render(request, "reviews/announcements/announcement_list.html", context)


def _form_page(request, form, announcement=None):
    county = request.user.county
    context = {
        "form": form,
        "announcement": announcement,
        "holds": selectors.active_holds(county),
        "higher": selectors.confirmed_unannounced(county=county).filter(
            grade__in=selectors.HIGHER_GRADES
        ),
    }
    return render(request, "reviews/announcements/announcement_form.html", context)


def announcement_create(request):
    require_role(request.user, Role.COUNTY)
    choices = selectors.announceable_certificates(county=request.user.county)
    form = AnnouncementForm(data=request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            announcement = services.announcement_create(
                actor=request.user,
                county=request.user.county,
                number=data["number"],
                title=data["title"],
                certificates=data["certificates"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"公告草稿“{announcement.number}”已保存")
            return redirect("reviews:announcement_detail", pk=announcement.pk)
    return _form_page(request, form)


def announcement_edit(request, pk: int):
    require_role(request.user, Role.COUNTY)
    announcement = get_scoped_object_or_404(Announcement, request.user, pk=pk)
    if announcement.status != AnnouncementStatus.DRAFT:
        messages.error(request, "公告已发布，不能再修改")
        return redirect("reviews:announcement_detail", pk=pk)
    choices = selectors.announceable_certificates(county=announcement.county, draft=announcement)
    form = AnnouncementForm(data=request.POST or None, choices=choices, instance=announcement)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.announcement_update(
                announcement=announcement,
                actor=request.user,
                expected_version=form.expected_version,
                number=data["number"],
                title=data["title"],
                certificates=data["certificates"],
            )
        except (ValidationError, ConcurrentEditError) as error:
            form.add_error(None, str(error) if isinstance(error, ConcurrentEditError) else error)
        else:
            messages.success(request, "公告草稿已保存")
            return redirect("reviews:announcement_detail", pk=pk)
    return _form_page(request, form, announcement)


def announcement_detail(request, pk: int):
    """The announcement as an official notice (printable), with its history."""
    require_role(request.user, *READERS)
    announcement = get_object_or_404(
        selectors.announcements_for(request.user).select_related("county", "created_by"), pk=pk
    )
    context = {
        "announcement": announcement,
        "entries": selectors.announcement_entries(announcement),
        "history": history_for(announcement)[:50],
        "can_edit": request.user.is_county and announcement.status == AnnouncementStatus.DRAFT,
    }
    return render(request, "reviews/announcements/announcement_detail.html", context)


@require_POST
def announcement_publish(request, pk: int):
    require_role(request.user, Role.COUNTY)
    announcement = get_scoped_object_or_404(Announcement, request.user, pk=pk)
    form = PublishForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        services.announcement_publish(
            announcement=announcement, actor=request.user, expected_version=version
        )
    except ValidationError as error:
        messages.error(request, "发布失败：" + _error_text(error))
    except ConcurrentEditError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"公告“{announcement.number}”已发布并报市局")
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
    require_role(request.user, *READERS)
    announcement = get_object_or_404(
        selectors.announcements_for(request.user).select_related("county"), pk=pk
    )
    body = announcement_workbook(announcement, selectors.announcement_entries(announcement))
    response = HttpResponse(body, content_type=XLSX_MIME)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{announcement.number}.xlsx"
    )
    return response


# --- The public page ------------------------------------------------------------------------


@login_not_required
def public_list(request):
    """公示: announced firms holding a valid grade; no login."""
    qs = selectors.public_announced(params=request.GET)
    page = Paginator(qs, selectors.PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    counties = County.objects.order_by("sort_order", "code")
    return render(
        request, "reviews/public/public_list.html", {"page_obj": page, "counties": counties}
    )
