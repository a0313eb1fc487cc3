"""Who may do what in programme integrity.

The city freezes populations, enters public values, draws, redraws and publishes; every draw
is public (no login). The city works the signals to a decision; a county reads those about its
own firms and the agencies that reviewed there. A revocation candidate is decided by the level
that issued the grade: the firm's county for 三级 and 达标, the city for 一级 and 二级.
"""

from __future__ import annotations

from typing import Any

from portal.policy import only, role_of, rule
from portal.roles import Role

from .models import Draw, IntegritySettings, RevocationCandidate, Signal

city = only(Role.CITY, Role.ADMIN, reason="此操作仅限市局")
city_or_county = only(
    Role.CITY, Role.ADMIN, Role.COUNTY, reason="此页面仅限市局和县市区监管部门查看"
)

rule(Draw, "manage")(city_or_county)  # the list of draws and one draw's working page
rule(Draw, "freeze", "draw", "redraw", "publish", "supersede")(city)

rule(Signal, "view", "export")(city_or_county)
rule(Signal, "decide", "compute")(city)

rule(IntegritySettings, "view")(city_or_county)
rule(IntegritySettings, "edit")(only(Role.CITY, reason="城市设置由市局维护"))

rule(RevocationCandidate, "view")(city_or_county)


@rule(RevocationCandidate, "decide")
def level_that_issued(user: Any, candidate: RevocationCandidate) -> str | None:
    role = role_of(user)
    if candidate.level == RevocationCandidate.Level.CITY:
        return None if role == Role.CITY else "一级、二级企业由市局决定是否撤销"
    if role == Role.COUNTY and user.county_id == candidate.enterprise.county_id:
        return None
    return "三级及小微企业达标由企业所在县市区决定是否撤销"
