"""The review agencies' pages: the list and each agency's page with its experts, standing,
decisions and warnings; edits (the agency's own changes of scope and experts go to the city);
the open assignments of removed agencies; the public dynamic list (动态名单) and its xlsx."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from portal.audit import chinese_date, history_for, history_for_many
from portal.http import YEARS, current_year, int_param, perform, xlsx_response, year_from
from portal.policy import allowed_actions, can, fetch, require
from portal.xlsx import xlsx_bytes

from ..forms.agencies import (
    AgencyFilterForm,
    AgencyForm,
    ChangeDecisionForm,
    EditionForm,
    ExpertForm,
    FollowUpForm,
)
from ..models import (
    AgencyChangeRequest,
    AgencyListEdition,
    AgencyWarning,
    Expert,
    Review,
    ReviewAgency,
)
from ..selectors import agencies as selectors
from ..services.agencies import agency_list_publish, agency_warning_follow_up
from ..services.agency_profiles import (
    agency_create,
    agency_update,
    change_decide,
    expert_save,
    is_city,
)

PAGE_SIZE = 50


def agency_list(request):
    require(request.user, "browse", ReviewAgency)
    qs = selectors.agency_list(request.user, request.GET).prefetch_related("industries")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/agencies/agency_list.html",
        {
            "page_obj": page,
            "filters": AgencyFilterForm(request.GET or None),
            "actions": allowed_actions(request.user, ReviewAgency),
            "queue": allowed_actions(request.user, AgencyChangeRequest),
        },
    )


def _browse(request) -> bool:
    """Whether the breadcrumbs may link to the list of agencies (an agency sees only its own)."""
    return can(request.user, "browse", ReviewAgency)


def agency_mine(request):
    require(request.user, "mine", ReviewAgency)
    return redirect("reviews:agency_detail", pk=request.user.agency_id)


def agency_detail(request, pk: int):
    agency = fetch(request.user, ReviewAgency, "view", pk=pk)
    experts = list(agency.experts.prefetch_related("industries").order_by("name", "pk"))
    changes = agency.changes.select_related("expert", "requested_by")
    return render(
        request,
        "reviews/agencies/agency_detail.html",
        {
            "agency": agency,
            "actions": allowed_actions(request.user, agency),
            "experts": experts,
            "decisions": agency.decisions.select_related("decided_by")[:50],
            "warnings": agency.warnings.select_related("decision"),
            "changes": changes[:50],
            "open_assignments": selectors.open_assignments_of_removed(request.user, agency),
            "history": history_for(agency)[:100],
            "expert_history": history_for_many(Expert, [e.pk for e in experts])[:100],
            "year": current_year(),
            "may_browse": _browse(request),
        },
    )


def agency_create_view(request):
    require(request.user, "create", ReviewAgency)
    form = AgencyForm(request.POST or None)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        done = perform(
            request, lambda: agency_create(actor=request.user, **data), success="已新增评审机构"
        )
        if done:
            return redirect(done.value)
    return render(request, "reviews/agencies/agency_form.html", {"form": form, "agency": None})


def agency_edit(request, pk: int):
    agency = fetch(request.user, ReviewAgency, "edit", pk=pk)
    city = is_city(request.user)
    form = AgencyForm(request.POST or None, agency=agency, city=city)
    if form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        done = perform(
            request,
            lambda: agency_update(
                agency=agency, actor=request.user, expected_version=version, **data
            ),
            form=form,
        )
        if done:
            _said_of(request, done.value, "已保存机构信息")
            return redirect(agency)
    context = {"form": form, "agency": agency, "may_browse": _browse(request)}
    return render(request, "reviews/agencies/agency_form.html", context)


def _said_of(request, result, saved: str) -> None:
    from django.contrib import messages

    if isinstance(result, AgencyChangeRequest):
        messages.success(request, f"{saved}；{result.get_kind_display()}已提交市局审核")
    else:
        messages.success(request, saved)


def expert_create(request, pk: int):
    agency = fetch(request.user, ReviewAgency, "add_expert", pk=pk)
    form = ExpertForm(request.POST or None, city=is_city(request.user))
    if form.is_valid():
        done = perform(
            request,
            lambda: expert_save(agency=agency, actor=request.user, **form.cleaned_data),
            form=form,
        )
        if done:
            _said_of(request, done.value, "已提交新增专家")
            return redirect(agency)
    context = {"form": form, "agency": agency, "expert": None, "may_browse": _browse(request)}
    return render(request, "reviews/agencies/expert_form.html", context)


def expert_edit(request, pk: int):
    expert = fetch(request.user, Expert.objects.select_related("agency"), "edit", pk=pk)
    form = ExpertForm(request.POST or None, expert=expert, city=is_city(request.user))
    if form.is_valid():
        done = perform(
            request,
            lambda: expert_save(
                agency=expert.agency, expert=expert, actor=request.user, **form.cleaned_data
            ),
            form=form,
        )
        if done:
            _said_of(request, done.value, "已保存专家信息")
            return redirect(expert.agency or "reviews:agency_list")
    context = {
        "form": form,
        "agency": expert.agency,
        "expert": expert,
        "history": history_for(expert)[:50],
        "may_browse": _browse(request),
    }
    return render(request, "reviews/agencies/expert_form.html", context)


def change_list(request):
    require(request.user, "review_queue", AgencyChangeRequest)
    qs = AgencyChangeRequest.objects.for_user(request.user).select_related("agency", "requested_by")
    pending = request.GET.get("all") != "1"
    if pending:
        qs = qs.filter(status="pending")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/agencies/change_list.html",
        {"page_obj": page, "pending": pending, "form": ChangeDecisionForm()},
    )


@require_POST
def change_decide_view(request, pk: int):
    change = fetch(request.user, AgencyChangeRequest.objects.select_related("agency"), pk=pk)
    approve = request.POST.get("decision") == "approve"
    require(request.user, "approve" if approve else "reject", change)
    form = ChangeDecisionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    perform(
        request,
        lambda: change_decide(change=change, approve=approve, note=note, actor=request.user),
        success="已批准变更" if approve else "已不予批准",
    )
    return redirect("reviews:change_list")


def warning_follow_up(request, pk: int):
    warning = fetch(
        request.user, AgencyWarning.objects.select_related("agency"), "follow_up", pk=pk
    )
    form = FollowUpForm(request.POST or None, initial={"version": warning.version})
    if form.is_valid() and perform(
        request,
        lambda: agency_warning_follow_up(
            warning=warning,
            rectified=form.cleaned_data["rectified"],
            note=form.cleaned_data["note"],
            actor=request.user,
            expected_version=form.expected_version,
        ),
        success="已记录整改复查结论",
        form=form,
    ):
        return redirect(warning.agency)
    context = {"form": form, "warning": warning, "agency": warning.agency}
    return render(request, "reviews/agencies/follow_up.html", context)


def reassign_list(request):
    """Open assignments of agencies off the list, for the county to give to another agency."""
    require(request.user, "reassign_list", Review)
    qs = selectors.open_assignments_of_removed(request.user)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for review in page:
        review.may_withdraw = can(request.user, "withdraw", review)
    return render(request, "reviews/agencies/reassign_list.html", {"page_obj": page})


# --- The dynamic list (动态名单): public --------------------------------------------------------


def _edition(request) -> tuple[int, AgencyListEdition | None, list]:
    year = year_from(request)
    editions = list(selectors.editions_of(year))
    number = request.GET.get("edition")
    if number is None or number == "":
        return year, (editions[0] if editions else None), editions
    chosen = next((e for e in editions if str(e.number) == str(number)), None)
    return year, chosen or (editions[0] if editions else None), editions


@login_not_required
def agency_public(request):
    year, edition, editions = _edition(request)
    entries = edition.entries.order_by("pk") if edition else []
    return render(
        request,
        "reviews/agencies/public_list.html",
        {
            "year": year,
            "edition": edition,
            "editions": editions,
            "entries": entries,
            "may_publish": request.user.is_authenticated
            and "publish" in allowed_actions(request.user, AgencyListEdition),
            "form": EditionForm(),
        },
    )


@login_not_required
def agency_public_xlsx(request):
    year, edition, _ = _edition(request)
    if edition is None:
        raise Http404("该年度尚未发布名单")
    rows = (
        [
            e.name,
            e.credit_code,
            e.get_standing_display(),
            f"{e.decided_on:%Y-%m-%d}" if e.decided_on else "",
            e.reason,
        ]
        for e in edition.entries.order_by("pk")
    )
    content = xlsx_bytes(
        ["机构名称", "统一社会信用代码", "名单状态", "决定日期", "理由"],
        rows,
        sheet_title="动态名单",
        caption=f"{edition}，{chinese_date(edition.published_on)}发布",
    )
    return xlsx_response(content, f"{year}年评审机构动态名单第{edition.number}版.xlsx")


@require_POST
def edition_publish(request):
    require(request.user, "publish", AgencyListEdition)
    form = EditionForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    year = int_param(request.POST, "year")
    year = year if year in YEARS else current_year()
    done = perform(
        request,
        lambda: agency_list_publish(year=year, actor=request.user, note=note),
        success="已发布新一版动态名单",
    )
    if done:
        return redirect(done.value.get_absolute_url())
    return redirect(f"{reverse('reviews:agency_public')}?year={year}")
