"""Enforcement pages (执法推进): the refusers list, cases, inspections and their record.

Every page fetches through ``portal.policy.fetch`` (out of scope: 404, a forbidden action: 403)
and hands the allowed actions to its template; every write is one ``perform``ed service call.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from enterprises.models import County, Enterprise
from portal.audit import history_for
from portal.http import perform, refuse_form
from portal.paging import paginate
from portal.policy import allowed_actions, can, fetch, require

from . import selectors, services
from .choices import RUNNING_ORDER_STATUSES
from .forms import (
    CaseOpenForm,
    CloseForm,
    DecisionForm,
    FollowUpForm,
    InspectionForm,
    LegalBasisForm,
    OrderForm,
    RefusalForm,
    ViolationForm,
)
from .models import Case, Inspection, LegalBasis, Refusal
from .rules import is_overdue

PER_PAGE = 30


def _county_filter(request) -> tuple[int | None, list]:
    counties = list(County.objects.for_user(request.user).order_by("sort_order"))
    raw = request.GET.get("county", "")
    chosen = int(raw) if raw.isdigit() and any(c.pk == int(raw) for c in counties) else None
    return chosen, counties


# --- 拒不创建 ----------------------------------------------------------------------------------


def refuser_list(request):
    require(request.user, "list", Refusal)
    county_id, counties = _county_filter(request)
    everyone = selectors.refusals(request.user, county_id=county_id)
    current = everyone.filter(left_on__isnull=True).prefetch_related("cases")
    page_obj = paginate(request, current, PER_PAGE)
    return render(
        request,
        "enforcement/refuser_list.html",
        {
            "page_obj": page_obj,
            "rows": [(r, can(request.user, "open_case", r.enterprise)) for r in page_obj],
            "left": everyone.filter(left_on__isnull=False).order_by("-left_on")[:50],
            "counties": counties,
            "county_id": county_id,
            "open_form": CaseOpenForm(),
        },
    )


def refuser_mark(request, pk: int):
    enterprise = fetch(
        request.user, Enterprise.objects.select_related("county"), "mark_refuser", pk=pk
    )
    form = RefusalForm(request.POST or None)
    if form.is_valid() and perform(
        request,
        lambda: services.refusal_mark(
            enterprise=enterprise, actor=request.user, **form.cleaned_data
        ),
        success="已登记为拒不创建企业",
        form=form,
    ):
        return redirect(enterprise)
    return render(
        request, "enforcement/refuser_form.html", {"enterprise": enterprise, "form": form}
    )


@require_POST
def case_open(request, pk: int):
    enterprise = fetch(
        request.user, Enterprise.objects.select_related("county"), "open_case", pk=pk
    )
    form = CaseOpenForm(request.POST)
    if not form.is_valid():
        refuse_form(request, form, "请检查填写内容：")
        return redirect("enforcement:refuser_list")
    refusal = selectors.refusal_of(request.user, enterprise)
    done = perform(
        request,
        lambda: services.case_open(
            enterprise=enterprise, actor=request.user, refusal=refusal, **form.cleaned_data
        ),
        success="已立案",
    )
    return redirect(done.value if done else "enforcement:refuser_list")


# --- 执法案件 ----------------------------------------------------------------------------------


def case_list(request):
    require(request.user, "list", Case)
    county_id, counties = _county_filter(request)
    # ?open=1: the cases not yet closed (the county's queue on its to-do home).
    listing = selectors.open_cases if request.GET.get("open") else selectors.cases
    qs = listing(request.user, today=timezone.localdate())
    qs = qs.filter(enterprise__county_id=county_id) if county_id else qs
    return render(
        request,
        "enforcement/case_list.html",
        {
            "page_obj": paginate(request, qs, PER_PAGE),
            "counties": counties,
            "county_id": county_id,
        },
    )


def _case_qs():
    return Case.objects.select_related(
        "enterprise__county", "refusal", "decision", "escalated_decision"
    )


def case_detail(request, pk: int):
    case = fetch(request.user, _case_qs(), pk=pk)
    inspection = Inspection.objects.filter(case=case).first()
    return render(
        request,
        "enforcement/case_detail.html",
        {
            "case": case,
            "actions": allowed_actions(request.user, case),
            "inspection": inspection,
            "findings": inspection.findings.all() if inspection else [],
            "violations": case.violations.select_related("basis"),
            "decision": getattr(case, "decision", None),
            "upper_limit": case.fine_upper_limit(),
            "violation_form": ViolationForm(),
            "order_form": OrderForm(),
            "decision_form": DecisionForm(initial={"amount": case.fine_upper_limit()}),
            "escalated_decision": getattr(case, "escalated_decision", None),
            "escalated_limit": case.escalated_fine_upper_limit(),
            "escalated_form": DecisionForm(initial={"amount": case.escalated_fine_upper_limit()}),
            "follow_up_form": FollowUpForm(),
            "close_form": CloseForm(),
            "history": history_for(case)[:50],
            "overdue": case.status in RUNNING_ORDER_STATUSES
            and is_overdue(case.rectify_by, timezone.localdate()),
        },
    )


def inspection_record(request, pk: int):
    case = fetch(request.user, _case_qs(), "inspect", pk=pk)
    form = InspectionForm(request.POST or None, initial={"place": case.enterprise.address})
    if form.is_valid() and perform(
        request,
        lambda: services.inspection_record(case=case, actor=request.user, **form.service_kwargs()),
        success="已录入现场检查记录",
        form=form,
    ):
        return redirect(case)
    return render(request, "enforcement/inspection_form.html", {"case": case, "form": form})


def inspection_print(request, pk: int):
    inspection = fetch(
        request.user, Inspection.objects.select_related("case__enterprise__county"), "print", pk=pk
    )
    return render(
        request,
        "enforcement/inspection_print.html",
        {
            "inspection": inspection,
            "case": inspection.case,
            "findings": inspection.findings.all(),
            "inspectors": inspection.inspectors.all(),
        },
    )


def _post_to_case(request, pk: int, action: str, form_class, call, success: str):
    """The small forms of the case page: bound, one service call, back to the case."""
    case = fetch(request.user, _case_qs(), action, pk=pk)
    form = form_class(request.POST)
    if not form.is_valid():
        refuse_form(request, form, "请检查填写内容：")
    else:
        perform(
            request,
            lambda: call(case=case, actor=request.user, **form.cleaned_data),
            success=success,
        )
    return redirect(case)


@require_POST
def violation_add(request, pk: int):
    return _post_to_case(
        request, pk, "record_violation", ViolationForm, services.violation_record, "已登记违法行为"
    )


@require_POST
def case_order(request, pk: int):
    return _post_to_case(request, pk, "order", OrderForm, services.case_order, "已责令限期改正")


@require_POST
def case_decide(request, pk: int):
    return _post_to_case(
        request, pk, "decide", DecisionForm, services.penalty_decide, "已录入处罚决定"
    )


@require_POST
def case_follow_up(request, pk: int):
    return _post_to_case(
        request, pk, "follow_up", FollowUpForm, services.case_follow_up, "已录入复查结论"
    )


@require_POST
def case_decide_escalated(request, pk: int):
    return _post_to_case(
        request, pk, "decide_escalated", DecisionForm, services.escalated_decide,
        "已录入加重处罚决定",
    )  # fmt: skip


@require_POST
def case_close(request, pk: int):
    return _post_to_case(request, pk, "close", CloseForm, services.case_close, "已结案")


def basis_list(request):
    require(request.user, "list", LegalBasis)
    return render(
        request,
        "enforcement/basis_list.html",
        {
            "bases": LegalBasis.objects.for_user(request.user),
            "can_add": can(request.user, "add", LegalBasis),
            "can_edit": can(request.user, "edit", LegalBasis()),
        },
    )


def basis_add(request):
    require(request.user, "add", LegalBasis)
    form = LegalBasisForm(request.POST or None)
    if form.is_valid() and perform(
        request,
        lambda: services.basis_add(actor=request.user, data=form.cleaned_data),
        success="已新增处罚依据",
        form=form,
    ):
        return redirect("enforcement:basis_list")
    return render(request, "enforcement/basis_form.html", {"form": form, "basis": None})


def basis_edit(request, pk: int):
    basis = fetch(request.user, LegalBasis.objects.all(), "edit", pk=pk)
    form = LegalBasisForm(request.POST or None, instance=LegalBasis.objects.get(pk=basis.pk))
    if form.is_valid() and perform(
        request,
        lambda: services.basis_edit(actor=request.user, basis=basis, data=form.cleaned_data),
        success="已保存处罚依据",
        form=form,
    ):
        return redirect("enforcement:basis_edit", pk=basis.pk)
    return render(
        request,
        "enforcement/basis_form.html",
        {"form": form, "basis": basis, "history": history_for(basis)[:50]},
    )
