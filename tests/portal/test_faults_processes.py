"""Faults with the real processes (issue 15), each stopping and starting what it started itself:

- Redis stopped: pages still serve, and an import queued meanwhile runs once Redis is back.
- A worker killed in the middle of an import: nothing written and the job says so; a worker
  process lost and replaced by its parent: the import is done again, whole, and the job says so.
- PostgreSQL restarted under a running gunicorn: no error page once it is back.
- Two beat processes started by mistake: each reminder is sent once.

Redis, the worker and beats are the test's own processes on ports of their own, on the test
database (so these run in the suite's PostgreSQL pass, where another process can see it); the
restarted PostgreSQL is a cluster the test creates with ``initdb`` on a port of its own, never
the machine's. Nothing here stops a service that the machine or another test run shares."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from enterprises import importing, services
from enterprises.models import Enterprise
from portal import xlsx
from portal.celery import app as celery_app
from portal.jobs import WAITING_MESSAGE
from portal.models import Job, Notification, ScheduledRun
from tests import services as proc
from tests.enforcement.conftest import bases, case, inspected, ordered, refusal  # noqa: F401
from tests.enterprises.conftest import row

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the worker is another process and needs a database it can see: PostgreSQL",
    ),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def folder(tmp_path, settings):
    """The media and var folders the worker shares with this process."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return tmp_path


@pytest.fixture
def redis(folder):
    server = proc.Redis(folder).start()
    before = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = server.url, False
    _drop_broker_pools()
    yield server
    celery_app.conf.broker_url, celery_app.conf.task_always_eager = before
    _drop_broker_pools()
    server.stop()


def _drop_broker_pools() -> None:
    """Connections are pooled per app: drop the pools, so the broker set here is used."""
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def started():
    """Processes started by the test, stopped however it ends."""
    processes: list[subprocess.Popen] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        proc.stop(process)


def sheet_of(rows: int) -> bytes:
    return xlsx.xlsx_bytes(list(importing.HEADERS), [row(n) for n in range(1, rows + 1)])


def stage(job: Job) -> str:
    job.refresh_from_db()
    return (job.result or {}).get("stage", "")


# --- Redis stopped, then back -------------------------------------------------------------------


def test_with_redis_stopped_pages_serve_and_an_import_queued_meanwhile_runs_when_it_returns(
    redis, folder, started, county_user, reference, monkeypatch
):
    worker, log = proc.worker(redis.url, folder, "--pool=solo")
    started.append(worker)
    monkeypatch.setattr(importing, "ASYNC_THRESHOLD", 1)  # three rows are previewed by the task
    client = Client(raise_request_exception=False)
    client.force_login(county_user)

    redis.stop()
    for page in ("/", "/enterprises/", "/enterprises/import/", "/lookback/"):
        assert client.get(page, follow=True).status_code == 200, page
    upload = SimpleUploadedFile("名录.xlsx", sheet_of(3))
    started_at = time.monotonic()
    response = client.post(reverse("enterprises:import"), {"file": upload})
    assert response.status_code == 302 and time.monotonic() - started_at < 15
    job = Job.objects.get(kind=services.IMPORT_JOB_KIND)
    assert job.params["dispatch"] == "waiting" and stage(job) == "previewing"
    page = client.get(response.url).content.decode()
    assert WAITING_MESSAGE in page and "Traceback" not in page

    redis.start()  # the same port, empty: the queued call was never in it
    Job.objects.filter(pk=job.pk).update(updated_at=job.updated_at - dt.timedelta(minutes=1))

    def previewed() -> bool:
        client.get(response.url, headers={"HX-Request": "true"})  # the page polls
        return stage(job) == "preview"

    proc.wait_for(previewed, 120, "the preview runs after Redis returns", log)
    assert job.result["new"] == 3 and job.params["dispatch"] == "sent"
    client.post(reverse("enterprises:import_confirm", args=[job.pk]))  # to the worker, too
    proc.wait_for(lambda: stage(job) == "done", 90, "the import runs", log)
    assert job.status == Job.Status.DONE and Enterprise.objects.count() == 3


