"""Who may do what in the reviews app, one module per part of the path. Importing the package
registers every rule (``portal.policy``)."""

from . import agencies, announcements, assessment, lifecycle, review, standards  # noqa: F401
