"""Draws anyone can verify (双随机一公开): freeze the population, then the public value, then the
draw; a redraw keeps the old one and says why. The algorithm is ``integrity.algorithm``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from enterprises.models import County, Enterprise
from lookback import services as lookback
from lookback.models import Campaign, SpotCheck, SpotCheckOutcome
from lookback.rules import SPOT_CHECK_MAX, SPOT_CHECK_MIN, audit_sample_size
from lookback.selectors import passed_firms, passes_of_year, spot_check_findings
from outreach.models import Attendance, EventKind
from portal.audit import record_change
from portal.concurrency import insert_once
from portal.policy import require
from reviews.models import Expert, Review, ReviewTeamMember, SelfAssessment

from .. import algorithm
from ..models import Draw
from ..rules import spot_check_quotas
from ..workflows import DRAW

Kind = Draw.Kind


def firm_member(stratum: str, firm: Enterprise) -> dict[str, str]:
    return {"stratum": stratum, "code": firm.credit_code, "name": firm.name}


# --- The populations -------------------------------------------------------------------------


def audit_population(*, county: County, year: int) -> tuple[list[dict], dict[str, int], str]:
    firms = Enterprise.objects.filter(
        pk__in=passes_of_year(county=county, year=year).values("enterprise")
    ).order_by("credit_code")
    stratum = f"{county.code} {county.name}"
    members = [firm_member(stratum, firm) for firm in firms]
    size = audit_sample_size(len(members))
    if not size:
        raise ValidationError(f"{county}{year}年没有达标企业，无需抽查审核")
    rule = (
        f"{county}{year}年的达标企业（当年发证、未被撤销）共 {len(members)} 家，"
        f"按不低于10%（向上取整）抽取 {size} 家。"
    )
    return members, {stratum: size}, rule


def problem_firm_ids(campaign: Campaign, firms: list[Enterprise]) -> set[int]:
    """Firms where the campaign found a problem before the spot-check: their 自查自纠 or the
    county's inspection answered 否 or wrote a problem, or the county's 总结 rated the agency
    that reviewed them 警告 or 建议清除 (``lookback.selectors.spot_check_findings``)."""
    found = spot_check_findings(campaign=campaign, firms=firms)
    return {pk for pk, row in found.items() if row["found"]}


FIRST_STRATUM = "第1层：自查自纠或总结发现问题"
SECOND_STRATUM = "第2层：未发现问题"


def spot_check_population(
    *,
    campaign: Campaign,
    counties: list[County],
    size: int,
    redraw: bool = False,
    with_findings: int | None = None,
) -> tuple[list[dict], dict[str, int], str]:
    """Each county's passed firms in two strata: those where the self-check, the inspection or
    the summary found a problem, and the others. ``with_findings`` is how many of each
    county's ``size`` the city draws from the first stratum; ``None`` draws it first."""
    if not SPOT_CHECK_MIN <= size <= SPOT_CHECK_MAX:
        raise ValidationError(f"每个县市区抽查 {SPOT_CHECK_MIN}-{SPOT_CHECK_MAX} 家企业")
    if with_findings is not None and not 0 <= with_findings <= size:
        raise ValidationError({"with_findings": f"从第1层抽取的家数须在 0-{size} 之间"})
    drawn = set(SpotCheck.objects.filter(campaign=campaign).values_list("county", flat=True))
    members: list[dict] = []
    quotas: dict[str, int] = {}
    for county in counties:
        if county.pk in drawn and not redraw:
            raise ValidationError(f"{county}已抽取过")
        firms = list(passed_firms(county).order_by("credit_code"))
        if not firms:
            continue
        problems = problem_firm_ids(campaign, firms)
        first = f"{county.code} {county.name} {FIRST_STRATUM}"
        second = f"{county.code} {county.name} {SECOND_STRATUM}"
        strata = [first if firm.pk in problems else second for firm in firms]
        members += [firm_member(s, f) for s, f in zip(strata, firms, strict=True)]
        quotas[first], quotas[second] = spot_check_quotas(
            strata.count(first), strata.count(second), size, with_findings=with_findings
        )
    if not members:
        raise ValidationError("所选县市区没有已达标企业可供抽查")
    found = (
        "自查自纠、政府组织排查或总结发现问题（三项之一为否、填写了问题，或其评审机构在总结中"
        "被考评为警告或建议清除）的企业为第1层，其他已达标企业为第2层；"
    )
    split = (
        "先从第1层抽取，不足时由第2层补足。"
        if with_findings is None
        else f"每个县市区从第1层抽取 {with_findings} 家、其余从第2层抽取，一层不足时由另一层补足。"
    )
    rule = f"{campaign}：所选县市区的已达标企业，每个县市区抽取 {size} 家。{found}{split}"
    return members, {k: v for k, v in quotas.items() if v}, rule


