"""The look-back campaign (回头看) and the city's audit of results (抽查审核).

Every page fetches through ``portal.policy.fetch`` (out of scope: 404, a forbidden action: 403)
and hands the allowed actions to its template; every write is one ``perform``ed service call.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from enterprises.models import Enterprise
from portal.http import perform, refuse_form, year_from
from portal.policy import allowed_actions, fetch, require

from . import services
from .draws import draw_sample
from .forms import (
    AgencyRatingForm,
    AuditStartForm,
    CampaignForm,
    FindingForm,
    PhaseReopenForm,
    RedrawForm,
    SelfCheckForm,
    SpotCheckDrawForm,
    SpotCheckOutcomeForm,
)
from .models import (
    AgencyRating,
    AuditFinding,
    AuditRound,
    Campaign,
    PhaseReopening,
    SpotCheck,
    SpotCheckOutcome,
)
from .selectors import (
    campaign_progress,
    own_part,
    passed_firms_for,
    phase_states,
    self_check_for,
    self_checks_by_firm,
)

# --- 抽查审核 ------------------------------------------------------------------------------------


def audit_list(request):
    require(request.user, "browse", AuditRound)
    year = year_from(request)
    rounds = (
        AuditRound.objects.for_user(request.user).filter(year=year).select_related("county", "draw")
    )
    return render(
        request,
        "lookback/audit_list.html",
        {
            "year": year,
            "page_obj": Paginator(rounds, 30).get_page(request.GET.get("page")),
            "form": AuditStartForm(user=request.user, initial={"year": year}),
            "actions": allowed_actions(request.user, AuditRound),
        },
    )


@require_POST
def audit_start(request):
    require(request.user, "start", AuditRound)
    form = AuditStartForm(request.POST, user=request.user)
    if not form.is_valid():
        refuse_form(request, form, "请检查填写内容：")
        return redirect("lookback:audit_list")
    done = perform(request, lambda: services.audit_start(actor=request.user, **form.cleaned_data))
    if not done:
        return redirect("lookback:audit_list")
    messages.success(request, f"已抽取 {done.value.sampled} 家企业进行审核")
    return redirect(done.value)


def audit_detail(request, pk: int):
    audit = fetch(
        request.user, AuditRound.objects.select_related("county", "draw__replaces"), pk=pk
    )
    draw = audit.draw
    findings = audit.findings.select_related("enterprise")
    return render(
        request,
        "lookback/audit_detail.html",
        {
            "audit": audit,
            "actions": allowed_actions(request.user, audit),
            "findings": [
                (f, FindingForm(initial=_initial(f), prefix=f"f{f.pk}")) for f in findings
            ],
            "recomputed_ok": draw_sample(draw.population, draw.size, draw.seed) == draw.sample,
            "redraw_form": RedrawForm(),
        },
    )


def _initial(finding: AuditFinding) -> dict:
    if not finding.recorded:
        return {"audited_result": finding.reported_result, "audited_score": finding.reported_score}
    return {
        "audited_result": finding.audited_result,
        "audited_score": finding.audited_score,
        "note": finding.note,
    }


@require_POST
def finding_record(request, pk: int):
    finding = fetch(
        request.user,
        AuditFinding.objects.select_related("audit", "enterprise"),
        "record",
        pk=pk,
    )
    form = FindingForm(request.POST, prefix=f"f{finding.pk}")
    if not form.is_valid():
        messages.error(request, "审核得分须为 0-100 的数字")
        return redirect(finding.audit)
    perform(
        request,
        lambda: services.audit_finding_record(
            finding=finding, actor=request.user, **form.cleaned_data
        ),
        success=f"已录入 {finding.enterprise} 的审核结果",
    )
    return redirect(finding.audit)


@require_POST
def audit_redraw(request, pk: int):
    audit = fetch(request.user, AuditRound, "redraw", pk=pk)
    reason = RedrawForm(request.POST).data.get("reason", "")
    perform(
        request,
        lambda: services.audit_redraw(audit=audit, actor=request.user, reason=reason),
        success="已重新抽取，原抽取记录保留",
    )
    return redirect(audit)


def _posted_version(request, audit: AuditRound) -> int:
    raw = request.POST.get("version", "")
    return int(raw) if raw.isdigit() else audit.version


@require_POST
def audit_close(request, pk: int):
    audit = fetch(request.user, AuditRound, "close", pk=pk)
    version = _posted_version(request, audit)
    done = perform(
        request,
        lambda: services.audit_close(audit=audit, actor=request.user, expected_version=version),
    )
    if done and done.value.requires_re_review:
        messages.warning(request, "误差率达到30%，该县市区当年评定结果暂缓公告，须重新评审")
    elif done:
        messages.success(request, "抽查审核已完成")
    return redirect(audit)


# --- The look-back campaign ------------------------------------------------------------------


def campaign_list(request):
    year = year_from(request)
    campaigns = Campaign.objects.for_user(request.user).filter(year=year)
    actions = allowed_actions(request.user, Campaign)
    if campaigns.exists():  # one campaign a year: opening a second would be refused
        actions = actions - {"open"}
    return render(
        request,
        "lookback/campaign_list.html",
        {
            "year": year,
            "campaigns": campaigns,
            "form": CampaignForm(initial={"year": year}),
            "actions": actions,
        },
    )


@require_POST
def campaign_open(request):
    require(request.user, "open", Campaign)
    form = CampaignForm(request.POST)
    if not form.is_valid():
        refuse_form(request, form, "请检查填写内容：")
        return redirect("lookback:campaign_list")
    done = perform(
        request,
        lambda: services.campaign_open(year=form.cleaned_data["year"], actor=request.user),
    )
    if not done:
        return redirect("lookback:campaign_list")
    messages.success(request, f"已启动{done.value}")
    return redirect(done.value)


# The action that puts input into each phase: offered only while the phase takes input.
PHASE_ACTIONS = {"self_check": {"inspect"}, "summary": {"rate"}, "spot_check": {"draw"}}


def _in_phase(request, campaign: Campaign) -> tuple[set, dict]:
    """The user's actions on the campaign less those of closed phases, and the phases."""
    phases = phase_states(
        campaign=campaign,
        county_id=getattr(request.user, "county_id", None),
        today=timezone.localdate(),
    )
    actions = set(allowed_actions(request.user, campaign))
    for phase, state in phases.items():
        if not state["open"]:
            actions -= PHASE_ACTIONS[phase]
    return actions, phases


