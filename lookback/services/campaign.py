"""The look-back campaign (回头看): self-check, summary with agency ratings, spot-checks.

Who may act is ``lookback.policies``; the ratings and the spot-check findings are moved by
``lookback.workflows.RATING`` and ``OUTCOME``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enterprises.choices import PASSED_STATUSES
from enterprises.models import County, Enterprise
from portal.audit import record_change, snapshot
from portal.concurrency import insert_once
from portal.policy import require
from reviews.models import ReviewAgency

from ..draws import draw_sample, new_seed
from ..models import (
    AgencyRating,
    Campaign,
    Draw,
    PhaseReopening,
    SelfCheck,
    SpotCheck,
    SpotCheckOutcome,
)
from ..rules import (
    PHASES,
    SPOT_CHECK_MAX,
    SPOT_CHECK_MIN,
    chinese_date,
    phase_deadlines,
    phases_in_order,
)
from ..selectors import passed_firms, phase_closed, self_check_for
from ..workflows import OUTCOME, RATING, record_transition


@transaction.atomic
def campaign_open(
    *, year: int, actor: Any, deadlines: dict[str, dt.date] | None = None
) -> Campaign:
    """Open the year's campaign with the notice's phase deadlines, or the ones given."""
    require(actor, "open", Campaign)
    if Campaign.objects.filter(year=year).exists():
        raise ValidationError(f"{year}年“回头看”活动已存在")
    deadlines = {**phase_deadlines(year), **(deadlines or {})}
    if refusal := phases_in_order(deadlines):
        raise ValidationError(refusal)
    campaign = Campaign(
        year=year,
        self_check_deadline=deadlines["self_check"],
        summary_deadline=deadlines["summary"],
        spot_check_deadline=deadlines["spot_check"],
        created_by=actor,
    )
    insert_once(campaign, taken=f"{year}年“回头看”活动已存在", unique=["year"])
    record_change(actor=actor, obj=campaign, action="启动回头看活动", note=str(campaign))
    return campaign


def require_phase_open(*, campaign: Campaign, phase: str, county_id: int) -> None:
    """Input to a phase after its deadline is refused, unless the city reopened it."""
    if refusal := phase_closed(
        campaign=campaign, phase=phase, county_id=county_id, today=timezone.localdate()
    ):
        raise ValidationError(refusal)


@transaction.atomic
def phase_reopen(
    *, campaign: Campaign, county: County, phase: str, until: dt.date, reason: str, actor: Any
) -> PhaseReopening:
    """The city reopens a closed phase for one county until ``until``, with a reason kept in
    the history."""
    require(actor, "reopen", campaign)
    if phase not in PHASES:
        raise ValidationError({"phase": "请选择阶段"})
    if until < timezone.localdate():
        raise ValidationError({"until": "开放至日期不能早于今天"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写重新开放的理由"})
    reopening = PhaseReopening(
        campaign=campaign, county=county, phase=phase, until=until, reason=reason.strip(),
        created_by=actor,
    )  # fmt: skip
    reopening.full_clean()
    reopening.save()
    record_change(
        actor=actor,
        obj=campaign,
        action="重新开放回头看阶段",
        note=f"{county}{PHASES[phase]}阶段开放至{chinese_date(until)}：{reopening.reason}",
    )
    return reopening


SELF_CHECK_FIELDS = (
    "system_built",
    "runs_daily",
    "agency_performed",
    "problems",
    "rectification",
)


@transaction.atomic
def self_check_record(
    *, campaign: Campaign, enterprise: Enterprise, actor: Any, **answers: Any
) -> SelfCheck:
    """A passed firm checks itself; its county inspects it (政府组织排查). One record each."""
    check = self_check_for(campaign=campaign, enterprise=enterprise, user=actor)
    require(actor, "record", check)
    if enterprise.status not in PASSED_STATUSES:
        raise ValidationError("只有已达标企业参加“回头看”自查自纠")
    require_phase_open(campaign=campaign, phase="self_check", county_id=enterprise.county_id)
    before = snapshot(check, SELF_CHECK_FIELDS) if check.pk else {}
    for name in SELF_CHECK_FIELDS:
        setattr(check, name, answers.get(name, getattr(check, name, "")))
    check.recorded_by = actor
    if check.pk:
        check.full_clean()
        check.save()
    else:  # a second click at the same moment is told, not shown a server error
        insert_once(
            check,
            taken="该企业本次“回头看”已有记录，请刷新页面后查看",
            unique=["campaign", "enterprise", "method"],
        )
    record_change(
        actor=actor,
        obj=enterprise,
        action=f"回头看{check.get_method_display()}",
        before=before,
        after=snapshot(check, SELF_CHECK_FIELDS),
    )
    return check


@transaction.atomic
def agency_rating_submit(
    *,
    campaign: Campaign,
    agency: ReviewAgency,
    rating: str,
    reason: str,
    actor: Any,
    rectify_by: dt.date | None = None,
) -> AgencyRating:
    """总结阶段: the county rates an agency that reviewed in its area. Rating it again asks
    the city to decide again (``RATING``'s resubmit)."""
    require(actor, "rate", campaign)
    require_phase_open(campaign=campaign, phase="summary", county_id=actor.county_id)
    values = {"rating": rating, "reason": reason, "rectify_by": rectify_by, "created_by": actor}
    record = AgencyRating.objects.filter(
        campaign=campaign, county_id=actor.county_id, agency=agency
    ).first()
    if record is None:
        record = AgencyRating(campaign=campaign, county_id=actor.county_id, agency=agency, **values)
        insert_once(
            record,
            taken=f"对{agency}的考评已提交，请刷新页面后查看",
            unique=["campaign", "county", "agency"],
        )
    else:
        RATING.apply(record, "resubmit", actor=actor, changes=values)
    record_change(
        actor=actor, obj=agency, action="县级考评", note=f"{record.get_rating_display()}：{reason}"
    )
    return record


@transaction.atomic
def agency_rating_decide(*, rating: AgencyRating, actor: Any, note: str = "") -> AgencyRating:
    """The city adjusts the agency list from a county's rating (动态梳理评审单位名单), once:
    a rating already decided is refused and its old standing is not applied again."""
    return RATING.apply(rating, "decide", actor=actor, note=note, remark=note)


@transaction.atomic
def spot_check_draw(
    *, campaign: Campaign, county: County, actor: Any, size: int = SPOT_CHECK_MIN, seed: str = ""
) -> SpotCheck:
    """抽查阶段: draw 3 to 5 of the county's passed firms at random, reproducibly."""
    require(actor, "draw", campaign)
    if not SPOT_CHECK_MIN <= size <= SPOT_CHECK_MAX:
        raise ValidationError(f"每个县市区抽查 {SPOT_CHECK_MIN}-{SPOT_CHECK_MAX} 家企业")
    require_phase_open(campaign=campaign, phase="spot_check", county_id=county.pk)
    if SpotCheck.objects.filter(campaign=campaign, county=county).exists():
        raise ValidationError(f"{county}已抽取过")
    population = sorted(passed_firms(county).values_list("pk", flat=True))
    if not population:
        raise ValidationError(f"{county}没有已达标企业可供抽查")
    seed = seed or new_seed()
    draw = Draw.objects.create(
        kind=Draw.Kind.SPOT_CHECK,
        county=county,
        year=campaign.year,
        seed=seed,
        population=population,
        size=min(size, len(population)),
        sample=draw_sample(population, size, seed),
        created_by=actor,
    )
    spot_check = SpotCheck(campaign=campaign, county=county, draw=draw)
    insert_once(spot_check, taken=f"{county}已抽取过", unique=["campaign", "county"])
    SpotCheckOutcome.objects.bulk_create(
        SpotCheckOutcome(spot_check=spot_check, enterprise_id=pk) for pk in draw.sample
    )
    record_change(actor=actor, obj=spot_check, action="随机抽取", note=f"种子 {seed}")
    return spot_check


@transaction.atomic
def spot_check_record(
    *,
    outcome: SpotCheckOutcome,
    actor: Any,
    result: str,
    note: str,
    experts: str = "",
    rectify_by: dt.date | None = None,
) -> SpotCheckOutcome:
    """The experts' finding. 撤销标准化等级 revokes the firm's grade through reviews, and is
    final."""
    if result not in SpotCheckOutcome.Outcome.values or result == SpotCheckOutcome.Outcome.PENDING:
        raise ValidationError("请选择检查结论")
    spot_check = outcome.spot_check
    require_phase_open(
        campaign=spot_check.campaign, phase="spot_check", county_id=spot_check.county_id
    )
    changes = {
        "note": note,
        "experts": experts,
        "rectify_by": rectify_by,
        "recorded_at": timezone.now(),
    }
    return OUTCOME.apply(
        outcome,
        record_transition(result),
        actor=actor,
        note=note,
        changes=changes,
        rectify_by=rectify_by,
        was=outcome.get_outcome_display(),
    )
