"""The registry's pages. Each reads: fetch in scope with the action (``portal.policy.fetch``),
bind a form, ``perform`` one service call, redirect. Who may do what is
``enterprises.policies``; templates test the actions handed to them, never a role."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from portal.audit import history_for
from portal.http import (
    FileMissing,
    attachment,
    dated,
    file_response,
    perform,
    refuse_form,
    xlsx_response,
    year_from,
)
from portal.jobs import dispatch_if_waiting
from portal.models import Job
from portal.paging import paginate
from portal.policy import allowed_actions, can, fetch, require
from portal.xlsx import XLSX_MIME

from . import creation_list_bulk as bulk
from . import exports, services
from .choices import SizeClass, Status
from .forms import (
    AccidentForm,
    CloseForm,
    CreationListAddForm,
    CreationListBulkForm,
    EnterpriseForm,
    ImportUploadForm,
    RemoveForm,
)
from .importing import ASYNC_THRESHOLD, HEADERS, restricted_county
from .models import (
    Accident,
    County,
    CreationListEntry,
    CreationListRemoval,
    Enterprise,
    Industry,
)
from .selectors import (
    accidents_for,
    creation_list,
    enterprise_list,
    list_years,
    removals_by_county,
)

# The steps of the path as the firm's page shows them.
PATH_STEPS = [
    (Status.LISTED, "纳入创建名单"),
    (Status.SELF_ASSESSING, "自评"),
    (Status.APPLIED, "申请评审"),
    (Status.UNDER_REVIEW, "评审"),
    (Status.RECTIFYING, "整改"),
    (Status.CONCLUDED, "评审结论"),
    (Status.CONFIRMED, "确认"),
    (Status.ANNOUNCED, "公告"),
]


def page_actions(user, subject: type, *names: str) -> frozenset[str]:
    """The actions on no single row (asked of the class) a page offers as buttons."""
    return frozenset(name for name in names if can(user, name, subject))


# --- The list, its export, one firm ---------------------------------------------------


def enterprise_index(request):
    require(request.user, "list", Enterprise)
    qs = enterprise_list(user=request.user, params=request.GET)
    page = paginate(request, qs, 50)
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
            "actions": page_actions(request.user, Enterprise, "export", "import", "create"),
        },
    )


def enterprise_export(request):
    """A few thousand rows stream at once; more are made by a task the page then follows."""
    require(request.user, "export", Enterprise)
    qs = enterprise_list(user=request.user, params=request.GET)
    rows = qs.count()
    if rows > exports.ASYNC_ROWS:
        params = {key: request.GET.get(key) for key in request.GET}
        job = services.export_start(
            actor=request.user, params=params, rows=rows, filename=dated("企业名录")
        )
        messages.info(request, f"共{rows}家企业，正在后台生成Excel文件，完成后可在本页下载")
        return redirect("enterprises:export_job", pk=job.pk)
    return xlsx_response(exports.enterprise_export(qs), dated("企业名录"))


def _export_job(request, pk: int) -> Job:
    job = fetch(request.user, Job.objects.filter(kind=services.EXPORT_JOB_KIND), pk=pk)
    require(request.user, "export", Enterprise)
    return job


def export_job(request, pk: int):
    """A large export's progress (polled with htmx) and, when done, its download link."""
    job = dispatch_if_waiting(_export_job(request, pk))
    template = (
        "enterprises/_export_progress.html" if request.htmx else "enterprises/export_job.html"
    )
    return render(request, template, {"job": job})


def export_download(request, pk: int):
    job = _export_job(request, pk)
    if job.status != Job.Status.DONE:
        raise Http404("导出文件尚未生成")
    path = Path(settings.MEDIA_ROOT) / job.result.get("path", "")
    if not job.result.get("path") or not path.is_file():
        raise FileMissing()
    response = FileResponse(path.open("rb"), content_type=XLSX_MIME)
    response["Content-Disposition"] = attachment(job.result.get("filename") or "企业名录.xlsx")
    return response


