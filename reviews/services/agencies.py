"""The agencies' standing on the yearly dynamic list (在册, 警告, 限期整改, 清除)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from portal.audit import save_with_history
from portal.events import emit
from portal.policy import require

from ..choices import AgencyStanding
from ..events import AGENCY_STANDING_CHANGED
from ..models import ReviewAgency


@transaction.atomic
def agency_set_standing(
    *, agency: ReviewAgency, standing: str, actor: Any, reason: str
) -> ReviewAgency:
    """The city adjusts an agency's place on the list; the reason is kept in the history.

    A removed agency (清除) loses its qualification: it can no longer be assigned reviews."""
    require(actor, "set_standing", agency)
    if standing not in AgencyStanding.values:
        raise ValidationError("未知的名单状态")
    if not reason.strip():
        raise ValidationError("调整评审机构名单状态必须说明理由")
    changed = agency.standing != standing
    agency = save_with_history(
        agency, actor=actor, action="调整名单状态", changes={"standing": standing}, note=reason
    )
    emit(AGENCY_STANDING_CHANGED, agency, actor=actor, reason=reason, changed=changed)
    return agency
