"""Outreach pages: the events of the year with each county's reach, one event, a new event;
the city's dispatch meetings and their items."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from portal.http import file_response, perform, refuse_form, year_from
from portal.paging import paginate
from portal.policy import allowed_actions, fetch, require

from . import selectors, services
from .forms import (
    CompleteForm,
    DispatchForm,
    EventForm,
    FeatureForm,
    HandScoreForm,
    PracticeForm,
    ReturnForm,
)
from .models import DispatchItem, DispatchMeeting, EventKind, GoodPractice, HandScore, OutreachEvent


def event_list(request):
    require(request.user, "list", OutreachEvent)
    year = year_from(request)
    events = OutreachEvent.objects.for_user(request.user).filter(held_on__year=year)
    kind = request.GET.get("kind", "")
    if kind in EventKind.values:
        events = events.filter(kind=kind)
    return render(
        request,
        "outreach/event_list.html",
        {
            "year": year,
            "kind": kind,
            "kinds": EventKind.choices,
            "page_obj": paginate(request, events.select_related("county"), 30),
            "reach": selectors.reach_by_county(request.user, year),
            "actions": allowed_actions(request.user, OutreachEvent),
        },
    )


def event_create(request):
    require(request.user, "record", OutreachEvent)
    form = EventForm(request.POST or None, request.FILES or None, user=request.user)
    done = form.is_valid() and perform(
        request,
        lambda: services.event_record(actor=request.user, **form.cleaned_data),
        success="已录入推进活动",
        form=form,
    )
    if done:
        return redirect(done.value)
    return render(request, "outreach/event_form.html", {"form": form})


def event_detail(request, pk: int):
    event = fetch(request.user, OutreachEvent.objects.select_related("county"), pk=pk)
    return render(
        request,
        "outreach/event_detail.html",
        {
            "event": event,
            "firms": event.attendances.select_related("enterprise"),
            "people": event.attendees.all(),
        },
    )


# --- 定期调度 ----------------------------------------------------------------------------------


def dispatch_list(request):
    require(request.user, "list", DispatchMeeting)
    today = timezone.localdate()
    items = (
        DispatchItem.objects.for_user(request.user)
        .filter(status=DispatchItem.Status.OPEN)
        .select_related("owner", "meeting")
        .order_by("due_on", "pk")
    )
    return render(
        request,
        "outreach/dispatch_list.html",
        {
            "page_obj": paginate(
                request,
                DispatchMeeting.objects.for_user(request.user).prefetch_related("counties"),
                30,
            ),
            "open_items": items[:100],
            "today": today,
            "actions": allowed_actions(request.user, DispatchMeeting),
        },
    )


def dispatch_create(request):
    require(request.user, "hold", DispatchMeeting)
    form = DispatchForm(request.POST or None)
    done = form.is_valid() and perform(
        request,
        lambda: services.dispatch_hold(actor=request.user, **form.service_kwargs()),
        success="已录入调度会议",
        form=form,
    )
    if done:
        return redirect(done.value)
    return render(request, "outreach/dispatch_form.html", {"form": form})


def dispatch_detail(request, pk: int):
    meeting = fetch(request.user, DispatchMeeting.objects.prefetch_related("counties"), pk=pk)
    items = meeting.items.select_related("owner")
    return render(
        request,
        "outreach/dispatch_detail.html",
        {
            "meeting": meeting,
            "items": [
                (item, allowed_actions(request.user, item), CompleteForm(prefix=f"i{item.pk}"))
                for item in items
            ],
            "today": timezone.localdate(),
        },
    )


@require_POST
def dispatch_item_complete(request, pk: int):
    item = fetch(request.user, DispatchItem.objects.select_related("meeting"), "complete", pk=pk)
    form = CompleteForm(request.POST, prefix=f"i{item.pk}")
    if not form.is_valid():
        refuse_form(request, form, "请检查填写内容：")
    else:
        perform(
            request,
            lambda: services.dispatch_item_complete(
                item=item, actor=request.user, **form.cleaned_data
            ),
            success="已填报落实情况",
        )
    return redirect(item.meeting)


# --- 经验做法 ------------------------------------------------------------------------------------


def practice_list(request):
    require(request.user, "list", GoodPractice)
    practices = GoodPractice.objects.for_user(request.user).select_related("county")
    return render(
        request,
        "outreach/practice_list.html",
        {
            "page_obj": paginate(request, practices, 30),
            "actions": allowed_actions(request.user, GoodPractice),
            "score_actions": allowed_actions(request.user, HandScore),
        },
    )


def practice_create(request):
    require(request.user, "submit", GoodPractice)
    form = PracticeForm(request.POST or None, request.FILES or None)
    done = form.is_valid() and perform(
        request,
        lambda: services.practice_submit(actor=request.user, **form.cleaned_data),
        success="已报送经验做法",
        form=form,
    )
    if done:
        return redirect(done.value)
    return render(request, "outreach/practice_form.html", {"form": form})


def practice_detail(request, pk: int):
    practice = fetch(request.user, GoodPractice.objects.select_related("county"), pk=pk)
    return render(
        request,
        "outreach/practice_detail.html",
        {
            "practice": practice,
            "actions": allowed_actions(request.user, practice),
            "feature_form": FeatureForm(),
            "return_form": ReturnForm(),
        },
    )


def practice_file(request, pk: int):
    practice = fetch(request.user, GoodPractice, pk=pk)
    if not practice.attachment:
        raise Http404("该经验做法没有附件")
    return file_response(practice.attachment, practice.original_name)


@require_POST
def practice_feature(request, pk: int):
    practice = fetch(request.user, GoodPractice, "feature", pk=pk)
    form = FeatureForm(request.POST)
    if not form.is_valid():
        refuse_form(request, form, "请检查填写内容：")
    else:
        perform(
            request,
            lambda: services.practice_feature(
                practice=practice, actor=request.user, **form.cleaned_data
            ),
            success="已选入通报",
        )
    return redirect(practice)


@require_POST
def practice_return(request, pk: int):
    practice = fetch(request.user, GoodPractice, "return", pk=pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        refuse_form(request, form, "请检查填写内容：")
    else:
        perform(
            request,
            lambda: services.practice_return(
                practice=practice, actor=request.user, **form.cleaned_data
            ),
            success="已退回",
        )
    return redirect(practice)


# --- 一把手工程、资金投入: the city's hand scores ------------------------------------------------


def hand_scores(request):
    require(request.user, "list", HandScore)
    year = year_from(request)
    form = HandScoreForm(request.POST or None)
    if request.method == "POST":
        require(request.user, "score", HandScore)
        if form.is_valid() and perform(
            request,
            lambda: services.hand_score_enter(actor=request.user, year=year, **form.cleaned_data),
            success="已保存人工评分",
            form=form,
        ):
            return redirect(f"{reverse('outreach:hand_scores')}?year={year}")
    return render(
        request,
        "outreach/hand_scores.html",
        {
            "year": year,
            "rows": selectors.hand_score_table(year),
            "form": form,
            "actions": allowed_actions(request.user, HandScore),
        },
    )