def enterprise_detail(request, pk: int):
    enterprise = fetch(request.user, Enterprise.objects.select_related("county", "industry"), pk=pk)
    return render(
        request,
        "enterprises/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "actions": allowed_actions(request.user, enterprise),
            "history": history_for(enterprise)[:50],
            "lifecycle": _path_steps(enterprise),
            "list_entries": enterprise.list_entries.order_by("-year"),
            # The reviews app's records of this firm, through reverse relations (the ground
            # floor names no upper app), scoped like everything else.
            "certificates": enterprise.certificates.for_user(request.user).order_by("-issued_on"),
            "reviews": enterprise.reviews.for_user(request.user)
            .select_related("agency")
            .order_by("-created_at"),
        },
    )


def _path_steps(enterprise: Enterprise) -> list[dict]:
    reached = [value for value, _ in PATH_STEPS]
    position = reached.index(enterprise.status) if enterprise.status in reached else -1
    return [
        {"label": label, "done": i < position, "current": i == position}
        for i, (_, label) in enumerate(PATH_STEPS)
    ]


def my_enterprise(request):
    """An enterprise user's start page: their own firm."""
    require(request.user, "mine", Enterprise)
    if not request.user.enterprise_id:
        raise Http404("您的账号未绑定企业")
    return redirect("enterprises:detail", pk=request.user.enterprise_id)


# --- Create, edit, close ---------------------------------------------------------------


def enterprise_create(request):
    require(request.user, "create", Enterprise)
    form = EnterpriseForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: services.enterprise_create(
                actor=request.user, data=form.changed_data_for_service()
            ),
            form=form,
        )
        if done:
            messages.success(request, f"已新增企业：{done.value.name}")
            return redirect(done.value)
    return _form_page(request, form, None)


def enterprise_edit(request, pk: int):
    enterprise = fetch(request.user, Enterprise, "edit", pk=pk)
    form = EnterpriseForm(request.POST or None, instance=enterprise, user=request.user)
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: services.enterprise_update(
                actor=request.user,
                enterprise=enterprise,
                data=form.changed_data_for_service(),
                expected_version=form.expected_version,
            ),
            success="企业信息已保存",
            form=form,
        )
        if done:
            return redirect(enterprise)
    return _form_page(request, form, enterprise)


def _form_page(request, form: EnterpriseForm, enterprise: Enterprise | None):
    context = {
        "form": form,
        "enterprise": enterprise,
        "actions": page_actions(request.user, Enterprise, "list"),
    }
    return render(request, "enterprises/enterprise_form.html", context)


def enterprise_close(request, pk: int):
    enterprise = fetch(request.user, Enterprise, "close", pk=pk)
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: services.enterprise_close(
                actor=request.user, enterprise=enterprise, **form.cleaned_data
            ),
            success=f"已关闭企业：{enterprise.name}（记录保留）",
            form=form,
        )
        if done:
            return redirect(enterprise)
    return render(
        request, "enterprises/enterprise_close.html", {"form": form, "enterprise": enterprise}
    )


# --- The creation list -----------------------------------------------------------------


def _creation_list_url(year: int) -> str:
    return f"{reverse('enterprises:creation_list')}?year={year}"


def creation_list_index(request):
    require(request.user, "list", CreationListEntry)
    year = year_from(request)
    qs = creation_list(user=request.user, year=year, params=request.GET)
    actions = page_actions(request.user, CreationListEntry, "export", "add")
    return render(
        request,
        "enterprises/creation_list.html",
        {
            "page_obj": paginate(request, qs, 50),
            "year": year,
            "counties": County.objects.for_user(request.user),
            "actions": actions,
            "add_form": CreationListAddForm(year=year) if "add" in actions else None,
            "removals": removals_by_county(user=request.user, year=year),
            "removed": CreationListRemoval.objects.for_user(request.user)
            .filter(year=year)
            .select_related("enterprise", "county")[:200],
        },
    )


