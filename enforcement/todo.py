"""What waits for a county in enforcement (``portal.todo``): its cases not yet closed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from portal.roles import Role
from portal.todo import Todo, todo

from .selectors import open_cases


@todo(Role.COUNTY, order=45)
def cases(user: Any, today: dt.date) -> Todo:
    return Todo(
        "未结案的执法案件", open_cases(user, today=today).count(),
        f"{reverse('enforcement:case_list')}?open=1",
        hint="检查、责令改正、处罚、复查后结案；逾期未改正的排在前面",
    )  # fmt: skip