def conflicted_experts(firm_ids: list[int]) -> set[int]:
    """Experts who reviewed or guided one of the firms, or whose agency did."""
    reviewed = ReviewTeamMember.objects.filter(review__enterprise__in=firm_ids)
    guided = SelfAssessment.objects.filter(enterprise__in=firm_ids)
    agencies = set(
        Review.objects.filter(enterprise__in=firm_ids, agency__isnull=False).values_list(
            "agency", flat=True
        )
    ) | set(guided.filter(guide_agency__isnull=False).values_list("guide_agency", flat=True))
    organisers = set(
        Attendance.objects.filter(
            enterprise__in=firm_ids, event__kind=EventKind.GUIDANCE
        ).values_list("event__organiser", flat=True)
    )
    experts = set(reviewed.values_list("expert", flat=True))
    experts |= set(guided.filter(guide_expert__isnull=False).values_list("guide_expert", flat=True))
    experts |= set(
        Expert.objects.filter(
            Q(agency__in=agencies) | Q(agency__name__in=organisers) | Q(name__in=organisers)
        ).values_list("pk", flat=True)
    )
    return experts


def expert_pool():
    return Expert.objects.filter(is_active=True, spot_checks=True).exclude(certificate_no="")


def expert_population(
    *, spot_check: SpotCheck, size: int
) -> tuple[list[dict], dict[str, int], str]:
    firms = list(spot_check.outcomes.values_list("enterprise", flat=True))
    conflicts = conflicted_experts(firms)
    pool = expert_pool().order_by("certificate_no")
    stratum = "专家库"
    members = [
        {"stratum": stratum, "code": e.certificate_no, "name": e.name}
        for e in pool
        if e.pk not in conflicts
    ]
    if len(members) < size:
        raise ValidationError(f"回避后专家库仅有 {len(members)} 名专家，不足 {size} 名")
    excluded = pool.filter(pk__in=conflicts).count()
    rule = (
        f"{spot_check.campaign}{spot_check.county}抽查的检查专家：专家库中在库、可参加抽查且登记了"
        f"证书编号的专家，回避与被抽查企业有利害关系者（评审过或指导过被抽查企业，或其所在机构"
        f"评审、指导过）共 {excluded} 名，从其余 {len(members)} 名中抽取 {size} 名。"
    )
    return members, {stratum: size}, rule


# --- Freeze, draw, redraw ---------------------------------------------------------------------


def _next_number(year: int) -> str:
    taken = Draw.objects.filter(year=year).count()
    return f"{year}-{taken + 1:03d}"


def _check_public_value_date(day: dt.date) -> None:
    if day <= timezone.localdate():
        raise ValidationError(
            {"public_value_date": "公开随机数须在冻结之后产生：请选择今天以后的日期"}
        )


