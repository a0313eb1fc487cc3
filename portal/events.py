"""Workflow events: whose turn it is now, told in the bell (and by e-mail when they must act).

An app declares its events in its own ``events.py``, autodiscovered like ``policies.py`` and
``workflows.py``. An event keyed on a state-machine transition is sent by the machine itself
after a successful ``apply`` (in the same transaction, the e-mail after commit), so services
need no edits::

    # reviews/events.py
    from portal.events import Event, firm_users, on_transition
    from .workflows import NONCONFORMITY

    on_transition(NONCONFORMITY, "reject", Event(
        kind="reviews.nonconformity_rejected",
        label="整改核查未通过",
        audience=(Role.ENTERPRISE,),
        recipients=lambda nc, ctx: firm_users(nc.review.enterprise_id),
        title=lambda nc, ctx: f"不符合项“{nc.item}”整改未通过，请重新整改",
        reason="您企业的整改情况经评审机构核查未通过",
    ))

An event that is not a transition (a certificate suspended, a hold placed) is declared the
same way with ``declare(Event(...))`` and sent where it happens with
``emit("reviews.certificate_suspended", certificate, actor=user, reason=...)``.

Each callable takes ``(obj, ctx)``; ``ctx`` holds the transition's context (what the caller
passed to ``apply``), ``actor``, ``transition`` and ``note``. The actor is never told of their
own action. ``mail=False`` keeps an event to the bell; otherwise each user may still turn its
e-mail off on the notification settings page (``MailOptOut``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from .roles import Role

Part = Callable[[Any, dict[str, Any]], Any]


@dataclass(frozen=True)
class Event:
    """One kind of notification: who gets it, what it says, why, and where it links."""

    kind: str  # "app.what_happened": unique, stored on each notification
    label: str  # its name on the settings page, e.g. "评审申请已受理并委派"
    audience: tuple[str, ...]  # the roles it may reach (the settings page lists it for them)
    recipients: Part  # (obj, ctx) -> users
    title: str | Part
    reason: str | Part
    body: str | Part = ""
    url: str | Part = ""  # "" -> the object's get_absolute_url
    link: Part | None = None  # (obj, ctx) -> the object the notification is about
    mail: bool = True  # the recipients must act: e-mail them too
    when: Part | None = None  # (obj, ctx) -> bool; None: always


_EVENTS: dict[str, Event] = {}
_ON_TRANSITION: dict[tuple[type, str], list[Event]] = defaultdict(list)


def declare(event: Event) -> Event:
    """Register ``event`` under its kind (one declaration per kind)."""
    existing = _EVENTS.get(event.kind)
    if existing is not None and existing is not event:
        raise ValueError(f"event {event.kind} is declared twice")
    _EVENTS[event.kind] = event
    return event


def on_transition(machine_or_model: Any, transition: str, *events: Event) -> None:
    """Send ``events`` after each successful ``apply`` of ``transition``."""
    model = getattr(machine_or_model, "model", machine_or_model)
    if model is not machine_or_model:
        machine_or_model[transition]  # a name the machine does not have fails at start-up
    for event in events:
        declare(event)
        _ON_TRANSITION[(model, transition)].append(event)


def events() -> list[Event]:
    return list(_EVENTS.values())


def event(kind: str) -> Event:
    return _EVENTS[kind]


def transition_events() -> dict[tuple[type, str], list[Event]]:
    return dict(_ON_TRANSITION)


def events_for_role(role: str) -> list[Event]:
    return [e for e in _EVENTS.values() if role in e.audience]


# --- Sending --------------------------------------------------------------------------------


def _part(value: Any, obj: Any, ctx: dict[str, Any]) -> Any:
    return value(obj, ctx) if callable(value) else value


def emit(kind_or_event: str | Event, obj: Any, *, actor: Any = None, **context: Any) -> list:
    """Send one event about ``obj``; returns the notification rows."""
    from .notifications import notify

    ev = kind_or_event if isinstance(kind_or_event, Event) else _EVENTS[kind_or_event]
    ctx = {**context, "actor": actor}
    if ev.when is not None and not ev.when(obj, ctx):
        return []
    actor_id = getattr(actor, "pk", None)
    recipients = [u for u in _distinct(ev.recipients(obj, ctx)) if u.pk != actor_id]
    if not recipients:
        return []
    return notify(
        recipients=recipients,
        title=_part(ev.title, obj, ctx),
        reason=_part(ev.reason, obj, ctx),
        body=_part(ev.body, obj, ctx) or "",
        url=_part(ev.url, obj, ctx) or "",
        obj=ev.link(obj, ctx) if ev.link else obj,
        kind=ev.kind,
        mail=ev.mail,
    )


def emit_transition(obj: Any, transition: Any, *, actor: Any, note: str, context: dict) -> None:
    """Called by ``Machine.apply`` once the claim, the history and the hooks are done."""
    for ev in _ON_TRANSITION.get((type(obj), transition.name), ()):
        emit(ev, obj, actor=actor, transition=transition, note=note, **context)


def _distinct(users: Iterable[Any]) -> list[Any]:
    seen: dict[int, Any] = {}
    for user in users:
        if user is not None:
            seen.setdefault(user.pk, user)
    return list(seen.values())


# --- Who: the people bound to a firm, a county, an agency, and the city ----------------------


def _active(role: str, **binding: Any) -> QuerySet:
    return get_user_model().objects.filter(role=role, is_active=True, **binding)


def firm_users(enterprise_id: int | None) -> QuerySet:
    return _active(Role.ENTERPRISE, enterprise_id=enterprise_id)


def firms_users(enterprise_ids: Iterable[int]) -> QuerySet:
    return _active(Role.ENTERPRISE, enterprise_id__in=list(enterprise_ids))


def county_staff(county_id: int | None) -> QuerySet:
    return _active(Role.COUNTY, county_id=county_id)


def agency_users(agency_id: int | None) -> QuerySet:
    if agency_id is None:
        return _active(Role.AGENCY).none()
    return _active(Role.AGENCY, agency_id=agency_id)


def city_users() -> QuerySet:
    return _active(Role.CITY)


def cn_date(day: Any) -> str:
    """2016年12月20日, as every page writes a date."""
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
