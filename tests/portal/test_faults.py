"""Faults, for real (issue 15): the database connection dropped under a page, Redis stopped
under the web, two beat processes firing the same job. Redis is a ``redis-server`` started by
the test on its own port; the database is PostgreSQL (the suite's second pass), whose own
backend the test terminates with ``pg_terminate_backend``."""

import shutil
import socket
import subprocess
import time

import pytest
from django.db import connection

from portal.celery import app as celery_app
from portal.jobs import claim_scheduled_run
from portal.models import ScheduledRun

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL (the suite's second pass)"
)
needs_redis_server = pytest.mark.skipif(
    shutil.which("redis-server") is None, reason="needs the redis-server program"
)
LEAKS = ("OperationalError", "InterfaceError", "psycopg", "Traceback", "server closed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- The database connection drops under a page ----------------------------------------------


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_dropped_database_connection_gives_the_chinese_page_then_the_portal_serves_again(
    client, city_user, settings
):
    import psycopg2

    settings.DEBUG = False
    client.raise_request_exception = False
    client.force_login(city_user)
    assert client.get("/reports/").status_code == 200
    pid = connection.connection.get_backend_pid()
    params = connection.get_connection_params()
    killer = psycopg2.connect(**{k: v for k, v in params.items() if k != "cursor_factory"})
    killer.autocommit = True
    killer.cursor().execute("SELECT pg_terminate_backend(%s)", [pid])
    killer.close()
    response = client.get("/reports/")
    body = response.content.decode()
    assert response.status_code == 503 and "数据库暂时无法连接" in body
    assert not any(word in body for word in LEAKS)
    connection.close_if_unusable_or_obsolete()  # what the end of a request does
    assert client.get("/reports/").status_code == 200


# --- Redis stopped under the web --------------------------------------------------------------


@pytest.fixture
def redis_server(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield server, f"redis://127.0.0.1:{port}/0"
    if server.poll() is None:
        server.terminate()
        server.wait(timeout=10)


@needs_redis_server
@pytest.mark.django_db
def test_with_redis_stopped_pages_serve_and_queued_mail_is_sent_directly(
    redis_server, client, county_user, city_user, settings
):
    from django.core import mail

    from portal.models import Notification
    from portal.notifications import queue_notification_mail

    server, url = redis_server
    before = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = url, False
    reset_broker_pool()
    try:
        server.terminate()
        server.wait(timeout=10)
        client.force_login(county_user)
        for page in ("/", "/enterprises/", "/lookback/", "/enterprises/creation-list/"):
            assert client.get(page, follow=True).status_code == 200, page
        city_user.email = "city@example.invalid"
        city_user.save()
        note = Notification.objects.create(recipient=city_user, title="测试提醒", reason="测试")
        started = time.monotonic()
        queue_notification_mail([note.pk])  # the broker is down: sent here and now instead
        assert time.monotonic() - started < 15
        assert len(mail.outbox) == 1
    finally:
        celery_app.conf.broker_url, celery_app.conf.task_always_eager = before
        reset_broker_pool()


def reset_broker_pool() -> None:
    """Connections are pooled per app: drop the pool (Celery makes a new one when asked), so
    the broker set for the test is used, and the suite's afterwards."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


# --- Two beats fire the same job ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_scheduled_run_is_claimed_once_per_slot():
    assert claim_scheduled_run("build_weekly_progress_report", "2026-11-30")
    assert not claim_scheduled_run("build_weekly_progress_report", "2026-11-30")
    assert claim_scheduled_run("build_weekly_progress_report", "2026-12-07")
    assert ScheduledRun.objects.count() == 2


@pytest.mark.django_db
def test_two_beats_firing_the_weekly_report_build_it_once(reference, settings, tmp_path):
    from reports.models import ProgressSnapshot
    from reports.tasks import build_weekly_progress_report

    settings.MEDIA_ROOT = tmp_path
    first = build_weekly_progress_report.apply(args=["2026-11-30"]).get()
    second = build_weekly_progress_report.apply(args=["2026-11-30"]).get()
    assert first and second is None
    assert ProgressSnapshot.objects.filter(taken_on="2026-11-30").count() == 1


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_beats_at_the_same_moment_claim_the_run_once():
    from tests.machines import race

    def claim():
        from django.db import transaction

        with transaction.atomic():
            if not claim_scheduled_run("send_daily_reminders", "2026-12-01"):
                raise RuntimeError("claimed elsewhere")
            time.sleep(0.5)  # the first holds its claim while the second arrives

    assert sorted(race(claim)) == ["RuntimeError", "ok"]
    assert ScheduledRun.objects.filter(task="send_daily_reminders").count() == 1


@pytest.mark.django_db
def test_a_session_saved_while_the_database_is_out_of_reach_is_a_503_not_a_400(
    client, city_user, settings, monkeypatch
):
    """A request saves its session once a minute of use; Django calls any failed update a
    deleted session (400). The portal's store lets the lost connection through, and the page
    is the Chinese 503."""
    from django.contrib.sessions.models import Session
    from django.db import OperationalError

    from portal.login import IdleSessionMiddleware

    settings.DEBUG = False
    client.raise_request_exception = False
    client.force_login(city_user)
    session = client.session
    session[IdleSessionMiddleware.KEY] = 0  # due to be saved by the next request
    session.save()

    def unreachable(*args, **kwargs):
        raise OperationalError("connection to server failed: the database system is starting up")

    monkeypatch.setattr(Session, "save", unreachable)
    response = client.get("/reports/")
    body = response.content.decode()
    assert response.status_code == 503 and "数据库暂时无法连接" in body
    assert not any(word in body for word in LEAKS)
