"""The city's audit of county results (抽查审核): draw, record, close.

The round is moved by ``lookback.workflows.AUDIT_ROUND``: a redraw, a recorded result and the
close each claim the round, so a replayed or raced close applies once."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enterprises.models import County
from portal.audit import record_change, snapshot
from portal.policy import require
from reviews.models import Certificate
from reviews.services.certificates import certificate_suspend
from reviews.services.holds import re_reviews_done_problem, results_held

from ..models import AuditFinding, AuditRound
from ..rules import AUDIT_SCORE_TOLERANCE, audit_sample_size, error_rate, requires_re_review
from ..selectors import passes_of_year
from ..workflows import AUDIT_ROUND


def check_sample(*, county: County, year: int, sample: list[int]) -> list[int]:
    """The sample an audit may take: the county's passes of the year, at least 10% of them.
    The firms are chosen by a public draw (``integrity``), never here."""
    passed = set(passes_of_year(county=county, year=year).values_list("enterprise", flat=True))
    size = audit_sample_size(len(passed))
    if size == 0:
        raise ValidationError(f"{county}{year}年没有达标企业，无需抽查审核")
    chosen = sorted(set(sample))
    if not set(chosen) <= passed:
        raise ValidationError("抽取结果中有企业不是该县市区当年的达标企业")
    if len(chosen) < size:
        raise ValidationError(f"抽查审核须不低于当年达标企业的10%（至少 {size} 家）")
    return chosen


def _findings_for(audit: AuditRound, sample: list[int]) -> None:
    certificates = passes_of_year(county=audit.county, year=audit.year).filter(
        enterprise__in=sample
    )
    AuditFinding.objects.bulk_create(
        AuditFinding(
            audit=audit,
            enterprise_id=cert.enterprise_id,
            reported_result=cert.grade,
            reported_score=cert.review.score,
        )
        for cert in certificates
    )


@transaction.atomic
def audit_start(
    *,
    county: County,
    year: int,
    actor: Any,
    sample: list[int],
    draw_number: str = "",
    tolerance: Decimal = AUDIT_SCORE_TOLERANCE,
) -> AuditRound:
    """Open an audit round of the county's passes of the year on the firms a public draw
    chose (at least 10%). A round opened while the county's results are held is a re-audit of
    that hold."""
    require(actor, "start", AuditRound)
    if AuditRound.objects.filter(county=county, year=year, status=AuditRound.Status.OPEN).exists():
        raise ValidationError(f"{county}{year}年已有进行中的抽查审核")
    hold = results_held(county=county, year=year)
    problem = re_reviews_done_problem(hold)
    if problem:  # 经再次审核合格后方可公告: the re-audit comes after the re-reviews
        raise ValidationError(problem)
    chosen = check_sample(county=county, year=year, sample=sample)
    audit = AuditRound.objects.create(
        county=county,
        year=year,
        tolerance=tolerance,
        draw_number=draw_number,
        created_by=actor,
        is_re_audit=hold is not None,
        hold=hold,
        sampled=len(chosen),
    )
    _findings_for(audit, chosen)
    record_change(
        actor=actor,
        obj=audit,
        action="抽取审核企业",
        note=f"抽取编号 {draw_number}，抽取 {len(chosen)} 家",
    )
    return audit


@transaction.atomic
def audit_redraw(
    *, audit: AuditRound, actor: Any, reason: str, sample: list[int], draw_number: str = ""
) -> AuditRound:
    """A redraw needs a recorded reason and is possible only before any result is recorded;
    the old draw is kept (by the integrity app), the round takes the new sample."""
    if not reason.strip():
        raise ValidationError("重新抽取必须填写理由")
    AUDIT_ROUND.check(audit, "redraw", actor=actor)
    chosen = check_sample(county=audit.county, year=audit.year, sample=sample)
    AUDIT_ROUND.apply(
        audit,
        "redraw",
        actor=actor,
        note=reason,
        changes={"draw_number": draw_number, "sampled": len(chosen)},
    )
    audit.findings.all().delete()
    _findings_for(audit, chosen)
    return audit


def is_in_error(finding: AuditFinding, tolerance: Decimal) -> bool:
    """In error when the result differs, or the score differs by more than the tolerance."""
    if finding.audited_result != finding.reported_result:
        return True
    if finding.audited_score is None or finding.reported_score is None:
        return False
    return abs(finding.audited_score - finding.reported_score) > tolerance


FINDING_FIELDS = ["audited_result", "audited_score", "in_error", "note"]


@transaction.atomic
def audit_finding_record(
    *,
    finding: AuditFinding,
    actor: Any,
    audited_result: str,
    audited_score: Decimal | None,
    note: str = "",
) -> AuditFinding:
    """The city's own result for one sampled firm; the round must still be open (it is
    claimed, so a result cannot land in a round closing at the same moment)."""
    require(actor, "record", finding)
    AUDIT_ROUND.apply(finding.audit, "record_finding", actor=actor)
    before = snapshot(finding, FINDING_FIELDS)
    finding.audited_result = audited_result
    finding.audited_score = audited_score
    finding.note = note
    finding.in_error = is_in_error(finding, finding.audit.tolerance)
    finding.recorded = True
    finding.recorded_at = timezone.now()
    finding.agency_id = _reviewing_agency_id(finding)
    finding.full_clean()
    finding.save()
    record_change(
        actor=actor,
        obj=finding,
        action="录入审核结果",
        before=before,
        after=snapshot(finding, FINDING_FIELDS),
    )
    if finding.in_error:
        _suspend_current_certificate(finding, actor)
    return finding


def _current_certificate(finding: AuditFinding) -> Certificate | None:
    firm = finding.enterprise
    return Certificate.objects.filter(enterprise=firm, number=firm.certificate_no).first()


def _reviewing_agency_id(finding: AuditFinding) -> int | None:
    certificate = _current_certificate(finding)
    return certificate.review.agency_id if certificate is not None else None


def _suspend_current_certificate(finding: AuditFinding, actor: Any) -> None:
    """A firm found in error keeps no certificate that reads 有效 while it is re-reviewed."""
    certificate = _current_certificate(finding)
    if certificate is None:
        return
    reason = (
        f"{finding.audit.year}年抽查审核：上报{finding.get_reported_result_display()}"
        f"（{finding.reported_score}分），审核{finding.get_audited_result_display() or '未达标'}"
        f"（{finding.audited_score}分），暂停待重新评审"
    )
    certificate_suspend(certificate=certificate, actor=actor, reason=reason)


def _close_figures(audit: AuditRound) -> dict[str, Any]:
    in_error = audit.findings.filter(in_error=True).count()
    sampled = audit.findings.count()
    return {
        "in_error": in_error,
        "sampled": sampled,
        "error_rate": error_rate(in_error, sampled).quantize(Decimal("0.0001")),
        "requires_re_review": requires_re_review(in_error, sampled),
        "closed_at": timezone.now(),
    }


@transaction.atomic
def audit_close(
    *, audit: AuditRound, actor: Any, expected_version: int | None = None
) -> AuditRound:
    """Compute the error rate; at 30% or more the county's results of the year are held for
    re-review, a passing re-audit releases the hold it answers to (``AUDIT_ROUND``'s close).
    A round already closed, or a stale page, is refused and changes nothing."""
    AUDIT_ROUND.check(audit, "close", actor=actor)
    return AUDIT_ROUND.apply(
        audit,
        "close",
        actor=actor,
        changes=_close_figures(audit),
        expected_version=expected_version,
    )
