"""Table-driven checks every state machine gets (``portal.statemachine``).

A test module states its machine's table as the notice has it and calls these helpers, so
every transition is refused for every role and every state that may not take it, with its
reason, and a race between two threads applies once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from portal.statemachine import Machine, TransitionRefused

SYSTEM = "system"


def assert_table(machine: Machine, expected: dict[str, tuple[set, str]]) -> None:
    """``expected`` maps each transition to its (sources, target)."""
    assert set(machine.transitions) == set(expected)
    for name, (sources, target) in expected.items():
        assert set(machine[name].source) == set(sources), name
        assert machine[name].target == target, name


def assert_only_these_may(
    machine: Machine, name: str, obj: Any, users: dict[str, Any], allowed: set[str]
) -> None:
    """Every user not in ``allowed`` is refused ``name`` with a reason (403); the allowed pass
    the policy. ``users`` maps a label (a role, "system", "other county", …) to a user."""
    obj_state = getattr(obj, machine.field)
    setattr(obj, machine.field, machine[name].source[0])
    try:
        for label, user in users.items():
            actor = None if label == SYSTEM else user
            if label in allowed:
                _passes_policy(machine, name, obj, actor)
                continue
            with pytest.raises(PermissionDenied) as refused:
                machine.check(obj, name, actor=actor)
            assert str(refused.value), f"{name} refused {label} without a reason"
    finally:
        setattr(obj, machine.field, obj_state)


def _passes_policy(machine: Machine, name: str, obj: Any, actor: Any) -> None:
    try:
        machine.check(obj, name, actor=actor)
    except TransitionRefused:
        pass  # a condition (not the policy) may still refuse; the policy let them through


def assert_refused_from_other_states(machine: Machine, name: str, obj: Any, actor: Any) -> None:
    """From every state outside the sources, ``name`` is refused naming the state."""
    states = [value for value, _ in machine.model._meta.get_field(machine.field).flatchoices]
    original = getattr(obj, machine.field)
    try:
        for state in set(states) - set(machine[name].source):
            setattr(obj, machine.field, state)
            with pytest.raises(TransitionRefused) as refused:
                machine.check(obj, name, actor=actor)
            message = refused.value.messages[0]
            assert machine.state_label(state) in message and machine[name].label in message
    finally:
        setattr(obj, machine.field, original)


def race(apply: Callable[[], Any], threads: int = 2) -> list[str]:
    """Run ``apply`` in ``threads`` threads at once (each its own connection); returns "ok" or
    the refusal's class name per thread. Use on PostgreSQL with ``transaction=True``."""
    barrier = threading.Barrier(threads)
    results: list[str] = []

    def worker():
        try:
            barrier.wait()
            apply()
            results.append("ok")
        except Exception as error:  # noqa: BLE001 - the outcome is what is compared
            results.append(type(error).__name__)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return sorted(results)


on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="real concurrency on PostgreSQL"
)
