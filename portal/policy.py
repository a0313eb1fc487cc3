"""Who may do what: the one policy of the portal.

Each app declares its rules in its own ``policies.py``: a rule is a small function
``(user, obj) -> reason | None`` that returns, in Chinese, why ``user`` may not take ``action``
on ``obj`` (``None``: allowed). Rules are registered per model (or any class naming a page of
the portal) and action with ``@rule(Model, "action", ...)``. ``obj`` is the instance, or the
class itself for actions that concern no one row (create, import, open a list).

Reading is the scoping's job (``Model.objects.for_user``): a rule is asked only about objects
the user can already see, so it decides what they may *do*. Views fetch through ``fetch`` (scope
first: 404, then the action: 403); services call ``require``; templates test
``"answer" in actions`` with the set from ``allowed_actions``, never a role.

``user`` is ``None`` for the system (scheduled jobs); rules built by ``only`` refuse it, and
``system`` admits nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404

from .roles import Role

Rule = Callable[[Any, Any], "str | None"]

_RULES: dict[type, dict[str, Rule]] = {}

NOT_SIGNED_IN = "请先登录"


class UnknownAction(LookupError):
    """A programming error: the action was never declared for this kind of object."""


def rule(subject: type, *actions: str) -> Callable[[Rule], Rule]:
    """Register the decorated function as the rule of ``actions`` on ``subject``."""

    def register(fn: Rule) -> Rule:
        table = _RULES.setdefault(subject, {})
        for action in actions:
            if action in table:
                raise ValueError(f"{subject.__name__}.{action} already has a rule")
            table[action] = fn
        return fn

    return register


@cache
def resolve_subject(name: str) -> type:
    """A subject named by string: "app.Model" or a dotted path to a class."""
    from django.apps import apps
    from django.utils.module_loading import import_string

    if name.count(".") == 1:
        return apps.get_model(name)
    return import_string(name)


def _subject(obj: Any) -> type:
    return obj if isinstance(obj, type) else type(obj)


def rules_for(subject: Any) -> dict[str, Rule]:
    """The actions declared on ``subject`` (a class or an instance), nearest class first."""
    table: dict[str, Rule] = {}
    for klass in reversed(_subject(subject).__mro__):
        table.update(_RULES.get(klass, {}))
    return table


def declared() -> dict[type, dict[str, Rule]]:
    """Every subject and its rules, for the generated permission tests."""
    return {subject: dict(table) for subject, table in _RULES.items()}


def reason(user: Any, action: str, obj: Any) -> str | None:
    """Why ``user`` may not take ``action`` on ``obj``; ``None`` when they may."""
    table = rules_for(obj)
    if action not in table:
        raise UnknownAction(f"no rule for {_subject(obj).__name__}.{action}")
    if user is not None and not getattr(user, "is_authenticated", False):
        return NOT_SIGNED_IN
    if user is not None and not user.is_active:
        return NOT_SIGNED_IN
    return table[action](user, obj)


def can(user: Any, action: str, obj: Any) -> bool:
    return reason(user, action, obj) is None


def require(user: Any, action: str, obj: Any) -> None:
    """Raise ``PermissionDenied`` (403) carrying the rule's reason when not allowed."""
    refusal = reason(user, action, obj)
    if refusal is not None:
        raise PermissionDenied(refusal)


def allowed_actions(user: Any, obj: Any) -> frozenset[str]:
    """The actions ``user`` may take on ``obj`` now: what a template shows as buttons.

    An action that is a transition of the object's state machine counts only when the state
    and the transition's conditions allow it too."""
    from .statemachine import machine_for

    machine = None if isinstance(obj, type) else machine_for(obj)
    gated: dict[str, list[str]] = {}
    for transition in machine.transitions.values() if machine else ():
        gated.setdefault(transition.policy_action, []).append(transition.name)
    allowed = set()
    for action in rules_for(obj):
        if reason(user, action, obj) is not None:
            continue
        names = gated.get(action)
        if names and all(machine.refusal(obj, name, actor=user) for name in names):
            continue
        allowed.add(action)
    return frozenset(allowed)


def fetch(user: Any, model_or_qs: Any, action: str | None = None, **lookup: Any) -> Any:
    """The one way a view gets an object: scoped first (outside the scope: 404), then the
    action (forbidden: 403). With ``action=None`` only the scope is checked."""
    qs = model_or_qs if isinstance(model_or_qs, models.QuerySet) else model_or_qs.objects.all()
    obj = get_object_or_404(qs.for_user(user), **lookup)
    if action is not None:
        require(user, action, obj)
    return obj


# --- Building blocks for rules ----------------------------------------------------------------


def role_of(user: Any) -> str | None:
    return getattr(user, "role", None) if user is not None else None


def role_names(roles: tuple[str, ...]) -> str:
    return "、".join(Role(r).label for r in roles)


def only(*roles: str, reason: str | None = None) -> Rule:
    """A rule admitting the given roles (never the system)."""
    refusal = reason or f"此操作仅限{role_names(roles)}"

    def check(user: Any, obj: Any) -> str | None:
        return None if role_of(user) in roles else refusal

    return check


def system(user: Any, obj: Any) -> str | None:
    """Only scheduled jobs take this action."""
    return None if user is None else "此操作由系统定时任务执行"


def first_refusal(*checks: Rule) -> Rule:
    """All of ``checks`` must allow; the first refusal is the answer."""

    def check(user: Any, obj: Any) -> str | None:
        for one in checks:
            refusal = one(user, obj)
            if refusal:
                return refusal
        return None

    return check
