"""A model's machine may be declared in parts (the app owning the model, then the apps standing
on it); ``machine_for`` answers with every part, and a part may not take another's name."""

import pytest

from enterprises.choices import Status
from enterprises.models import Enterprise
from portal.statemachine import Machine, Transition, machine_for


def test_a_part_reusing_a_transition_name_is_refused_and_the_machine_is_unchanged():
    before = machine_for(Enterprise)
    with pytest.raises(ValueError, match="already has a machine"):
        Machine(Enterprise, [Transition("put_on_list", (Status.LISTED,), Status.LISTED, "重复")])
    assert machine_for(Enterprise) is before


def test_a_part_on_another_field_is_refused():
    with pytest.raises(ValueError):
        Machine(Enterprise, [Transition("x", ("a",), "b", "x")], field="grade")
