"""Pages of the application → assignment → review → rectification → conclusion path.

Every view: scoped fetch (outside the scope: 404), role check (403), a form, one service call,
a message, a redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from enterprises.models import Enterprise, Industry
from portal.audit import history_for, history_for_many
from portal.concurrency import ConcurrentEditError
from portal.models import AuditEntry
from portal.roles import Role
from portal.scoping import get_scoped_object_or_404, require_role

from ..choices import NonconformityStatus, ReviewStatus
from ..forms.review import (
    AnswerForm,
    AssignForm,
    NonconformityForm,
    ReturnForm,
    ReviewDetailsForm,
    ScoringForm,
    TeamForm,
    VerifyForm,
)
from ..models import Evidence, Nonconformity, Review
from ..scoring import LARGE_GAP_POINTS
from ..selectors.review import (
    AGENCY_EDITABLE_STATUSES,
    agency_options,
    conclusion_problems,
    current_review,
    latest_submitted_assessment,
    nonconformities_of,
    review_lines_score,
    review_list,
    scoring_rows,
)
from ..services import review as services
from ..workflow import check_transition, refusal_message

PAGE_SIZE = 50


def _scoped_review(request, pk: int, *roles: str) -> Review:
    review = get_scoped_object_or_404(
        Review.objects.select_related(
            "enterprise__county", "enterprise__industry", "agency", "standard", "self_assessment"
        ),
        request.user,
        pk=pk,
    )
    if roles:
        require_role(request.user, *roles)
    return review


def _form_error(form, error: Exception) -> None:
    form.add_error(None, refusal_message(error))


# --- Lists ----------------------------------------------------------------------------------


def agency_home(request):
    """An agency's start page: its reviews with status and open nonconformities."""
    require_role(request.user, Role.AGENCY)
    qs = review_list(user=request.user, params=request.GET).order_by("-assigned_at", "-pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/review/agency_home.html",
        {"page_obj": page, "statuses": ReviewStatus.choices},
    )


def application_queue(request):
    """The county's applications to assign (and the review list, by status)."""
    require_role(request.user, Role.COUNTY, Role.CITY, Role.ADMIN)
    qs = review_list(user=request.user, params=request.GET, default_status=ReviewStatus.APPLIED)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reviews/review/application_queue.html",
        {
            "page_obj": page,
            "statuses": ReviewStatus.choices,
            "status": request.GET.get("status", ReviewStatus.APPLIED),
            "industries": Industry.objects.for_user(request.user),
        },
    )


# --- One review -----------------------------------------------------------------------------


def _history(review: Review, nonconformities: list[Nonconformity]) -> list[AuditEntry]:
    entries = list(history_for(review)[:100])
    if nonconformities:
        entries += list(history_for_many(Nonconformity, [nc.pk for nc in nonconformities])[:200])
    return sorted(entries, key=lambda entry: (entry.at, entry.pk), reverse=True)


def review_detail(request, pk: int):
    review = _scoped_review(request, pk)
    user = request.user
    nonconformities = list(nonconformities_of(review))
    is_reviewer = user.role == Role.AGENCY and review.status in AGENCY_EDITABLE_STATUSES
    for nc in nonconformities:
        nc.can_answer = user.role == Role.ENTERPRISE and nc.status in (
            NonconformityStatus.OPEN,
            NonconformityStatus.REJECTED,
        )
        nc.can_verify = user.role == Role.AGENCY and nc.status == NonconformityStatus.ANSWERED
        nc.answer_form = AnswerForm(initial={"version": nc.version}, prefix=f"nc{nc.pk}")
        nc.verify_form = VerifyForm(initial={"version": nc.version}, prefix=f"nc{nc.pk}")
    context = {
        "review": review,
        "team": review.team.select_related("expert").order_by("-is_leader", "expert__name"),
        "nonconformities": nonconformities,
        "score": review_lines_score(review) if review.standard_id else None,
        "history": _history(review, nonconformities),
        "is_reviewer": is_reviewer,
        "problems": conclusion_problems(review) if is_reviewer else [],
        "can_assign": user.role == Role.COUNTY and review.status == ReviewStatus.APPLIED,
    }
    return render(request, "reviews/review/review_detail.html", context)


def review_apply(request):
    """The firm applies for review with its submitted self-assessment."""
    require_role(request.user, Role.ENTERPRISE)
    enterprise = get_scoped_object_or_404(Enterprise, request.user, pk=request.user.enterprise_id)
    if request.method == "POST":
        try:
            review = services.review_apply(enterprise=enterprise, actor=request.user)
        except ValidationError as error:
            messages.error(request, refusal_message(error))
            return redirect("reviews:apply")
        messages.success(request, "评审申请已提交，等待县市区监管部门受理")
        return redirect(review)
    refusal = None
    try:
        check_transition(enterprise=enterprise, name="apply", actor=request.user)
    except ValidationError as error:
        refusal = refusal_message(error)
    context = {
        "enterprise": enterprise,
        "assessment": latest_submitted_assessment(enterprise),
        "current": current_review(enterprise),
        "refusal": refusal,
        "reviews": Review.objects.for_user(request.user).select_related("agency"),
    }
    return render(request, "reviews/review/apply.html", context)


def review_assign(request, pk: int):
    """The county assigns an agency (only a qualified one without conflict of interest)."""
    review = _scoped_review(request, pk, Role.COUNTY)
    options = agency_options(review)
    eligible = [option.agency.pk for option in options if option.eligible]
    form = AssignForm(request.POST or None, eligible_ids=eligible)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_assign(
                review=review,
                actor=request.user,
                agency=form.cleaned_data["agency"],
                funding=form.cleaned_data["funding"],
                fee=form.cleaned_data["fee"],
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, f"已委派{review.agency}承担评审")
            return redirect(review)
    context = {"review": review, "form": form, "options": options, "return_form": ReturnForm()}
    return render(request, "reviews/review/assign.html", context)


