"""The morning reminders: every rule at its edges, each reminder sent once."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection

from enterprises.choices import Grade, Status
from enterprises.models import CreationListEntry
from portal.models import Notification
from reports.models import Reminder
from reports.services.reminders import send_reminders
from reports.tasks import send_daily_reminders
from reviews.choices import NonconformityStatus
from reviews.models import Nonconformity
from tests.factories import ReviewFactory

from .conftest import PLAN_DUE

pytestmark = pytest.mark.django_db
D = dt.date


def sent_on(day: dt.date, kind: str | None = None) -> int:
    sent = send_reminders(today=day)
    return sent[kind] if kind else sum(sent.values())


# --- Submissions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (PLAN_DUE - dt.timedelta(days=8), 0),  # the day before the 7-day reminder
        (PLAN_DUE - dt.timedelta(days=7), 1),
        (PLAN_DUE - dt.timedelta(days=6), 0),
        (PLAN_DUE - dt.timedelta(days=3), 1),
        (PLAN_DUE - dt.timedelta(days=1), 1),
        (PLAN_DUE, 1),
        (PLAN_DUE + dt.timedelta(days=1), 1),  # overdue
        (PLAN_DUE + dt.timedelta(days=2), 0),
        (PLAN_DUE + dt.timedelta(days=8), 1),  # a week later
    ],
)
def test_county_staff_are_reminded_of_a_submission_on_its_days(
    zhifu_plan, county_staff, day, expected
):
    assert sent_on(day, "submission") == expected


def test_the_reminder_says_why_and_links_to_the_submission(
    zhifu_plan, county_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(today=D(2016, 3, 27))
    note = Notification.objects.get(recipient=county_staff)
    assert "还有3天到期" in note.title and "标准化建设方案" in note.title
    assert "按期向市局上报" in note.reason
    assert note.url == zhifu_plan.get_absolute_url()
    assert mail.outbox[0].to == ["zhifu@example.invalid"]


def test_a_submitted_document_is_not_reminded(zhifu_plan, county_staff):
    zhifu_plan.status = "submitted"
    zhifu_plan.save()
    assert sent_on(D(2016, 3, 27)) == 0


def test_a_returned_document_is_reminded_again(zhifu_plan, county_staff):
    zhifu_plan.status = "returned"
    zhifu_plan.save()
    assert sent_on(PLAN_DUE + dt.timedelta(days=1), "submission") == 1


def test_other_counties_staff_are_not_reminded_of_zhifus_document(zhifu_plan, fushan_user):
    zhifu_plan.deadline.submissions.exclude(pk=zhifu_plan.pk).update(status="submitted")
    assert sent_on(D(2016, 3, 27)) == 0


def test_the_morning_job_acts_on_the_day_in_asia_shanghai_across_midnight(
    zhifu_plan, county_staff, monkeypatch
):
    from django.utils import timezone

    # 22 March 23:59 in Shanghai is 15:59 UTC: still 8 days before 30 March, nothing due.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2016, 3, 22, 15, 59, tzinfo=dt.UTC))
    assert send_daily_reminders.delay().get() == {}
    # One minute past midnight in Shanghai (still 22 March in UTC): the 7-day reminder.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2016, 3, 22, 16, 1, tzinfo=dt.UTC))
    assert send_daily_reminders.delay().get() == {"submission": 1}


# --- Exactly once ------------------------------------------------------------------------


def test_a_second_run_on_the_same_day_sends_nothing(
    zhifu_plan, county_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert sent_on(D(2016, 3, 27)) == 1
        assert sent_on(D(2016, 3, 27)) == 0
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1
    assert Reminder.objects.count() == 1
    county_staff.refresh_from_db()
    assert county_staff.unread_notifications == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency on PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once(reference, make_user):
    from reports.services import submissions

    submissions.setup_deadlines(year=2016)
    for county in reference["counties"]:
        make_user(role="county", county=county, email=f"{county.code}@example.invalid")
    barrier = threading.Barrier(2)
    results = []

    def worker():
        try:
            barrier.wait()
            results.append(sum(send_reminders(today=D(2016, 3, 27)).values()))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 16]
    assert Notification.objects.count() == 16
    assert len(mail.outbox) == 16


# --- Nonconformities ----------------------------------------------------------------------


@pytest.fixture
def open_nonconformity(firm, agency):
    review = ReviewFactory(enterprise=firm, agency=agency)
    return Nonconformity.objects.create(
        review=review, description="安全培训档案不全", deadline=D(2016, 5, 10)
    )


@pytest.mark.parametrize(
    ("day", "expected"),
    [(D(2016, 5, 6), 0), (D(2016, 5, 7), 2), (D(2016, 5, 8), 0), (D(2016, 5, 9), 0),
     (D(2016, 5, 10), 2), (D(2016, 5, 11), 2), (D(2016, 5, 12), 0)],
)  # fmt: skip
def test_firm_and_agency_are_reminded_of_a_rectification_deadline(
    open_nonconformity, enterprise_user, agency_user, day, expected
):
    assert sent_on(day, "nonconformity") == expected


def test_a_rectified_nonconformity_is_not_reminded(open_nonconformity, enterprise_user):
    open_nonconformity.status = NonconformityStatus.ACCEPTED
    open_nonconformity.save()
    assert sent_on(D(2016, 5, 10)) == 0


# --- Certificates --------------------------------------------------------------------------


@pytest.fixture
def certified(firm):
    firm.status, firm.grade = Status.ANNOUNCED, Grade.PASS
    firm.grade_valid_until = D(2019, 6, 30)
    firm.save()
    return firm


@pytest.mark.parametrize(
    ("days_left", "expected"), [(91, 0), (90, 2), (89, 0), (31, 0), (30, 2), (29, 0)]
)
def test_firm_and_county_are_reminded_90_and_30_days_before_the_certificate_expires(
    certified, enterprise_user, county_staff, days_left, expected
):
    day = certified.grade_valid_until - dt.timedelta(days=days_left)
    assert sent_on(day, "certificate") == expected


# --- Creation-list targets ------------------------------------------------------------------


@pytest.fixture
def listed_firm(firm):
    firm.status = Status.LISTED
    firm.save()
    CreationListEntry.objects.create(enterprise=firm, year=2016, target_date=D(2016, 6, 30))
    return firm


@pytest.mark.parametrize(
    ("day", "expected"), [(D(2016, 6, 29), 0), (D(2016, 6, 30), 0), (D(2016, 7, 1), 1),
                          (D(2016, 7, 2), 0)],
)  # fmt: skip
def test_county_is_reminded_the_day_after_a_list_target_date_passes_without_self_assessment(
    listed_firm, county_staff, day, expected
):
    assert sent_on(day, "list_target") == expected


def test_a_self_assessing_firm_is_not_reminded_after_its_target_date(listed_firm, county_staff):
    listed_firm.status = Status.SELF_ASSESSING
    listed_firm.save()
    assert sent_on(D(2016, 7, 1)) == 0


# --- Cost ---------------------------------------------------------------------------------


def test_the_morning_job_asks_the_same_queries_for_few_reminders_and_many(
    make_enterprise, make_user, county_staff, zhifu
):
    """One query per rule and a fixed few to claim and notify, whatever the number of firms
    in the registry or of reminders (below a batch of 2,000): what keeps the job under a
    minute at 200,000 firms (benchmarks/reminders_and_reports.py)."""
    from django.test.utils import CaptureQueriesContext

    today = D(2016, 6, 1)

    def firms_expiring(n: int, day: dt.date) -> None:
        for i in range(n):
            firm = make_enterprise(
                county=zhifu, status=Status.ANNOUNCED, grade=Grade.PASS,
                certificate_no=f"烟{day:%m%d}{i:04d}", grade_valid_from=D(2013, 9, 1),
                grade_valid_until=day + dt.timedelta(days=90),
            )  # fmt: skip
            make_user(role="enterprise", enterprise=firm)
        for _ in range(n):  # and as many firms with nothing due
            make_enterprise(county=zhifu)

    def queries_on(day: dt.date) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            sent = send_reminders(today=day)
        return len(captured.captured_queries), sent["certificate"]

    warm_up = today - dt.timedelta(days=1)  # the process's caches (content types) filled
    firms_expiring(2, warm_up)
    queries_on(warm_up)
    firms_expiring(2, today)
    few, few_sent = queries_on(today)
    later = today + dt.timedelta(days=1)
    firms_expiring(30, later)
    many, many_sent = queries_on(later)
    assert (few_sent, many_sent) == (2 * 2, 30 * 2)  # to the firm and to its county
    assert many == few
