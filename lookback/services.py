"""The city's audit of county results (抽查审核): draw, record, close."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enterprises.models import County
from portal.audit import record_change, snapshot
from portal.concurrency import save_versioned
from portal.roles import Role
from portal.scoping import require_role
from reviews.models import Certificate
from reviews.services.holds import result_hold_place, result_hold_release, results_held

from .draws import draw_sample, new_seed
from .models import AuditFinding, AuditRound, Draw
from .rules import AUDIT_SCORE_TOLERANCE, audit_sample_size, error_rate, requires_re_review


def passes_of_year(*, county: County, year: int):
    """The county's firms that passed in ``year``: certificates issued that year, not revoked."""
    return Certificate.objects.filter(
        enterprise__county=county, issued_on__year=year, revoked_at__isnull=True
    ).select_related("review")


def _draw(*, county: County, year: int, actor: Any, seed: str, replaces=None, reason="") -> Draw:
    population = sorted(
        passes_of_year(county=county, year=year).values_list("enterprise", flat=True)
    )
    size = audit_sample_size(len(population))
    if size == 0:
        raise ValidationError(f"{county}{year}年没有达标企业，无需抽查审核")
    return Draw.objects.create(
        kind=Draw.Kind.AUDIT,
        county=county,
        year=year,
        seed=seed,
        population=population,
        size=size,
        sample=draw_sample(population, size, seed),
        replaces=replaces,
        reason=reason,
        created_by=actor,
    )


def _findings_for(audit: AuditRound) -> None:
    certificates = passes_of_year(county=audit.county, year=audit.year).filter(
        enterprise__in=audit.draw.sample
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
    tolerance: Decimal = AUDIT_SCORE_TOLERANCE,
    seed: str | None = None,
) -> AuditRound:
    """Draw at least 10% of the county's passes of the year and open an audit round."""
    require_role(actor, Role.CITY, Role.ADMIN)
    if AuditRound.objects.filter(county=county, year=year, status=AuditRound.Status.OPEN).exists():
        raise ValidationError(f"{county}{year}年已有进行中的抽查审核")
    draw = _draw(county=county, year=year, actor=actor, seed=seed or new_seed())
    audit = AuditRound.objects.create(
        county=county,
        year=year,
        tolerance=tolerance,
        draw=draw,
        created_by=actor,
        is_re_audit=results_held(county=county, year=year) is not None,
        sampled=draw.size,
    )
    _findings_for(audit)
    record_change(
        actor=actor,
        obj=audit,
        action="抽取审核企业",
        note=f"种子 {draw.seed}，总体 {len(draw.population)} 家，抽取 {draw.size} 家",
    )
    return audit


@transaction.atomic
def audit_redraw(*, audit: AuditRound, actor: Any, reason: str) -> AuditRound:
    """A redraw needs a recorded reason and is possible only before any result is recorded."""
    require_role(actor, Role.CITY, Role.ADMIN)
    if not reason.strip():
        raise ValidationError("重新抽取必须填写理由")
    if audit.findings.filter(recorded=True).exists():
        raise ValidationError("已录入审核结果，不能重新抽取")
    old = audit.draw
    audit.findings.all().delete()
    audit.draw = _draw(
        county=audit.county,
        year=audit.year,
        actor=actor,
        seed=new_seed(),
        replaces=old,
        reason=reason,
    )
    audit.sampled = audit.draw.size
    audit.save(update_fields=["draw", "sampled"])
    _findings_for(audit)
    record_change(actor=actor, obj=audit, action="重新抽取", note=reason)
    return audit


def is_in_error(finding: AuditFinding, tolerance: Decimal) -> bool:
    """In error when the result differs, or the score differs by more than the tolerance."""
    if finding.audited_result != finding.reported_result:
        return True
    if finding.audited_score is None or finding.reported_score is None:
        return False
    return abs(finding.audited_score - finding.reported_score) > tolerance


@transaction.atomic
def audit_finding_record(
    *,
    finding: AuditFinding,
    actor: Any,
    audited_result: str,
    audited_score: Decimal | None,
    note: str = "",
) -> AuditFinding:
    require_role(actor, Role.CITY, Role.ADMIN)
    if finding.audit.status != AuditRound.Status.OPEN:
        raise ValidationError("该抽查审核已完成，不能修改结果")
    fields = ["audited_result", "audited_score", "in_error", "note"]
    before = snapshot(finding, fields)
    finding.audited_result = audited_result
    finding.audited_score = audited_score
    finding.note = note
    finding.in_error = is_in_error(finding, finding.audit.tolerance)
    finding.recorded = True
    finding.recorded_at = timezone.now()
    finding.full_clean()
    finding.save()
    record_change(
        actor=actor,
        obj=finding,
        action="录入审核结果",
        before=before,
        after=snapshot(finding, fields),
    )
    return finding


@transaction.atomic
def audit_close(*, audit: AuditRound, actor: Any, expected_version: int) -> AuditRound:
    """Compute the error rate; at 30% or more the county's results of the year are held for
    re-review; a passing re-audit releases the hold."""
    require_role(actor, Role.CITY, Role.ADMIN)
    if audit.findings.filter(recorded=False).exists():
        raise ValidationError("还有抽查企业未录入审核结果")
    fields = ["status", "in_error", "error_rate", "requires_re_review"]
    before = snapshot(audit, fields)
    audit.in_error = audit.findings.filter(in_error=True).count()
    audit.sampled = audit.findings.count()
    audit.error_rate = error_rate(audit.in_error, audit.sampled).quantize(Decimal("0.0001"))
    audit.requires_re_review = requires_re_review(audit.in_error, audit.sampled)
    audit.status = AuditRound.Status.CLOSED
    audit.closed_at = timezone.now()
    save_versioned(
        audit, expected_version=expected_version, fields=[*fields, "sampled", "closed_at"]
    )
    rate = f"{audit.error_rate * 100:.1f}%"
    if audit.requires_re_review:
        result_hold_place(
            county=audit.county,
            year=audit.year,
            actor=actor,
            reason=(
                f"{audit.year}年抽查审核误差率 {rate}（≥30%），须重新评审，经再次审核合格后方可公告"
            ),
        )
    else:
        result_hold_release(
            county=audit.county,
            year=audit.year,
            actor=actor,
            note=f"再次审核误差率 {rate}，审核合格",
        )
    record_change(
        actor=actor, obj=audit, action="完成抽查审核", before=before, after=snapshot(audit, fields)
    )
    return audit