def test_the_beat_sends_a_waiting_job_without_anyone_watching(
    redis, folder, started, county_user, reference, monkeypatch
):
    from portal.tasks import dispatch_waiting_jobs

    monkeypatch.setattr(importing, "ASYNC_THRESHOLD", 1)
    redis.stop()
    job = services.import_upload(
        actor=county_user, upload=SimpleUploadedFile("名录.xlsx", sheet_of(2))
    )
    job.refresh_from_db()
    assert job.params["dispatch"] == "waiting" and job.message == WAITING_MESSAGE
    redis.start()
    worker, log = proc.worker(redis.url, folder, "--pool=solo")  # starting, it sends them too
    started.append(worker)
    dispatch_waiting_jobs.apply_async()  # what the beat sends every minute
    proc.wait_for(lambda: stage(job) == "preview", 90, "the waiting preview runs", log)
    assert job.result["new"] == 2 and job.message != WAITING_MESSAGE


# --- A worker killed in the middle of an import ---------------------------------------------------

ROWS = 12_000  # several seconds of writing: the kill lands in the middle


def _confirmed_large_import(client: Client, county_user, log: Path) -> Job:
    job = services.import_upload(
        actor=county_user, upload=SimpleUploadedFile("大名录.xlsx", sheet_of(ROWS))
    )
    proc.wait_for(lambda: stage(job) == "preview", 120, "the preview of the large file", log)
    assert job.result["new"] == ROWS
    response = client.post(reverse("enterprises:import_confirm", args=[job.pk]))
    assert response.status_code == 302
    deadline = time.monotonic() + 60
    while not _writing_firms() and time.monotonic() < deadline:
        time.sleep(0.005)
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING, "the import ended before the kill: use more rows"
    assert _writing_firms(), "the worker never started writing firms"
    return job


