"""The look-back app's writes: the campaign (回头看) and the city's audit of results (抽查审核)."""

from .audit import (
    audit_close,
    audit_finding_record,
    audit_redraw,
    audit_start,
    check_sample,
    is_in_error,
)
from .campaign import (
    SELF_CHECK_FIELDS,
    agency_rating_submit,
    agency_standing_decide_on_ratings,
    campaign_open,
    phase_reopen,
    require_phase_open,
    self_check_record,
    spot_check_assign_experts,
    spot_check_draw,
    spot_check_record,
    spot_check_redraw,
)

__all__ = [
    "SELF_CHECK_FIELDS",
    "agency_rating_submit",
    "agency_standing_decide_on_ratings",
    "audit_close",
    "audit_finding_record",
    "audit_redraw",
    "audit_start",
    "check_sample",
    "campaign_open",
    "is_in_error",
    "phase_reopen",
    "require_phase_open",
    "self_check_record",
    "spot_check_assign_experts",
    "spot_check_draw",
    "spot_check_record",
    "spot_check_redraw",
]
