"""The reviews app's state machines, one module per part of the path (``portal.statemachine``).
"""

from .lifecycle import LIFECYCLE
from .review import NONCONFORMITY, REVIEW  # noqa: F401

__all__ = ["LIFECYCLE"]
