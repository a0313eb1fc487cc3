"""The writes of enforcement: keyword-only, the acting user, the transaction owned here.

Every status is moved by ``workflows.CASE``; the rows a transition brings (the inspection, the
decision) are written right after its claim, in the same transaction, so a refusal or a lost
race leaves nothing behind."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from enterprises.models import Enterprise
from portal.audit import record_change, save_with_history, snapshot
from portal.policy import require

from . import rules
from .choices import FollowUpResult
from .models import (
    Case,
    EscalatedDecision,
    Inspection,
    Inspector,
    LegalBasis,
    PenaltyDecision,
    PointFinding,
    Refusal,
    Violation,
)
from .workflows import CASE

BASIS_FIELDS = (
    "code", "law", "article", "forbids", "point", "penalty", "fine_max", "escalation",
    "escalated_fine_max", "sort_order", "is_active",
)  # fmt: skip


def basis_add(*, actor: Any, data: dict[str, Any]) -> LegalBasis:
    """The city adds a provision to the table of violations (违法行为及处罚依据)."""
    require(actor, "add", LegalBasis)
    basis = LegalBasis(**{name: data[name] for name in BASIS_FIELDS if name in data})
    with transaction.atomic():
        basis.full_clean()
        basis.save()
        record_change(
            actor=actor, obj=basis, action="新增处罚依据", after=snapshot(basis, BASIS_FIELDS)
        )
    return basis


def basis_edit(*, actor: Any, basis: LegalBasis, data: dict[str, Any]) -> LegalBasis:
    """The city amends a provision (its penalty range, its escalation, or retires it)."""
    require(actor, "edit", basis)
    with transaction.atomic():
        return save_with_history(
            basis,
            actor=actor,
            action="修改处罚依据",
            changes={name: data[name] for name in BASIS_FIELDS if name in data},
        )


def refusal_mark(
    *, enterprise: Enterprise, actor: Any, notice_no: str, served_on: dt.date, firm_answer: str
) -> Refusal:
    """拒不创建: the county records the notice it served and the firm's refusal."""
    require(actor, "mark_refuser", enterprise)
    refusal = Refusal(
        enterprise=enterprise,
        notice_no=notice_no,
        served_on=served_on,
        firm_answer=firm_answer,
        marked_by=actor,
    )
    with transaction.atomic():
        refusal.full_clean()
        refusal.save()
        record_change(
            actor=actor, obj=enterprise, action="登记拒不创建", note=f"{notice_no}：{firm_answer}"
        )
    return refusal


def _next_number(enterprise: Enterprise, year: int) -> str:
    prefix = f"{enterprise.county.name}安监立〔{year}〕"
    taken = Case.objects.filter(number__startswith=prefix).count()
    return f"{prefix}{taken + 1}号"


def case_open(
    *,
    enterprise: Enterprise,
    actor: Any,
    opened_on: dt.date,
    cause: str,
    refusal: Refusal | None = None,
) -> Case:
    """立案: a case against the firm (usually a refuser), numbered in the county's series."""
    require(actor, "open_case", enterprise)
    with transaction.atomic():
        # The county's numbering is a series: lock the firm's county row while numbering.
        type(enterprise.county).objects.select_for_update().get(pk=enterprise.county_id)
        case = Case(
            enterprise=enterprise,
            refusal=refusal,
            number=_next_number(enterprise, opened_on.year),
            opened_on=opened_on,
            cause=cause,
            created_by=actor,
        )
        case.full_clean()
        case.save()
        record_change(actor=actor, obj=case, action="立案", note=cause)
    return case


def _check_inspection(inspectors: list[tuple[str, str]], findings: dict) -> None:
    problems = {}
    if problem := rules.inspectors_problem(inspectors):
        problems["inspectors"] = problem
    if missing := rules.missing_points(findings):
        problems["findings"] = "五个方面须逐项填写检查结论和证据，尚缺：" + "、".join(missing)
    if problems:
        raise ValidationError(problems)


