"""The draws: the city's working pages, and the public pages anyone can open without a login
(the draw with its population, digest, public value, algorithm and result; the record as JSON;
the standalone verification program; the spot-check results once a round closes)."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from lookback.models import Campaign, SpotCheck
from portal.http import attachment, perform, refuse_form, year_from
from portal.policy import allowed_actions, can, fetch, require

from . import algorithm, selectors
from .forms import ExpertFreezeForm, FreezeForm, PerformForm, RedrawForm
from .models import Draw
from .rules import ALGORITHM_TEXT
from .services import draws as services


def draw_list(request):
    require(request.user, "manage", Draw)
    year = year_from(request)
    draws = Draw.objects.for_user(request.user).filter(year=year).select_related("county")
    initial = {"year": year, "kind": request.GET.get("kind", Draw.Kind.AUDIT)}
    return render(
        request,
        "integrity/draw_list.html",
        {
            "year": year,
            "page_obj": Paginator(draws, 30).get_page(request.GET.get("page")),
            "form": FreezeForm(user=request.user, initial=initial),
            "actions": allowed_actions(request.user, Draw),
        },
    )


@require_POST
def draw_freeze(request):
    require(request.user, "freeze", Draw)
    form = FreezeForm(request.POST, user=request.user)
    if not form.is_valid():
        refuse_form(request, form, "请检查填写内容：")
        return redirect("integrity:draw_list")
    data = form.cleaned_data
    campaign = Campaign.objects.filter(year=data["year"]).first()
    counties = list(data["counties"]) or list(form.fields["counties"].queryset)
    done = perform(
        request,
        lambda: services.draw_freeze(
            kind=data["kind"],
            year=data["year"],
            actor=request.user,
            public_value_source=data["public_value_source"],
            public_value_date=data["public_value_date"],
            county=data["county"],
            counties=counties,
            campaign=campaign,
            size=data["size"],
            with_findings=data["with_findings"],
        ),
        success="抽取总体已冻结并公开；请在公开随机数产生后录入",
    )
    return redirect(done.value if done else "integrity:draw_list")


def draw_detail(request, pk: int):
    draw = fetch(request.user, Draw.objects.select_related("county", "campaign"), "manage", pk=pk)
    public = selectors.public_context(draw)
    # The city's page only: each firm's findings beside the population (spot-check draws).
    findings = selectors.spot_check_findings_by_code(draw)
    if findings:
        public["strata"] = [
            (name, [{**m, "finding": findings.get(m["code"], "")} for m in rows], quota)
            for name, rows, quota in public["strata"]
        ]
    return render(
        request,
        "integrity/draw_detail.html",
        {
            "draw": draw,
            "actions": allowed_actions(request.user, draw),
            "perform_form": PerformForm(),
            "redraw_form": RedrawForm(prefix="redraw"),
            "expert_form": ExpertFreezeForm(prefix="experts"),
            "spot_checks": selectors.spot_checks_for_experts(draw),
            "algorithm_text": ALGORITHM_TEXT,
            **public,
            "findings": bool(findings),
        },
    )


@require_POST
def draw_perform(request, pk: int):
    draw = fetch(request.user, Draw, "draw", pk=pk)
    form = PerformForm(request.POST)
    if not form.is_valid():
        refuse_form(request, form)
        return redirect(draw)
    perform(
        request,
        lambda: services.draw_perform(
            draw=draw, actor=request.user, public_value=form.cleaned_data["public_value"]
        ),
        success="已按公开随机数抽取，结果已公开",
    )
    return redirect(draw)


@require_POST
def draw_redraw(request, pk: int):
    draw = fetch(request.user, Draw, "redraw", pk=pk)
    form = RedrawForm(request.POST, prefix="redraw")
    if not form.is_valid():
        refuse_form(request, form, "不能重新抽取：")
        return redirect(draw)
    done = perform(
        request,
        lambda: services.draw_redraw(draw=draw, actor=request.user, **form.cleaned_data),
        success="已冻结重新抽取的总体，原抽取保留并公开",
    )
    return redirect(done.value if done else draw)


@require_POST
def draw_publish(request, pk: int):
    draw = fetch(request.user, Draw, "publish", pk=pk)
    perform(
        request,
        lambda: services.draw_publish(draw=draw, actor=request.user),
        success="抽查结果已在公开页面公布",
    )
    return redirect(draw)


@require_POST
def experts_freeze(request, pk: int):
    spot_check = fetch(request.user, SpotCheck.objects.select_related("campaign", "county"), pk=pk)
    require(request.user, "freeze", Draw)
    form = ExpertFreezeForm(request.POST, prefix="experts")
    if not form.is_valid():
        refuse_form(request, form, "请检查填写内容：")
        return redirect("integrity:draw_list")
    done = perform(
        request,
        lambda: services.draw_freeze(
            kind=Draw.Kind.EXPERTS,
            year=spot_check.campaign.year,
            actor=request.user,
            spot_check=spot_check,
            **form.cleaned_data,
        ),
        success="专家抽取总体已冻结并公开（已回避有利害关系的专家）",
    )
    return redirect(done.value if done else "integrity:draw_list")


# --- Public, no login --------------------------------------------------------------------------


def _public_draw(number: str) -> Draw:
    return get_object_or_404(
        Draw.objects.select_related("county", "campaign", "replaces"), number=number
    )


@login_not_required
def public_draws(request):
    year = year_from(request)
    draws = Draw.objects.filter(year=year).select_related("county")
    return render(
        request,
        "integrity/public/draw_list.html",
        {"year": year, "page_obj": Paginator(draws, 30).get_page(request.GET.get("page"))},
    )


@login_not_required
def public_draw(request, number: str):
    draw = _public_draw(number)
    manage = request.user.is_authenticated and can(request.user, "manage", draw)
    return render(
        request,
        "integrity/public/draw.html",
        {
            "draw": draw,
            "manage": manage,
            "algorithm_text": ALGORITHM_TEXT,
            **selectors.public_context(draw),
        },
    )


@login_not_required
def public_draw_json(request, number: str):
    draw = _public_draw(number)
    body = json.dumps(selectors.draw_record(draw), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = attachment(f"抽取记录{draw.number}.json")
    return response


@login_not_required
def verify_script(request):
    text = Path(algorithm.__file__).read_text(encoding="utf-8")
    response = HttpResponse(text, content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = attachment("verify_draw.py")
    return response


@login_not_required
def public_results(request):
    year = year_from(request)
    published = Draw.objects.filter(year=year, status=Draw.Status.PUBLISHED)
    rows = services.outcomes_of(list(published))
    return render(request, "integrity/public/results.html", {"year": year, "rows": rows})
