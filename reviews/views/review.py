"""Pages of the application → assignment → review → rectification → conclusion path.

Every view: ``fetch`` with the action (outside the scope: 404, then the policy: 403), a form,
one service call through ``perform`` (a refusal becomes the form's errors or a message), a
redirect. Templates show what ``allowed_actions`` allows, never a role.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from enterprises.choices import Grade
from enterprises.models import Enterprise, Industry
from portal.audit import history_for, history_for_many
from portal.http import perform, refuse_form
from portal.models import AuditEntry
from portal.paging import paginate
from portal.policy import allowed_actions, fetch, require

from ..choices import ReviewStatus
from ..forms.review import (
    AnswerForm,
    AssignForm,
    HazardForm,
    NonconformityForm,
    OnsiteFixForm,
    ReturnForm,
    ReviewDetailsForm,
    ScoringForm,
    TeamForm,
    VerifyForm,
)
from ..models import HazardFinding, Nonconformity, Review
from ..scoring import LARGE_GAP_POINTS
from ..selectors.review import (
    agency_options,
    conclusion_problems,
    current_review,
    four_combinations,
    holds_with_re_reviews,
    latest_submitted_assessment,
    nonconformities_of,
    onsite_fixes_of,
    onsite_review_due,
    re_reviews_for,
    review_lines_score,
    review_list,
    review_report,
    score_gap,
    scoring_rows,
)
from ..services import review as services
from ..workflows.lifecycle import LIFECYCLE
from ..workflows.review import REVIEW

PAGE_SIZE = 50
APPLIED_GRADES = [(g.value, g.label) for g in (Grade.LEVEL3, Grade.LEVEL2, Grade.LEVEL1)]
REVIEWS = Review.objects.select_related(
    "enterprise__county", "enterprise__industry", "agency", "standard", "self_assessment"
)
NONCONFORMITIES = Nonconformity.objects.select_related("review__enterprise", "review__agency")


# --- Lists ----------------------------------------------------------------------------------


def agency_home(request):
    """An agency's start page: its reviews with status and open nonconformities."""
    require(request.user, "task_list", Review)
    qs = review_list(user=request.user, params=request.GET).order_by("-assigned_at", "-pk")
    page = paginate(request, qs, PAGE_SIZE)
    return render(
        request,
        "reviews/review/agency_home.html",
        {"page_obj": page, "statuses": ReviewStatus.choices},
    )


def application_queue(request):
    """The county's applications to assign (and the review list, by status)."""
    require(request.user, "application_queue", Review)
    qs = review_list(user=request.user, params=request.GET, default_status=ReviewStatus.APPLIED)
    page = paginate(request, qs, PAGE_SIZE)
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


def re_review_queue(request):
    """复审: the results the city's audit sent back (error rate >= 30%), for the county to
    assign to another agency and follow; the hold lifts after they are done and a re-audit
    passes."""
    require(request.user, "re_review_queue", Review)
    pending = request.GET.get("pending") == "1"
    qs = re_reviews_for(request.user, pending=pending)
    page = paginate(request, qs, PAGE_SIZE)
    context = {"page_obj": page, "holds": holds_with_re_reviews(request.user), "pending": pending}
    return render(request, "reviews/review/re_review_queue.html", context)


# --- One review -----------------------------------------------------------------------------


def _history(review: Review, nonconformities: list[Nonconformity]) -> list[AuditEntry]:
    entries = list(history_for(review)[:100])
    if nonconformities:
        entries += list(history_for_many(Nonconformity, [nc.pk for nc in nonconformities])[:200])
    return sorted(entries, key=lambda entry: (entry.at, entry.pk), reverse=True)


def review_detail(request, pk: int, *, refused_answer=None):
    """The review; ``refused_answer`` is a firm's answer that was refused (a file of the wrong
    kind, a missing text), shown again with its errors and what was typed kept."""
    review = fetch(request.user, REVIEWS, pk=pk)
    actions = allowed_actions(request.user, review)
    nonconformities = list(nonconformities_of(review))
    for nc in nonconformities:
        nc.answer_form = AnswerForm(initial={"version": nc.version}, prefix=f"nc{nc.pk}")
        if refused_answer is not None and refused_answer.prefix == nc.answer_form.prefix:
            nc.answer_form = refused_answer
        nc.verify_form = VerifyForm(initial={"version": nc.version}, prefix=f"nc{nc.pk}")
    context = {
        "review": review,
        "actions": actions,
        "team": review.team.select_related("expert").order_by("-is_leader", "expert__name"),
        "nonconformities": nonconformities,
        "score": review_lines_score(review) if review.standard_id else None,
        "history": _history(review, nonconformities),
        "problems": conclusion_problems(review) if "edit" in actions else [],
        "gap": score_gap(review) if review.standard_id else None,
        "onsite_fixes": onsite_fixes_of(review),
        **four_combinations(review),
    }
    status = 400 if refused_answer is not None else 200
    return render(request, "reviews/review/review_detail.html", context, status=status)


