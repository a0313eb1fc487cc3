"""What waits for the city and the counties in the integrity checks (``portal.todo``): signals
to verify (the city), revocation candidates to decide (each at the level that decides them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from portal.roles import Role
from portal.todo import Todo, todo

from .models import RevocationCandidate, Signal
from .selectors import candidates_for

OPEN = RevocationCandidate.Status.OPEN


@todo(Role.CITY, order=50)
def signals(user: Any, today: dt.date) -> Todo:
    return Todo(
        "待核实的诚信预警", Signal.objects.for_user(user).filter(status=Signal.Status.OPEN).count(),
        f"{reverse('integrity:signal_list')}?status={Signal.Status.OPEN}",
        hint="核实后说明情况，或确认并采取措施",
    )  # fmt: skip


def _candidates(user: Any, level: str) -> Todo:
    return Todo(
        "待决定的撤销候选", candidates_for(user, status=OPEN, level=level).count(),
        f"{reverse('integrity:candidate_list')}?status={OPEN}&level={level}",
        hint="发生死亡或较大及以上事故的持证企业：撤销等级，或说明理由保留",
    )  # fmt: skip


@todo(Role.CITY, order=55)
def city_candidates(user: Any, today: dt.date) -> Todo:
    return _candidates(user, RevocationCandidate.Level.CITY)


@todo(Role.COUNTY, order=47)
def county_candidates(user: Any, today: dt.date) -> Todo:
    return _candidates(user, RevocationCandidate.Level.COUNTY)
