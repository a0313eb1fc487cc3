"""The dispatch item's machine (``portal.statemachine``), ``DispatchItem.status``: open → done,
closed once by its owner county with what was done. Events carry no state: no machine."""

from __future__ import annotations

from portal.statemachine import Machine, Transition

from .models import DispatchItem

S = DispatchItem.Status

DISPATCH_ITEM = Machine(DispatchItem, [Transition("complete", (S.OPEN,), S.DONE, "落实调度事项")])
