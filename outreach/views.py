"""Outreach pages: the events of the year with each county's reach, one event, a new event."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from portal.http import perform, year_from
from portal.policy import allowed_actions, fetch, require

from . import selectors, services
from .forms import EventForm
from .models import EventKind, OutreachEvent


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
            "page_obj": Paginator(events.select_related("county"), 30).get_page(
                request.GET.get("page")
            ),
            "reach": selectors.reach_by_county(request.user, year),
            "actions": allowed_actions(request.user, OutreachEvent),
        },
    )


def event_create(request):
    require(request.user, "record", OutreachEvent)
    form = EventForm(request.POST or None, user=request.user)
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
