from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from enterprises.choices import PASSED_STATUSES
from enterprises.models import Enterprise
from portal.concurrency import ConcurrentEditError
from portal.roles import Role
from portal.scoping import get_scoped_object_or_404, require_role

from . import campaign as campaign_services
from . import services
from .draws import draw_sample
from .forms import (
    AgencyRatingForm,
    AuditStartForm,
    CampaignForm,
    FindingForm,
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
    SelfCheck,
    SpotCheck,
    SpotCheckOutcome,
)
from .selectors import campaign_progress

CITY = (Role.CITY, Role.ADMIN)


def _form_errors(form) -> str:
    """Every error of a form that redirects instead of re-rendering, with its field's label."""
    return "；".join(
        f"{form.fields[name].label}：{error}" if name in form.fields else str(error)
        for name, errors in form.errors.items()
        for error in errors
    )


def audit_list(request):
    require_role(request.user, *CITY, Role.COUNTY)
    rounds = AuditRound.objects.for_user(request.user).select_related("county", "draw")
    page = Paginator(rounds, 30).get_page(request.GET.get("page"))
    form = AuditStartForm(user=request.user) if request.user.is_city else None
    return render(request, "lookback/audit_list.html", {"page_obj": page, "form": form})


@require_POST
def audit_start(request):
    require_role(request.user, *CITY)
    form = AuditStartForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            audit = services.audit_start(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, f"已抽取 {audit.sampled} 家企业进行审核")
            return redirect(audit)
    else:
        messages.error(request, "请检查填写内容：" + _form_errors(form))
    return redirect("lookback:audit_list")


