"""Pages of the reports app. Thin: scoped fetch, form, one service call, message, redirect."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from enterprises.models import County
from portal.audit import history_for
from portal.concurrency import ConcurrentEditError
from portal.roles import CITY_WIDE_ROLES, Role
from portal.scoping import get_scoped_object_or_404, require_role
from portal.xlsx import XLSX_MIME, xlsx_bytes

from . import services, tasks
from .assessment import assess, weights_for
from .choices import EDITABLE_TARGET_STATUSES, TargetStatus
from .forms import (
    CommentForm,
    DocumentForm,
    MilestoneFormSet,
    ReasonForm,
    TargetForm,
    WeightsForm,
    milestones_from,
)
from .models import CityGoal, CountyTarget, ProgressSnapshot, Submission
from .progress import HEADER, bulletin_table
from .selectors import (
    county_progress,
    county_work,
    latest_year,
    movers,
    snapshot_rows,
    submission_grid,
)

CITY = tuple(CITY_WIDE_ROLES)
CITY_AND_COUNTY = (*CITY, Role.COUNTY)


def _year(request) -> int:
    """The year asked for, else the latest year that has deadlines (the demo year on a demo)."""
    try:
        return int(request.GET["year"])
    except (KeyError, ValueError):
        return latest_year(timezone.localdate())


def _as_of(year: int) -> dt.date:
    """Today, or the year's last day when looking back at a past year."""
    today = timezone.localdate()
    return min(today, dt.date(year, 12, 31))


def _error_text(error: ValidationError) -> str:
    return "；".join(error.messages)


# --- The county's work page --------------------------------------------------------------


def county_home(request):
    """The county's start page: what waits for it, with links to each queue."""
    require_role(request.user, Role.COUNTY)
    year = _year(request)
    work = county_work(user=request.user, year=year, today=_as_of(year))
    return render(request, "reports/county_home.html", {"year": year, "work": work})


# --- City dashboard --------------------------------------------------------------------


def dashboard(request):
    """The city's start page: every county's progress (one aggregate query) and a chart."""
    require_role(request.user, *CITY)
    year = _year(request)
    today = _as_of(year)
    progress = county_progress(year, today)
    totals = {
        name: sum(getattr(p, name) for p in progress)
        for name in ("listed", "self_assessed", "applied", "under_review", "passed", "target")
    }
    totals["pass_rate"] = totals["passed"] / totals["listed"] if totals["listed"] else 0
    chart = {
        "counties": [p.county.name for p in progress],
        "listed": [p.listed for p in progress],
        "passed": [p.passed for p in progress],
        "target": [p.target for p in progress],
        "expected": [p.expected_today for p in progress],
    }
    return render(
        request,
        "reports/dashboard.html",
        {"year": year, "today": today, "progress": progress, "totals": totals, "chart": chart,
         "goals": CityGoal.objects.for_user(request.user)},
    )  # fmt: skip


# --- Targets ---------------------------------------------------------------------------


def target_list(request):
    require_role(request.user, *CITY_AND_COUNTY)
    year = _year(request)
    targets = {
        t.county_id: t
        for t in CountyTarget.objects.for_user(request.user)
        .filter(year=year)
        .prefetch_related("milestones")
    }
    counties = County.objects.for_user(request.user).current()
    rows = [{"county": c, "target": targets.get(c.pk)} for c in counties]
    return render(request, "reports/target_list.html", {"year": year, "rows": rows})


def target_edit(request, year: int):
    """County staff enter their own county's target for the year."""
    require_role(request.user, Role.COUNTY)
    target = CountyTarget.objects.filter(county=request.user.county, year=year).first()
    if target and target.status not in EDITABLE_TARGET_STATUSES:
        messages.warning(request, "目标已提交或已审定，不能修改")
        return redirect(target)
    stones = [{"due_on": m.due_on, "passed_count": m.passed_count}
              for m in (target.milestones.all() if target else [])]  # fmt: skip
    initial = {"listed_count": target.listed_count if target else 0}
    form = TargetForm(request.POST or None, instance=target, initial=initial)
    formset = MilestoneFormSet(request.POST or None, initial=stones, prefix="m")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            target = services.target_save(
                actor=request.user, county=request.user.county, year=year,
                listed_count=form.cleaned_data["listed_count"],
                milestones=milestones_from(formset),
                expected_version=form.expected_version if target else None,
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, _error_text(error))
        except ConcurrentEditError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "目标已保存（尚未提交市局）")
            return redirect(target)
    return render(
        request, "reports/target_form.html", {"form": form, "formset": formset, "year": year}
    )


def target_detail(request, pk: int):
    require_role(request.user, *CITY_AND_COUNTY)
    target = get_scoped_object_or_404(CountyTarget, request.user, pk=pk)
    return render(
        request,
        "reports/target_detail.html",
        {"target": target, "history": history_for(target), "reason_form": ReasonForm(),
         "editable": target.status in EDITABLE_TARGET_STATUSES,
         "submitted": target.status == TargetStatus.SUBMITTED},
    )  # fmt: skip


def _target_action(request, pk: int, action, done: str, **form_kwargs):
    target = get_scoped_object_or_404(CountyTarget, request.user, pk=pk)
    try:
        action(actor=request.user, target=target, **form_kwargs)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, done)
    return redirect(target)


@require_POST
def target_submit(request, pk: int):
    require_role(request.user, Role.COUNTY)
    return _target_action(request, pk, services.target_submit, "目标已提交市局审定")


@require_POST
def target_accept(request, pk: int):
    require_role(request.user, *CITY)
    return _target_action(request, pk, services.target_accept, "目标已审定并锁定")


@require_POST
def target_return(request, pk: int):
    require_role(request.user, *CITY)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _target_action(request, pk, services.target_return, "目标已退回", reason=reason)