def review_report_page(request, pk: int):
    """The printable 评审报告; the county confirms the conclusion from here."""
    review = fetch(request.user, REVIEWS, pk=pk)
    context = {"review": review, "actions": allowed_actions(request.user, review)}
    context.update(review_report(review))
    return render(request, "reviews/review/report.html", context)


def assignment_letter(request, pk: int):
    """The printable 评审委派单 of an assigned review."""
    review = fetch(request.user, REVIEWS, pk=pk)
    if not review.assignment_no:
        raise Http404("该评审尚未委派")
    context = {"review": review, "due": onsite_review_due(review)}
    return render(request, "reviews/review/assignment_letter.html", context)


def review_apply(request):
    """The firm applies for review with its submitted self-assessment."""
    require(request.user, "apply_page", Review)
    enterprise = fetch(request.user, Enterprise, "apply", pk=request.user.enterprise_id)
    if request.method == "POST":
        done = perform(
            request,
            lambda: services.review_apply(
                enterprise=enterprise,
                actor=request.user,
                applied_grade=request.POST.get("applied_grade", ""),
            ),
            success="评审申请已提交，等待县市区监管部门受理",
        )
        return redirect(done.value) if done else redirect("reviews:apply")
    context = {
        "enterprise": enterprise,
        "assessment": latest_submitted_assessment(enterprise),
        "current": current_review(enterprise),
        "refusal": LIFECYCLE.refusal(enterprise, "apply", actor=request.user),
        "grades": [] if enterprise.is_small_micro else APPLIED_GRADES,
        "reviews": Review.objects.for_user(request.user).select_related("agency"),
    }
    return render(request, "reviews/review/apply.html", context)


def review_assign(request, pk: int):
    """The county assigns an agency (only a qualified one without conflict of interest)."""
    review = fetch(request.user, REVIEWS, "assign", pk=pk)
    options = agency_options(review)
    eligible = [option.agency.pk for option in options if option.eligible]
    form = AssignForm(request.POST or None, eligible_ids=eligible)
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: services.review_assign(review=review, actor=request.user, **form.cleaned_data),
            success=f"已委派{form.cleaned_data['agency']}承担评审",
            form=form,
        )
        if done:
            return redirect(review)
    context = {
        "review": review,
        "actions": allowed_actions(request.user, review),
        "refusal": REVIEW.refusal(review, "assign", actor=request.user),
        "form": form,
        "options": options,
        "return_form": ReturnForm(),
    }
    return render(request, "reviews/review/assign.html", context)


@require_POST
def review_return(request, pk: int):
    review = fetch(request.user, REVIEWS, "return", pk=pk)
    done = perform(
        request,
        lambda: services.review_return(
            review=review, actor=request.user, reason=request.POST.get("reason", "")
        ),
        success="评审申请已退回企业",
    )
    return redirect(review) if done else redirect("reviews:assign", pk=review.pk)


@require_POST
def review_withdraw(request, pk: int):
    """The agency is off the list: withdraw its assignment; the new application is assigned
    on the usual page."""
    review = fetch(request.user, REVIEWS, "withdraw", pk=pk)
    done = perform(
        request,
        lambda: services.review_withdraw(review=review, actor=request.user),
        success="已撤回委派，请重新委派评审机构",
    )
    return redirect("reviews:assign", pk=done.value.pk) if done else redirect(review)


def review_edit(request, pk: int):
    """On-site dates and the four combinations, with optimistic locking."""
    review = fetch(request.user, REVIEWS, "edit", pk=pk)
    risks = four_combinations(review)["risks_by_kind"]
    form = ReviewDetailsForm(request.POST or None, instance=review, risks=risks)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name]
                for name in [*services.DETAIL_FIELDS, *services.RISK_INPUTS]}  # fmt: skip
        done = perform(
            request,
            lambda: services.review_update(
                review=review, actor=request.user, expected_version=form.expected_version, data=data
            ),
            success="评审记录已保存",
            form=form,
        )
        if done:
            return redirect(review)
    return render(request, "reviews/review/edit.html", {"review": review, "form": form})


def review_team(request, pk: int):
    review = fetch(request.user, REVIEWS, "edit", pk=pk)
    form = TeamForm(request.POST or None, review=review)
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: services.review_set_team(
                review=review,
                actor=request.user,
                experts=list(form.cleaned_data["experts"]),
                leader=form.cleaned_data["leader"],
            ),
            success="评审组已保存",
            form=form,
        )
        if done:
            return redirect(review)
    return render(request, "reviews/review/team.html", {"review": review, "form": form})


