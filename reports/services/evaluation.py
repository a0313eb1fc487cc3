"""The weights of the yearly evaluation of the counties (年终考核), set by the city."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from portal.policy import require

from ..evaluation import WEIGHTS_TOTAL
from ..models import EvaluationCriterion


def evaluation_weights_set(*, actor: Any, year: int, weights: dict[str, Any]) -> None:
    """The city sets the weight of each criterion for the year (0 removes it); together they
    must make ``WEIGHTS_TOTAL`` (100), else nothing is saved and the sum is said."""
    require(actor, "set_weights", EvaluationCriterion)
    total = sum((Decimal(w or 0) for w in weights.values()), Decimal(0))
    if total != WEIGHTS_TOTAL:
        raise ValidationError(
            f"各项权重合计须为{WEIGHTS_TOTAL:f}，现在合计为{total.normalize():f}，未保存"
        )
    with transaction.atomic():
        EvaluationCriterion.objects.filter(year=year).delete()
        EvaluationCriterion.objects.bulk_create(
            [EvaluationCriterion(year=year, code=c, weight=w) for c, w in weights.items() if w]
        )