def creation_list_export(request):
    require(request.user, "export", CreationListEntry)
    year = year_from(request)
    qs = creation_list(user=request.user, year=year, params=request.GET)
    return xlsx_response(exports.creation_list_export(qs), dated(f"{year}年创建名单"))


@require_POST
def creation_list_add(request):
    require(request.user, "add", CreationListEntry)
    year = year_from(request)
    form = CreationListAddForm(request.POST, year=year, user=request.user)
    if not form.is_valid():
        refuse_form(request, form)
        return redirect(_creation_list_url(year))
    enterprise = form.enterprise
    perform(
        request,
        lambda: services.creation_list_add(
            actor=request.user,
            enterprise=enterprise,
            year=year,
            target_date=form.cleaned_data["target_date"],
        ),
        success=f"已将 {enterprise.name} 纳入{year}年创建名单",
    )
    return redirect(_creation_list_url(year))


def creation_list_bulk(request):
    """批量纳入: a filter of the registry or an xlsx of credit codes; a preview without errors
    is kept and confirmed on its own page, a plan with errors names every bad row."""
    require(request.user, "add", CreationListEntry)
    year = year_from(request)
    form = CreationListBulkForm(
        request.POST or None, request.FILES or None, year=year, user=request.user,
        initial={"source": "filter"},
    )  # fmt: skip
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["source"] == "sheet":
            plan = bulk.plan_from_sheet(
                user=request.user, year=year, file=data["file"], filename=data["file"].name
            )
        else:
            plan = bulk.plan_from_filter(user=request.user, year=year, filters=data)
        errors = plan.errors
        done = not errors and perform(
            request,
            lambda: bulk.bulk_preview(
                actor=request.user, year=year, target_date=data["target_date"], plan=plan
            ),
            form=form,
        )
        if done:
            return redirect("enterprises:creation_list_bulk_job", pk=done.value.pk)
    context = {
        "form": form, "year": year, "errors": errors[: bulk.SHOWN_ERRORS],
        "more_errors": max(0, len(errors) - bulk.SHOWN_ERRORS),
        "recent": Job.objects.for_user(request.user).filter(kind=bulk.JOB_KIND)[:5],
    }  # fmt: skip
    return render(request, "enterprises/creation_list_bulk.html", context)


def creation_list_bulk_job(request, pk: int):
    """The preview of a bulk add (GET) and its confirmation (POST), once."""
    action = "confirm_bulk_list" if request.method == "POST" else None
    job = fetch(request.user, Job.objects.filter(kind=bulk.JOB_KIND), action, pk=pk)
    require(request.user, "add", CreationListEntry)
    year = job.params.get("year")
    if request.method == "POST":
        done = perform(request, lambda: bulk.bulk_confirm(actor=request.user, job=job))
        if done:
            messages.success(request, f"已将 {done.value} 家企业纳入{year}年创建名单")
            return redirect(_creation_list_url(year))
        return redirect("enterprises:creation_list_bulk_job", pk=job.pk)
    ids = job.params.get("ids", [])
    sample = (
        Enterprise.objects.for_user(request.user)
        .filter(pk__in=ids[:50])
        .select_related("county", "industry")
    )
    context = {
        "job": job, "year": year, "count": len(ids), "sample": sample.order_by("pk"),
        "target_date": job.params.get("target_date"),
        "actions": allowed_actions(request.user, job),
    }  # fmt: skip
    return render(request, "enterprises/creation_list_bulk_job.html", context)


def creation_list_removal_evidence(request, pk: int):
    """The evidence of a removal from a creation list, to whoever may see the removal."""
    removal = fetch(request.user, CreationListRemoval, pk=pk)
    return file_response(removal.evidence, removal.evidence_name)