@transaction.atomic
def draw_freeze(
    *,
    kind: str,
    year: int,
    actor: Any,
    public_value_source: str,
    public_value_date: dt.date,
    county: County | None = None,
    counties: list[County] | None = None,
    campaign: Campaign | None = None,
    spot_check: SpotCheck | None = None,
    size: int = SPOT_CHECK_MIN,
    with_findings: int | None = None,
    replaces: Draw | None = None,
    reason: str = "",
) -> Draw:
    """Fix and publish the population (members, order, digest) and name the public value that
    will seed the draw: its source and the date it comes into being, after today."""
    require(actor, "freeze", Draw)
    if not public_value_source.strip():
        raise ValidationError({"public_value_source": "请写明公开随机数的来源"})
    _check_public_value_date(public_value_date)
    if kind == Kind.AUDIT:
        if county is None:
            raise ValidationError({"county": "请选择县市区"})
        members, quotas, rule = audit_population(county=county, year=year)
        campaign, with_findings = None, None
    elif kind == Kind.SPOT_CHECK:
        if campaign is None:
            raise ValidationError("请先启动当年“回头看”活动")
        members, quotas, rule = spot_check_population(
            campaign=campaign,
            counties=counties or [],
            size=size,
            redraw=replaces is not None,
            with_findings=with_findings,
        )
    elif kind == Kind.EXPERTS:
        members, quotas, rule = expert_population(spot_check=spot_check, size=size)
        county, campaign = spot_check.county, spot_check.campaign
        with_findings = None
    else:
        raise ValidationError("请选择抽取类型")
    draw = Draw(
        number=_next_number(year),
        kind=kind,
        year=year,
        county=county,
        campaign=campaign,
        spot_check=spot_check,
        audit_round=replaces.audit_round if replaces else None,
        rule=rule,
        members=algorithm.ordered(members),
        quotas=quotas,
        with_findings=with_findings,
        digest=algorithm.population_digest(members, quotas),
        algorithm_version=algorithm.VERSION,
        public_value_source=public_value_source.strip(),
        public_value_date=public_value_date,
        replaces=replaces,
        reason=reason,
        frozen_by=actor,
    )
    insert_once(draw, taken="另一抽取刚刚取得了相同的编号，请重试", unique=["number"])
    record_change(
        actor=actor,
        obj=draw,
        action="冻结抽取总体",
        note=f"{len(members)} 个成员，总体摘要 {draw.digest}",
    )
    return draw


@transaction.atomic
def draw_perform(*, draw: Draw, actor: Any, public_value: str) -> Draw:
    """Enter the public value (on or after its date), seed and draw, and hand the result to
    the audit or the spot-check it is for. A replayed click draws once."""
    public_value = public_value.strip()
    if not public_value:
        raise ValidationError({"public_value": "请录入公开随机数"})
    seed = algorithm.seed_of(draw.digest, public_value)
    result = algorithm.draw(draw.members, draw.quotas, seed)
    DRAW.apply(
        draw,
        "draw",
        actor=actor,
        note=f"公开随机数 {public_value}",
        changes={
            "public_value": public_value,
            "seed": seed,
            "result": result,
            "drawn_by": actor,
            "drawn_at": timezone.now(),
        },
    )
    _hand_over(draw, actor)
    if draw.replaces_id:
        DRAW.apply(draw.replaces, "supersede", actor=actor, note=draw.reason, trusted=True)
    return draw


def _firm_ids(draw: Draw) -> dict[str, int]:
    return dict(
        Enterprise.objects.filter(credit_code__in=draw.result).values_list("credit_code", "pk")
    )


def _hand_over(draw: Draw, actor: Any) -> None:
    if draw.kind == Kind.AUDIT:
        _audit_hand_over(draw, actor)
    elif draw.kind == Kind.SPOT_CHECK:
        _spot_check_hand_over(draw, actor)
    else:
        names = [m["name"] for m in draw.drawn_members]
        lookback.spot_check_assign_experts(spot_check=draw.spot_check, actor=actor, experts=names)


