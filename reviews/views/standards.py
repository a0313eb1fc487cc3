"""The standards in force (every signed-in user), the county's choice of its small/micro
standard, and the city's settings for reviews."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils import timezone

from enterprises.models import County
from portal.audit import history_for
from portal.http import int_param, perform
from portal.policy import allowed_actions, require
from portal.roles import Role

from ..choices import StandardIssuer, StandardKind
from ..forms.standards import CountyStandardForm, ReviewSettingsForm
from ..models import CountyStandard, ReviewSettings, ScoringStandard
from ..selectors import assessment as selectors
from ..services import standards as services


def standard_list(request):
    require(request.user, "browse", ScoringStandard)
    today = timezone.localdate()
    in_force = selectors.standards_in_force(today)
    small_micro = list(in_force.filter(kind=StandardKind.SMALL_MICRO).order_by("code"))
    user = request.user
    form = choice = None
    default = _provincial_or_first(small_micro)
    if user.role == Role.COUNTY and user.county_id:
        choice = CountyStandard.objects.for_user(user).filter(county_id=user.county_id).first()
        form = CountyStandardForm(
            request.POST or None,
            standards=small_micro,
            # The list opens on the standard that applies now, never on another one.
            initial={
                "code": choice.small_micro_code if choice else default.code if default else ""
            },
        )
        if request.method == "POST":
            if form.is_valid() and perform(
                request,
                lambda: services.county_standard_choose(
                    actor=user, county=user.county, code=form.cleaned_data["code"]
                ),
                success="已选定本县市区适用的小微企业评定标准，此后开始的自评按此标准",
                form=form,
            ):
                return redirect("reviews:standard_list")
    elif request.method == "POST":
        require(user, "choose", CountyStandard)
    choices = None
    if user.role in (Role.CITY, Role.ADMIN):
        chosen = dict(CountyStandard.objects.values_list("county_id", "small_micro_code"))
        choices = [(county, chosen.get(county.pk, "")) for county in County.objects.all()]
    shapes = selectors.standard_shapes(
        ScoringStandard.objects.order_by("kind", "industry__sort_order", "code", "-effective_from")
    )
    in_force_ids = set(in_force.values_list("pk", flat=True))
    return render(
        request,
        "reviews/standards/list.html",
        {
            "current": [shape for shape in shapes if shape.standard.pk in in_force_ids],
            "other": [shape for shape in shapes if shape.standard.pk not in in_force_ids],
            "small_micro": small_micro,
            "default_code": default.code if default else "",
            "applied": next(
                (x for x in small_micro if choice and x.code == choice.small_micro_code), default
            ),
            "form": form,
            "choice": choice,
            "choice_history": history_for(choice) if choice else [],
            "county_choices": choices,
            "today": today,
        },
    )


def _provincial_or_first(small_micro: list) -> ScoringStandard | None:
    """The small/micro standard a county that has not chosen applies: the provincial one."""
    return next(
        (x for x in small_micro if x.issuer == StandardIssuer.PROVINCE),
        small_micro[0] if small_micro else None,
    )


def settings_page(request):
    require(request.user, "view", ReviewSettings)
    current = services.review_settings()
    editable = "edit" in allowed_actions(request.user, ReviewSettings)
    form = ReviewSettingsForm(request.POST or None, instance=current)
    if request.method == "POST":
        require(request.user, "edit", ReviewSettings)
        version = int_param(request.POST, "version") or current.version
        if form.is_valid() and perform(
            request,
            lambda: services.review_settings_update(
                actor=request.user,
                score_gap_points=form.cleaned_data["score_gap_points"],
                expected_version=version,
            ),
            success="评审设置已保存，此后作出的评审结论按新设置检查",
            form=form,
        ):
            return redirect("reviews:settings")
    return render(
        request,
        "reviews/standards/settings.html",
        {
            "form": form,
            "current": current,
            "editable": editable,
            "history": history_for(current) if current.pk else [],
        },
    )
