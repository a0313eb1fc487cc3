"""The reviews app's state machines, one module per part of the path (``portal.statemachine``)."""

from .agencies import CHANGE, STANDING, WARNING
from .announcements import ANNOUNCEMENT, OBJECTION
from .assessment import SELF_ASSESSMENT
from .lifecycle import LIFECYCLE
from .review import NONCONFORMITY, REVIEW  # noqa: F401

__all__ = [
    "ANNOUNCEMENT",
    "CHANGE",
    "LIFECYCLE",
    "OBJECTION",
    "SELF_ASSESSMENT",
    "STANDING",
    "WARNING",
]
