"""The look-back campaign (回头看): self-check, summary with agency ratings, spot-checks.

Who may act is ``lookback.policies``; the ratings and the spot-check findings are moved by
``lookback.workflows.RATING`` and ``OUTCOME``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from enterprises.choices import PASSED_STATUSES
from enterprises.models import County, Enterprise
from portal.audit import record_change, snapshot
from portal.concurrency import insert_once
from portal.events import emit
from portal.policy import require
from reviews.models import ReviewAgency, StandingDecision
from reviews.selectors.agencies import agencies_reviewed_in
from reviews.services.agencies import agency_standing_decide

from ..events import RATING_SUBMITTED
from ..models import (
    PENDING,
    AgencyRating,
    Campaign,
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
    """总结阶段: the county rates an agency that reviewed in its county that year. Every rating
    is kept: rating again adds the next one beside the earlier (never overwrites). A rating
    moves no standing; the city's decision cites it."""
    require(actor, "rate", campaign)
    require_phase_open(campaign=campaign, phase="summary", county_id=actor.county_id)
    if (
        not agencies_reviewed_in(county_id=actor.county_id, year=campaign.year)
        .filter(pk=agency.pk)
        .exists()
    ):
        raise ValidationError(
            {"agency": f"{agency}{campaign.year}年未在本县市区开展评审，不能考评"}
        )
    earlier = AgencyRating.objects.filter(
        campaign=campaign, county_id=actor.county_id, agency=agency
    ).aggregate(n=Max("sequence"))["n"]
    record = AgencyRating(
        campaign=campaign,
        county_id=actor.county_id,
        agency=agency,
        rating=rating,
        reason=reason,
        rectify_by=rectify_by,
        created_by=actor,
        sequence=(earlier or 0) + 1,
    )
    insert_once(
        record,
        taken=f"对{agency}的考评已提交，请刷新页面后查看",
        unique=["campaign", "county", "agency", "sequence"],
    )
    emit(RATING_SUBMITTED, record, actor=actor)
    record_change(
        actor=actor,
        obj=agency,
        action="县级考评",
        note=f"{record.county}第{record.sequence}次考评：{record.get_rating_display()}：{reason}",
    )
    return record


@transaction.atomic
def agency_standing_decide_on_ratings(
    *,
    agency: ReviewAgency,
    decision: str,
    reason: str,
    actor: Any,
    ratings: Iterable[AgencyRating] = (),
    **warning: Any,
) -> StandingDecision:
    """动态梳理评审单位名单: the city chooses the agency's standing, citing the counties'
    ratings it rests on (they are kept as they are, and marked as taken into a decision)."""
    ratings = list(ratings)
    if any(r.agency_id != agency.pk for r in ratings):
        raise ValidationError({"ratings": "所引用的考评不是对该机构的考评"})
    record = agency_standing_decide(
        agency=agency, decision=decision, reason=reason, actor=actor, **warning
    )
    record.ratings.add(*ratings)
    for rating in ratings:
        if rating.decided is PENDING:
            RATING.apply(rating, "decide", actor=actor, note=f"{record.label}：{reason}")
    return record


def _check_spot_sample(county: County, sample: list[int]) -> list[int]:
    chosen = sorted(set(sample))
    if not SPOT_CHECK_MIN <= len(chosen) <= SPOT_CHECK_MAX:
        available = passed_firms(county).count()
        if not (0 < len(chosen) == available < SPOT_CHECK_MIN):
            raise ValidationError(f"每个县市区抽查 {SPOT_CHECK_MIN}-{SPOT_CHECK_MAX} 家企业")
    if passed_firms(county).filter(pk__in=chosen).count() != len(chosen):
        raise ValidationError(f"抽取结果中有企业不是{county}的已达标企业")
    return chosen


@transaction.atomic
def spot_check_draw(
    *, campaign: Campaign, county: County, actor: Any, sample: list[int], draw_number: str = ""
) -> SpotCheck:
    """抽查阶段: the county's 3 to 5 passed firms that a public draw (``integrity``) chose."""
    require(actor, "draw", campaign)
    require_phase_open(campaign=campaign, phase="spot_check", county_id=county.pk)
    if SpotCheck.objects.filter(campaign=campaign, county=county).exists():
        raise ValidationError(f"{county}已抽取过")
    chosen = _check_spot_sample(county, sample)
    spot_check = SpotCheck(campaign=campaign, county=county, draw_number=draw_number)
    insert_once(spot_check, taken=f"{county}已抽取过", unique=["campaign", "county"])
    SpotCheckOutcome.objects.bulk_create(
        SpotCheckOutcome(spot_check=spot_check, enterprise_id=pk) for pk in chosen
    )
    record_change(actor=actor, obj=spot_check, action="随机抽取", note=f"抽取编号 {draw_number}")
    return spot_check


@transaction.atomic
def spot_check_redraw(
    *, spot_check: SpotCheck, actor: Any, reason: str, sample: list[int], draw_number: str = ""
) -> SpotCheck:
    """A new draw replaces the firms while no finding is recorded; the reason is kept."""
    require(actor, "draw", spot_check.campaign)
    if not reason.strip():
        raise ValidationError("重新抽取必须填写理由")
    locked = SpotCheck.objects.select_for_update().get(pk=spot_check.pk)
    if locked.outcomes.exclude(outcome=SpotCheckOutcome.Outcome.PENDING).exists():
        raise ValidationError("已录入抽查结论，不能重新抽取")
    chosen = _check_spot_sample(spot_check.county, sample)
    locked.outcomes.all().delete()
    SpotCheckOutcome.objects.bulk_create(
        SpotCheckOutcome(spot_check=locked, enterprise_id=pk) for pk in chosen
    )
    before = {"draw_number": locked.draw_number}
    locked.draw_number = draw_number
    locked.save(update_fields=["draw_number"])
    record_change(
        actor=actor,
        obj=locked,
        action="重新抽取",
        before=before,
        after={"draw_number": draw_number},
        note=reason,
    )
    spot_check.draw_number = draw_number
    return spot_check


@transaction.atomic
def spot_check_assign_experts(*, spot_check: SpotCheck, actor: Any, experts: list[str]) -> None:
    """The experts drawn by lot (双随机) for the county's spot-check, on each drawn firm."""
    require(actor, "draw", spot_check.campaign)
    names = "、".join(experts)
    spot_check.outcomes.update(experts=names)
    record_change(actor=actor, obj=spot_check, action="随机抽取检查专家", note=names)


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