# --- Submissions -----------------------------------------------------------------------


def submission_list(request):
    """The city's grid (counties × kinds, reporting rates); a county's own submissions."""
    require_role(request.user, *CITY_AND_COUNTY)
    year = _year(request)
    if request.user.is_county:
        subs = (
            Submission.objects.for_user(request.user)
            .filter(deadline__year=year)
            .select_related("deadline__kind")
        )
        return render(request, "reports/submission_mine.html", {"year": year, "subs": subs})
    deadlines, rows = submission_grid(year)
    rates = {p.county.pk: p for p in county_progress(year, _as_of(year))}
    for row in rows:
        rate = row["rate"] = rates.get(row["county_id"])
        row["due"] = rate.on_time + rate.late + rate.missing if rate else 0
    return render(
        request,
        "reports/submission_grid.html",
        {"year": year, "deadlines": deadlines, "rows": rows, "today": timezone.localdate()},
    )


def submission_detail(request, pk: int):
    require_role(request.user, *CITY_AND_COUNTY)
    sub = get_scoped_object_or_404(
        Submission.objects.select_related("deadline__kind", "county"), request.user, pk=pk
    )
    return render(
        request,
        "reports/submission_detail.html",
        {"sub": sub, "history": history_for(sub), "document_form": DocumentForm(),
         "comment_form": CommentForm()},
    )  # fmt: skip


@require_POST
def submission_upload(request, pk: int):
    require_role(request.user, Role.COUNTY)
    sub = get_scoped_object_or_404(Submission, request.user, pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上报的文件")
        return redirect(sub)
    try:
        sub = services.submission_upload(
            actor=request.user, submission=sub, document=form.cleaned_data["document"]
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "已逾期上报" if sub.is_late else "已按时上报")
    return redirect(sub)


@require_POST
def submission_decide(request, pk: int, decision: str):
    require_role(request.user, *CITY)
    sub = get_scoped_object_or_404(Submission, request.user, pk=pk)
    form = CommentForm(request.POST)
    comment = form.cleaned_data["reason"] if form.is_valid() else ""
    action = services.submission_accept if decision == "accept" else services.submission_return
    try:
        action(actor=request.user, submission=sub, comment=comment)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, "已接收" if decision == "accept" else "已退回县市区")
    return redirect(sub)


def submission_document(request, pk: int):
    require_role(request.user, *CITY_AND_COUNTY)
    sub = get_scoped_object_or_404(Submission, request.user, pk=pk)
    if not sub.document:
        raise Http404("尚未上报文件")
    return FileResponse(sub.document.open("rb"), as_attachment=True, filename=sub.original_name)


# --- Snapshots and bulletins -----------------------------------------------------------


def snapshot_list(request):
    require_role(request.user, *CITY_AND_COUNTY)
    snapshots = ProgressSnapshot.objects.for_user(request.user)
    return render(request, "reports/snapshot_list.html", {"snapshots": snapshots})


@require_POST
def snapshot_generate(request):
    """Queue today's snapshot; if the broker is down the page still answers and Monday's job
    (or the next request) makes it."""
    require_role(request.user, *CITY)
    tasks.enqueue(tasks.build_weekly_progress_report, timezone.localdate().isoformat())
    messages.success(request, "已提交生成任务，稍后刷新本页即可看到今天的进度快照")
    return redirect("reports:snapshots")


def _bulletin_rows(request, pk: int):
    require_role(request.user, *CITY_AND_COUNTY)
    snap = get_object_or_404(ProgressSnapshot.objects.for_user(request.user), pk=pk)
    return snap, list(snapshot_rows(snap, request.user))


def bulletin(request, pk: int):
    """定期通报: every county's progress, rank and timeliness, with the movers since the last
    one. A county sees its own row and its rank."""
    snap, rows = _bulletin_rows(request, pk)
    moved = movers(snap, rows)
    for row in rows:
        row.moved = moved.get(row.county_id)
    return render(
        request,
        "reports/bulletin.html",
        {"snap": snap, "rows": rows, "county_count": snap.rows.count(), "has_movers": bool(moved)},
    )


def bulletin_xlsx(request, pk: int):
    snap, rows = _bulletin_rows(request, pk)
    content = xlsx_bytes(HEADER, bulletin_table(rows), sheet_title=f"{snap.taken_on:%Y-%m-%d}通报")
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="bulletin-{snap.taken_on}.xlsx"'
    return response


# --- Yearly assessment -----------------------------------------------------------------


def assessment(request):
    require_role(request.user, *CITY)
    year = _year(request)
    scores = assess(year, _as_of(year))
    form = WeightsForm(weights=weights_for(year))
    return render(
        request, "reports/assessment.html", {"year": year, "scores": scores, "form": form}
    )


@require_POST
def assessment_weights(request):
    require_role(request.user, *CITY)
    year = _year(request)
    form = WeightsForm(request.POST, weights=weights_for(year))
    if form.is_valid():
        services.assessment_weights_set(actor=request.user, year=year, weights=form.cleaned_data)
        messages.success(request, "考核指标权重已保存")
    else:
        messages.error(request, "权重须为 0 到 100 之间的数")
    return redirect(f"{reverse('reports:assessment')}?year={year}")


def assessment_xlsx(request):
    require_role(request.user, *CITY)
    year = _year(request)
    scores = assess(year, _as_of(year))
    labels = [part["label"] for part in scores[0].parts] if scores else []
    header = ["排名", "县市区", "总分", *labels]
    rows = [[s.rank, s.county.name, s.total, *[p["points"] for p in s.parts]] for s in scores]
    content = xlsx_bytes(header, rows, sheet_title=f"{year}年终考核")
    response = HttpResponse(content, content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="assessment-{year}.xlsx"'
    return response
