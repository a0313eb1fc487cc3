"""The morning reminder job: find what is due today, claim each reminder's key once, notify.

Scan-based (no far-future ETA tasks): every rule reads the rows whose stored deadline makes a
reminder due today, with one query per rule whatever the number of firms. Each reminder has a
key (object, recipient, kind, due date), unique in the database. The job inserts the keys with
ON CONFLICT DO NOTHING, tagged with its own run token, and sends only the rows carrying that
token, all in one transaction: a second run, or a second worker at the same moment, finds the
keys taken and sends nothing twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from enforcement.choices import RUNNING_ORDER_STATUSES
from enforcement.models import Case
from enforcement.rules import DEADLINE_DAYS_BEFORE
from enterprises.choices import PASSED_STATUSES, Status
from enterprises.models import County, CreationListEntry, Enterprise
from lookback.models import AgencyRating, Campaign, SelfCheck, SpotCheckOutcome
from lookback.rules import PHASE_REMINDER_DAYS_BEFORE, PHASES
from outreach.models import DispatchItem
from outreach.rules import DISPATCH_DAYS_BEFORE
from portal.audit import chinese_date
from portal.models import Notification
from portal.notifications import count_unread, queue_notification_mail
from portal.roles import Role
from reviews.choices import OPEN_NONCONFORMITY_STATUSES, ReviewStatus, WarningStatus
from reviews.models import AgencyWarning, Nonconformity
from reviews.rules import WARNING_REMINDER_DAYS_BEFORE, warning_reminder_due

from .. import rules
from ..choices import OWED_STATUSES, ReminderKind
from ..models import Reminder, Submission

logger = logging.getLogger(__name__)
BATCH = 2000
# Overdue reminders are looked for this many weeks back (one indexed query, any size).
OVERDUE_WEEKS = 26


@dataclass(frozen=True)
class Due:
    """One reminder to send, before its key is claimed."""

    content_type_id: int
    object_id: str
    recipient_id: int
    kind: str
    due_on: dt.date
    title: str
    reason: str
    url: str

    @property
    def key(self) -> tuple:
        return (self.content_type_id, self.object_id, self.recipient_id, self.kind, self.due_on)


def _users_by(field: str, role: str) -> dict[int, list[int]]:
    """Active users of a role grouped by what they are bound to (one query)."""
    grouped: dict[int, list[int]] = defaultdict(list)
    rows = get_user_model().objects.filter(role=role, is_active=True, **{f"{field}__isnull": False})
    for pk, bound in rows.values_list("pk", field):
        grouped[bound].append(pk)
    return grouped


def submission_reminders(today: dt.date) -> Iterator[Due]:
    """A submission due in 7, 3 and 1 days, due today, and overdue (then weekly): to the
    county's staff, while the county still owes it (not submitted, or returned)."""
    dates = rules.due_dates_for(today, rules.SUBMISSION_DAYS_BEFORE, overdue_weeks=OVERDUE_WEEKS)
    owed = Submission.objects.filter(
        status__in=OWED_STATUSES, deadline__due_on__in=dates
    ).select_related("deadline__kind")
    staff = _users_by("county", Role.COUNTY)
    ct = ContentType.objects.get_for_model(Submission)
    for sub in owed:
        step = rules.reminder_step(sub.deadline.due_on, today, rules.SUBMISSION_DAYS_BEFORE)
        if step is None:
            continue
        due = sub.deadline.due_on
        title = f"{sub.deadline.kind}：{rules.step_label(step)}（截止{due:%Y-%m-%d}）"
        for user_id in staff.get(sub.county_id, ()):
            yield Due(
                ct.pk, str(sub.pk), user_id, f"{ReminderKind.SUBMISSION}{step:+d}",
                sub.deadline.due_on, title, "您是本县市区监管部门用户，需按期向市局上报该材料",
                sub.get_absolute_url(),
            )  # fmt: skip


