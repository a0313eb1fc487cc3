"""Reads of the look-back campaign, scoped to the user."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count

from enterprises.choices import PASSED_STATUSES
from enterprises.models import County, Enterprise

from .models import AgencyRating, Campaign, SelfCheck, SpotCheck


def campaign_progress(*, campaign: Campaign, user: Any) -> list[dict[str, Any]]:
    """Per county in the user's scope: passed firms, self-checks, inspections, ratings, and
    whether the spot-check was drawn. A fixed number of queries whatever the number of firms."""
    counties = list(County.objects.for_user(user))
    passed = dict(
        Enterprise.objects.filter(status__in=PASSED_STATUSES)
        .values_list("county")
        .annotate(n=Count("pk"))
    )
    checks = Counter()
    for county_id, method, n in (
        SelfCheck.objects.filter(campaign=campaign)
        .values_list("enterprise__county", "method")
        .annotate(n=Count("pk"))
    ):
        checks[county_id, method] = n
    ratings = dict(
        AgencyRating.objects.filter(campaign=campaign).values_list("county").annotate(n=Count("pk"))
    )
    drawn = set(SpotCheck.objects.filter(campaign=campaign).values_list("county", flat=True))
    return [
        {
            "county": county,
            "passed": passed.get(county.pk, 0),
            "self_checked": checks[county.pk, SelfCheck.Method.SELF],
            "inspected": checks[county.pk, SelfCheck.Method.GOVERNMENT],
            "ratings": ratings.get(county.pk, 0),
            "spot_checked": county.pk in drawn,
        }
        for county in counties
    ]