def audit_detail(request, pk: int):
    audit = get_scoped_object_or_404(
        AuditRound.objects.select_related("county", "draw__replaces"), request.user, pk=pk
    )
    findings = audit.findings.select_related("enterprise")
    draw = audit.draw
    return render(
        request,
        "lookback/audit_detail.html",
        {
            "audit": audit,
            "findings": [
                (f, FindingForm(initial=_initial(f), prefix=f"f{f.pk}")) for f in findings
            ],
            "recomputed_ok": draw_sample(draw.population, draw.size, draw.seed) == draw.sample,
            "redraw_form": RedrawForm(),
            "can_edit": request.user.is_city and audit.status == AuditRound.Status.OPEN,
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
    require_role(request.user, *CITY)
    finding = get_scoped_object_or_404(
        AuditFinding.objects.select_related("audit"), request.user, pk=pk
    )
    form = FindingForm(request.POST, prefix=f"f{finding.pk}")
    if form.is_valid():
        try:
            services.audit_finding_record(finding=finding, actor=request.user, **form.cleaned_data)
            messages.success(request, f"已录入 {finding.enterprise} 的审核结果")
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
    else:
        messages.error(request, "审核得分须为 0-100 的数字")
    return redirect(finding.audit)


@require_POST
def audit_redraw(request, pk: int):
    require_role(request.user, *CITY)
    audit = get_scoped_object_or_404(AuditRound, request.user, pk=pk)
    form = RedrawForm(request.POST)
    try:
        reason = form.data.get("reason", "")
        services.audit_redraw(audit=audit, actor=request.user, reason=reason)
        messages.success(request, "已重新抽取，原抽取记录保留")
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    return redirect(audit)


@require_POST
def audit_close(request, pk: int):
    require_role(request.user, *CITY)
    audit = get_scoped_object_or_404(AuditRound, request.user, pk=pk)
    try:
        version = int(request.POST.get("version", audit.version))
        audit = services.audit_close(audit=audit, actor=request.user, expected_version=version)
    except (ValidationError, ConcurrentEditError) as error:
        messages.error(request, str(getattr(error, "message", error)))
    else:
        if audit.requires_re_review:
            messages.warning(request, "误差率达到30%，该县市区当年评定结果暂缓公告，须重新评审")
        else:
            messages.success(request, "抽查审核已完成")
    return redirect(audit)


# --- The look-back campaign ------------------------------------------------------------------


def _errors(error: ValidationError) -> str:
    return "；".join(error.messages)


def campaign_list(request):
    campaigns = Campaign.objects.for_user(request.user)
    form = CampaignForm() if request.user.is_city else None
    return render(request, "lookback/campaign_list.html", {"campaigns": campaigns, "form": form})


@require_POST
def campaign_open(request):
    require_role(request.user, *CITY)
    form = CampaignForm(request.POST)
    if form.is_valid():
        try:
            campaign = campaign_services.campaign_open(
                year=form.cleaned_data["year"], actor=request.user
            )
            messages.success(request, f"已启动{campaign}")
            return redirect(campaign)
        except ValidationError as error:
            messages.error(request, _errors(error))
    return redirect("lookback:campaign_list")


def campaign_detail(request, pk: int):
    campaign = get_scoped_object_or_404(Campaign, request.user, pk=pk)
    own_check = None
    if request.user.is_enterprise:
        own_check = SelfCheck.objects.for_user(request.user).filter(campaign=campaign).first()
    return render(
        request,
        "lookback/campaign_detail.html",
        {
            "campaign": campaign,
            "rows": campaign_progress(campaign=campaign, user=request.user)
            if not request.user.is_enterprise and not request.user.is_agency
            else [],
            "own_check": own_check,
            "own_firm_passed": request.user.is_enterprise
            and request.user.enterprise.status in PASSED_STATUSES,
        },
    )


def self_check_list(request, pk: int):
    require_role(request.user, *CITY, Role.COUNTY)
    campaign = get_scoped_object_or_404(Campaign, request.user, pk=pk)
    firms = (
        Enterprise.objects.for_user(request.user)
        .filter(status__in=PASSED_STATUSES)
        .select_related("county")
        .order_by("county__sort_order", "name")
    )
    page = Paginator(firms, 50).get_page(request.GET.get("page"))
    checks = SelfCheck.objects.filter(campaign=campaign, enterprise__in=[f.pk for f in page])
    by_firm: dict = {}
    for check in checks:
        by_firm.setdefault(check.enterprise_id, {})[check.method] = check
    rows = [(firm, by_firm.get(firm.pk, {})) for firm in page]
    return render(
        request,
        "lookback/self_check_list.html",
        {"campaign": campaign, "page_obj": page, "rows": rows},
    )


def self_check_edit(request, pk: int, enterprise_pk: int):
    require_role(request.user, Role.ENTERPRISE, Role.COUNTY)
    campaign = get_scoped_object_or_404(Campaign, request.user, pk=pk)
    enterprise = get_scoped_object_or_404(Enterprise, request.user, pk=enterprise_pk)
    method = SelfCheck.Method.SELF if request.user.is_enterprise else SelfCheck.Method.GOVERNMENT
    existing = SelfCheck.objects.filter(
        campaign=campaign, enterprise=enterprise, method=method
    ).first()
    initial = (
        {name: getattr(existing, name) for name in campaign_services.SELF_CHECK_FIELDS}
        if existing
        else {}
    )
    form = SelfCheckForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            campaign_services.self_check_record(
                campaign=campaign, enterprise=enterprise, actor=request.user, **form.cleaned_data
            )
            messages.success(request, "自查自纠情况已保存")
            return redirect(campaign)
        except ValidationError as error:
            messages.error(request, _errors(error))
    return render(
        request,
        "lookback/self_check_form.html",
        {"campaign": campaign, "enterprise": enterprise, "form": form, "method": method},
    )


def ratings(request, pk: int):
    require_role(request.user, *CITY, Role.COUNTY)
    campaign = get_scoped_object_or_404(Campaign, request.user, pk=pk)
    form = None
    if request.user.is_county:
        form = AgencyRatingForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                campaign_services.agency_rating_submit(
                    campaign=campaign, actor=request.user, **form.cleaned_data
                )
                messages.success(request, "考评已提交市局")
                return redirect("lookback:ratings", pk=campaign.pk)
            except ValidationError as error:
                messages.error(request, _errors(error))
    records = (
        AgencyRating.objects.for_user(request.user)
        .filter(campaign=campaign)
        .select_related("county", "agency")
        .order_by("decided", "county__sort_order")
    )
    return render(
        request, "lookback/ratings.html", {"campaign": campaign, "form": form, "records": records}
    )


@require_POST
def rating_decide(request, pk: int):
    require_role(request.user, *CITY)
    rating = get_scoped_object_or_404(
        AgencyRating.objects.select_related("agency"), request.user, pk=pk
    )
    try:
        campaign_services.agency_rating_decide(
            rating=rating, actor=request.user, note=request.POST.get("note", "")
        )
        messages.success(request, f"已调整{rating.agency}的名单状态")
    except ValidationError as error:
        messages.error(request, _errors(error))
    return redirect("lookback:ratings", pk=rating.campaign_id)


def spot_checks(request, pk: int):
    require_role(request.user, *CITY, Role.COUNTY)
    campaign = get_scoped_object_or_404(Campaign, request.user, pk=pk)
    form = SpotCheckDrawForm(request.POST or None) if request.user.is_city else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            campaign_services.spot_check_draw(
                campaign=campaign, actor=request.user, **form.cleaned_data
            )
            messages.success(request, "已随机抽取")
            return redirect("lookback:spot_checks", pk=campaign.pk)
        except ValidationError as error:
            messages.error(request, _errors(error))
    checks = (
        SpotCheck.objects.for_user(request.user)
        .filter(campaign=campaign)
        .select_related("county", "draw")
        .prefetch_related("outcomes__enterprise")
    )
    return render(
        request,
        "lookback/spot_checks.html",
        {
            "campaign": campaign,
            "form": form,
            "checks": checks,
            "outcome_form": SpotCheckOutcomeForm(auto_id=False),
        },
    )


@require_POST
def outcome_record(request, pk: int):
    require_role(request.user, *CITY)
    outcome = get_scoped_object_or_404(
        SpotCheckOutcome.objects.select_related("spot_check", "enterprise"), request.user, pk=pk
    )
    form = SpotCheckOutcomeForm(request.POST)
    if form.is_valid():
        try:
            campaign_services.spot_check_record(
                outcome=outcome, actor=request.user, **form.cleaned_data
            )
            messages.success(request, f"已录入{outcome.enterprise}的抽查结论")
        except ValidationError as error:
            messages.error(request, _errors(error))
    else:
        messages.error(request, "请填写检查结论和检查情况")
    return redirect("lookback:spot_checks", pk=outcome.spot_check.campaign_id)
