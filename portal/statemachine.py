"""One state-machine idiom for every status in the portal.

A machine is declared per stateful model in its app's ``workflows.py``::

    REVIEW = Machine(Review, [
        Transition("assign", (ReviewStatus.APPLIED,), ReviewStatus.ASSIGNED, "委派评审机构",
                   conditions=(agency_is_eligible,), hooks=(move_firm("assign"),)),
        ...
    ])

A transition names its source states, its target, its label (the history's words), the policy
action it needs (by default its own name, declared in the app's ``policies.py``), conditions
``(obj, context) -> reason | None`` and hooks ``(obj, actor, context) -> None``.

``machine.apply(obj, "assign", actor=user, changes={...})`` checks the policy, the state and the
conditions, then claims the row with one conditional UPDATE on status and version: zero rows
means someone else moved it first, or the click was replayed, and nothing changes. Then the
hooks run and the history row is written, all in the caller's transaction; last, the events
declared on the transition (``portal.events``) tell the people whose turn it now is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F

from . import policy
from .audit import record_change, snapshot
from .events import emit_transition

Condition = Callable[[Any, dict[str, Any]], "str | None"]
Hook = Callable[..., None]

_MACHINES: dict[type, Machine] = {}


class TransitionRefused(ValidationError):
    """The state or a condition does not allow the transition (shown as a message, not 403)."""


@dataclass(frozen=True)
class Transition:
    name: str
    source: tuple[str, ...]
    target: str
    label: str
    action: str | None = None  # the policy action; None: the transition's name
    conditions: tuple[Condition, ...] = field(default=())
    hooks: tuple[Hook, ...] = field(default=())

    @property
    def policy_action(self) -> str:
        return self.action or self.name


class Machine:
    """The transitions of one model's ``field`` (``status`` unless said otherwise)."""

    def __init__(
        self,
        model: type[models.Model],
        transitions: list[Transition],
        *,
        field: str = "status",
        register: bool = True,
    ) -> None:
        self.model = model
        self.field = field
        self.transitions = {t.name: t for t in transitions}
        self.versioned = any(f.name == "version" for f in model._meta.concrete_fields)
        if register:
            _register(self)

    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def state_label(self, value: str | None) -> str:
        choices = dict(self.model._meta.get_field(self.field).flatchoices)
        return str(choices.get(value, value or "（无）"))

    # --- Asking -------------------------------------------------------------------------------

    def check(
        self, obj: Any, name: str, *, actor: Any, trusted: bool = False, **context: Any
    ) -> Transition:
        """Raise PermissionDenied (the policy) or TransitionRefused (state, conditions)."""
        transition = self.transitions[name]
        if not trusted:
            policy.require(actor, transition.policy_action, obj)
        current = getattr(obj, self.field)
        if current not in transition.source:
            sources = "、".join(self.state_label(s) for s in transition.source)
            raise TransitionRefused(
                f"当前状态为“{self.state_label(current)}”，不能{transition.label}"
                f"（仅在{sources}时可以）"
            )
        for condition in transition.conditions:
            problem = condition(obj, context)
            if problem:
                raise TransitionRefused(f"不能{transition.label}：{problem}")
        return transition

    def refusal(self, obj: Any, name: str, *, actor: Any, **context: Any) -> str | None:
        """Why ``actor`` may not take ``name`` now; ``None`` when they may."""
        try:
            self.check(obj, name, actor=actor, **context)
        except (PermissionDenied, ValidationError) as error:
            return message_of(error)
        return None

    def allowed(self, obj: Any, *, actor: Any) -> list[Transition]:
        """What ``actor`` may do next, in declaration order (for buttons)."""
        return [
            t for name, t in self.transitions.items() if not self.refusal(obj, name, actor=actor)
        ]

    # --- Doing --------------------------------------------------------------------------------

    def apply(
        self,
        obj: Any,
        name: str,
        *,
        actor: Any,
        note: str = "",
        changes: dict[str, Any] | None = None,
        expected_version: int | None = None,
        trusted: bool = False,
        **context: Any,
    ) -> Any:
        """Move ``obj`` along ``name``, writing ``changes`` in the same claim; returns ``obj``.

        ``expected_version`` is the version the user's page showed (a stale page is refused);
        ``trusted`` skips the policy for hooks of a transition whose policy already decided.
        """
        changes = {self.field: None, **(changes or {})}
        with transaction.atomic():
            transition = self.check(obj, name, actor=actor, trusted=trusted, **context)
            changes[self.field] = transition.target
            before = snapshot(obj, changes)
            self._write(obj, changes, expected_version)
            after = snapshot(obj, changes)
            record_change(
                actor=actor, obj=obj, action=transition.label, before=before, after=after, note=note
            )
            for hook in transition.hooks:
                hook(obj, actor=actor, transition=transition, context=context)
            emit_transition(obj, transition, actor=actor, note=note, context=context)
        return obj

    def _write(self, obj: Any, changes: dict[str, Any], expected_version: int | None) -> None:
        """Assign, validate and claim; on any refusal ``obj`` is left as it was."""
        source = getattr(obj, self.field)
        restore = {name: getattr(obj, name) for name in changes}
        try:
            self._assign(obj, changes)
            self._validate(obj, list(changes))
            self._claim(obj, source, expected_version, list(changes))
        except Exception:
            self._assign(obj, restore)
            raise

    def _validate(self, obj: Any, fields: list[str]) -> None:
        """The changed fields by their own rules, then the model's ``clean``."""
        others = [f.name for f in self.model._meta.concrete_fields if f.name not in fields]
        obj.clean_fields(exclude=others)
        obj.clean()

    @staticmethod
    def _assign(obj: Any, values: dict[str, Any]) -> None:
        for name, value in values.items():
            setattr(obj, name, value)

    def _claim(self, obj: Any, source: str, expected_version: int | None, fields: list[str]):
        version = obj.version if expected_version is None and self.versioned else expected_version
        match = {"pk": obj.pk, self.field: source}
        values = {n: getattr(obj, obj._meta.get_field(n).attname) for n in fields}
        if self.versioned:
            match["version"] = version
            values["version"] = F("version") + 1
        if not self.model._base_manager.filter(**match).update(**values):
            raise TransitionRefused(self._lost_claim(obj))
        if self.versioned:
            obj.version = version + 1

    def _lost_claim(self, obj: Any) -> str:
        now = self.model._base_manager.filter(pk=obj.pk).values_list(self.field, flat=True).first()
        return (
            f"该记录已被他人处理或已发生变化（当前状态：{self.state_label(now)}），"
            "本次操作未执行，请刷新页面后查看"
        )


def _register(machine: Machine) -> None:
    """One machine per model. A model's machine may be declared in parts, by the app that owns
    the model and by apps standing on it (the registry puts a firm on its creation list, the
    reviews move it along the path): ``machine_for`` answers with all their transitions."""
    existing = _MACHINES.get(machine.model)
    if existing is None:
        _MACHINES[machine.model] = machine
        return
    if existing.field != machine.field or set(existing.transitions) & set(machine.transitions):
        raise ValueError(f"{machine.model.__name__} already has a machine with these transitions")
    _MACHINES[machine.model] = Machine(
        machine.model,
        [*existing.transitions.values(), *machine.transitions.values()],
        field=machine.field,
        register=False,
    )


def machine_for(obj_or_model: Any) -> Machine | None:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return _MACHINES.get(model)


def machines() -> list[Machine]:
    return list(_MACHINES.values())


def message_of(error: Exception) -> str:
    """The plain message of a refusal or a failed validation, for a page."""
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    return str(error)
