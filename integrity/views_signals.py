"""Integrity signals (one ranked, filterable list; each signal's page explains it in plain
Chinese), the city's settings for them, and the revocation candidates accidents raise."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from enterprises.models import County
from portal.audit import chinese_date, history_for
from portal.http import int_param, perform, refuse_form, xlsx_response
from portal.policy import allowed_actions, fetch, require
from portal.xlsx import stream_xlsx
from reviews.models import ReviewAgency

from . import explanations
from .forms import CandidateForm, DecideForm, SettingsForm
from .models import IntegritySettings, RevocationCandidate, Signal
from .selectors import candidates_for
from .services import candidates as candidate_services
from .services import signals as services


def _filtered(request):
    qs = Signal.objects.for_user(request.user).select_related("county", "agency", "enterprise")
    kind = request.GET.get("kind", "")
    if kind in Signal.Kind.values:
        qs = qs.filter(kind=kind)
    status = request.GET.get("status", "")
    if status in Signal.Status.values:
        qs = qs.filter(status=status)
    county = int_param(request.GET, "county")
    if county:
        qs = qs.filter(county=county) | qs.filter(counties=county)
    agency = int_param(request.GET, "agency")
    if agency:
        qs = qs.filter(agency=agency)
    return qs.distinct().order_by("-score", "-raised_at", "pk")


def signal_list(request):
    require(request.user, "view", Signal)
    return render(
        request,
        "integrity/signal_list.html",
        {
            "page_obj": Paginator(_filtered(request), 50).get_page(request.GET.get("page")),
            "kinds": Signal.Kind.choices,
            "statuses": Signal.Status.choices,
            "counties": County.objects.for_user(request.user).order_by("sort_order", "code"),
            "agencies": ReviewAgency.objects.order_by("name"),
            "actions": allowed_actions(request.user, Signal),
            "query": request.GET.urlencode(),
        },
    )


HEADERS = ["预警类型", "摘要", "分值", "县市区", "评审机构", "企业", "状态", "处理措施", "首次预警"]


def signal_export(request):
    require(request.user, "export", Signal)
    rows = (
        [
            s.get_kind_display(), s.summary, float(s.score), str(s.county or ""),
            str(s.agency or ""), str(s.enterprise or ""), s.get_status_display(),
            s.get_action_display(), chinese_date(timezone.localtime(s.raised_at)),
        ]
        for s in _filtered(request).iterator(chunk_size=2000)
    )  # fmt: skip
    return xlsx_response(stream_xlsx(HEADERS, rows, sheet_title="诚信预警"), "诚信预警")


@require_POST
def signals_compute(request):
    require(request.user, "compute", Signal)
    done = perform(request, lambda: services.signals_compute(actor=request.user))
    if done:
        messages.success(
            request, f"已重新计算：共 {done.value['found']} 条预警，其中新增 {done.value['new']} 条"
        )
    return redirect("integrity:signal_list")


def signal_detail(request, pk: int):
    signal = fetch(
        request.user,
        Signal.objects.select_related(
            "county", "agency", "enterprise", "review", "other_review__enterprise", "expert",
            "decided_by",
        ),
        "view",
        pk=pk,
    )  # fmt: skip
    return render(
        request,
        "integrity/signal_detail.html",
        {
            "signal": signal,
            "why": explanations.why(signal),
            "actions": allowed_actions(request.user, signal),
            "form": DecideForm(),
            "history": history_for(signal),
        },
    )


@require_POST
def signal_decide(request, pk: int):
    signal = fetch(request.user, Signal, "decide", pk=pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        refuse_form(request, form, "请检查填写内容：")
        return redirect(signal)
    perform(
        request,
        lambda: services.signal_decide(signal=signal, actor=request.user, **form.cleaned_data),
        success="已记录处理结果",
    )
    return redirect(signal)


def settings_page(request):
    require(request.user, "view", IntegritySettings)
    current = services.city_settings()
    editable = "edit" in allowed_actions(request.user, IntegritySettings)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST":
        require(request.user, "edit", IntegritySettings)
        version = int_param(request.POST, "version") or current.version
        if form.is_valid() and perform(
            request,
            lambda: services.settings_update(
                actor=request.user, changes=form.cleaned_data, expected_version=version
            ),
            success="设置已保存，下次计算预警时生效",
            form=form,
        ):
            return redirect("integrity:settings")
    return render(
        request,
        "integrity/settings.html",
        {"form": form, "current": current, "editable": editable,
         "history": history_for(current)},
    )  # fmt: skip


# --- 撤销候选 -------------------------------------------------------------------------------


def candidate_list(request):
    """Every candidate in scope; ``?status=open&level=county`` narrows it to those one level
    has still to decide (the to-do home links there)."""
    require(request.user, "view", RevocationCandidate)
    rows = candidates_for(
        request.user, status=request.GET.get("status", ""), level=request.GET.get("level", "")
    ).select_related("enterprise__county", "certificate", "accident")
    narrowed = "、".join(
        label
        for value, choices in (
            (request.GET.get("status"), RevocationCandidate.Status),
            (request.GET.get("level"), RevocationCandidate.Level),
        )
        for key, label in choices.choices
        if value == key
    )
    return render(
        request,
        "integrity/candidate_list.html",
        {
            "page_obj": Paginator(rows, 50).get_page(request.GET.get("page")),
            "narrowed": narrowed,
        },
    )


def candidate_detail(request, pk: int):
    candidate = fetch(
        request.user,
        RevocationCandidate.objects.select_related("enterprise__county", "certificate", "accident"),
        "view",
        pk=pk,
    )
    return render(
        request,
        "integrity/candidate_detail.html",
        {
            "candidate": candidate,
            "actions": allowed_actions(request.user, candidate),
            "form": CandidateForm(),
            "history": history_for(candidate),
        },
    )


@require_POST
def candidate_decide(request, pk: int):
    candidate = fetch(request.user, RevocationCandidate, "decide", pk=pk)
    form = CandidateForm(request.POST)
    if not form.is_valid():
        refuse_form(request, form, "请检查填写内容：")
        return redirect(candidate)
    perform(
        request,
        lambda: candidate_services.candidate_decide(
            candidate=candidate, actor=request.user, **form.cleaned_data
        ),
        success="已记录决定",
    )
    return redirect(candidate)