def _writing_firms() -> bool:
    """Another connection holds the firms' table for writing: rows written, not committed."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
            " WHERE c.relname = %s AND l.mode = 'RowExclusiveLock' AND l.granted"
            " AND l.pid <> pg_backend_pid()",
            [Enterprise._meta.db_table],
        )
        return cursor.fetchone() is not None


def test_a_worker_killed_mid_import_leaves_nothing_and_the_job_says_so(
    redis, folder, started, county_user, reference
):
    worker, log = proc.worker(redis.url, folder, "--pool=solo")
    started.append(worker)
    client = Client(raise_request_exception=False)
    client.force_login(county_user)
    job = _confirmed_large_import(client, county_user, log)

    os.killpg(worker.pid, signal.SIGKILL)  # the whole worker, at once: no cleanup of its own
    worker.wait(timeout=10)

    def told() -> str | None:
        page = client.get(reverse("enterprises:import_job", args=[job.pk])).content.decode()
        return page if "导入中断" in page else None

    page = proc.wait_for(told, 60, "the job page says the import was interrupted")
    assert "未写入任何记录" in page and "Traceback" not in page
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED and job.result["stage"] == "interrupted"
    assert Enterprise.objects.count() == 0  # nothing at all
    assert not (Path(folder) / "media" / job.params["path"]).exists()
    services.run_import(job_id=job.pk)  # the message delivered again later: nothing happens
    assert Enterprise.objects.count() == 0


def test_a_worker_process_lost_mid_import_is_replaced_and_the_import_done_whole(
    redis, folder, started, county_user, reference
):
    worker, log = proc.worker(redis.url, folder, "--pool=prefork", "--concurrency=1")
    started.append(worker)
    client = Client(raise_request_exception=False)
    client.force_login(county_user)
    job = _confirmed_large_import(client, county_user, log)

    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    assert len(children) == 1, children
    os.kill(int(children[0]), signal.SIGKILL)  # the pool process, as the OOM killer would
    # The message goes back to the queue (acks late, rejected when the worker is lost) and the
    # new pool process imports the file again, whole, in one transaction.
    proc.wait_for(lambda: stage(job) == "done", 180, "the import is done again", log)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result["new"] == ROWS
    assert Enterprise.objects.count() == ROWS
    said = log.read_text()
    assert "WorkerLostError" in said and said.count("run_import_job[") >= 2  # delivered again


# --- PostgreSQL restarted under the running web --------------------------------------------------


def _get(url: str, cookie: str) -> tuple[int, str]:
    headers = {  # as the reverse proxy in front of gunicorn sends them
        "Cookie": f"sessionid={cookie}", "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "127.0.0.1",
    }  # fmt: skip
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
    except OSError as error:
        return 0, str(error)


@pytest.mark.skipif(
    proc.why_no_private_postgres() is not None, reason=str(proc.why_no_private_postgres())
)
def test_postgresql_restarted_under_the_running_web_gives_no_error_page_once_it_is_back(
    city_user, reference, folder, started, settings
):
    from django.contrib.sessions.backends.db import SessionStore

    from tests.portal.test_faults import LEAKS

    store = SessionStore()
    store.update(_session_of(city_user))
    store.create()
    cluster = proc.Postgres().init()
    try:
        url = cluster.copy_of(proc.database_url(), "portal")
        port = proc.free_port()
        web = os.environ | {
            "DATABASE_URL": url, "DEBUG": "false", "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1", "CONN_MAX_AGE": "600", "TRUSTED_PROXY_COUNT": "1",
            "PORTAL_VAR_DIR": str(folder), "CELERY_BROKER_URL": "memory://",
            "STATIC_ROOT": str(folder / "static"),
        }  # fmt: skip
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=proc.ROOT, env=web, check=True, timeout=300,
        )  # fmt: skip
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "-w", "2", "-b",
             f"127.0.0.1:{port}", "--access-logfile", "-"],
            cwd=proc.ROOT, stdout=(folder / "gunicorn.log").open("w"), stderr=subprocess.STDOUT,
            env=web,
            start_new_session=True,
        )  # fmt: skip
        started.append(gunicorn)
        base = f"http://127.0.0.1:{port}"
        pages = [
            reverse(name)
            for name in (
                "reports:dashboard", "enterprises:list", "reviews:certificate_list",
                "lookback:campaign_list",
            )
        ]  # fmt: skip
        proc.wait_for(
            lambda: _get(base + pages[0], store.session_key)[0] == 200, 60,
            "gunicorn serves", folder / "gunicorn.log",
        )  # fmt: skip
        for _ in range(4):  # every gunicorn worker holds a connection now (CONN_MAX_AGE)
            for page in pages:
                assert _get(base + page, store.session_key)[0] == 200, page

        answers: list[tuple[float, int, str]] = []
        done = threading.Event()

        def browse() -> None:
            while not done.is_set():
                for page in pages:
                    status, body = _get(base + page, store.session_key)
                    answers.append((time.monotonic(), status, body))

        browser = threading.Thread(target=browse)
        browser.start()
        try:
            time.sleep(1)
            cluster.restart()
            back = time.monotonic()
            time.sleep(3)
        finally:
            done.set()
            browser.join(timeout=60)
        while_down = [(status, body) for at, status, body in answers if at < back]
        after = [(status, body) for at, status, body in answers if at >= back + 0.5]
        assert after and all(status == 200 for status, _ in after), [s for s, _ in after]
        for status, body in while_down:
            assert status in (200, 503), status
            if status == 503:
                assert "数据库暂时无法连接" in body and not any(w in body for w in LEAKS)
        for _ in range(4):
            for page in pages:
                assert _get(base + page, store.session_key)[0] == 200, page
    finally:
        cluster.destroy()


def _session_of(user) -> dict:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    return {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
        HASH_SESSION_KEY: user.get_session_auth_hash(),
    }


# --- Two beats started by mistake ---------------------------------------------------------------

DEADLINE = "2016-05-12"  # the ``ordered`` case's rectify_by: one reminder is due that day


def test_two_beat_processes_send_each_reminder_once(
    redis,
    folder,
    started,
    ordered,  # noqa: F811 - the enforcement fixture, imported above
    county_user,
):
    before = Notification.objects.filter(recipient=county_user).count()
    worker, log = proc.worker(redis.url, folder, "--pool=solo")
    started.append(worker)
    beats = []
    for n in (1, 2):
        beat, beat_log = proc.celery(
            ["-A", "tests.two_beats", "beat", "-s", str(folder / f"beat-{n}")],
            broker=redis.url, folder=folder, log_name=f"beat-{n}.log",
            env={"TWO_BEATS_DAY": DEADLINE},
        )  # fmt: skip
        started.append(beat)
        beats.append(beat_log)
    for beat_log in beats:  # each beat sends the morning job several times
        proc.wait_for(
            lambda beat_log=beat_log: beat_log.read_text().count("Sending due task") >= 3,
            60, "the beat sends the reminders job", beat_log,
        )  # fmt: skip
    proc.wait_for(
        lambda: log.read_text().count("send_daily_reminders") >= 6, 60, "the worker runs them", log
    )
    assert Notification.objects.filter(recipient=county_user).count() == before + 1
    assert ScheduledRun.objects.filter(task="send_daily_reminders", slot=DEADLINE).count() == 1
    assert "已由另一进程发送" in log.read_text()