def certificate_reminders(today: dt.date) -> Iterator[Due]:
    """A certificate expiring in 90 and 30 days: to the firm and its county."""
    dates = [today + dt.timedelta(days=n) for n in rules.CERTIFICATE_DAYS_BEFORE]
    firms = Enterprise.objects.filter(
        grade_valid_until__in=dates, status__in=PASSED_STATUSES, closed_on__isnull=True
    ).values_list("pk", "name", "county_id", "grade_valid_until")
    firms = list(firms)
    if not firms:
        return
    firm_users = _users_by("enterprise", Role.ENTERPRISE)
    county_users = _users_by("county", Role.COUNTY)
    ct = ContentType.objects.get_for_model(Enterprise)
    for pk, name, county_id, until in firms:
        left = (until - today).days
        title = f"{name}：标准化等级证书将于{until:%Y-%m-%d}到期（还有{left}天）"
        url = reverse("enterprises:detail", args=[pk])
        for who, reason in (
            (firm_users.get(pk, ()), "贵企业的标准化等级即将到期，请在到期前三个月内申请复评"),
            (county_users.get(county_id, ()), "辖区企业的标准化等级即将到期"),
        ):
            for user_id in who:
                kind = f"{ReminderKind.CERTIFICATE}-{left}"
                yield Due(ct.pk, str(pk), user_id, kind, until, title, reason, url)


def list_target_reminders(today: dt.date) -> Iterator[Due]:
    """A creation-list target date passed with firms not yet self-assessed: to the county,
    one reminder per county and target date naming how many firms (not one per firm)."""
    target = today - dt.timedelta(days=rules.LIST_TARGET_DAYS_AFTER)
    late = (
        CreationListEntry.objects.filter(target_date=target, enterprise__status=Status.LISTED)
        .values_list("enterprise__county_id")
        .order_by()
    )
    counts = Counter(county_id for (county_id,) in late)
    if not counts:
        return
    county_users = _users_by("county", Role.COUNTY)
    ct = ContentType.objects.get_for_model(County)
    base = reverse("enterprises:list")
    for county_id, n in counts.items():
        title = f"{n}家创建名单企业计划达标日期（{target:%Y-%m-%d}）已过，仍未开展自评"
        url = f"{base}?county={county_id}&status={Status.LISTED}"
        for user_id in county_users.get(county_id, ()):
            yield Due(
                ct.pk, str(county_id), user_id, ReminderKind.LIST_TARGET, target, title,
                "辖区创建名单中的企业已超过计划达标日期仍未自评", url,
            )  # fmt: skip


def nonconformity_reminders(today: dt.date) -> Iterator[Due]:
    """A nonconformity's rectification deadline (3 days before, on the day, overdue then
    weekly), while it is still open: to the firm and the agency that reviewed it."""
    dates = rules.due_dates_for(today, rules.NONCONFORMITY_DAYS_BEFORE, overdue_weeks=OVERDUE_WEEKS)
    rows = list(
        Nonconformity.objects.filter(deadline__in=dates, status__in=OPEN_NONCONFORMITY_STATUSES)
        .exclude(review__status=ReviewStatus.CANCELLED)  # withdrawn: no longer to rectify
        .values_list(
            "pk", "deadline", "review_id", "review__enterprise_id", "review__enterprise__name",
            "review__agency_id",
        )
        .order_by()
    )  # fmt: skip
    if not rows:
        return
    firm_users = _users_by("enterprise", Role.ENTERPRISE)
    agency_users = _users_by("agency", Role.AGENCY)
    ct = ContentType.objects.get_for_model(Nonconformity)
    for pk, deadline, review_id, firm_id, firm_name, agency_id in rows:
        step = rules.reminder_step(deadline, today, rules.NONCONFORMITY_DAYS_BEFORE)
        if step is None:
            continue
        title = f"{firm_name}：不符合项整改期限{rules.step_label(step)}（{deadline:%Y-%m-%d}）"
        url = reverse("reviews:detail", args=[review_id])
        for who, reason in (
            (firm_users.get(firm_id, ()), "贵企业有尚未整改到位的不符合项"),
            (agency_users.get(agency_id, ()), "贵机构评审的企业有尚未整改到位的不符合项"),
        ):
            for user_id in who:
                kind = f"{ReminderKind.NONCONFORMITY}{step:+d}"
                yield Due(ct.pk, str(pk), user_id, kind, deadline, title, reason, url)


