"""Transitional: the firm's lifecycle now lives in ``reviews.workflows.LIFECYCLE`` (the portal's
one state-machine idiom). These wrappers keep the old call sites working until they move."""

from __future__ import annotations

from typing import Any

from enterprises.models import Enterprise
from portal.statemachine import Transition, TransitionRefused, message_of

from .workflows.lifecycle import LIFECYCLE

SYSTEM = "system"
TRANSITIONS = LIFECYCLE.transitions
refusal_message = message_of

__all__ = ["TransitionRefused", "check_transition", "enterprise_transition"]


def check_transition(
    *, enterprise: Enterprise, name: str, actor: Any, **context: Any
) -> Transition:
    return LIFECYCLE.check(enterprise, name, actor=actor, **context)


def enterprise_transition(
    *, enterprise: Enterprise, name: str, actor: Any, note: str = "", **context: Any
) -> Enterprise:
    fresh = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    LIFECYCLE.apply(fresh, name, actor=actor, note=note, **context)
    enterprise.status, enterprise.version = fresh.status, fresh.version
    return enterprise


def allowed_transitions(*, enterprise: Enterprise, actor: Any) -> list[tuple[str, Transition]]:
    return [(t.name, t) for t in LIFECYCLE.allowed(enterprise, actor=actor)]