def campaign_detail(request, pk: int):
    campaign = fetch(request.user, Campaign, pk=pk)
    actions, phases = _in_phase(request, campaign)
    return render(
        request,
        "lookback/campaign_detail.html",
        {
            "campaign": campaign,
            "actions": actions,
            "phases": phases,
            "reopen_form": PhaseReopenForm(user=request.user) if "reopen" in actions else None,
            "reopenings": PhaseReopening.objects.for_user(request.user)
            .filter(campaign=campaign)
            .select_related("county"),
            "rows": campaign_progress(campaign=campaign, user=request.user)
            if "oversee" in actions
            else [],
            "own": own_part(campaign=campaign, user=request.user)
            if "check_own" in actions
            else None,
        },
    )


@require_POST
def phase_reopen(request, pk: int):
    campaign = fetch(request.user, Campaign, "reopen", pk=pk)
    form = PhaseReopenForm(request.POST, user=request.user)
    if not form.is_valid():
        refuse_form(request, form, "请检查填写内容：")
        return redirect(campaign)
    perform(
        request,
        lambda: services.phase_reopen(campaign=campaign, actor=request.user, **form.cleaned_data),
        success="已重新开放该阶段，理由已记录",
    )
    return redirect(campaign)


def self_check_list(request, pk: int):
    campaign = fetch(request.user, Campaign, "oversee", pk=pk)
    page = Paginator(passed_firms_for(request.user), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "lookback/self_check_list.html",
        {
            "campaign": campaign,
            "actions": _in_phase(request, campaign)[0],
            "page_obj": page,
            "rows": self_checks_by_firm(campaign=campaign, firms=list(page)),
        },
    )