def inspection_record(
    *,
    case: Case,
    actor: Any,
    inspected_on: dt.date,
    place: str,
    inspectors: list[tuple[str, str]],
    findings: dict[str, tuple[str, str]],
    firm_present: str = "",
    expected_version: int | None = None,
) -> Inspection:
    """现场检查: two or more inspectors with certificates, a finding and evidence on each of
    the five points (all required)."""
    _check_inspection(inspectors, findings)
    inspection = Inspection(
        case=case, inspected_on=inspected_on, place=place, firm_present=firm_present,
        recorded_by=actor,
    )  # fmt: skip
    inspection.full_clean(exclude=["case"])  # one per case: the claim guards it
    with transaction.atomic():
        CASE.apply(case, "inspect", actor=actor, expected_version=expected_version)
        inspection.save()
        Inspector.objects.bulk_create(
            Inspector(inspection=inspection, name=name.strip(), certificate_no=cert.strip())
            for name, cert in inspectors
            if name.strip()
        )
        PointFinding.objects.bulk_create(
            PointFinding(inspection=inspection, point=point, finding=f, evidence=evidence)
            for point, (f, evidence) in findings.items()
        )
    return inspection


def violation_record(*, case: Case, actor: Any, basis: LegalBasis, facts: str) -> Violation:
    """A violation found on the inspection, citing its provision."""
    with transaction.atomic():
        violation = Violation(case=case, basis=basis, facts=facts, recorded_by=actor)
        violation.full_clean()
        CASE.apply(case, "record_violation", actor=actor, note=f"{basis}：{facts}")
        violation.save()
    return violation


def case_order(
    *, case: Case, actor: Any, order_no: str, ordered_on: dt.date, rectify_by: dt.date
) -> Case:
    """责令限期改正: the order's number and its deadline."""
    changes = {"order_no": order_no, "ordered_on": ordered_on, "rectify_by": rectify_by}
    return CASE.apply(case, "order", actor=actor, changes=changes)


def penalty_decide(
    *,
    case: Case,
    actor: Any,
    number: str,
    decided_on: dt.date,
    amount: Decimal | None = None,
    below_limit_reason: str = "",
) -> PenaltyDecision:
    """处罚决定: the fine is the upper limit unless a lower one is given with its reason."""
    limit = case.fine_upper_limit()
    decision = PenaltyDecision(
        case=case,
        number=number,
        decided_on=decided_on,
        amount=limit if amount is None else amount,
        upper_limit=limit,
        below_limit_reason=below_limit_reason,
        decided_by=actor,
    )
    # Before the claim, so a refused fine leaves the case as it was; one decision per case is
    # the claim's to guard (a replay is told the case has moved on).
    decision.full_clean(exclude=["case"])
    with transaction.atomic():
        CASE.apply(case, "decide", actor=actor, note=f"{number}，罚款{decision.amount:,.0f}元")
        decision.save()
    return decision


def case_follow_up(
    *, case: Case, actor: Any, followed_up_on: dt.date, result: str, note: str = ""
) -> Case:
    """复查 at the deadline: corrected, or escalated as the provision says."""
    if result == FollowUpResult.ESCALATED and not note.strip():
        raise ValidationError({"note": "逾期未改正的，须写明依法加重处理的措施"})
    changes = {
        "followed_up_on": followed_up_on,
        "follow_up_result": result,
        "follow_up_note": note,
    }
    return CASE.apply(case, "follow_up", actor=actor, changes=changes)


def escalated_decide(
    *,
    case: Case,
    actor: Any,
    number: str,
    decided_on: dt.date,
    amount: Decimal | None = None,
    below_limit_reason: str = "",
) -> EscalatedDecision:
    """加重处罚决定 at an escalated follow-up: the fine is the table's escalation upper limit
    unless a lower one is given with its reason; the case closes only after it."""
    limit = case.escalated_fine_upper_limit()
    decision = EscalatedDecision(
        case=case,
        number=number,
        decided_on=decided_on,
        amount=limit if amount is None else amount,
        upper_limit=limit,
        below_limit_reason=below_limit_reason,
        decided_by=actor,
    )
    decision.full_clean(exclude=["case"])
    with transaction.atomic():
        note = f"{number}，罚款{decision.amount:,.0f}元"
        CASE.apply(case, "decide_escalated", actor=actor, note=note)
        decision.save()
    return decision


def case_close(*, case: Case, actor: Any, closed_on: dt.date) -> Case:
    """结案 (after the follow-up, or after an inspection that found nothing unlawful)."""
    return CASE.apply(case, "close", actor=actor, changes={"closed_on": closed_on})
