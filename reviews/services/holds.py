"""Holding a county's results of a year back from announcement (the city's audit decides)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from enterprises.choices import PASSED_STATUSES
from enterprises.models import County
from portal.audit import record_change
from portal.events import emit
from portal.policy import require

from ..choices import ReviewStatus
from ..events import HOLD_PLACED, HOLD_RELEASED, RE_REVIEWS_OPENED
from ..models import Certificate, ResultHold, Review


def results_held(*, county: County, year: int) -> ResultHold | None:
    """The active hold on the county's results of the year, if any."""
    return ResultHold.objects.filter(county=county, year=year, released_at__isnull=True).first()


@transaction.atomic
def result_hold_place(*, county: County, year: int, reason: str, actor: Any) -> ResultHold:
    require(actor, "place", ResultHold)
    hold = results_held(county=county, year=year)
    if hold is None:
        hold = ResultHold.objects.create(county=county, year=year, reason=reason)
        record_change(actor=actor, obj=hold, action="暂缓公告", note=reason)
        emit(HOLD_PLACED, hold, actor=actor)
    return hold


@transaction.atomic
def result_hold_release(*, county: County, year: int, actor: Any, note: str) -> ResultHold | None:
    require(actor, "release", ResultHold)
    hold = results_held(county=county, year=year)
    problem = re_reviews_done_problem(hold)
    if problem:
        raise ValidationError(problem)
    if hold is not None:
        hold.released_at = timezone.now()
        hold.save(update_fields=["released_at"])
        record_change(actor=actor, obj=hold, action="解除暂缓公告", note=note)
        emit(HOLD_RELEASED, hold, actor=actor, note=note)
    return hold


@transaction.atomic
def result_hold_release_one(*, hold: ResultHold, actor: Any, note: str) -> bool:
    """Release this one hold (the one an audit placed) if it is still active. A replay, or a
    hold released already, changes nothing: the release claims the row with a conditional
    UPDATE. Another hold of the same county and year is never touched."""
    now = timezone.now()
    if not ResultHold.objects.filter(pk=hold.pk, released_at__isnull=True).update(released_at=now):
        return False
    hold.released_at = now
    record_change(actor=actor, obj=hold, action="解除暂缓公告", note=note)
    emit(HOLD_RELEASED, hold, actor=actor, note=note)
    return True


# --- Re-review (重新评审) of a held county-year ------------------------------------------------

# A re-review is done once it is decided (confirmed, recommended upward) or withdrawn.
RE_REVIEW_DONE = (ReviewStatus.CONFIRMED, ReviewStatus.RECOMMENDED, ReviewStatus.CANCELLED)


def re_reviews_open(*, hold: ResultHold, actor: Any) -> list[Review]:
    """重新进行评审: every current result of the held county-year goes back for review by an
    agency other than the one that gave it (``reviews.selectors.review.previous_agency_ids``);
    its certificate is suspended meanwhile. A result already under re-review for this hold is
    left as it is, so a second call opens nothing twice. The county's staff are told."""
    from .certificates import RevokeSource, certificate_send_back

    under_way = Review.objects.filter(hold=hold).values("redo_of")
    current = (
        Certificate.objects.filter(
            enterprise__county=hold.county,
            issued_on__year=hold.year,
            revoked_at__isnull=True,
            enterprise__certificate_no=F("number"),
            enterprise__status__in=PASSED_STATUSES,
        )
        .exclude(review__in=under_way)
        .order_by("pk")
    )
    reason = f"{hold.year}年抽查审核：{hold.reason}"
    opened = [
        certificate_send_back(
            certificate=c, actor=actor, reason=reason, source=RevokeSource.AUDIT, hold=hold
        )
        for c in current
    ]
    if opened:
        emit(RE_REVIEWS_OPENED, hold, actor=actor, count=len(opened))
    return opened


def re_reviews_pending(hold: ResultHold) -> int:
    """How many re-reviews of ``hold`` are not yet decided (the re-audit waits for them)."""
    return Review.objects.filter(hold=hold).exclude(status__in=RE_REVIEW_DONE).count()


def re_reviews_done_problem(hold: ResultHold | None) -> str | None:
    """The hold lifts only after its re-reviews are done and a re-audit passes."""
    if hold is None:
        return None
    pending = re_reviews_pending(hold)
    if pending:
        return f"{hold.county.name}{hold.year}年度还有{pending}家企业的复审未完成，不能开始再次审核"
    return None