def creation_list_remove(request, pk: int):
    """Take a firm off the list: a reason from the fixed set and its evidence."""
    entry = fetch(
        request.user, CreationListEntry.objects.select_related("enterprise"), "remove", pk=pk
    )
    form = RemoveForm(request.POST or None, request.FILES or None)
    if form.is_valid() and perform(
        request,
        lambda: services.creation_list_remove(
            actor=request.user, entry=entry, reason=form.cleaned_data["reason"],
            evidence=form.cleaned_data["evidence"],
        ),
        success=f"已将 {entry.enterprise.name} 移出{entry.year}年创建名单",
        form=form,
    ):  # fmt: skip
        return redirect(_creation_list_url(entry.year))
    return render(request, "enterprises/creation_list_remove.html", {"entry": entry, "form": form})


# --- Accidents --------------------------------------------------------------------------


def accident_list(request):
    """The accidents in scope (the firm: its own); ?enterprise= narrows to one firm."""
    enterprise = None
    if request.GET.get("enterprise", "").isdigit():
        enterprise = fetch(request.user, Enterprise, pk=request.GET["enterprise"])
    qs = accidents_for(user=request.user, enterprise=enterprise)
    context = {
        "page_obj": paginate(request, qs, 50),
        "enterprise": enterprise,
        "actions": allowed_actions(request.user, enterprise) if enterprise else frozenset(),
    }
    return render(request, "enterprises/accident_list.html", context)


def accident_create(request, enterprise_pk: int):
    enterprise = fetch(request.user, Enterprise, "record_accident", pk=enterprise_pk)
    return _accident_form(request, enterprise, None)


def accident_edit(request, pk: int):
    accident = fetch(request.user, Accident.objects.select_related("enterprise"), "edit", pk=pk)
    return _accident_form(request, accident.enterprise, accident)


def _accident_form(request, enterprise: Enterprise, accident: Accident | None):
    form = AccidentForm(request.POST or None, accident=accident)
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: services.accident_save(
                enterprise=enterprise, actor=request.user, accident=accident, **form.cleaned_data
            ),
            success="事故信息已保存",
            form=form,
        )
        if done:
            return redirect(reverse("enterprises:accident_list") + f"?enterprise={enterprise.pk}")
    context = {
        "form": form,
        "enterprise": enterprise,
        "accident": accident,
        "history": history_for(accident) if accident else [],
    }
    return render(request, "enterprises/accident_form.html", context)


# --- Import ----------------------------------------------------------------------------


def _import_job(request, pk: int, action: str | None = None) -> Job:
    job = fetch(request.user, Job.objects.filter(kind=services.IMPORT_JOB_KIND), action, pk=pk)
    require(request.user, "import", Enterprise)
    return job


def import_template(request):
    require(request.user, "import", Enterprise)
    return xlsx_response(exports.import_template(), "企业名录导入模板")


def import_start(request):
    require(request.user, "import", Enterprise)
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
            "county": restricted_county(request.user),
        },
    )


def import_job(request, pk: int):
    job = _import_job(request, pk)
    # A task that waited for the broker is sent; a worker that died mid-way is found out.
    job = services.recover_interrupted_import(dispatch_if_waiting(job))
    template = "enterprises/import_job.html"
    if request.htmx:
        template = "enterprises/_import_progress.html"
    context = {"job": job, "result": job.result, "actions": allowed_actions(request.user, job)}
    response = render(request, template, context)
    if request.htmx and job.result.get("stage") == "preview":
        # A large file's preview, polled while it ran, is ready: the whole page shows it.
        response["HX-Refresh"] = "true"
    return response


@require_POST
def import_confirm(request, pk: int):
    job = _import_job(request, pk, "confirm_import")
    done = perform(request, lambda: services.import_confirm(actor=request.user, job=job))
    if done and done.value.status == Job.Status.DONE:
        result = done.value.result
        messages.success(
            request,
            f"导入完成：新增{result['new']}家，更新{result['changed']}家，"
            f"未变{result['unchanged']}家",
        )
    return redirect("enterprises:import_job", pk=job.pk)
