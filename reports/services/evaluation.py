"""The weights of the yearly evaluation of the counties (年终考核), set by the city."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from portal.policy import require

from ..models import EvaluationCriterion


def evaluation_weights_set(*, actor: Any, year: int, weights: dict[str, Any]) -> None:
    """The city sets the weight of each criterion for the year (0 removes it)."""
    require(actor, "set_weights", EvaluationCriterion)
    with transaction.atomic():
        EvaluationCriterion.objects.filter(year=year).delete()
        EvaluationCriterion.objects.bulk_create(
            [EvaluationCriterion(year=year, code=c, weight=w) for c, w in weights.items() if w]
        )
