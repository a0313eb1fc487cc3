"""A real task through the real Redis broker to a real worker process.

The worker is another process, so it needs a database it can see: this runs on PostgreSQL
(the suite's second pass), where the test database is a real one."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection

from portal.models import Job

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def _redis_up() -> bool:
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        return False


needs_real_broker = pytest.mark.skipif(
    connection.vendor != "postgresql" or not (_redis_up() or os.environ.get("REQUIRE_REDIS")),
    reason="needs PostgreSQL and Redis (the suite's second pass)",
)


def start_worker(tmp_path, *extra: str) -> subprocess.Popen:
    settings = connection.settings_dict
    db_url = (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    env = os.environ | {
        "DATABASE_URL": db_url,
        "CELERY_BROKER_URL": REDIS_URL,
        "PORTAL_VAR_DIR": str(tmp_path),
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "INFO",
            *extra,
        ],
        cwd=ROOT,
        env=env,
        stdout=open(tmp_path / "worker.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    try:
        worker.wait(timeout=20)
    except subprocess.TimeoutExpired:
        worker.kill()


@needs_real_broker
@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_task_goes_through_redis_to_a_real_worker(tmp_path):
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    worker = start_worker(tmp_path)
    try:
        sender = Celery("sender", broker=REDIS_URL)
        sender.send_task("portal.tasks.heartbeat")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not Job.objects.filter(kind="heartbeat").exists():
            time.sleep(0.5)
        log = (tmp_path / "worker.log").read_text()
        assert Job.objects.filter(kind="heartbeat").exists(), log
        assert "portal.tasks.heartbeat" in log
    finally:
        stop_worker(worker)