def review_scoring(request, pk: int):
    """Every item: the firm's own score beside the agency's; large gaps highlighted."""
    review = fetch(request.user, REVIEWS, "edit", pk=pk)
    rows = scoring_rows(review, with_evidence=True)
    from_self = request.method == "GET" and request.GET.get("from") == "self"
    form = ScoringForm(request.POST or None, rows=rows, review=review, from_self=from_self)
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: services.review_save_scores(
                review=review,
                actor=request.user,
                expected_version=form.expected_version,
                scores=form.scores(),
            ),
            success="评分已保存",
            form=form,
        )
        if done:
            return redirect("reviews:scoring", pk=review.pk)
    context = {
        "review": review,
        "form": form,
        "large_gap": LARGE_GAP_POINTS,
        "from_self": from_self,
        "unscored": sum(row.line is None for row in rows),
        "has_self": any(row.self_line is not None for row in rows),
    }
    return render(request, "reviews/review/scoring.html", context)


def nonconformity_add(request, pk: int):
    review = fetch(request.user, REVIEWS, "edit", pk=pk)
    form = NonconformityForm(request.POST or None, review=review)
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: services.nonconformity_add(
                review=review, actor=request.user, **form.cleaned_data
            ),
            success="不符合项已记录，企业将按期整改",
            form=form,
        )
        if done:
            return redirect(review)
    return render(
        request, "reviews/review/nonconformity_add.html", {"review": review, "form": form}
    )


def onsite_fix_add(request, pk: int):
    """现场整改: record an item with a deduction as rectified on site, with its evidence."""
    review = fetch(request.user, REVIEWS, "edit", pk=pk)
    form = OnsiteFixForm(request.POST or None, request.FILES or None, review=review)
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: services.review_record_onsite_fix(
                review=review, actor=request.user, **form.cleaned_data
            ),
            success="已记录现场整改",
            form=form,
        )
        if done:
            return redirect(review)
    return render(request, "reviews/review/onsite_fix_add.html", {"review": review, "form": form})


def hazard_add(request, pk: int):
    """隐患查改: record one hazard found on site (a 不符合项, or rectified on site with files)."""
    review = fetch(request.user, REVIEWS, "edit", pk=pk)
    form = HazardForm(request.POST or None, request.FILES or None, review=review)
    if request.method == "POST" and form.is_valid():
        done = perform(
            request,
            lambda: services.hazard_record(review=review, actor=request.user, **form.cleaned_data),
            success="隐患已登记",
            form=form,
        )
        if done:
            return redirect("reviews:hazard_add", pk=review.pk)
    context = {"review": review, "form": form, "can_edit": True, **four_combinations(review)}
    return render(request, "reviews/review/hazard_add.html", context)


@require_POST
def hazard_delete(request, pk: int):
    hazard = fetch(request.user, HazardFinding.objects.select_related("review"), pk=pk)
    require(request.user, "edit", hazard.review)
    perform(
        request,
        lambda: services.hazard_remove(hazard=hazard, actor=request.user),
        success="已删除隐患记录",
    )
    return redirect("reviews:hazard_add", pk=hazard.review_id)


@require_POST
def nonconformity_answer(request, pk: int):
    nonconformity = fetch(request.user, NONCONFORMITIES, "answer", pk=pk)
    form = AnswerForm(request.POST, request.FILES, prefix=f"nc{nonconformity.pk}")
    answered = form.is_valid() and perform(
        request,
        lambda: services.nonconformity_answer(
            nonconformity=nonconformity,
            actor=request.user,
            response=form.cleaned_data["response"],
            files=form.cleaned_data["files"],
            expected_version=form.expected_version,
        ),
        success="整改情况已提交，等待评审机构核查",
        form=form,
    )
    if answered:
        return redirect(nonconformity.review)
    # Refused: the page again, the typed 整改情况 kept and the reason beside the field.
    messages.error(request, "整改情况未能提交，请按提示修改（已填写的内容已保留，文件须重新选择）")
    return review_detail(request, nonconformity.review_id, refused_answer=form)


@require_POST
def nonconformity_verify(request, pk: int):
    nonconformity = fetch(request.user, NONCONFORMITIES, "verify", pk=pk)
    form = VerifyForm(request.POST, prefix=f"nc{nonconformity.pk}")
    if not form.is_valid():
        _refuse(request, form, "请选择核查结论")
        return redirect(nonconformity.review)
    accepted = form.cleaned_data["decision"] == "accept"
    perform(
        request,
        lambda: services.nonconformity_verify(
            nonconformity=nonconformity,
            actor=request.user,
            accepted=accepted,
            comment=form.cleaned_data["comment"],
            expected_version=form.expected_version,
        ),
        success="已确认整改到位" if accepted else "已退回企业重新整改",
    )
    return redirect(nonconformity.review)


def _refuse(request, form, message: str = "") -> None:
    """A form of a card on the review page that did not validate, said as a message."""
    if message:
        messages.error(request, message)
    else:
        refuse_form(request, form)


@require_POST
def review_conclude(request, pk: int):
    review = fetch(request.user, REVIEWS, "conclude", pk=pk)
    done = perform(request, lambda: services.review_conclude(review=review, actor=request.user))
    if done:
        result = done.value.get_result_display() or "未达标"
        messages.success(request, f"评审结论：{result}（得分{done.value.score}）")
    return redirect(review)
