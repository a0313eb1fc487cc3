"""Accidents make revocation candidates: an accident with a death, or a 较大 accident or worse,
at a firm whose grade (or 达标) was valid on the day puts the firm on the candidate list of the
level that issued the grade. The candidate is decided: revoked through the reviews revocation
(source 发生生产安全事故) or kept, with a recorded reason. (The grade the firm can be given
next is lowered by the accident rule of ``reviews.scoring``.)"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from enterprises.models import Accident
from portal.audit import record_many
from portal.events import emit
from reviews.models import Certificate
from reviews.services.certificates import RevokeSource, certificate_revoke

from ..events import CANDIDATES_LISTED
from ..models import RevocationCandidate
from ..rules import SERIOUS_INJURIES, accident_class, deciding_level
from ..workflows import CANDIDATE


def _qualifying_accidents():
    return Accident.objects.filter(
        Q(deaths__gte=1) | Q(injuries__gte=SERIOUS_INJURIES),
        revocationcandidate__isnull=True,
    ).order_by()


@transaction.atomic
def candidates_sweep() -> int:
    """Put every qualifying accident not yet on the list on it (a fixed number of queries);
    a second run adds nothing. Returns how many were added."""
    accidents = list(
        _qualifying_accidents().values(
            "pk", "enterprise", "enterprise__certificate_no", "enterprise__county",
            "occurred_on", "deaths", "injuries",
        )
    )  # fmt: skip
    numbers = {a["enterprise__certificate_no"] for a in accidents} - {""}
    certificates = {
        c.number: c for c in Certificate.objects.filter(number__in=numbers, revoked_at__isnull=True)
    }
    made = []
    for a in accidents:
        certificate = certificates.get(a["enterprise__certificate_no"])
        if certificate is None or not (
            certificate.issued_on <= a["occurred_on"] <= certificate.valid_until
        ):
            continue
        made.append(
            RevocationCandidate(
                accident_id=a["pk"],
                enterprise_id=a["enterprise"],
                certificate=certificate,
                level=deciding_level(certificate.grade),
                why=(
                    f"{accident_class(deaths=a['deaths'], injuries=a['injuries'])}："
                    f"{_day(a['occurred_on'])}，死亡 {a['deaths']} 人，受伤 {a['injuries']} 人"
                ),
            )
        )
    if not made:
        return 0
    RevocationCandidate.objects.bulk_create(made, batch_size=1000)
    saved = RevocationCandidate.objects.filter(accident__in=[c.accident_id for c in made])
    record_many(
        actor=None,
        model=RevocationCandidate,
        action="事故列入撤销候选",
        items=[(c.pk, str(c.why), {}) for c in saved],
    )
    _tell_the_deciders(made, {a["pk"]: a["enterprise__county"] for a in accidents})
    return len(made)


def _day(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _tell_the_deciders(made: list[RevocationCandidate], county_of: dict[int, int]) -> None:
    """The city of the candidates it decides, each county of its own (one notice each)."""
    counties: dict[int, int] = defaultdict(int)
    to_city = 0
    for candidate in made:
        if candidate.level == RevocationCandidate.Level.CITY:
            to_city += 1
        else:
            counties[county_of[candidate.accident_id]] += 1
    if to_city:
        emit(CANDIDATES_LISTED, None, count=to_city)
    for county, n in counties.items():
        emit(CANDIDATES_LISTED, None, count=n, county_id=county)


@transaction.atomic
def candidate_decide(
    *, candidate: RevocationCandidate, actor: Any, decision: str, reason: str
) -> RevocationCandidate:
    reason = (reason or "").strip()
    changes = {"reason": reason, "decided_by": actor, "decided_at": timezone.now()}
    name = "revoke" if decision == "revoke" else "keep"
    CANDIDATE.apply(candidate, name, actor=actor, note=reason, changes=changes, text=reason)
    if name == "revoke":
        certificate_revoke(
            certificate=candidate.certificate,
            actor=actor,
            reason=f"{candidate.why}。{reason}",
            source=RevokeSource.ACCIDENT,
        )
    return candidate
