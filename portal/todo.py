"""What each role has to do now: the to-do home (待办事项).

Each app says what waits for each role in its own ``todo.py`` (autodiscovered like
``policies.py``)::

    @todo(Role.COUNTY, order=10)
    def applications(user, today):
        qs = application_queue_qs(user)            # the same selector the list page uses
        return Todo("待受理的评审申请", qs.count(), reverse("reviews:applications"),
                    hint="受理并委派评审机构，或说明理由退回")

A source returns a ``Todo``, a list of them, or ``None`` (nothing to show). The count is the
number of rows the linked list shows (a test holds every role's counts against its lists);
``text`` puts the next step in words where a number says too little ("1项不符合项待整改，期限
2016年12月20日"). Each source costs a fixed number of queries, whatever the data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone


@dataclass(frozen=True)
class Todo:
    label: str
    count: int
    url: str
    hint: str = ""
    text: str = ""  # the next step in words, shown instead of the bare count
    waiting: bool = False  # someone else's turn: shown, but not as something to do

    @property
    def urgent(self) -> bool:
        return bool(self.count) and not self.waiting


Source = Callable[[Any, dt.date], "Todo | list[Todo] | None"]
_SOURCES: list[tuple[int, tuple[str, ...], Source]] = []


def todo(*roles: str, order: int = 100) -> Callable[[Source], Source]:
    def register(source: Source) -> Source:
        _SOURCES.append((order, roles, source))
        _SOURCES.sort(key=lambda entry: entry[0])
        return source

    return register


def todos_for(user: Any, *, today: dt.date | None = None) -> list[Todo]:
    """Everything waiting for ``user``, in the sources' order."""
    if not getattr(user, "is_authenticated", False):
        return []
    today = today or timezone.localdate()
    items: list[Todo] = []
    for _, roles, source in _SOURCES:
        if user.role not in roles:
            continue
        found = source(user, today)
        if found is None:
            continue
        items.extend(found if isinstance(found, list) else [found])
    return items
