"""Integrity signals: computed every night (``integrity.tasks``) and on demand, upserted by
their key so a signal keeps its status and history from one night to the next; the city works
each to a decision. The city's thresholds are ``IntegritySettings`` (one row, with history)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from portal.audit import record_change, save_with_history
from portal.events import emit
from portal.policy import require
from reviews.models import Certificate
from reviews.selectors.review import score_gap_limit

from ..detectors import Found, detect_all
from ..events import SIGNALS_RAISED
from ..models import IntegritySettings, RevocationCandidate, Signal
from ..rules import deciding_level
from ..workflows import SIGNAL

BATCH = 2000
UPDATED = ["score", "summary", "evidence", "seen_at", "county", "agency", "enterprise",
           "review", "other_review", "expert"]  # fmt: skip


def city_settings() -> IntegritySettings:
    found = IntegritySettings.objects.order_by("pk").first()
    return found or IntegritySettings.objects.create()


@transaction.atomic
def settings_update(*, actor: Any, changes: dict[str, Any], expected_version: int) -> Any:
    require(actor, "edit", IntegritySettings)
    current = city_settings()
    return save_with_history(
        current,
        actor=actor,
        action="修改诚信预警设置",
        changes=changes,
        expected_version=expected_version,
    )


def _row(found: Found, now) -> Signal:
    return Signal(
        kind=found.kind,
        key=found.key,
        score=Decimal(str(round(found.score, 2))),
        summary=found.summary[:300],
        evidence=found.evidence,
        county_id=found.county_id,
        agency_id=found.agency_id,
        enterprise_id=found.enterprise_id,
        review_id=found.review_id,
        other_review_id=found.other_review_id,
        expert_id=found.expert_id,
        seen_at=now,
    )


@transaction.atomic
def signals_compute(*, actor: Any = None) -> dict[str, int]:
    """Run every test, keep each signal by its key (status and decision untouched), record
    the counties an agency signal concerns, and tell the city how many are new."""
    if actor is not None:
        require(actor, "compute", Signal)
    config = city_settings()
    found = detect_all(config, score_gap_limit())
    now = timezone.now()
    known = set(Signal.objects.values_list("kind", "key"))
    rows = [_row(f, now) for f in found]
    Signal.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["kind", "key"],
        update_fields=UPDATED,
    )
    _store_counties(found)
    new = [f for f in found if (f.kind, f.key) not in known]
    if new:
        emit(SIGNALS_RAISED, None, actor=actor, count=len(new))
    return {"found": len(found), "new": len(new)}


def _store_counties(found: list[Found]) -> None:
    wanted = {(f.kind, f.key): f.counties for f in found if f.counties}
    if not wanted:
        return
    ids = {
        (kind, key): pk
        for pk, kind, key in Signal.objects.filter(kind__in={k for k, _ in wanted}).values_list(
            "pk", "kind", "key"
        )
        if (kind, key) in wanted
    }
    through = Signal.counties.through
    through.objects.filter(signal_id__in=ids.values()).delete()
    through.objects.bulk_create(
        [
            through(signal_id=ids[k], county_id=county)
            for k, counties in wanted.items()
            if k in ids
            for county in counties
        ],
        batch_size=BATCH,
    )


@transaction.atomic
def signal_decide(
    *, signal: Signal, actor: Any, decision: str, note: str, action: str = ""
) -> Signal:
    """open → explained (a note) or confirmed (a note and an action). The action is recorded
    where it belongs: on the agency (a warning: the agencies' pages decide its standing), on
    the firm (a re-review), or as a revocation candidate of the firm's current grade."""
    note = (note or "").strip()
    changes = {"note": note, "decided_by": actor, "decided_at": timezone.now()}
    if decision == "confirm":
        changes["action"] = action
        SIGNAL.apply(signal, "confirm", actor=actor, note=note, changes=changes, text=note,
                     measure=action)  # fmt: skip
        _carry_out(signal, actor)
    else:
        SIGNAL.apply(signal, "explain", actor=actor, note=note, changes=changes, text=note)
    return signal


def _carry_out(signal: Signal, actor: Any) -> None:
    label = signal.get_action_display()
    note = f"诚信预警（{signal.get_kind_display()}）：{label}。{signal.note}"
    if signal.action == Signal.Action.WARN_AGENCY and signal.agency_id:
        record_change(actor=actor, obj=signal.agency, action="诚信预警：警告评审机构", note=note)
    elif signal.action == Signal.Action.RE_REVIEW and signal.enterprise_id:
        record_change(actor=actor, obj=signal.enterprise, action="诚信预警：须重新评审", note=note)
    elif signal.action == Signal.Action.REVOCATION and signal.enterprise_id:
        _candidate_from_signal(signal, actor)
    else:
        from django.core.exceptions import ValidationError

        raise ValidationError("该预警没有可以采取此措施的对象")


def _candidate_from_signal(signal: Signal, actor: Any) -> None:
    firm = signal.enterprise
    certificate = Certificate.objects.filter(
        enterprise=firm, number=firm.certificate_no, revoked_at__isnull=True
    ).first()
    if certificate is None:
        from django.core.exceptions import ValidationError

        raise ValidationError("该企业没有有效的等级证书，不能列入撤销候选")
    candidate = RevocationCandidate.objects.create(
        signal=signal,
        enterprise=firm,
        certificate=certificate,
        level=deciding_level(certificate.grade),
        why=f"诚信预警：{signal.summary}"[:200],
    )
    record_change(actor=actor, obj=candidate, action="列入撤销候选", note=signal.note)
