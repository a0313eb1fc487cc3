"""The demo year and the two scheduled jobs run by hand."""

import datetime as dt
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from reports import tasks
from reports.models import CountyTarget, ProgressSnapshot, SubmissionDeadline

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_demo_year_reminds_a_few_days_before_a_deadline_and_only_once(settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    run("seed_demo", "--enterprises", "300", "--year", "2016")
    due = {d.kind.code: d.due_on for d in SubmissionDeadline.objects.filter(year=2016)}
    assert due == {
        "standardization_plan": dt.date(2016, 3, 30),
        "lookback_plan": dt.date(2016, 4, 30),
        "lookback_summary": dt.date(2016, 9, 15),
    }
    assert CountyTarget.objects.filter(year=2016, status="accepted").count() == 16
    first = run("send_reminders", "--date", "2016-03-27")
    assert "共发送提醒 9 条" in first and "上报材料截止提醒：9 条" in first
    assert "共发送提醒 0 条" in run("send_reminders", "--date", "2016-03-27")


def test_build_progress_report_says_which_snapshot_it_wrote(reference, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    out = run("build_progress_report", "--date", "2016-06-20")
    snap = ProgressSnapshot.objects.get(taken_on=dt.date(2016, 6, 20))
    assert f"#{snap.pk}" in out and "16 个县市区" in out and "progress-2016-06-20.xlsx" in out


def test_scheduled_jobs_retry_with_backoff_and_acknowledge_late():
    for task in (tasks.send_daily_reminders, tasks.build_weekly_progress_report):
        assert task.acks_late and task.retry_backoff and task.max_retries
    schedule = settings.CELERY_BEAT_SCHEDULE
    for name in ("reports-daily-reminders", "reports-weekly-progress"):
        assert schedule[name]["options"]["expires"] > 0
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
