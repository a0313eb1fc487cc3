"""The machines of outreach (``portal.statemachine``).

- ``DispatchItem.status``: open → done, closed once by its owner county with what was done.
- ``GoodPractice.status``: submitted → featured (the city puts it in a bulletin) or returned
  (with the city's reason). Events carry no state: no machine."""

from __future__ import annotations

from portal.statemachine import Machine, Transition

from .models import DispatchItem, GoodPractice

S = DispatchItem.Status
P = GoodPractice.Status

DISPATCH_ITEM = Machine(DispatchItem, [Transition("complete", (S.OPEN,), S.DONE, "落实调度事项")])

GOOD_PRACTICE = Machine(
    GoodPractice,
    [
        Transition("feature", (P.SUBMITTED,), P.FEATURED, "选入通报"),
        Transition("return", (P.SUBMITTED,), P.RETURNED, "退回"),
    ],
)
