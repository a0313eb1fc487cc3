"""Self-assessment (自评) pages, evidence files and accidents.

Everyone reaches an assessment through SelfAssessment.objects.for_user (outside scope → 404);
only the firm's own users write it (others → 403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from portal.audit import history_for
from portal.concurrency import ConcurrentEditError
from portal.roles import Role
from portal.scoping import get_scoped_object_or_404, require_role

from ..forms.assessment import AssessmentHeaderForm, EvidenceForm, line_forms
from ..models import Evidence, SelfAssessment
from ..selectors import assessment as selectors
from ..services import assessment as services
from ..workflow import check_transition, refusal_message

ASSESSMENT_RELATED = (
    "enterprise__county",
    "enterprise__industry",
    "standard",
    "guide_agency",
    "guide_expert",
)


def _can_write(user, assessment: SelfAssessment) -> bool:
    return user.role == Role.ENTERPRISE and user.enterprise_id == assessment.enterprise_id


def _error_messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{code}：{'；'.join(msgs)}" for code, msgs in error.message_dict.items()]
    return error.messages


def assessment_list(request):
    """The firm: its assessments and the button to start; others: the assessments in scope."""
    qs = selectors.assessments_for(request.user).order_by("-created_at", "-pk")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {"page_obj": page, "can_start": request.user.role == Role.ENTERPRISE}
    if context["can_start"]:
        context["draft"] = selectors.draft_assessment(request.user.enterprise)
        try:
            check_transition(
                enterprise=request.user.enterprise, name="start_self_assessment", actor=request.user
            )
        except (PermissionDenied, ValidationError) as error:
            context["start_refused"] = refusal_message(error)
    return render(request, "reviews/assessment/list.html", context)


@require_POST
def assessment_start(request):
    require_role(request.user, Role.ENTERPRISE)
    try:
        assessment = services.assessment_start(
            enterprise=request.user.enterprise, actor=request.user
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("reviews:assessment_list")
    messages.success(request, f"已开始自评，使用标准：{assessment.standard}")
    return redirect("reviews:assessment_detail", pk=assessment.pk)


def assessment_detail(request, pk: int):
    """Every item grouped by element with totals; the firm edits its draft here."""
    assessment = get_scoped_object_or_404(
        SelfAssessment.objects.select_related(*ASSESSMENT_RELATED), request.user, pk=pk
    )
    editable = _can_write(request.user, assessment) and not assessment.is_locked
    if request.method == "POST":
        if not _can_write(request.user, assessment):
            raise PermissionDenied("只有本企业的用户可以填写自评")
        if assessment.is_locked:
            messages.error(request, "自评已提交，不能再修改")
            return redirect("reviews:assessment_detail", pk=pk)
    lines = selectors.assessment_lines(assessment)
    data = request.POST if request.method == "POST" else None
    forms = line_forms(lines, data) if editable else [None] * len(lines)
    header = AssessmentHeaderForm(data, assessment=assessment) if editable else None
    status = 200
    if data is not None:
        if header.is_valid() and all(form.is_valid() for form in forms):
            response = _save(request, assessment, header, forms)
            if response is not None:
                return response
            status = 409
        else:
            messages.error(request, "部分评分项填写有误，请按提示修改后再保存")
            status = 400
    context = {
        "assessment": assessment,
        "groups": selectors.group_by_element(lines, list(zip(lines, forms, strict=True))),
        "score": selectors.assessment_score(lines),
        "header": header,
        "editable": editable,
        "evidence_form": EvidenceForm() if editable else None,
        "history": history_for(assessment)[:50],
    }
    return render(request, "reviews/assessment/detail.html", context, status=status)


def _save(request, assessment, header, forms):
    """Save the draft (and submit when asked); None when the save was refused as stale."""
    try:
        services.assessment_save_draft(
            assessment=assessment,
            actor=request.user,
            expected_version=header.expected_version,
            entries={form.line.pk: form.entry for form in forms},
            guide_agency=header.cleaned_data["guide_agency"],
            guide_expert=header.cleaned_data["guide_expert"],
        )
    except ConcurrentEditError as error:
        messages.error(request, str(error))
        return None
    if request.POST.get("action") != "submit":
        messages.success(request, "草稿已保存")
        return redirect("reviews:assessment_detail", pk=assessment.pk)
    try:
        services.assessment_submit(
            assessment=assessment, actor=request.user, expected_version=assessment.version
        )
    except ValidationError as error:
        messages.error(request, "草稿已保存，但还不能提交：")
        for message in _error_messages(error):
            messages.error(request, message)
        return redirect("reviews:assessment_detail", pk=assessment.pk)
    messages.success(request, f"自评已提交，自评得分 {assessment.score} 分")
    return redirect("reviews:assessment_detail", pk=assessment.pk)


def assessment_report(request, pk: int):
    """The printable self-assessment report (自评报告)."""
    assessment = get_scoped_object_or_404(
        SelfAssessment.objects.select_related(*ASSESSMENT_RELATED), request.user, pk=pk
    )
    lines = selectors.assessment_lines(assessment)
    context = {
        "assessment": assessment,
        "groups": selectors.group_by_element(lines),
        "score": selectors.assessment_score(lines),
    }
    return render(request, "reviews/assessment/report.html", context)


@require_POST
def evidence_upload(request, pk: int, line_pk: int):
    assessment = get_scoped_object_or_404(
        SelfAssessment.objects.select_related("enterprise"), request.user, pk=pk
    )
    if not _can_write(request.user, assessment):
        raise PermissionDenied("只有本企业的用户可以上传佐证材料")
    line = get_object_or_404(assessment.lines.select_related("item"), pk=line_pk)
    line.assessment = assessment
    form = EvidenceForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ValidationError("请选择要上传的文件")
        services.evidence_add(line=line, actor=request.user, upload=form.cleaned_data["file"])
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, f"{line.item.code}：{message}")
    else:
        messages.success(request, f"{line.item.code}：佐证材料已上传")
    return redirect(reverse("reviews:assessment_detail", args=[pk]) + f"#item-{line.pk}")


def _scoped_evidence(request, pk: int) -> Evidence:
    return get_scoped_object_or_404(
        Evidence.objects.select_related("self_assessment_line__assessment__enterprise"),
        request.user,
        pk=pk,
        self_assessment_line__isnull=False,
    )


def evidence_download(request, pk: int):
    """Any evidence file in the user's scope (self-assessment or rectification)."""
    evidence = get_scoped_object_or_404(Evidence, request.user, pk=pk)
    return FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name
    )


@require_POST
def evidence_delete(request, pk: int):
    evidence = _scoped_evidence(request, pk)
    line = evidence.self_assessment_line
    if not _can_write(request.user, line.assessment):
        raise PermissionDenied("只有本企业的用户可以删除佐证材料")
    try:
        services.evidence_remove(evidence=evidence, actor=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已删除佐证材料：{evidence.original_name}")
    url = reverse("reviews:assessment_detail", args=[line.assessment_id])
    return redirect(f"{url}#item-{line.pk}")
