"""The look-back campaign (回头看) and the city's audit of results (抽查审核).

Every page fetches through ``portal.policy.fetch`` (out of scope: 404, a forbidden action: 403)
and hands the allowed actions to its template; every write is one ``perform``ed service call.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from enterprises.models import County, Enterprise
from portal.http import id_filter, int_param, perform, refuse_form, xlsx_response, year_from
from portal.paging import paginate
from portal.policy import allowed_actions, can, fetch, require
from portal.xlsx import xlsx_bytes
from reviews.models import Review, ReviewAgency
from reviews.workflows.agencies import DECISIONS, STANDING

from . import services
from .forms import (
    AgencyRatingForm,
    CampaignForm,
    FindingForm,
    PhaseReopenForm,
    SelfCheckForm,
    SpotCheckOutcomeForm,
    StandingDecisionForm,
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
from .performance import (
    FIGURES,
    SORTS,
    accidents_behind,
    performance_of,
    reviews_behind,
)
from .performance import ranking as performance_ranking
from .selectors import (
    any_passes_of_year,
    campaign_progress,
    own_part,
    passed_firms_for,
    phase_states,
    self_check_for,
    self_checks_by_firm,
    spot_check_population_by_county,
)

# --- 抽查审核 ------------------------------------------------------------------------------------


def audit_list(request):
    require(request.user, "browse", AuditRound)
    year = year_from(request)
    rounds = AuditRound.objects.for_user(request.user).filter(year=year).select_related("county")
    if request.GET.get("status") in AuditRound.Status.values:  # a queue of the to-do home
        rounds = rounds.filter(status=request.GET["status"])
    return render(
        request,
        "lookback/audit_list.html",
        {
            "year": year,
            "page_obj": paginate(request, rounds, 30),
            "actions": allowed_actions(request.user, AuditRound),
            # A year without passes has no population to draw: no draw is offered for it.
            "has_passes": any_passes_of_year(year),
        },
    )


def audit_detail(request, pk: int):
    audit = fetch(request.user, AuditRound.objects.select_related("county"), pk=pk)
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
    firms, county = passed_firms_for(request.user), None
    asked, county_pk = id_filter(request.GET, "county")
    if asked:  # a dashboard's figure for one county opens its firms only
        firms = firms.filter(county_id=county_pk) if county_pk else firms.none()
        county = County.objects.for_user(request.user).filter(pk=county_pk).first() or "无此县市区"
    page = paginate(request, firms, 50)
    return render(
        request,
        "lookback/self_check_list.html",
        {
            "campaign": campaign,
            "narrowed": county,
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
    form = AgencyRatingForm(request.POST or None, user=request.user, year=campaign.year)
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
        .order_by("decided", "county__sort_order", "agency__name", "-sequence")
    )
    actions, phases = _in_phase(request, campaign)
    if request.GET.get("pending"):  # the city's queue on its to-do home
        records = records.filter(decided=False)
    return render(
        request,
        "lookback/ratings.html",
        {
            "campaign": campaign,
            "actions": actions,
            "may_decide": can(request.user, "decide_standing", ReviewAgency),
            "phase": phases["summary"],
            "form": form,
            "records": records,
        },
    )


def agency_decide(request, pk: int):
    """动态梳理评审单位名单: the city decides one agency's standing, with the year's ratings and
    the performance record in front of it, citing the ratings it rests on."""
    agency = fetch(request.user, ReviewAgency, "decide_standing", pk=pk)
    year = year_from(request)
    ratings = AgencyRating.objects.filter(agency=agency, campaign__year=year).select_related(
        "county", "campaign"
    )
    choices = [
        (name, STANDING[name].label)
        for name in DECISIONS
        if not STANDING.refusal(agency, name, actor=request.user)
    ]
    form = StandingDecisionForm(
        request.POST or None, agency=agency, ratings=ratings, decisions=choices
    )
    if form.is_valid() and perform(
        request,
        lambda: services.agency_standing_decide_on_ratings(
            agency=agency,
            actor=request.user,
            expected_version=int_param(request.POST, "version"),
            **form.cleaned_data,
        ),
        success=f"已对{agency}作出名单决定",
        form=form,
    ):
        return redirect(agency)
    return render(
        request,
        "lookback/agency_decide.html",
        {
            "agency": agency,
            "year": year,
            "form": form,
            "ratings": ratings.order_by("-created_at"),
            "record": performance_of(agency, year),
        },
    )


def spot_checks(request, pk: int):
    campaign = fetch(request.user, Campaign, "oversee", pk=pk)
    checks = (
        SpotCheck.objects.for_user(request.user)
        .filter(campaign=campaign)
        .select_related("county")
        .prefetch_related("outcomes__enterprise")
    )
    actions, phases = _in_phase(request, campaign)
    county_id = int_param(request.GET, "county")
    population = spot_check_population_by_county(
        campaign=campaign, user=request.user, county_id=county_id
    )
    return render(
        request,
        "lookback/spot_checks.html",
        {
            "campaign": campaign,
            "actions": actions,
            "phase": phases["spot_check"],
            "checks": checks,
            "outcome_form": SpotCheckOutcomeForm(auto_id=False),
            "population": population,
            # Every county with passed firms drawn: a new draw would be refused (a redraw is
            # asked on the draw's own page).
            "undrawn": any(not c["drawn"] for c in population),
            "shown": next((c for c in population if c["county"].pk == county_id), None),
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


# --- 评审机构履职情况 -----------------------------------------------------------------------


def performance(request):
    """The ranking of every agency's performance record of the year."""
    require(request.user, "performance", ReviewAgency)
    year = year_from(request)
    sort = request.GET.get("sort", "rank")
    records = performance_ranking(year, sort if sort in SORTS else "rank")
    page = paginate(request, records, 50)
    return render(
        request,
        "lookback/performance.html",
        {"year": year, "page_obj": page, "sort": sort, "offset": page.start_index()},
    )


