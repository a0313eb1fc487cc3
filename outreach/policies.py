"""Who may do what with outreach records: counties record their own events; the city reads
every county's (and records none of its own here). The city holds dispatch meetings; each
item is closed by its owner county. Rules ``(user, obj) -> reason | None``."""

from __future__ import annotations

from typing import Any

from portal.policy import only, role_of, rule
from portal.roles import Role

from .models import DispatchItem, DispatchMeeting, GoodPractice, HandScore, OutreachEvent

rule(OutreachEvent, "list")(
    only(Role.CITY, Role.ADMIN, Role.COUNTY, reason="推进活动仅限市局和县市区监管部门查看")
)
rule(OutreachEvent, "record")(only(Role.COUNTY, reason="推进活动由县市区监管部门录入"))

rule(DispatchMeeting, "list")(
    only(Role.CITY, Role.ADMIN, Role.COUNTY, reason="调度会议仅限市局和县市区监管部门查看")
)
rule(DispatchMeeting, "hold")(only(Role.CITY, reason="调度会议由市局录入"))


@rule(DispatchItem, "complete")
def owner_county(user: Any, item: DispatchItem) -> str | None:
    if role_of(user) == Role.COUNTY and user.county_id == item.owner_id:
        return None
    return "只有责任县市区可以填报落实情况"


# --- 经验做法 and the hand-scored criteria ------------------------------------------------------

rule(GoodPractice, "list")(
    only(Role.CITY, Role.ADMIN, Role.COUNTY, reason="经验做法仅限市局和县市区监管部门查看")
)
rule(GoodPractice, "submit")(only(Role.COUNTY, reason="经验做法由县市区监管部门报送"))
rule(GoodPractice, "feature", "return")(only(Role.CITY, reason="经验做法由市局选入通报或退回"))

rule(HandScore, "list")(only(Role.CITY, Role.ADMIN, reason="人工评分仅限市局查看"))
rule(HandScore, "score")(only(Role.CITY, reason="人工评分由市局录入"))
