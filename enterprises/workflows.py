"""The registry's part of the firm's standing (``portal.statemachine`` is the idiom).

纳入创建名单 puts a firm that was not on any list on the path; taking it off again (before it
started its self-assessment) puts it back. The rest of the path is the reviews app's
(``reviews.workflows.LIFECYCLE``), declared on the same model and field: ``machine_for``
answers with both. Who may take each is ``enterprises.policies``.
"""

from __future__ import annotations

from portal.statemachine import Machine, Transition

from .choices import Status
from .models import Enterprise

LISTING = Machine(
    Enterprise,
    [
        Transition("put_on_list", (Status.NOT_LISTED,), Status.LISTED, "纳入创建名单"),
        Transition("take_off_list", (Status.LISTED,), Status.NOT_LISTED, "移出创建名单"),
    ],
)
