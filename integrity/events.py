"""Who is told what of the integrity checks (``portal.events``): the city of new signals (the
nightly job finds them), the deciding level of new revocation candidates (the city for the
grades it decides, else the firm's county). Both are told once per run, with the count."""

from __future__ import annotations

from django.urls import reverse

from portal.events import Event, city_users, county_staff, declare
from portal.roles import Role

SIGNALS_RAISED = declare(
    Event(
        kind="integrity.signals_raised",
        label="新增诚信预警",
        audience=(Role.CITY,),
        recipients=lambda _, ctx: city_users(),
        title=lambda _, ctx: f"新增 {ctx['count']} 条诚信预警",
        reason="诚信预警每晚计算；新出现的预警需要市局核实",
        url=lambda _, ctx: reverse("integrity:signal_list"),
    )
)

CANDIDATES_LISTED = declare(
    Event(
        kind="integrity.candidates_listed",
        label="企业列入撤销候选",
        audience=(Role.CITY, Role.COUNTY),
        recipients=lambda _, ctx: (
            county_staff(ctx["county_id"]) if ctx.get("county_id") else city_users()
        ),
        title=lambda _, ctx: f"{ctx['count']} 家企业列入撤销候选",
        reason="持有等级的企业发生死亡或较大及以上事故，须决定是否撤销其等级",
        url=lambda _, ctx: reverse("integrity:candidate_list"),
    )
)
