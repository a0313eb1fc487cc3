"""Demo logins, one per role. Other apps' demo data lives in their own demo.py."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db.models import Count
from django.utils import timezone

from enterprises.choices import Status
from enterprises.demo import demo_enterprise
from enterprises.models import County, CreationListEntry, Enterprise
from portal.roles import Role
from reviews.models import ReviewAgency

from .choices import SubmissionStatus, TargetStatus
from .models import CityGoal, CountyTarget, ProgressSnapshot, Submission, TargetMilestone
from .rules import goal_minimum
from .selectors import county_base
from .services import progress
from .services import submissions as services

DEMO_PASSWORD = "Yantai-2016-demo"

# username, full name, role, and what the login is bound to
DEMO_USERS = [
    ("admin", "系统管理员", Role.ADMIN),
    ("city", "王宏杰（市局工商贸科）", Role.CITY),
    ("county", "芝罘区安监局 刘敏", Role.COUNTY),
    ("enterprise", "企业安全负责人 张强", Role.ENTERPRISE),
    ("agency", "评审机构 陈静", Role.AGENCY),
]


def seed_users() -> list[str]:
    """Create the demo logins that do not exist yet; returns the usernames created."""
    User = get_user_model()
    county = County.objects.get(code="370602")
    bindings = {
        Role.COUNTY: {"county": county},
        Role.ENTERPRISE: {"enterprise": demo_enterprise()},
        Role.AGENCY: {"agency": ReviewAgency.objects.order_by("pk").first()},
    }
    created = []
    for username, full_name, role in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            continue
        if None in bindings.get(role, {}).values():
            continue  # an empty registry has no firm for the enterprise login (yet)
        user = User(
            username=username,
            full_name=full_name,
            role=role,
            is_superuser=role == Role.ADMIN,
            **bindings.get(role, {}),
        )
        user.set_password(DEMO_PASSWORD)
        user.full_clean()
        user.save()
        created.append(username)
    return created


# --- Targets, deadlines, submissions and snapshots of the demo year ----------------------

# Counties that handed in the standardization plan before 30 March (by code); 芝罘区 (the demo
# county login) has not, so `send_reminders --date 2016-03-27` reminds it (`seed_demo --year
# 2016`); in the current year it owes the plan, and is reminded weekly while overdue.
PLAN_ON_TIME = ["370611", "370612", "370613", "370681", "370683", "370685"]
PLAN_LATE = ["370682"]


def seed_county_staff() -> int:
    """One staff login per county besides the demo 芝罘区 one (county_<code>), so reminders
    have someone to go to everywhere. One hashed password for all: hashing costs 0.5 s."""
    User = get_user_model()
    password = None
    users = []
    for county in County.objects.current().exclude(code="370602"):
        username = f"county_{county.code.lower()}"
        if User.objects.filter(username=username).exists():
            continue
        password = password or make_password(DEMO_PASSWORD)
        users.append(
            User(
                username=username, full_name=f"{county.name}安监局 联络员", role=Role.COUNTY,
                county=county, password=password, email=f"{username}@example.invalid",
            )
        )  # fmt: skip
    User.objects.bulk_create(users)
    return len(users)


def seed_goals_and_targets(year: int) -> int:
    """The notice's goals (50% by the end of 2016, all by the end of 2017) and an accepted
    target per county: its list, half passed by year end, with a quarterly timetable."""
    CityGoal.objects.get_or_create(
        year=year, defaults={"due_on": dt.date(year, 12, 31), "pass_percent": 50,
                             "firms_total": 20000, "note": "烟安监〔2016〕6号"},
    )  # fmt: skip
    CityGoal.objects.get_or_create(
        year=year + 1,
        defaults={"due_on": dt.date(year + 1, 12, 31), "pass_percent": 100, "firms_total": 20000},
    )
    listed = dict(
        CreationListEntry.objects.filter(year=year)
        .values_list("enterprise__county")
        .annotate(n=Count("pk"))
        .order_by()
    )
    made = 0
    for county in County.objects.current():
        n = listed.get(county.pk, 0)
        target, created = CountyTarget.objects.get_or_create(
            county=county, year=year,
            defaults={"listed_count": n, "status": TargetStatus.ACCEPTED},
        )  # fmt: skip
        if created:
            # Half the list by year end, and never below the minimum of the city's goal.
            minimum = goal_minimum(county_base(county), 50)
            half = min(n, max(n // 2, minimum))
            TargetMilestone.objects.bulk_create(
                [
                    TargetMilestone(target=target, due_on=dt.date(year, m, d), passed_count=c)
                    for (m, d), c in zip(
                        [(6, 30), (9, 30), (12, 31)], [half // 4, half // 2, half], strict=True
                    )
                ]
            )
            made += 1
    return made


def seed_submissions(year: int) -> int:
    """Deadlines of the year and a few documents already handed in (plain PDF stubs)."""
    deadlines = services.setup_deadlines(year=year)
    plan = deadlines[0]
    handed = 0
    for codes, when in (
        (PLAN_ON_TIME, dt.datetime(year, 3, 20, 10)),
        (PLAN_LATE, dt.datetime(year, 3, 31, 9)),
    ):
        at = timezone.make_aware(when)
        if at > timezone.now():
            continue  # the demo never hands in a document in the future
        for sub in Submission.objects.filter(
            deadline=plan, county__code__in=codes, status=SubmissionStatus.NOT_SUBMITTED
        ):
            sub.document.save(f"{sub.county.code}-plan.pdf", ContentFile(DEMO_PDF), save=False)
            sub.original_name = f"{sub.county.name}标准化建设方案.pdf"
            sub.submitted_at = at
            sub.is_late = services.is_late(plan, at)
            sub.status = SubmissionStatus.LATE if sub.is_late else SubmissionStatus.SUBMITTED
            sub.save()
            handed += 1
    return handed


def seed_progress(year: int) -> int:
    """Move a share of the firms still only on the list along (self-assessing, applied, under
    review), so the dashboard and the bulletins have figures, taking a snapshot before and
    after so the bulletin has movers.

    Demo shortcut: statuses are set in bulk without history, and only on firms with no
    review (the reviews demo moves its firms through the real services). No firm passes
    here: every demo pass has its review and certificate (``reviews.demo.seed_announcements``).
    Runs once per year (does nothing when the year already has a snapshot)."""
    if ProgressSnapshot.objects.filter(year=year).exists():
        return 0
    ids = list(
        CreationListEntry.objects.filter(year=year, enterprise__status=Status.LISTED)
        .exclude(enterprise__reviews__isnull=False)
        .order_by("enterprise_id")
        .values_list("enterprise_id", flat=True)
    )
    rng = random.Random(year * 7)
    first, second = {}, {}
    for pk in ids:
        roll = rng.random()
        status = (
            Status.UNDER_REVIEW if roll < 0.08
            else Status.APPLIED if roll < 0.16 else Status.SELF_ASSESSING if roll < 0.33 else None
        )  # fmt: skip
        if status:
            (first if rng.random() < 0.6 else second)[pk] = status
    today = timezone.localdate()
    _apply(first)
    progress.build_progress_report(today=min(dt.date(year, 6, 6), today - dt.timedelta(days=7)))
    _apply(second)
    progress.build_progress_report(today=min(dt.date(year, 6, 13), today))
    return len(first) + len(second)


def _apply(statuses: dict) -> None:
    by_status: dict = {}
    for pk, status in statuses.items():
        by_status.setdefault(status, []).append(pk)
    for status, pks in by_status.items():
        for start in range(0, len(pks), 5000):
            chunk = pks[start : start + 5000]
            Enterprise.objects.filter(pk__in=chunk).update(status=status)


def seed_reports(year: int) -> dict[str, int]:
    """Everything the reports app shows for the demo year; idempotent. The county staff
    logins come first, from ``seed_county_staff`` (the counties' confirmations need them)."""
    return {
        "targets": seed_goals_and_targets(year),
        "submissions": seed_submissions(year),
        "progress": seed_progress(year),
    }


# The smallest PDF a viewer opens: enough for a demo document.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