def enforcement_reminders(today: dt.date) -> Iterator[Due]:
    """An enforcement case's deadline to correct (3 days before, on the day, overdue then
    weekly) while the order runs: to the county that enforces it, ahead of its follow-up."""
    dates = rules.due_dates_for(today, DEADLINE_DAYS_BEFORE, overdue_weeks=OVERDUE_WEEKS)
    rows = list(
        Case.objects.filter(status__in=RUNNING_ORDER_STATUSES, rectify_by__in=dates)
        .values_list("pk", "rectify_by", "number", "enterprise__name", "enterprise__county_id")
        .order_by()
    )
    if not rows:
        return
    county_users = _users_by("county", Role.COUNTY)
    ct = ContentType.objects.get_for_model(Case)
    for pk, deadline, number, firm_name, county_id in rows:
        step = rules.reminder_step(deadline, today, DEADLINE_DAYS_BEFORE)
        if step is None:
            continue
        title = f"{firm_name}（{number}）：整改期限{rules.step_label(step)}，请按期复查"
        url = reverse("enforcement:case_detail", args=[pk])
        for user_id in county_users.get(county_id, ()):
            yield Due(
                ct.pk, str(pk), user_id, f"{ReminderKind.ENFORCEMENT}{step:+d}", deadline, title,
                "辖区执法案件的责令改正期限将到或已过，须按期复查", url,
            )  # fmt: skip


def dispatch_reminders(today: dt.date) -> Iterator[Due]:
    """A dispatch meeting's item (3 days before, on the day, overdue then weekly) while open:
    to its owner county."""
    dates = rules.due_dates_for(today, DISPATCH_DAYS_BEFORE, overdue_weeks=OVERDUE_WEEKS)
    rows = list(
        DispatchItem.objects.filter(status=DispatchItem.Status.OPEN, due_on__in=dates)
        .values_list("pk", "due_on", "task", "owner_id", "meeting_id")
        .order_by()
    )
    county_users = _users_by("county", Role.COUNTY) if rows else {}
    ct = ContentType.objects.get_for_model(DispatchItem)
    for pk, due_on, task, owner_id, meeting_id in rows:
        step = rules.reminder_step(due_on, today, DISPATCH_DAYS_BEFORE)
        if step is None:
            continue
        title = f"调度事项“{task}”：{rules.step_label(step)}（{due_on:%Y-%m-%d}）"
        url = reverse("outreach:dispatch_detail", args=[meeting_id])
        for user_id in county_users.get(owner_id, ()):
            yield Due(
                ct.pk, str(pk), user_id, f"{ReminderKind.DISPATCH}{step:+d}", due_on, title,
                "市局调度会议布置给本县市区的事项须按期落实", url,
            )  # fmt: skip


def agency_warning_reminders(today: dt.date) -> Iterator[Due]:
    """A warned agency's deadline to put things right (警告，限期整改): once, in the days
    before it, to the agency's users, while the warning is open. The key carries no step,
    so whichever morning first sees it sends it and no later morning does."""
    last = today + dt.timedelta(days=WARNING_REMINDER_DAYS_BEFORE)
    rows = list(
        AgencyWarning.objects.filter(
            status=WarningStatus.OPEN, deadline__gt=today, deadline__lte=last
        )
        .values_list("pk", "deadline", "agency_id", "requirements")
        .order_by()
    )
    agency_users = _users_by("agency", Role.AGENCY) if rows else {}
    ct = ContentType.objects.get_for_model(AgencyWarning)
    for pk, deadline, agency_id, requirements in rows:
        if not warning_reminder_due(deadline, today):
            continue
        title = f"整改期限{chinese_date(deadline)}将到，请按市局整改要求整改到位"
        url = reverse("reviews:agency_detail", args=[agency_id])
        for user_id in agency_users.get(agency_id, ()):
            yield Due(
                ct.pk, str(pk), user_id, ReminderKind.AGENCY_WARNING, deadline, title,
                f"贵机构被警告、限期整改：{requirements[:80]}", url,
            )  # fmt: skip


def lookback_reminders(today: dt.date) -> Iterator[Due]:
    """A look-back phase ending in 7 days and tomorrow: to those who still owe its input.
    自查自纠: each passed firm not yet checked (its users) and the county staff, with how many
    of the county's firms wait; 总结: county staff whose county rated no agency; 抽查: the
    city, while drawn firms have no finding. One query per phase whatever the size."""
    dates = [today + dt.timedelta(days=n) for n in PHASE_REMINDER_DAYS_BEFORE]
    ct = ContentType.objects.get_for_model(Campaign)
    for campaign in Campaign.objects.filter(
        Q(self_check_deadline__in=dates) | Q(summary_deadline__in=dates)
        | Q(spot_check_deadline__in=dates)
    ):  # fmt: skip
        for phase, owed in (
            ("self_check", _owe_self_check), ("summary", _owe_summary),
            ("spot_check", _owe_spot_check),
        ):  # fmt: skip
            due = campaign.deadline_of(phase)
            if due not in dates:
                continue
            left = (due - today).days
            head = f"{campaign}：{PHASES[phase]}阶段将于{due:%Y-%m-%d}截止（还有{left}天）"
            url = campaign.get_absolute_url()
            for user_id, what, reason in owed(campaign):
                yield Due(
                    ct.pk, str(campaign.pk), user_id, f"lookback_{phase}-{left}",
                    due, f"{head}，{what}", reason, url,
                )  # fmt: skip


