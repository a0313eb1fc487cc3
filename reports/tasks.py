"""Thin Celery tasks for the scheduled jobs; the work is in reports.services.reminders and
reports.services.progress.

Retried with exponential backoff on database or connection trouble; acknowledged late (set
globally), so a worker lost mid-run leaves the message for another one, and the unique
reminder keys make the rerun harmless."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import DatabaseError, transaction
from django.utils import timezone

from portal.celery import app
from portal.jobs import claim_scheduled_run

from .services.progress import build_progress_report
from .services.reminders import send_reminders

logger = logging.getLogger(__name__)
RETRY = {
    "autoretry_for": (DatabaseError, ConnectionError, OSError),
    "retry_backoff": 30,
    "retry_backoff_max": 15 * 60,
    "retry_jitter": True,
    "max_retries": 6,
    "acks_late": True,
}


def _day(day: str | None) -> dt.date:
    """The day to act as, in Asia/Shanghai (the portal's time zone), unless given."""
    return dt.date.fromisoformat(day) if day else timezone.localdate()


@app.task(name="reports.tasks.send_daily_reminders", **RETRY)
def send_daily_reminders(day: str | None = None) -> dict[str, int]:
    today = _day(day)
    with transaction.atomic():  # once a day, even with two beats (portal.jobs)
        if not claim_scheduled_run("send_daily_reminders", today.isoformat()):
            logger.info("提醒：%s 已由另一进程发送", today)
            return {}
        return dict(send_reminders(today=today))


@app.task(name="reports.tasks.build_weekly_progress_report", **RETRY)
def build_weekly_progress_report(day: str | None = None) -> int | None:
    today = _day(day)
    with transaction.atomic():
        if not claim_scheduled_run("build_weekly_progress_report", today.isoformat()):
            logger.info("进度统计：%s 已由另一进程生成", today)
            return None
        return build_progress_report(today=today).pk


@app.task(name="reports.tasks.build_progress_report_on", **RETRY)
def build_progress_report_on(day: str) -> int:
    """The city's own request (定期通报 page): take, or retake, the snapshot of ``day``; a past
    day counts each firm as it stood that day. Not the weekly job's claim: asked again, it
    retakes the day's snapshot."""
    return build_progress_report(today=dt.date.fromisoformat(day)).pk


def enqueue(task, *args) -> None:
    """Queue a task after the commit. A broker that cannot be reached is logged, not raised:
    the page still succeeds, and the scan-based scheduled job does the work later."""

    def send() -> None:
        try:
            task.apply_async(args=args, retry=False)
        except Exception:  # noqa: BLE001 - any broker failure
            logger.warning("任务 %s 无法进入队列，将由定时任务补做", task.name, exc_info=True)

    transaction.on_commit(send)
