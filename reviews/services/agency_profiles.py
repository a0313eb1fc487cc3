"""The agencies' profiles and experts: the city edits them directly; an agency edits its own
contact details directly and asks the city to approve changes to its qualification scope
(可评审行业) and its experts (``reviews.workflows.agencies.CHANGE``). Every change is kept in
the history, the industries as names."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enterprises.models import Industry
from portal.audit import record_change, save_with_history
from portal.policy import require
from portal.roles import Role

from ..choices import ChangeKind, ChangeStatus
from ..models import AgencyChangeRequest, Expert, ReviewAgency
from ..workflows.agencies import CHANGE

CONTACT_FIELDS = ("contact", "phone", "address")
AGENCY_FIELDS = ("name", "credit_code", *CONTACT_FIELDS)
EXPERT_FIELDS = ("name", "certificate_no", "phone", "is_active", "spot_checks")


def is_city(user: Any) -> bool:
    return getattr(user, "role", None) in (Role.CITY, Role.ADMIN)


def _names(industries) -> str:
    return "、".join(sorted(str(i) for i in industries)) or "（无）"


def _set_industries(obj, industries, *, actor: Any, action: str) -> None:
    before, after = _names(obj.industries.all()), _names(industries)
    if before == after:
        return
    obj.industries.set(industries)
    record_change(actor=actor, obj=obj, action=action, changes={"industries": [before, after]})


@transaction.atomic
def agency_create(*, actor: Any, industries=(), **fields: Any) -> ReviewAgency:
    require(actor, "create", ReviewAgency)
    agency = ReviewAgency(**{k: fields.get(k, "") for k in AGENCY_FIELDS})
    agency.full_clean()
    agency.save()
    agency.industries.set(industries)
    record_change(
        actor=actor, obj=agency, action="新增评审机构", note=f"可评审行业：{_names(industries)}"
    )
    return agency


@transaction.atomic
def agency_update(
    *,
    agency: ReviewAgency,
    actor: Any,
    industries=None,
    expected_version: int | None = None,
    **fields: Any,
) -> AgencyChangeRequest | None:
    """The city changes everything but the standing; the agency its contact details, and asks
    for its qualification scope (returned: the change request)."""
    require(actor, "edit", agency)
    allowed = AGENCY_FIELDS if is_city(actor) else CONTACT_FIELDS
    changes = {k: v for k, v in fields.items() if k in allowed}
    save_with_history(
        agency,
        actor=actor,
        action="修改机构信息",
        changes=changes,
        expected_version=expected_version,
    )
    if industries is None:
        return None
    if is_city(actor):
        _set_industries(agency, industries, actor=actor, action="修改可评审行业")
        return None
    if {i.pk for i in industries} == set(agency.industries.values_list("pk", flat=True)):
        return None
    return _request(
        agency=agency,
        kind=ChangeKind.INDUSTRIES,
        actor=actor,
        payload={"industries": sorted(i.pk for i in industries)},
        summary=f"可评审行业：{_names(agency.industries.all())} → {_names(industries)}",
    )


@transaction.atomic
def expert_save(
    *,
    agency: ReviewAgency | None,
    actor: Any,
    expert: Expert | None = None,
    industries=(),
    **fields: Any,
) -> Expert | AgencyChangeRequest:
    """The city adds or edits an expert directly; an agency's addition or edit waits for the
    city's approval (returned: the change request)."""
    owner = expert.agency if expert is not None else agency
    if expert is not None:
        require(actor, "edit", expert)
    else:
        require(actor, "add_expert", owner)
    values = {k: fields[k] for k in EXPERT_FIELDS if k in fields}
    if not str(values.get("name", expert.name if expert else "")).strip():
        raise ValidationError({"name": "请填写专家姓名"})
    if is_city(actor):
        return _save_expert(expert, owner, values, industries, actor=actor)
    payload = {**values, "industries": sorted(i.pk for i in industries)}
    if expert is None:
        number = values.get("certificate_no") or "未填"
        summary = f"新增专家：{values['name']}（证书编号{number}）"
        return _request(
            agency=owner, kind=ChangeKind.EXPERT_ADD, actor=actor, payload=payload, summary=summary
        )
    return _request(
        agency=owner,
        kind=ChangeKind.EXPERT_EDIT,
        actor=actor,
        payload=payload,
        expert=expert,
        summary=_expert_summary(expert, values, industries),
    )


def _expert_summary(expert: Expert, values: dict, industries) -> str:
    parts = []
    for name, value in values.items():
        old = getattr(expert, name)
        if old != value:
            label = Expert._meta.get_field(name).verbose_name
            show = {True: "是", False: "否"}
            parts.append(f"{label}：{show.get(old, old) or '（空）'} → {show.get(value, value)}")
    new, old = _names(industries), _names(expert.industries.all())
    if new != old:
        parts.append(f"专业行业：{old} → {new}")
    return f"{expert.name}：" + ("；".join(parts) or "无变化")


def _save_expert(expert, agency, values, industries, *, actor: Any) -> Expert:
    if expert is None:
        expert = Expert(agency=agency, **values)
        expert.full_clean()
        expert.save()
        expert.industries.set(industries)
        record_change(
            actor=actor,
            obj=expert,
            action="新增评审专家",
            note=f"{agency or '市局专家库'}；专业行业：{_names(industries)}",
        )
        return expert
    save_with_history(expert, actor=actor, action="修改专家信息", changes=values)
    _set_industries(expert, industries, actor=actor, action="修改专家专业行业")
    return expert


def _request(*, agency, kind, actor, payload, summary, expert=None) -> AgencyChangeRequest:
    change = AgencyChangeRequest(
        agency=agency,
        kind=kind,
        expert=expert,
        payload=payload,
        summary=summary,
        requested_by=actor,
    )
    change.full_clean()
    change.save()
    record_change(
        actor=actor, obj=agency, action=f"提交{change.get_kind_display()}申请", note=summary
    )
    return change


def apply_change(change: AgencyChangeRequest, *, actor: Any) -> None:
    """The approved change, applied by the city (the ``CHANGE`` machine's approve hook)."""
    payload = dict(change.payload)
    industries = list(Industry.objects.filter(pk__in=payload.pop("industries", [])))
    if change.kind == ChangeKind.INDUSTRIES:
        _set_industries(change.agency, industries, actor=actor, action="批准可评审行业变更")
    elif change.kind == ChangeKind.EXPERT_ADD:
        _save_expert(None, change.agency, payload, industries, actor=actor)
    else:
        _save_expert(change.expert, change.agency, payload, industries, actor=actor)


@transaction.atomic
def change_decide(
    *, change: AgencyChangeRequest, approve: bool, note: str, actor: Any
) -> AgencyChangeRequest:
    if not approve and not note.strip():
        raise ValidationError({"note": "不予批准须说明理由"})
    return CHANGE.apply(
        change,
        "approve" if approve else "reject",
        actor=actor,
        note=note,
        changes={"decision_note": note, "decided_at": timezone.now()},
    )


__all__ = ["ChangeStatus", "agency_create", "agency_update", "change_decide", "expert_save"]
