"""The morning beat job through the real Redis broker to a real worker process: the reminder
is in the database and in the mail the worker wrote (file e-mail backend, since the worker is
another process). Runs on the suite's PostgreSQL pass; reuses the foundation's worker helpers."""

import time

import pytest
from celery import Celery
from django.conf import settings

from portal.models import Notification
from reports.models import Reminder
from reports.services import submissions
from tests.portal import test_celery_broker as broker


@broker.needs_real_broker
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_morning_job_runs_on_a_real_worker_and_mails_the_reminder(
    tmp_path, monkeypatch, reference, make_user, zhifu
):
    import redis

    submissions.setup_deadlines(year=2016)
    staff = make_user(role="county", county=zhifu, email="zhifu@example.invalid")
    mail_dir = tmp_path / "mail"
    monkeypatch.setenv("EMAIL_FILE_PATH", str(mail_dir))
    monkeypatch.delenv("EMAIL_URL", raising=False)
    redis.Redis.from_url(broker.REDIS_URL).flushdb()
    worker = broker.start_worker(tmp_path)
    try:
        entry = settings.CELERY_BEAT_SCHEDULE["reports-daily-reminders"]
        Celery("sender", broker=broker.REDIS_URL).send_task(entry["task"], args=["2016-03-27"])
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not list(mail_dir.glob("*.log")):
            time.sleep(0.5)
        log = (tmp_path / "worker.log").read_text()
        assert Reminder.objects.filter(recipient=staff, kind="submission+3").exists(), log
        assert Notification.objects.filter(recipient=staff).count() == 1
        mails = "".join(p.read_text() for p in mail_dir.glob("*.log"))
        assert "To: zhifu@example.invalid" in mails, log
        assert "还有3天到期" in mails
    finally:
        broker.stop_worker(worker)
