"""Self-assessment (自评) pages and evidence files.

Everyone reaches an assessment through SelfAssessment.objects.for_user (outside scope → 404);
only the firm's own users write it (others → 403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from portal.audit import history_for
from portal.http import file_response, perform
from portal.paging import paginate
from portal.policy import allowed_actions, fetch, require

from ..forms.assessment import AssessmentHeaderForm, EvidenceForm, line_forms
from ..models import Evidence, SelfAssessment
from ..selectors import assessment as selectors
from ..services import assessment as services
from ..workflows.assessment import SELF_ASSESSMENT
from ..workflows.lifecycle import LIFECYCLE

ASSESSMENT_RELATED = (
    "enterprise__county",
    "enterprise__industry",
    "standard",
    "guide_agency",
    "guide_expert",
)


def _error_messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{code}：{'；'.join(msgs)}" for code, msgs in error.message_dict.items()]
    return error.messages


def assessment_list(request):
    """The firm: its assessments and the button to start; others: the assessments in scope."""
    qs = selectors.assessments_for(request.user).order_by("-created_at", "-pk")
    page = paginate(request, qs, 50)
    list_actions = allowed_actions(request.user, SelfAssessment)
    context = {"page_obj": page, "list_actions": list_actions}
    if "start" in list_actions:
        firm = request.user.enterprise
        context["draft"] = selectors.draft_assessment(firm)
        context["start_refused"] = LIFECYCLE.refusal(
            firm, "start_self_assessment", actor=request.user
        )
    return render(request, "reviews/assessment/list.html", context)


@require_POST
def assessment_start(request):
    require(request.user, "start", SelfAssessment)
    outcome = perform(
        request,
        lambda: services.assessment_start(enterprise=request.user.enterprise, actor=request.user),
    )
    if not outcome:
        return redirect("reviews:assessment_list")
    messages.success(request, f"已开始自评，使用标准：{outcome.value.standard}")
    return redirect("reviews:assessment_detail", pk=outcome.value.pk)


def assessment_detail(request, pk: int):
    """Every item grouped by element with totals; the firm edits its draft here."""
    assessment = fetch(
        request.user, SelfAssessment.objects.select_related(*ASSESSMENT_RELATED), pk=pk
    )
    actions = allowed_actions(request.user, assessment)
    editable = "edit" in actions
    if request.method == "POST":
        require(request.user, "edit", assessment)
        refused = SELF_ASSESSMENT.refusal(assessment, "edit", actor=request.user)
        if refused:  # submitted meanwhile (another tab)
            messages.error(request, refused)
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
        "actions": actions,
        "evidence_form": EvidenceForm() if editable else None,
        "history": history_for(assessment)[:50],
    }
    return render(request, "reviews/assessment/detail.html", context, status=status)


def _save(request, assessment, header, forms):
    """Save the draft (and submit when asked); None when the save was refused as stale."""
    saved = perform(
        request,
        lambda: services.assessment_save_draft(
            assessment=assessment,
            actor=request.user,
            expected_version=header.expected_version,
            entries={form.line.pk: form.entry for form in forms},
            guide_agency=header.cleaned_data["guide_agency"],
            guide_expert=header.cleaned_data["guide_expert"],
            team_leader=header.cleaned_data["team_leader"],
            team_members=header.cleaned_data["team_members"],
        ),
    )
    if not saved:
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
    assessment = fetch(
        request.user, SelfAssessment.objects.select_related(*ASSESSMENT_RELATED), pk=pk
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
    assessment = fetch(
        request.user, SelfAssessment.objects.select_related("enterprise"), "edit", pk=pk
    )
    line = get_object_or_404(assessment.lines.select_related("item"), pk=line_pk)
    line.assessment = assessment
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, f"{line.item.code}：请选择要上传的文件")
    else:
        perform(
            request,
            lambda: services.evidence_add(
                line=line, actor=request.user, upload=form.cleaned_data["file"]
            ),
            success=f"{line.item.code}：佐证材料已上传",
        )
    return redirect(reverse("reviews:assessment_detail", args=[pk]) + f"#item-{line.pk}")


def evidence_download(request, pk: int):
    """Any evidence file in the user's scope (self-assessment or rectification)."""
    evidence = fetch(request.user, Evidence, pk=pk)
    return file_response(evidence.file, evidence.original_name)


@require_POST
def evidence_delete(request, pk: int):
    evidence = fetch(
        request.user,
        Evidence.objects.select_related("self_assessment_line__assessment__enterprise"),
        "delete",
        pk=pk,
        self_assessment_line__isnull=False,
    )
    line = evidence.self_assessment_line
    perform(
        request,
        lambda: services.evidence_remove(evidence=evidence, actor=request.user),
        success=f"已删除佐证材料：{evidence.original_name}",
    )
    url = reverse("reviews:assessment_detail", args=[line.assessment_id])
    return redirect(f"{url}#item-{line.pk}")
