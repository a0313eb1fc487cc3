from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portal.concurrency import ConcurrentEditError
from portal.roles import Role
from portal.scoping import get_scoped_object_or_404, require_role

from . import services
from .draws import draw_sample
from .forms import AuditStartForm, FindingForm, RedrawForm
from .models import AuditFinding, AuditRound

CITY = (Role.CITY, Role.ADMIN)


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
        messages.error(
            request,
            "请检查填写内容：" + "；".join(form.errors.get("__all__", []) or ["有字段不合法"]),
        )
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