@require_POST
def review_return(request, pk: int):
    review = _scoped_review(request, pk, Role.COUNTY)
    form = ReturnForm(request.POST)
    try:
        services.review_return(
            review=review, actor=request.user, reason=form.data.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, refusal_message(error))
        return redirect("reviews:assign", pk=review.pk)
    messages.success(request, "评审申请已退回企业")
    return redirect(review)


def review_edit(request, pk: int):
    """On-site dates and the four combinations, with optimistic locking."""
    review = _scoped_review(request, pk, Role.AGENCY)
    form = ReviewDetailsForm(request.POST or None, instance=review)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in services.DETAIL_FIELDS}
        fresh = Review.objects.get(pk=review.pk)
        try:
            services.review_update(
                review=fresh, actor=request.user, expected_version=form.expected_version, data=data
            )
        except (ValidationError, ConcurrentEditError) as error:
            _form_error(form, error)
        else:
            messages.success(request, "评审记录已保存")
            return redirect(review)
    return render(request, "reviews/review/edit.html", {"review": review, "form": form})


def review_team(request, pk: int):
    review = _scoped_review(request, pk, Role.AGENCY)
    form = TeamForm(request.POST or None, review=review)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_set_team(
                review=review,
                actor=request.user,
                experts=list(form.cleaned_data["experts"]),
                leader=form.cleaned_data["leader"],
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "评审组已保存")
            return redirect(review)
    return render(request, "reviews/review/team.html", {"review": review, "form": form})


def review_scoring(request, pk: int):
    """Every item: the firm's own score beside the agency's; large gaps highlighted."""
    review = _scoped_review(request, pk, Role.AGENCY)
    rows = scoring_rows(review)
    form = ScoringForm(request.POST or None, rows=rows, review=review)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_save_scores(
                review=review,
                actor=request.user,
                expected_version=form.expected_version,
                scores=form.scores(),
            )
        except (ValidationError, ConcurrentEditError) as error:
            _form_error(form, error)
        else:
            messages.success(request, "评分已保存")
            return redirect("reviews:scoring", pk=review.pk)
    context = {
        "review": review,
        "form": form,
        "editable": review.status in AGENCY_EDITABLE_STATUSES,
        "large_gap": LARGE_GAP_POINTS,
    }
    return render(request, "reviews/review/scoring.html", context)


def nonconformity_add(request, pk: int):
    review = _scoped_review(request, pk, Role.AGENCY)
    form = NonconformityForm(request.POST or None, review=review)
    if request.method == "POST" and form.is_valid():
        try:
            services.nonconformity_add(
                review=review,
                actor=request.user,
                item=form.cleaned_data["item"],
                description=form.cleaned_data["description"],
                deadline=form.cleaned_data["deadline"],
            )
        except ValidationError as error:
            _form_error(form, error)
        else:
            messages.success(request, "不符合项已记录，企业将按期整改")
            return redirect(review)
    return render(
        request, "reviews/review/nonconformity_add.html", {"review": review, "form": form}
    )


def _scoped_nonconformity(request, pk: int, role: str) -> Nonconformity:
    nonconformity = get_scoped_object_or_404(
        Nonconformity.objects.select_related("review__enterprise", "review__agency"),
        request.user,
        pk=pk,
    )
    require_role(request.user, role)
    return nonconformity


@require_POST
def nonconformity_answer(request, pk: int):
    nonconformity = _scoped_nonconformity(request, pk, Role.ENTERPRISE)
    form = AnswerForm(request.POST, request.FILES, prefix=f"nc{nonconformity.pk}")
    if not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(nonconformity.review)
    try:
        services.nonconformity_answer(
            nonconformity=nonconformity,
            actor=request.user,
            response=form.cleaned_data["response"],
            files=form.cleaned_data["files"],
            expected_version=form.expected_version,
        )
    except (ValidationError, ConcurrentEditError) as error:
        messages.error(request, refusal_message(error))
    else:
        messages.success(request, "整改情况已提交，等待评审机构核查")
    return redirect(nonconformity.review)


@require_POST
def nonconformity_verify(request, pk: int):
    nonconformity = _scoped_nonconformity(request, pk, Role.AGENCY)
    form = VerifyForm(request.POST, prefix=f"nc{nonconformity.pk}")
    if not form.is_valid():
        messages.error(request, "请选择核查结论")
        return redirect(nonconformity.review)
    accepted = form.cleaned_data["decision"] == "accept"
    try:
        services.nonconformity_verify(
            nonconformity=nonconformity,
            actor=request.user,
            accepted=accepted,
            comment=form.cleaned_data["comment"],
            expected_version=form.expected_version,
        )
    except (ValidationError, ConcurrentEditError) as error:
        messages.error(request, refusal_message(error))
    else:
        messages.success(request, "已确认整改到位" if accepted else "已退回企业重新整改")
    return redirect(nonconformity.review)


@require_POST
def review_conclude(request, pk: int):
    review = _scoped_review(request, pk, Role.AGENCY)
    try:
        review = services.review_conclude(review=review, actor=request.user)
    except ValidationError as error:
        messages.error(request, refusal_message(error))
    else:
        messages.success(
            request, f"评审结论：{review.get_result_display() or '未达标'}（得分{review.score}）"
        )
    return redirect(review)


def evidence_download(request, pk: int):
    evidence = get_scoped_object_or_404(Evidence, request.user, pk=pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404("文件不存在") from missing
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name)
