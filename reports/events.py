"""Who is told what of the counties' targets and documents (``portal.events``): the city when a
county hands something in, the county when the city accepts or returns it."""

from __future__ import annotations

from portal.events import Event, city_users, county_staff, declare, on_transition
from portal.roles import Role

from .choices import ReminderKind
from .workflows import SUBMISSION, TARGET

CITY, COUNTY, FIRM, AGENCY = Role.CITY, Role.COUNTY, Role.ENTERPRISE, Role.AGENCY


def _county(obj, ctx):
    return county_staff(obj.county_id)


on_transition(
    TARGET,
    "submit",
    Event(
        kind="reports.target_submitted",
        label="县市区提交年度目标",
        audience=(CITY,),
        recipients=lambda target, ctx: city_users(),
        title=lambda target, ctx: f"{target.county}提交了{target.year}年目标，请审定",
        reason="县市区的年度目标由市局审定",
    ),
)
on_transition(
    TARGET,
    "accept",
    Event(
        kind="reports.target_accepted",
        label="年度目标已审定",
        audience=(COUNTY,),
        recipients=_county,
        title="市局已审定贵单位的年度目标",
        reason="年度目标审核结果",
        mail=False,
    ),
)
on_transition(
    TARGET,
    "return",
    Event(
        kind="reports.target_returned",
        label="年度目标被退回",
        audience=(COUNTY,),
        recipients=_county,
        title="市局退回了贵单位的年度目标，请修改后重新提交",
        body=lambda target, ctx: target.return_reason,
        reason="年度目标审核结果",
    ),
)

_HANDED_IN = Event(
    kind="reports.submission_handed_in",
    label="县市区上报材料",
    audience=(CITY,),
    recipients=lambda sub, ctx: city_users(),
    title=lambda sub, ctx: f"{sub.county}上报了{sub.deadline}，请接收或退回",
    reason="县市区上报的材料由市局接收",
)
on_transition(SUBMISSION, "upload", _HANDED_IN)


def _decided(name: str, label: str, mail: bool) -> Event:
    return Event(
        kind=f"reports.submission_{name}",
        label=f"上报材料被市局{label}",
        audience=(COUNTY,),
        recipients=_county,
        title=lambda sub, ctx: f"{sub.deadline}：市局{label}",
        body=lambda sub, ctx: sub.city_comment,
        reason="您所在县市区上报的材料有了审核结果",
        mail=mail,
    )


on_transition(SUBMISSION, "upload_late", _HANDED_IN)
on_transition(SUBMISSION, "accept", _decided("accepted", "接收", mail=False))
on_transition(SUBMISSION, "return", _decided("returned", "退回", mail=True))


# --- The morning reminders: sent in bulk by ``reports.services.reminders`` (one query per rule),
# declared here so that each user may turn their e-mail off like any other kind.

REMINDER_AUDIENCE = {
    ReminderKind.SUBMISSION: (COUNTY,),
    ReminderKind.NONCONFORMITY: (FIRM, AGENCY),
    ReminderKind.CERTIFICATE: (FIRM, COUNTY),
    ReminderKind.LIST_TARGET: (COUNTY,),
    ReminderKind.ENFORCEMENT: (COUNTY,),
    ReminderKind.DISPATCH: (COUNTY,),
    ReminderKind.AGENCY_WARNING: (AGENCY,),
    ReminderKind.LOOKBACK_SELF_CHECK: (FIRM, COUNTY),
    ReminderKind.LOOKBACK_SUMMARY: (COUNTY,),
    ReminderKind.LOOKBACK_SPOT_CHECK: (CITY,),
}
for _kind, _audience in REMINDER_AUDIENCE.items():
    declare(
        Event(
            kind=f"reports.reminder_{_kind}",
            label=str(_kind.label),
            audience=_audience,
            recipients=lambda obj, ctx: [],
            title=str(_kind.label),
            reason="期限提醒",
        )
    )
