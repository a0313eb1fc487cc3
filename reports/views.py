"""Pages of the reports app. Thin: scoped fetch (then the action), form, one service call,
message, redirect. Who may do what is ``reports.policies``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from enterprises.models import County, CreationListEntry
from lookback.models import Campaign
from portal.audit import history_for
from portal.http import (
    YEARS,
    current_year,
    dated,
    file_response,
    int_param,
    perform,
    refuse_form,
    xlsx_response,
    year_from,
    year_or_404,
)
from portal.policy import allowed_actions, can, fetch, require
from portal.xlsx import xlsx_bytes

from . import dashboards, tasks
from .choices import TargetStatus
from .evaluation import evaluate, weights_for
from .forms import (
    CommentForm,
    DeadlineForm,
    DocumentForm,
    MilestoneFormSet,
    ReasonForm,
    SnapshotForm,
    TargetForm,
    WeightsForm,
    YearSetupForm,
    milestones_from,
)
from .models import (
    CityGoal,
    CountyTarget,
    EvaluationCriterion,
    ProgressSnapshot,
    Submission,
    SubmissionDeadline,
)
from .policies import CityDashboard, CountyDashboard, CountyWorkPage, Evaluation, YearSetup
from .rules import goal_minimum
from .selectors import (
    SUBMISSION_QUEUES,
    bulletin_issue_number,
    county_base,
    county_progress,
    county_work,
    movers,
    previous_snapshot,
    snapshot_rows,
    submission_grid,
    submission_queue,
    target_rows,
    target_standing,
)
from .services import evaluation as evaluation_services
from .services import submissions as submission_services
from .services import targets as target_services
from .services import year_setup as setup_services
from .services.progress import HEADER, bulletin_table
from .workflows import TARGET


def _year(request) -> int:
    """The year asked for (the page's year switch), else the current programme year."""
    return year_from(request)


def _as_of(year: int) -> dt.date:
    """Today, or the year's last day when looking back at a past year."""
    return min(timezone.localdate(), dt.date(year, 12, 31))


# --- The county's work page --------------------------------------------------------------


def county_home(request):
    """The county's start page: what waits for it, with links to each queue."""
    require(request.user, "view", CountyWorkPage)
    year = _year(request)
    work = county_work(user=request.user, year=year, today=_as_of(year))
    return render(request, "reports/county_home.html", {"year": year, "work": work})


# --- City dashboard --------------------------------------------------------------------

TOTALS = (
    "listed", "self_assessed", "applied", "under_review", "passed", "target", "base",
    "base_passed",
)  # fmt: skip


def dashboard(request):
    """The city's start page: every county's progress (one aggregate query) and a chart, the
    list by industry and size, the weekly trend, the look-back, the audits and the agencies;
    each county opens its own dashboard (the drill-down)."""
    require(request.user, "view", CityDashboard)
    year = _year(request)
    today = _as_of(year)
    progress = county_progress(user=request.user, year=year, today=today)
    totals = {name: sum(getattr(p, name) for p in progress) for name in TOTALS}
    chart = {
        "counties": [p.county.name for p in progress],
        "urls": [reverse("reports:county_dashboard", args=[p.county.pk]) for p in progress],
        "listed": [p.listed for p in progress],
        "passed": [p.passed for p in progress],
        "target": [p.target for p in progress],
        "expected": [p.expected_today for p in progress],
    }
    context = {
        "year": year, "today": today, "progress": progress, "totals": totals, "chart": chart,
        "goals": CityGoal.objects.for_user(request.user),
        **_breakdowns(request.user, year, today, None, totals["passed"]),
        "agencies": dashboards.agency_ranking(user=request.user, year=year),
    }  # fmt: skip
    return render(request, "reports/dashboard.html", context)


def _breakdowns(user, year: int, today: dt.date, county, passed_now: int) -> dict:
    """What the city's and a county's dashboards share (a fixed number of queries)."""
    trend = dashboards.weekly_trend(
        user=user, year=year, today=today, county=county, passed_now=passed_now
    )
    industries, sizes = dashboards.breakdowns(user=user, year=year, county=county)
    return {
        "industries": industries,
        "sizes": sizes,
        "trend": trend,
        "trend_chart": trend.chart,
        "lookback": dashboards.lookback_status(user=user, year=year, county=county),
        "audits": dashboards.audit_rates(user=user, year=year, county=county),
    }


def my_county_dashboard(request):
    """The county's own dashboard (its menu entry)."""
    require(request.user, "view", CountyWorkPage)
    return redirect("reports:county_dashboard", pk=request.user.county_id)


def county_dashboard(request, pk: int):
    """One county's dashboard: its progress against target and timetable, by industry and
    size, the weekly trend with the year-end projection, its documents and its look-back."""
    county = fetch(request.user, County, pk=pk)
    require(request.user, "view", CountyDashboard)
    year = _year(request)
    today = _as_of(year)
    mine = [p for p in county_progress(user=request.user, year=year, today=today)
            if p.county.pk == county.pk]  # fmt: skip
    progress = mine[0] if mine else None
    subs = submission_queue(user=request.user, queue="all", year=year, today=today)
    context = {
        "year": year, "today": today, "county": county, "p": progress,
        "city_view": can(request.user, "view", CityDashboard),
        "subs": subs.filter(county=county),
        **_breakdowns(request.user, year, today, county, progress.passed if progress else 0),
        "agencies": dashboards.agency_ranking(user=request.user, year=year, county=county),
    }  # fmt: skip
    return render(request, "reports/county_dashboard.html", context)


# --- Targets ---------------------------------------------------------------------------


def target_list(request):
    require(request.user, "view_list", CountyTarget)
    year = _year(request)
    rows = target_rows(user=request.user, year=year)
    if request.GET.get("status") in TargetStatus.values:  # a queue of the to-do home
        rows = [r for r in rows if r["target"] and r["target"].status == request.GET["status"]]
    # The county's own target of the year, once filed, says whether it may still be revised
    # (a submitted or accepted target is locked): no link the machine would refuse.
    county_id = getattr(request.user, "county_id", None)
    own = next((r["target"] for r in rows if r["county"].pk == county_id), None)
    return render(
        request,
        "reports/target_list.html",
        {"year": year, "rows": rows, "actions": allowed_actions(request.user, own or CountyTarget)},
    )


def _milestone_initial(target: CountyTarget | None) -> list[dict]:
    stones = target.milestones.all() if target else []
    return [{"due_on": m.due_on, "passed_count": m.passed_count} for m in stones]


def target_edit(request, year: int):
    """County staff enter their own county's target for the year."""
    year = year_or_404(year)
    require(request.user, "revise", CountyTarget)
    target = CountyTarget.objects.for_user(request.user).filter(year=year).first()
    refusal = target and TARGET.refusal(target, "revise", actor=request.user)
    if refusal:
        messages.warning(request, refusal)
        return redirect(target)
    initial = {
        "listed_count": target.listed_count if target else 0,
        "explanation": target.shortfall_explanation if target else "",
    }
    form = TargetForm(request.POST or None, instance=target, initial=initial)
    formset = MilestoneFormSet(request.POST or None, initial=_milestone_initial(target), prefix="m")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        done = perform(
            request,
            lambda: target_services.target_save(
                actor=request.user, county=request.user.county, year=year,
                listed_count=form.cleaned_data["listed_count"],
                milestones=milestones_from(formset),
                explanation=form.cleaned_data["explanation"],
                expected_version=form.expected_version if target else None,
            ),
            success="目标已保存（尚未提交市局）", form=form,
        )  # fmt: skip
        if done:
            return redirect(done.value)
    goal = CityGoal.objects.filter(year=year).first()
    base = county_base(request.user.county)
    minimum = goal_minimum(base, goal.pass_percent) if goal else None
    return render(
        request, "reports/target_form.html",
        {"form": form, "formset": formset, "year": year, "goal": goal, "base": base,
         "minimum": minimum},
    )  # fmt: skip


def target_detail(request, pk: int):
    target = fetch(request.user, CountyTarget.objects.select_related("county"), pk=pk)
    return render(
        request,
        "reports/target_detail.html",
        {"target": target, "history": history_for(target), "reason_form": ReasonForm(),
         "accept_form": CommentForm(), "standing": target_standing(target),
         "actions": allowed_actions(request.user, target)},
    )  # fmt: skip


@require_POST
def target_submit(request, pk: int):
    target = fetch(request.user, CountyTarget, "submit", pk=pk)
    perform(
        request,
        lambda: target_services.target_submit(actor=request.user, target=target),
        success="目标已提交市局审定",
    )
    return redirect(target)


@require_POST
def target_accept(request, pk: int):
    target = fetch(request.user, CountyTarget, "accept", pk=pk)
    form = CommentForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    perform(
        request,
        lambda: target_services.target_accept(actor=request.user, target=target, reason=reason),
        success="目标已审定并锁定",
    )
    return redirect(target)


@require_POST
def target_return(request, pk: int):
    target = fetch(request.user, CountyTarget, "return", pk=pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    perform(
        request,
        lambda: target_services.target_return(actor=request.user, target=target, reason=reason),
        success="目标已退回",
    )
    return redirect(target)


# --- Submissions -----------------------------------------------------------------------


def submission_list(request):
    """The city's grid (counties × kinds, reporting rates); a county's own submissions."""
    require(request.user, "view_list", Submission)
    year = _year(request)
    queue = request.GET.get("status", "")
    if queue in SUBMISSION_QUEUES:
        return _submission_queue(request, queue, year)
    if not can(request.user, "view_grid", Submission):
        subs = (
            Submission.objects.for_user(request.user)
            .filter(deadline__year=year)
            .select_related("deadline__kind")
        )
        return render(request, "reports/submission_mine.html", {"year": year, "subs": subs})
    deadlines, rows = submission_grid(user=request.user, year=year)
    rates = {p.county.pk: p for p in county_progress(user=request.user, year=year,
                                                     today=_as_of(year))}  # fmt: skip
    for row in rows:
        rate = row["rate"] = rates.get(row["county_id"])
        row["due"] = rate.on_time + rate.late + rate.missing if rate else 0
    return render(
        request,
        "reports/submission_grid.html",
        {"year": year, "deadlines": deadlines, "rows": rows, "today": timezone.localdate()},
    )


def _submission_queue(request, queue: str, year: int):
    """One queue of the to-do home: documents waiting for the city, overdue, or owed."""
    subs = submission_queue(user=request.user, queue=queue, year=year, today=_as_of(year))
    return render(
        request,
        "reports/submission_queue.html",
        {
            "year": year,
            "queue": queue,
            "title": SUBMISSION_QUEUES[queue],
            "page_obj": Paginator(subs, 50).get_page(request.GET.get("page")),
        },
    )


def submission_detail(request, pk: int):
    sub = fetch(request.user, Submission.objects.select_related("deadline__kind", "county"), pk=pk)
    return render(
        request,
        "reports/submission_detail.html",
        {"sub": sub, "history": history_for(sub), "document_form": DocumentForm(),
         "comment_form": CommentForm(), "actions": allowed_actions(request.user, sub)},
    )  # fmt: skip


@require_POST
def submission_upload(request, pk: int):
    sub = fetch(request.user, Submission.objects.select_related("deadline"), "upload", pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上报的文件")
        return redirect(sub)
    done = perform(
        request,
        lambda: submission_services.submission_upload(
            actor=request.user, submission=sub, document=form.cleaned_data["document"]
        ),
    )
    if done:
        messages.success(request, "已逾期上报" if done.value.is_late else "已按时上报")
    return redirect(sub)


DECISIONS = {
    "accept": (submission_services.submission_accept, "已接收"),
    "return": (submission_services.submission_return, "已退回县市区"),
}


@require_POST
def submission_decide(request, pk: int, decision: str):
    sub = fetch(request.user, Submission.objects.select_related("deadline"), decision, pk=pk)
    form = CommentForm(request.POST)
    comment = form.cleaned_data["reason"] if form.is_valid() else ""
    decide, done = DECISIONS[decision]
    perform(request, lambda: decide(actor=request.user, submission=sub, comment=comment),
            success=done)  # fmt: skip
    return redirect(sub)


def submission_document(request, pk: int):
    sub = fetch(request.user, Submission, pk=pk)
    if not sub.document:
        raise Http404("尚未上报文件")
    return file_response(sub.document, sub.original_name)


# --- Snapshots and bulletins -----------------------------------------------------------


def snapshot_list(request):
    require(request.user, "view_list", ProgressSnapshot)
    year = _year(request)
    snapshots = ProgressSnapshot.objects.for_user(request.user).filter(year=year)
    today = timezone.localdate()
    # A year still to come has no day to count yet: nothing to generate is offered.
    may_generate = can(request.user, "generate", ProgressSnapshot) and year <= today.year
    return render(
        request,
        "reports/snapshot_list.html",
        {
            "year": year,
            "snapshots": snapshots,
            "form": SnapshotForm(year=year, today=today) if may_generate else None,
        },
    )


@require_POST
def snapshot_generate(request):
    """Queue the snapshot of the day asked for (today when none is given): a past day counts
    each firm as it stood that day. If the broker is down the page still answers, and Monday's
    job makes that week's snapshot."""
    require(request.user, "generate", ProgressSnapshot)
    today = timezone.localdate()
    year = int_param(request.POST, "year")  # the year shown, whose days may be asked for
    data = request.POST if request.POST.get("taken_on") else {"taken_on": today.isoformat()}
    form = SnapshotForm(data, year=year if year in YEARS else None, today=today)
    if not form.is_valid():
        refuse_form(request, form, "不能生成：")
        return redirect(f"{reverse('reports:snapshots')}?year={year or today.year}")
    day = form.cleaned_data["taken_on"]
    tasks.enqueue(tasks.build_progress_report_on, day.isoformat())
    when = f"{day.year}年{day.month}月{day.day}日"
    messages.success(request, f"已提交生成任务，稍后刷新本页即可看到{when}的进度快照")
    return redirect(f"{reverse('reports:snapshots')}?year={day.year}")


def _bulletin_rows(request, pk: int):
    snap = fetch(request.user, ProgressSnapshot, pk=pk)
    return snap, list(snapshot_rows(snap, request.user))


def bulletin(request, pk: int):
    """定期通报: every county's progress, rank and timeliness, with the movers since the last
    one. A county sees its own row and its rank."""
    snap, rows = _bulletin_rows(request, pk)
    moved = movers(snap, rows)
    for row in rows:
        row.moved = moved.get(row.county_id)
    own = [row for row in rows if row.county_id == request.user.county_id]
    return render(
        request,
        "reports/bulletin.html",
        {"snap": snap, "rows": rows, "own": own[0] if own else None,
         "county_count": snap.rows.count(), "has_movers": bool(moved),
         "previous": previous_snapshot(snap), "issue_number": bulletin_issue_number(snap)},
    )  # fmt: skip


def bulletin_xlsx(request, pk: int):
    snap, rows = _bulletin_rows(request, pk)
    content = xlsx_bytes(HEADER, bulletin_table(rows), sheet_title=f"{snap.taken_on:%Y-%m-%d}通报")
    return xlsx_response(content, dated("进度通报", snap.taken_on))


# --- The yearly evaluation of the counties (年终考核) ---------------------------------------


def evaluation(request, *, refused_weights=None):
    """The yearly evaluation; ``refused_weights`` is a weights form that was refused, shown
    again open, with what was typed and why."""
    require(request.user, "view", Evaluation)
    year = _year(request)
    scores = evaluate(user=request.user, year=year, today=_as_of(year))
    form = refused_weights or WeightsForm(weights=weights_for(year))
    return render(
        request,
        "reports/evaluation.html",
        {"year": year, "scores": scores, "form": form,
         "actions": allowed_actions(request.user, EvaluationCriterion)},
        status=400 if refused_weights is not None else 200,
    )  # fmt: skip


@require_POST
def evaluation_weights(request):
    require(request.user, "set_weights", EvaluationCriterion)
    year = _year(request)
    form = WeightsForm(request.POST, weights=weights_for(year))
    if form.is_valid() and perform(
        request,
        lambda: evaluation_services.evaluation_weights_set(
            actor=request.user, year=year, weights=form.cleaned_data
        ),
        success="考核指标权重已保存",
        form=form,
    ):
        return redirect(f"{reverse('reports:evaluation')}?year={year}")
    return evaluation(request, refused_weights=form)


def evaluation_xlsx(request):
    require(request.user, "download", Evaluation)
    year = _year(request)
    scores = evaluate(user=request.user, year=year, today=_as_of(year))
    labels = [part["label"] for part in scores[0].parts] if scores else []
    header = ["排名", "县市区", "总分", *labels]
    rows = [[s.rank, s.county.name, s.total, *[p["points"] for p in s.parts]] for s in scores]
    content = xlsx_bytes(header, rows, sheet_title=f"{year}年终考核")
    return xlsx_response(content, f"{year}年年终考核")


# --- Setting up a year (the city) ------------------------------------------------------------


def _setup_page(year: int) -> dict:
    return {
        "year": year,
        "goal": CityGoal.objects.filter(year=year).first(),
        "deadlines": SubmissionDeadline.objects.filter(year=year).select_related("kind"),
        "listed": CreationListEntry.objects.filter(year=year).count(),
        "to_carry": setup_services.carry_over_candidates(year).count(),
        "campaign": Campaign.objects.filter(year=year).first(),
    }


def year_setup(request):
    """The city sets up a year: goal, deadlines, lists carried over, the look-back."""
    require(request.user, "set_up", YearSetup)
    year = year_from(request, default=current_year() + 1)
    page = _setup_page(year)
    goal = page["goal"]
    initial = {"pass_percent": goal.pass_percent if goal else 100,
               "due_on": goal.due_on if goal else dt.date(year, 12, 31)}  # fmt: skip
    form = YearSetupForm(request.POST or None, initial=initial)
    if form.is_valid() and perform(
        request,
        lambda: setup_services.year_set_up(actor=request.user, year=year, **form.cleaned_data),
        success=f"{year}年工作已设置",
        form=form,
    ):
        return redirect(f"{reverse('reports:year_setup')}?year={year}")
    page["deadline_forms"] = [
        (d, DeadlineForm(initial={"due_on": d.due_on}, prefix=f"d{d.pk}"))
        for d in page["deadlines"]
    ]
    return render(request, "reports/year_setup.html", {**page, "form": form})


@require_POST
def year_deadline(request, pk: int):
    """Edit one deadline of the year (the notice's default, moved by the city)."""
    deadline = fetch(request.user, SubmissionDeadline, "setup", pk=pk)
    require(request.user, "set_up", YearSetup)
    form = DeadlineForm(request.POST, prefix=f"d{deadline.pk}")
    if form.is_valid():
        perform(
            request,
            lambda: setup_services.deadline_move(
                actor=request.user, deadline=deadline, due_on=form.cleaned_data["due_on"]
            ),
            success="截止日期已修改",
        )
    else:
        messages.error(request, "请填写正确的截止日期")
    return redirect(f"{reverse('reports:year_setup')}?year={deadline.year}")