def _owe_self_check(campaign: Campaign) -> Iterator[tuple[int, str, str]]:
    waiting = list(
        Enterprise.objects.filter(status__in=PASSED_STATUSES, closed_on__isnull=True)
        .exclude(pk__in=SelfCheck.objects.filter(campaign=campaign).values("enterprise"))
        .values_list("pk", "county_id")
        .order_by()
    )
    firm_users = _users_by("enterprise", Role.ENTERPRISE) if waiting else {}
    for pk, _ in waiting:
        for user_id in firm_users.get(pk, ()):
            yield user_id, "贵企业尚未填报自查自纠", "贵企业已达标，须在截止前完成“回头看”自查自纠"
    per_county = Counter(county_id for _, county_id in waiting)
    county_users = _users_by("county", Role.COUNTY) if waiting else {}
    for county_id, n in per_county.items():
        for user_id in county_users.get(county_id, ()):
            yield (
                user_id,
                f"辖区{n}家已达标企业尚无自查或排查记录",
                "辖区已达标企业须在截止前完成自查自纠或政府组织排查",
            )


def _owe_summary(campaign: Campaign) -> Iterator[tuple[int, str, str]]:
    rated = set(AgencyRating.objects.filter(campaign=campaign).values_list("county_id", flat=True))
    for county_id, users in _users_by("county", Role.COUNTY).items():
        if county_id not in rated:
            for user_id in users:
                yield (
                    user_id,
                    "本县市区尚未提交评审机构考评",
                    "县市区须在总结阶段截止前考评在本地评审的机构",
                )


def _owe_spot_check(campaign: Campaign) -> Iterator[tuple[int, str, str]]:
    pending = SpotCheckOutcome.objects.filter(
        spot_check__campaign=campaign, outcome=SpotCheckOutcome.Outcome.PENDING
    ).count()
    if not pending:
        return
    city = get_user_model().objects.filter(role=Role.CITY, is_active=True)
    for user_id in city.values_list("pk", flat=True):
        yield (
            user_id,
            f"还有{pending}家抽查企业未录入检查结论",
            "市局须在抽查阶段截止前完成抽查并录入结论",
        )


RULES = (
    submission_reminders,
    nonconformity_reminders,
    certificate_reminders,
    list_target_reminders,
    enforcement_reminders,
    dispatch_reminders,
    agency_warning_reminders,
    lookback_reminders,
)


def reminder_event_kind(kind: str) -> str:
    """The notification kind of a reminder (``reports.events`` declares one per ReminderKind),
    by which its e-mail may be turned off: "submission+7" -> "reports.reminder_submission"."""
    return f"reports.reminder_{kind.rstrip('+-0123456789')}"


def send_reminders(*, today: dt.date) -> Counter:
    """Send every reminder due on ``today`` that was not sent before; returns counts by kind."""
    token = str(uuid.uuid4())
    due = {d.key: d for rule in RULES for d in rule(today)}
    with transaction.atomic():
        keys = [
            Reminder(
                content_type_id=d.content_type_id, object_id=d.object_id, kind=d.kind,
                recipient_id=d.recipient_id, due_on=d.due_on, sent_on=today, run_token=token,
            )
            for d in due.values()
        ]  # fmt: skip
        Reminder.objects.bulk_create(keys, batch_size=BATCH, ignore_conflicts=True)
        claimed = Reminder.objects.filter(run_token=token).values_list(
            "content_type_id", "object_id", "recipient_id", "kind", "due_on"
        )
        mine = [due[key] for key in claimed.iterator(chunk_size=BATCH)]
        notes = Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=d.recipient_id, title=d.title, reason=d.reason, url=d.url,
                    content_type_id=d.content_type_id, object_id=d.object_id,
                    kind=reminder_event_kind(d.kind),
                )
                for d in mine
            ],
            batch_size=BATCH,
        )  # fmt: skip
        count_unread([d.recipient_id for d in mine])
        ids = [note.pk for note in notes]
        transaction.on_commit(lambda: queue_notification_mail(ids))
    sent = Counter(d.kind.rstrip("+-0123456789") for d in mine)
    logger.info("提醒：%s 发送 %s 条 %s", today, len(mine), dict(sent))
    return sent
