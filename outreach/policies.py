"""Who may do what with outreach records: counties record their own events; the city reads
every county's (and records none of its own here). Rules ``(user, obj) -> reason | None``."""

from __future__ import annotations

from portal.policy import only, rule
from portal.roles import Role

from .models import OutreachEvent

rule(OutreachEvent, "list")(
    only(Role.CITY, Role.ADMIN, Role.COUNTY, reason="推进活动仅限市局和县市区监管部门查看")
)
rule(OutreachEvent, "record")(only(Role.COUNTY, reason="推进活动由县市区监管部门录入"))
