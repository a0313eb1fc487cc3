"""Each role's daily pages under load, beside the login page, at the size of a province.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_perf_200k \\
        python benchmarks/pages_at_scale.py [--enterprises 200000] [--seconds 10] [--port 8106]
        [--skip-seed] [--skip-pages] [--skip-jobs]

1. Seeds the demo at that size once (``seed_demo --enterprises N``; reruns reuse it) and runs
   ``VACUUM ANALYZE`` (autovacuum may be off on this machine: FIELD-NOTES).
2. Serves the portal with gunicorn (4 sync workers, ``CONN_MAX_AGE`` as in production) and
   loads each page with wrk (Debian's ``wrk``: ``apt-get install wrk``) for ``--seconds``
   (at most 15) with 8 connections and ``--timeout 30s`` (a shorter timeout drops the slow
   requests from the figures), signed in as the page's role through a session made here (no
   password check, no login throttle). Prints requests per second, p99 and the ratio to the
   login page, a page that does no database work, measured in the same run.
3. Times the nightly ``expire_grades`` with 14,000 firms whose grade ran out the day before
   (their standing is put back afterwards) and the export of every firm as the Celery task
   does it, with the query count of each.

Never run it against production: it changes firms' grades (and restores them) and writes an
export file under ``var/``. The machine has 2 shared cores: run it once, read the figures as
ratios.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "true")  # a development run: DEBUG is off by default

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from enterprises.choices import Grade, Status  # noqa: E402
from enterprises.models import Enterprise  # noqa: E402
from portal.models import User  # noqa: E402

EXPIRING = 14_000


def seed(enterprises: int) -> None:
    if Enterprise.objects.count() < enterprises:
        started = time.perf_counter()
        call_command("seed_demo", enterprises=enterprises, force=True)
        print(f"seed_demo --enterprises {enterprises}: {time.perf_counter() - started:.1f} s")
    vacuum()


def vacuum() -> None:
    if connection.vendor != "postgresql":
        return
    started = time.perf_counter()
    connection.ensure_connection()
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"VACUUM ANALYZE: {time.perf_counter() - started:.1f} s")


def session_for(username: str) -> str:
    user = User.objects.get(username=username)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def pages() -> list[tuple[str, str | None, str]]:
    """(label, demo login or None, path): what each role opens every day."""
    firm = User.objects.get(username="enterprise").enterprise_id
    county = User.objects.get(username="county").county_id
    return [
        ("login page (no database)", None, reverse("login")),
        ("city: dashboard", "city", reverse("reports:dashboard")),
        ("city: enterprise list", "city", reverse("enterprises:list")),
        ("city: enterprise list, page 500", "city", reverse("enterprises:list") + "?page=500"),
        (
            "city: search 2 characters",
            "city",
            reverse("enterprises:list") + "?q=" + quote("龙口"),
        ),
        ("city: search a code prefix", "city", reverse("enterprises:list") + "?q=913706"),
        ("city: sort by status", "city", reverse("enterprises:list") + "?sort=-status"),
        ("city: creation list", "city", reverse("enterprises:creation_list")),
        ("city: submissions", "city", reverse("reports:submissions")),
        ("city: evaluation", "city", reverse("reports:evaluation")),
        ("city: targets", "city", reverse("reports:targets")),
        ("city: certificates", "city", reverse("reviews:certificate_list")),
        ("county: work page", "county", reverse("reports:county_home")),
        ("county: enterprise list", "county", reverse("enterprises:list")),
        ("county: list of its county", "county", reverse("enterprises:list") + f"?county={county}"),
        ("county: assessments", "county", reverse("reviews:assessment_list")),
        ("firm: its own page", "enterprise", reverse("enterprises:detail", args=[firm])),
        ("agency: home", "agency", reverse("reviews:agency_home")),
    ]


def serve(port: int) -> subprocess.Popen:
    env = {**os.environ, "CONN_MAX_AGE": "600", "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1"}
    env.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)
    log = open(Path(settings.VAR_DIR) / "gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi", "-w", "4", "-b", f"127.0.0.1:{port}",
         "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    for _ in range(60):
        time.sleep(1)
        probe = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", f"http://127.0.0.1:{port}/accounts/login/"],
            capture_output=True, text=True,
        )  # fmt: skip
        if probe.stdout == "200":
            return server
    server.kill()
    raise SystemExit("gunicorn did not answer within a minute (see var/gunicorn.log)")


def wrk(url: str, cookie: str | None, seconds: int) -> tuple[float, float, int]:
    """Requests per second, p99 in ms, and non-2xx answers."""
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "30s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: sessionid={cookie}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, timeout=seconds + 60)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out.stdout).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out.stdout)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out.stdout)
    return rps, float(p99.group(1)) * scale, int(bad.group(1)) if bad else 0


def load_pages(port: int, seconds: int) -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    sessions: dict[str, str] = {}
    server = serve(port)
    try:
        base = None
        print(f"{'page':40} {'rps':>8} {'p99 ms':>8} {'ratio':>7}")
        for label, login, path in pages():
            cookie = None
            if login:
                cookie = sessions.setdefault(login, session_for(login))
            rps, p99, bad = wrk(f"http://127.0.0.1:{port}{path}", cookie, seconds)
            base = base or rps
            flag = f"  {bad} errors" if bad else ""
            print(f"{label:40} {rps:8.1f} {p99:8.0f} {rps / base:7.0%}{flag}", flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def timed(label: str, fn) -> object:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        value = fn()
        seconds = time.perf_counter() - started
    print(f"{label:40} {seconds:7.2f} s {len(queries.captured_queries):6d} queries", flush=True)
    return value


def nightly() -> None:
    from reviews.services.certificates import expire_grades

    today = dt.date(2016, 7, 1)
    due = list(
        Enterprise.objects.filter(closed_on__isnull=True)
        .order_by("pk")
        .values_list("pk", "status", "grade", "certificate_no", "grade_valid_from",
                     "grade_valid_until")[:EXPIRING]
    )  # fmt: skip
    pks = [row[0] for row in due]
    Enterprise.objects.filter(pk__in=pks).update(
        status=Status.ANNOUNCED, grade=Grade.PASS,
        certificate_no="烟基准", grade_valid_from=dt.date(2013, 6, 30),
        grade_valid_until=today - dt.timedelta(days=1),
    )  # fmt: skip
    vacuum()
    try:
        expired = timed(f"expire_grades ({len(pks)} firms due)", lambda: expire_grades(today=today))
        print(f"  expired {expired}")
    finally:
        for pk, status, grade, number, since, until in due:
            Enterprise.objects.filter(pk=pk).update(
                status=status, grade=grade, certificate_no=number, grade_valid_from=since,
                grade_valid_until=until,
            )  # fmt: skip
        from django.contrib.contenttypes.models import ContentType

        from portal.models import AuditEntry

        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Enterprise), action="等级到期",
            note__startswith=f"等级有效期至{(today - dt.timedelta(days=1)).isoformat()}",
        ).delete()  # fmt: skip


def export() -> None:
    from enterprises import services

    city = User.objects.get(username="city")
    rows = Enterprise.objects.filter(closed_on__isnull=True).count()
    from portal.jobs import job_start

    job = job_start(kind=services.EXPORT_JOB_KIND, owner=city, total=rows,
                    params={"query": {}, "filename": "基准导出"})  # fmt: skip
    timed(f"export of {rows} firms (the task)", lambda: services.run_export(job_id=job.pk))
    job.refresh_from_db()
    path = Path(settings.MEDIA_ROOT) / job.result["path"]
    print(f"  {job.result['rows']} rows, {path.stat().st_size / 1e6:.1f} MB, "
          f"peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")  # fmt: skip
    path.unlink(missing_ok=True)
    job.delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=200_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8106)
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--skip-jobs", action="store_true")
    args = parser.parse_args()
    print(f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
          f"{Enterprise.objects.count()} firms before seeding")  # fmt: skip
    if not args.skip_seed:
        seed(args.enterprises)
    if not args.skip_pages:
        load_pages(args.port, min(args.seconds, 15))
    if not args.skip_jobs:
        nightly()
        export()


if __name__ == "__main__":
    main()