def _audit_hand_over(draw: Draw, actor: Any) -> None:
    sample = list(_firm_ids(draw).values())
    if draw.replaces_id and draw.audit_round_id:
        lookback.audit_redraw(
            audit=draw.audit_round,
            actor=actor,
            reason=draw.reason,
            sample=sample,
            draw_number=draw.number,
        )
        return
    audit = lookback.audit_start(
        county=draw.county, year=draw.year, actor=actor, sample=sample, draw_number=draw.number
    )
    draw.audit_round = audit
    draw.save(update_fields=["audit_round"])


def _spot_check_hand_over(draw: Draw, actor: Any) -> None:
    ids = _firm_ids(draw)
    by_county: dict[str, list[int]] = {}
    for member in draw.drawn_members:
        by_county.setdefault(member["stratum"].split(" ")[0], []).append(ids[member["code"]])
    for county in County.objects.filter(code__in=by_county):
        sample = by_county[county.code]
        existing = SpotCheck.objects.filter(campaign=draw.campaign, county=county).first()
        if existing is not None and draw.replaces_id:
            lookback.spot_check_redraw(
                spot_check=existing,
                actor=actor,
                reason=draw.reason,
                sample=sample,
                draw_number=draw.number,
            )
        else:
            lookback.spot_check_draw(
                campaign=draw.campaign,
                county=county,
                actor=actor,
                sample=sample,
                draw_number=draw.number,
            )


@transaction.atomic
def draw_redraw(
    *,
    draw: Draw,
    actor: Any,
    reason: str,
    public_value_source: str,
    public_value_date: dt.date,
) -> Draw:
    """A redraw freezes a new population for a new public value; the old draw is kept, shown
    beside the new one and superseded only when the new one is drawn."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "重新抽取必须填写理由"})
    DRAW.check(draw, "redraw", actor=actor)
    kwargs: dict[str, Any] = {"county": draw.county, "campaign": draw.campaign}
    if draw.kind == Kind.SPOT_CHECK:
        codes = sorted({m["stratum"].split(" ")[0] for m in draw.members})
        kwargs["counties"] = list(County.objects.filter(code__in=codes))
        kwargs["size"] = _per_county_size(draw)
        kwargs["with_findings"] = draw.with_findings
        kwargs["campaign"] = draw.campaign
    elif draw.kind == Kind.EXPERTS:
        kwargs = {"spot_check": draw.spot_check, "size": draw.size}
    new = draw_freeze(
        kind=draw.kind,
        year=draw.year,
        actor=actor,
        public_value_source=public_value_source,
        public_value_date=public_value_date,
        replaces=draw,
        reason=reason,
        **kwargs,
    )
    record_change(
        actor=actor, obj=draw, action="申请重新抽取", note=f"{reason}（新抽取 {new.number}）"
    )
    return new


def _per_county_size(draw: Draw) -> int:
    per_county: dict[str, int] = {}
    for stratum, n in draw.quotas.items():
        code = stratum.split(" ")[0]
        per_county[code] = per_county.get(code, 0) + int(n)
    return max(per_county.values()) if per_county else SPOT_CHECK_MIN


@transaction.atomic
def draw_publish(*, draw: Draw, actor: Any) -> Draw:
    """一公开: the spot-check round closes and its firms, outcomes and decisions go public."""
    return DRAW.apply(draw, "publish", actor=actor, changes={"published_at": timezone.now()})


def spot_checks_of(draw: Draw):
    return SpotCheck.objects.filter(draw_number=draw.number)


def outcomes_of(draws: list[Draw]) -> list[tuple[Draw, list[SpotCheckOutcome]]]:
    """Each draw with the outcomes of its spot checks, read in one query for all of them."""
    by_number: dict[str, list[SpotCheckOutcome]] = {draw.number: [] for draw in draws}
    outcomes = (
        SpotCheckOutcome.objects.filter(spot_check__draw_number__in=list(by_number))
        .select_related("enterprise", "spot_check__county")
        .order_by("spot_check__county__sort_order", "enterprise__name", "pk")
    )
    for outcome in outcomes:
        by_number[outcome.spot_check.draw_number].append(outcome)
    return [(draw, by_number[draw.number]) for draw in draws]
