"""Which standard applies where, and the city's settings for reviews.

- A county decides which small/micro standard its firms use where a provincial and a national
  one are in force at once (``CountyStandard``); without its decision the provincial one
  applies (``reviews.selectors.assessment.applicable_standard``).
- The city sets how far a review may stand above the firm's own score before the team must
  explain it (``ReviewSettings.score_gap_points``; default ``REVIEW_SCORE_GAP_POINTS``).

Both write the history (actor, time, before and after)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from enterprises.models import County
from portal.audit import record_change, save_with_history, snapshot
from portal.policy import require

from ..choices import StandardKind
from ..models import CountyStandard, ReviewSettings
from ..selectors.assessment import standards_in_force
from ..selectors.review import default_score_gap_limit


@transaction.atomic
def county_standard_choose(*, actor: Any, county: County, code: str) -> CountyStandard:
    """The county names the small/micro standard (by code) its firms are assessed against.
    Only a small/micro standard in force today may be chosen; a self-assessment already
    started keeps the standard it started with."""
    choice = CountyStandard.objects.select_for_update().filter(county=county).first()
    require(actor, "choose", choice or CountyStandard(county=county))
    in_force = standards_in_force(timezone.localdate()).filter(kind=StandardKind.SMALL_MICRO)
    if not in_force.filter(code=code).exists():
        raise ValidationError(f"“{code}”不是施行中的小微企业评定标准")
    if choice is None:
        choice = CountyStandard(county=county, small_micro_code=code)
        choice.full_clean()
        choice.save()
        record_change(
            actor=actor,
            obj=choice,
            action="选定适用的小微企业评定标准",
            before={},
            after=snapshot(choice, ["small_micro_code"]),
        )
        return choice
    if choice.small_micro_code == code:
        return choice
    return save_with_history(
        choice,
        actor=actor,
        action="选定适用的小微企业评定标准",
        changes={"small_micro_code": code},
    )


def review_settings() -> ReviewSettings:
    """The city's row, or an unsaved one holding the installation's defaults."""
    saved = ReviewSettings.objects.order_by("pk").first()
    return saved or ReviewSettings(
        score_gap_points=default_score_gap_limit().quantize(Decimal("0.1"))
    )


@transaction.atomic
def review_settings_update(
    *, actor: Any, score_gap_points: Decimal, expected_version: int
) -> ReviewSettings:
    """The city changes the allowed gap between a review and the self-assessment; reviews
    concluded from then on are held to it."""
    require(actor, "edit", ReviewSettings)
    current = review_settings()
    if current.pk is None:
        current.full_clean()
        current.save()
    return save_with_history(
        current,
        actor=actor,
        action="修改评审设置",
        changes={"score_gap_points": Decimal(score_gap_points).quantize(Decimal("0.1"))},
        expected_version=expected_version,
    )
