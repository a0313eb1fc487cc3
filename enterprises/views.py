from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.audit import history_for
from portal.concurrency import ConcurrentEditError
from portal.models import Job
from portal.roles import Role
from portal.scoping import get_scoped_object_or_404, require_role

from . import exports, services
from .choices import SizeClass, Status
from .demo import DEMO_YEAR
from .forms import CloseForm, CreationListAddForm, EnterpriseForm, ImportUploadForm, RemoveForm
from .importing import ASYNC_THRESHOLD, HEADERS
from .models import County, CreationListEntry, Enterprise, Industry
from .permissions import REGISTRY_WRITERS, can_close, can_edit, can_write_registry
from .selectors import creation_list, enterprise_list, list_years

LIST_READERS = (Role.CITY, Role.ADMIN, Role.COUNTY, Role.AGENCY)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LIFECYCLE = [
    (Status.LISTED, "纳入创建名单"),
    (Status.SELF_ASSESSING, "自评"),
    (Status.APPLIED, "申请评审"),
    (Status.UNDER_REVIEW, "评审"),
    (Status.RECTIFYING, "整改"),
    (Status.CONCLUDED, "评审结论"),
    (Status.CONFIRMED, "县级确认"),
    (Status.ANNOUNCED, "公告"),
]


def _xlsx_response(chunks, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=XLSX)
    stamp = timezone.localdate().strftime("%Y%m%d")
    quoted = f"{filename}{stamp}.xlsx".encode().hex("%", 1).upper()
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''%{quoted}"
    return response


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or DEMO_YEAR)
    except ValueError:
        return DEMO_YEAR


# --- The list, its export, one firm ---------------------------------------------------


def enterprise_index(request):
    require_role(request.user, *LIST_READERS)
    qs = enterprise_list(user=request.user, params=request.GET)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "enterprises/enterprise_list.html",
        {
            "page_obj": page,
            "counties": County.objects.for_user(request.user),
            "industries": Industry.objects.for_user(request.user),
            "sizes": SizeClass.choices,
            "statuses": Status.choices,
            "years": list_years(user=request.user),
            "can_write": can_write_registry(request.user),
        },
    )


def enterprise_export(request):
    require_role(request.user, *LIST_READERS)
    qs = enterprise_list(user=request.user, params=request.GET)
    return _xlsx_response(exports.enterprise_export(qs), "企业名录")


def enterprise_detail(request, pk: int):
    enterprise = get_scoped_object_or_404(
        Enterprise.objects.select_related("county", "industry"), request.user, pk=pk
    )
    reached = [value for value, _ in LIFECYCLE]
    position = reached.index(enterprise.status) if enterprise.status in reached else -1
    return render(
        request,
        "enterprises/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "history": history_for(enterprise)[:50],
            "lifecycle": [
                {"label": label, "done": i < position, "current": i == position}
                for i, (_, label) in enumerate(LIFECYCLE)
            ],
            "list_entries": enterprise.list_entries.order_by("-year"),
            # The reviews app's records of this firm, through reverse relations (the ground
            # floor names no upper app), scoped like everything else.
            "certificates": enterprise.certificates.for_user(request.user).order_by("-issued_on"),
            "reviews": enterprise.reviews.for_user(request.user)
            .select_related("agency")
            .order_by("-created_at"),
            "can_edit": can_edit(request.user, enterprise) and not enterprise.closed_on,
            "can_close": can_close(request.user, enterprise),
        },
    )


def my_enterprise(request):
    """An enterprise user's start page: their own firm."""
    if not request.user.enterprise_id:
        raise Http404("您的账号未绑定企业")
    return redirect("enterprises:detail", pk=request.user.enterprise_id)


# --- Create, edit, close ---------------------------------------------------------------


