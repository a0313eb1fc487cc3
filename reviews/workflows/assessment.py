"""The self-assessment's machine (自评), on ``SelfAssessment.status``: a draft is edited by the
firm and submitted once; a submitted assessment is locked (a new round starts a new draft).

``edit`` goes from draft to draft: it is the one place that says only a draft may be changed
(saving entries, uploading or deleting evidence). The service checks it and saves the entries
itself, so that every line's change is kept in one history entry. ``submit`` locks the
assessment with its score, claimed on status and version so a replayed click submits once.
Who may take each step is ``reviews.policies.assessment``.
"""

from __future__ import annotations

from portal.statemachine import Machine, Transition

from ..choices import AssessmentStatus
from ..models import SelfAssessment

SELF_ASSESSMENT = Machine(
    SelfAssessment,
    [
        Transition("edit", (AssessmentStatus.DRAFT,), AssessmentStatus.DRAFT, "修改自评"),
        Transition("submit", (AssessmentStatus.DRAFT,), AssessmentStatus.SUBMITTED, "提交自评"),
    ],
)
