"""The reviews app's state machines, one module per part of the path (``portal.statemachine``).
"""

from .lifecycle import LIFECYCLE

__all__ = ["LIFECYCLE"]