def self_check_edit(request, pk: int, enterprise_pk: int):
    campaign = fetch(request.user, Campaign, pk=pk)
    enterprise = fetch(request.user, Enterprise, pk=enterprise_pk)
    check = self_check_for(campaign=campaign, enterprise=enterprise, user=request.user)
    require(request.user, "record", check)
    initial = (
        {name: getattr(check, name) for name in services.SELF_CHECK_FIELDS} if check.pk else {}
    )
    form = SelfCheckForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: services.self_check_record(
                campaign=campaign, enterprise=enterprise, actor=request.user, **form.cleaned_data
            ),
            success="自查自纠情况已保存",
        )
        if done:
            return redirect(campaign)
    phase = phase_states(
        campaign=campaign, county_id=enterprise.county_id, today=timezone.localdate()
    )["self_check"]
    return render(
        request,
        "lookback/self_check_form.html",
        {
            "campaign": campaign,
            "enterprise": enterprise,
            "form": form,
            "check": check,
            "phase": phase,
        },
    )


def ratings(request, pk: int):
    campaign = fetch(request.user, Campaign, "oversee", pk=pk)
    if request.method == "POST":
        require(request.user, "rate", campaign)
    form = AgencyRatingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: services.agency_rating_submit(
                campaign=campaign, actor=request.user, **form.cleaned_data
            ),
            success="考评已提交市局",
            form=form,
        )
        if done:
            return redirect("lookback:ratings", pk=campaign.pk)
    records = (
        AgencyRating.objects.for_user(request.user)
        .filter(campaign=campaign)
        .select_related("county", "agency", "campaign")
        .order_by("decided", "county__sort_order")
    )
    actions, phases = _in_phase(request, campaign)
    return render(
        request,
        "lookback/ratings.html",
        {
            "campaign": campaign,
            "actions": actions,
            "phase": phases["summary"],
            "form": form,
            "records": records,
        },
    )


@require_POST
def rating_decide(request, pk: int):
    rating = fetch(
        request.user,
        AgencyRating.objects.select_related("agency", "campaign", "county"),
        "decide",
        pk=pk,
    )
    perform(
        request,
        lambda: services.agency_rating_decide(
            rating=rating, actor=request.user, note=request.POST.get("note", "")
        ),
        success=f"已调整{rating.agency}的名单状态",
    )
    return redirect("lookback:ratings", pk=rating.campaign_id)


def spot_checks(request, pk: int):
    campaign = fetch(request.user, Campaign, "oversee", pk=pk)
    if request.method == "POST":
        require(request.user, "draw", campaign)
    form = SpotCheckDrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: services.spot_check_draw(
                campaign=campaign, actor=request.user, **form.cleaned_data
            ),
            success="已随机抽取",
        )
        if done:
            return redirect("lookback:spot_checks", pk=campaign.pk)
    checks = (
        SpotCheck.objects.for_user(request.user)
        .filter(campaign=campaign)
        .select_related("county", "draw")
        .prefetch_related("outcomes__enterprise")
    )
    actions, phases = _in_phase(request, campaign)
    return render(
        request,
        "lookback/spot_checks.html",
        {
            "campaign": campaign,
            "actions": actions,
            "phase": phases["spot_check"],
            "form": form,
            "checks": checks,
            "outcome_form": SpotCheckOutcomeForm(auto_id=False),
        },
    )


@require_POST
def outcome_record(request, pk: int):
    outcome = fetch(
        request.user,
        SpotCheckOutcome.objects.select_related("spot_check", "enterprise"),
        "record",
        pk=pk,
    )
    form = SpotCheckOutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写检查结论和检查情况")
    else:
        perform(
            request,
            lambda: services.spot_check_record(
                outcome=outcome, actor=request.user, **form.cleaned_data
            ),
            success=f"已录入{outcome.enterprise}的抽查结论",
        )
    return redirect("lookback:spot_checks", pk=outcome.spot_check.campaign_id)