def enterprise_create(request):
    require_role(request.user, *REGISTRY_WRITERS)
    form = EnterpriseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            enterprise = services.enterprise_create(
                actor=request.user, data=form.changed_data_for_service()
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已新增企业：{enterprise.name}")
            return redirect(enterprise)
    return render(request, "enterprises/enterprise_form.html", {"form": form, "enterprise": None})


def enterprise_edit(request, pk: int):
    enterprise = get_scoped_object_or_404(Enterprise, request.user, pk=pk)
    if not can_edit(request.user, enterprise) or enterprise.closed_on:
        require_role(request.user)  # inside the scope but not allowed: 403
    form = EnterpriseForm(request.POST or None, instance=enterprise, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.enterprise_update(
                actor=request.user,
                enterprise=Enterprise.objects.get(pk=enterprise.pk),
                data=form.changed_data_for_service(),
                expected_version=form.expected_version,
            )
        except (ConcurrentEditError, ValidationError) as exc:
            form.add_error(None, str(exc) if isinstance(exc, ConcurrentEditError) else exc)
        else:
            messages.success(request, "企业信息已保存")
            return redirect(enterprise)
    return render(
        request, "enterprises/enterprise_form.html", {"form": form, "enterprise": enterprise}
    )


def enterprise_close(request, pk: int):
    enterprise = get_scoped_object_or_404(Enterprise, request.user, pk=pk)
    if not can_close(request.user, enterprise):
        require_role(request.user)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.enterprise_close(
            actor=request.user,
            enterprise=enterprise,
            closed_on=form.cleaned_data["closed_on"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, f"已关闭企业：{enterprise.name}（记录保留）")
        return redirect(enterprise)
    return render(
        request, "enterprises/enterprise_close.html", {"form": form, "enterprise": enterprise}
    )


# --- The creation list -----------------------------------------------------------------


def creation_list_index(request):
    require_role(request.user, *LIST_READERS)
    year = _year(request)
    qs = creation_list(user=request.user, year=year, params=request.GET)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    can_write = can_write_registry(request.user)
    return render(
        request,
        "enterprises/creation_list.html",
        {
            "page_obj": page,
            "year": year,
            "years": sorted({*list_years(user=request.user), year, timezone.localdate().year}),
            "counties": County.objects.for_user(request.user),
            "can_write": can_write,
            "add_form": CreationListAddForm(year=year) if can_write else None,
        },
    )


def creation_list_export(request):
    require_role(request.user, *LIST_READERS)
    year = _year(request)
    qs = creation_list(user=request.user, year=year, params=request.GET)
    return _xlsx_response(exports.creation_list_export(qs), f"{year}年创建名单")


@require_POST
def creation_list_add(request):
    require_role(request.user, *REGISTRY_WRITERS)
    year = _year(request)
    form = CreationListAddForm(request.POST, year=year)
    if form.is_valid():
        from .credit_code import normalize

        code = normalize(form.cleaned_data["credit_code"])
        enterprise = Enterprise.objects.for_user(request.user).filter(credit_code=code).first()
        if enterprise is None:
            messages.error(request, f"本辖区没有统一社会信用代码为 {code} 的企业")
        else:
            try:
                services.creation_list_add(
                    actor=request.user,
                    enterprise=enterprise,
                    year=year,
                    target_date=form.cleaned_data["target_date"],
                )
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(request, f"已将 {enterprise.name} 纳入{year}年创建名单")
    else:
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        messages.error(request, "；".join(errors))
    return redirect(f"{reverse('enterprises:creation_list')}?year={year}")


@require_POST
def creation_list_remove(request, pk: int):
    entry = get_scoped_object_or_404(
        CreationListEntry.objects.select_related("enterprise"), request.user, pk=pk
    )
    require_role(request.user, *REGISTRY_WRITERS)
    if not can_edit(request.user, entry.enterprise):
        require_role(request.user)
    form = RemoveForm(request.POST)
    form.is_valid()
    services.creation_list_remove(
        actor=request.user, entry=entry, reason=form.cleaned_data.get("reason", "")
    )
    messages.success(request, f"已将 {entry.enterprise.name} 移出{entry.year}年创建名单")
    return redirect(f"{reverse('enterprises:creation_list')}?year={entry.year}")


# --- Import ----------------------------------------------------------------------------


def _import_job(request, pk: int) -> Job:
    return get_scoped_object_or_404(
        Job.objects.filter(kind=services.IMPORT_JOB_KIND), request.user, pk=pk
    )


def import_template(request):
    require_role(request.user, *REGISTRY_WRITERS)
    response = HttpResponse(exports.import_template(), content_type=XLSX)
    quoted = "企业名录导入模板.xlsx".encode().hex("%", 1).upper()
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''%{quoted}"
    return response


def import_start(request):
    require_role(request.user, *REGISTRY_WRITERS)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.import_upload(actor=request.user, upload=form.cleaned_data["file"])
        return redirect("enterprises:import_job", pk=job.pk)
    recent = Job.objects.for_user(request.user).filter(kind=services.IMPORT_JOB_KIND)[:10]
    return render(
        request,
        "enterprises/import_start.html",
        {
            "form": form,
            "headers": HEADERS,
            "recent": recent,
            "threshold": ASYNC_THRESHOLD,
            "county": request.user.county if request.user.role == Role.COUNTY else None,
        },
    )


def import_job(request, pk: int):
    require_role(request.user, *REGISTRY_WRITERS)
    job = _import_job(request, pk)
    template = "enterprises/import_job.html"
    if request.htmx:
        template = "enterprises/_import_progress.html"
    return render(request, template, {"job": job, "result": job.result})


@require_POST
def import_confirm(request, pk: int):
    require_role(request.user, *REGISTRY_WRITERS)
    job = _import_job(request, pk)
    job = services.import_confirm(actor=request.user, job=job)
    if job.status == Job.Status.DONE:
        result = job.result
        messages.success(
            request,
            f"导入完成：新增{result['new']}家，更新{result['changed']}家，"
            f"未变{result['unchanged']}家",
        )
    return redirect("enterprises:import_job", pk=job.pk)
