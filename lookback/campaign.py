"""The look-back campaign (回头看): self-check, summary with agency ratings, spot-checks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from enterprises.choices import PASSED_STATUSES
from enterprises.models import County, Enterprise
from portal.audit import record_change, snapshot
from portal.roles import Role
from portal.scoping import require_role
from reviews.choices import AgencyStanding
from reviews.models import Certificate, ReviewAgency
from reviews.services.agencies import agency_set_standing
from reviews.services.certificates import RevokeSource, certificate_revoke

from .draws import draw_sample, new_seed
from .models import AgencyRating, Campaign, Draw, SelfCheck, SpotCheck, SpotCheckOutcome
from .rules import SPOT_CHECK_MAX, SPOT_CHECK_MIN, phase_deadlines

# What the city does with a county's rating of an agency (the notice: 警告，限期整改; 清除).
STANDING_FOR_RATING = {
    AgencyRating.Rating.GOOD: AgencyStanding.REGISTERED,
    AgencyRating.Rating.WARNING: AgencyStanding.RECTIFYING,
    AgencyRating.Rating.REMOVAL: AgencyStanding.REMOVED,
}


def passed_firms(county: County):
    """The county's firms that hold a standardization result now."""
    return Enterprise.objects.filter(county=county, status__in=PASSED_STATUSES)


@transaction.atomic
def campaign_open(*, year: int, actor: Any) -> Campaign:
    require_role(actor, Role.CITY, Role.ADMIN)
    if Campaign.objects.filter(year=year).exists():
        raise ValidationError(f"{year}年“回头看”活动已存在")
    deadlines = phase_deadlines(year)
    campaign = Campaign.objects.create(
        year=year,
        self_check_deadline=deadlines["self_check"],
        summary_deadline=deadlines["summary"],
        spot_check_deadline=deadlines["spot_check"],
        created_by=actor,
    )
    record_change(actor=actor, obj=campaign, action="启动回头看活动", note=str(campaign))
    return campaign


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
    if actor.role == Role.ENTERPRISE and actor.enterprise_id == enterprise.pk:
        method = SelfCheck.Method.SELF
    elif actor.role == Role.COUNTY and actor.county_id == enterprise.county_id:
        method = SelfCheck.Method.GOVERNMENT
    else:
        raise PermissionDenied("只有企业本身或其所在县市区可以填报自查自纠")
    if enterprise.status not in PASSED_STATUSES:
        raise ValidationError("只有已达标企业参加“回头看”自查自纠")
    check = SelfCheck.objects.filter(
        campaign=campaign, enterprise=enterprise, method=method
    ).first()
    before = snapshot(check, SELF_CHECK_FIELDS) if check else {}
    check = check or SelfCheck(campaign=campaign, enterprise=enterprise, method=method)
    for name in SELF_CHECK_FIELDS:
        setattr(check, name, answers.get(name, getattr(check, name, "")))
    check.recorded_by = actor
    check.full_clean()
    check.save()
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
    """总结阶段: the county rates an agency that reviewed in its area."""
    require_role(actor, Role.COUNTY)
    if rating == AgencyRating.Rating.WARNING and rectify_by is None:
        raise ValidationError("警告须同时给出整改期限")
    record, _ = AgencyRating.objects.update_or_create(
        campaign=campaign,
        county_id=actor.county_id,
        agency=agency,
        defaults={
            "rating": rating,
            "reason": reason,
            "rectify_by": rectify_by,
            "created_by": actor,
            "decided": False,
        },
    )
    record.full_clean()
    record_change(
        actor=actor, obj=agency, action="县级考评", note=f"{record.get_rating_display()}：{reason}"
    )
    return record


@transaction.atomic
def agency_rating_decide(*, rating: AgencyRating, actor: Any, note: str = "") -> AgencyRating:
    """The city adjusts the agency list from a county's rating (动态梳理评审单位名单)."""
    standing = STANDING_FOR_RATING[rating.rating]
    reason = (
        f"{rating.campaign}：{rating.county}考评“{rating.get_rating_display()}”。{note}".strip()
    )
    agency_set_standing(agency=rating.agency, standing=standing, actor=actor, reason=reason)
    rating.decided = True
    rating.save(update_fields=["decided"])
    return rating


@transaction.atomic
def spot_check_draw(
    *, campaign: Campaign, county: County, actor: Any, size: int = SPOT_CHECK_MIN, seed: str = ""
) -> SpotCheck:
    """抽查阶段: draw 3 to 5 of the county's passed firms at random, reproducibly."""
    require_role(actor, Role.CITY, Role.ADMIN)
    if not SPOT_CHECK_MIN <= size <= SPOT_CHECK_MAX:
        raise ValidationError(f"每个县市区抽查 {SPOT_CHECK_MIN}-{SPOT_CHECK_MAX} 家企业")
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
    spot_check = SpotCheck.objects.create(campaign=campaign, county=county, draw=draw)
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
    """The experts' finding. 撤销标准化等级 revokes the firm's grade through reviews."""
    require_role(actor, Role.CITY, Role.ADMIN)
    if result == SpotCheckOutcome.Outcome.RECTIFY and rectify_by is None:
        raise ValidationError("限期整改须给出整改期限")
    if outcome.outcome == SpotCheckOutcome.Outcome.REVOKED:
        raise ValidationError("该企业等级已因抽查撤销，结论不能再改")
    before = snapshot(outcome, ["outcome"])
    outcome.outcome = result
    outcome.note = note
    outcome.experts = experts
    outcome.rectify_by = rectify_by
    outcome.recorded_at = timezone.now()
    outcome.full_clean()
    outcome.save()
    record_change(
        actor=actor,
        obj=outcome.enterprise,
        action="回头看抽查",
        before=before,
        after=snapshot(outcome, ["outcome"]),
        note=note,
    )
    if result == SpotCheckOutcome.Outcome.REVOKED:
        revoke_after_spot_check(enterprise=outcome.enterprise, actor=actor, reason=note)
    return outcome


def revoke_after_spot_check(*, enterprise: Enterprise, actor: Any, reason: str) -> None:
    certificate = Certificate.objects.filter(
        enterprise=enterprise, number=enterprise.certificate_no, revoked_at__isnull=True
    ).first()
    if certificate is None:
        raise ValidationError("该企业没有有效的等级证书，无法撤销")
    certificate_revoke(
        certificate=certificate,
        actor=actor,
        reason=reason or "回头看抽查不合格",
        source=RevokeSource.LOOKBACK,
    )