def performance_xlsx(request):
    require(request.user, "performance", ReviewAgency)
    year = year_from(request)
    rows = (
        [
            rank,
            r.agency.name,
            r.agency.get_standing_display(),
            r.reviews_done,
            r.pass_rate,
            r.gap,
            r.audit_errors,
            r.spot_failures,
            r.fatal_accidents,
            r.four_rate,
            r.fee_total,
            r.fee_per_review,
            r.fee_index,
            r.rating_count("good"),
            r.rating_count("warning"),
            r.rating_count("removal"),
            r.warnings,
            r.repeat_warnings,
        ]
        for rank, r in enumerate(performance_ranking(year), start=1)
    )
    content = xlsx_bytes(
        PERFORMANCE_HEADERS, rows, sheet_title="履职情况", caption=f"{year}年评审机构履职情况"
    )
    return xlsx_response(content, f"{year}年评审机构履职情况.xlsx")


PERFORMANCE_HEADERS = [
    "排名",
    "评审机构",
    "名单状态",
    "评审数",
    "通过率（%）",
    "与自评平均差（分）",
    "抽查审核误差",
    "回头看抽查不合格",
    "死亡事故",
    "四个结合完整率（%）",
    "收费合计（元）",
    "单次收费（元）",
    "收费指数（同县同规模中位数=100）",
    "考评：履职良好",
    "考评：警告",
    "考评：建议清除",
    "警告次数",
    "屡改屡犯",
]


def performance_detail(request, pk: int):
    agency = fetch(request.user, ReviewAgency, "performance", pk=pk)
    year = year_from(request)
    return render(
        request,
        "lookback/performance_detail.html",
        {
            "agency": agency,
            "year": year,
            "record": performance_of(agency, year),
            "may_rank": can(request.user, "performance", ReviewAgency),
        },
    )


def performance_reviews(request, pk: int):
    """The reviews behind one figure of an agency's record (in the user's scope)."""
    agency = fetch(request.user, ReviewAgency, "performance", pk=pk)
    year = year_from(request)
    figure = request.GET.get("figure", "done")
    figure = figure if figure in FIGURES else "done"
    qs = (
        reviews_behind(agency, year, figure)
        .filter(pk__in=Review.objects.for_user(request.user).values("pk"))
        .select_related("enterprise__county", "self_assessment")
        .order_by("-concluded_at", "pk")
    )
    page = paginate(request, qs, 50)
    return render(
        request,
        "lookback/performance_reviews.html",
        {
            "agency": agency,
            "year": year,
            "figure": figure,
            "figure_label": FIGURES[figure],
            "page_obj": page,
            "accidents": accidents_behind(agency, year) if figure == "fatal" else None,
            "may_rank": can(request.user, "performance", ReviewAgency),
        },
    )
