"""Each role's daily pages under load, beside the login page, at the size of a province.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_perf_200k \\
        python benchmarks/pages_at_scale.py [--enterprises 200000] [--seconds 10] [--runs 3]
        [--port 8106] [--save FILE] [--compare FILE] [--only PATTERN] [--skip-seed]
        [--skip-pages] [--skip-jobs]

1. Seeds the demo at that size once (``seed_demo --enterprises N``; reruns reuse it) and runs
   ``VACUUM ANALYZE`` (autovacuum may be off on this machine: FIELD-NOTES).
2. Serves the portal with gunicorn (4 sync workers, ``CONN_MAX_AGE`` as in production) and
   loads each page with wrk (Debian's ``wrk``: ``apt-get install wrk``) for ``--seconds``
   (at most 15) with 8 connections and ``--timeout 30s`` (a shorter timeout drops the slow
   requests from the figures), signed in as the page's role through a session made here (no
   password check, no login throttle), ``--runs`` times (each figure is the median of the
   runs). Prints requests per second, the median and p99 time, the ratio to the login page, a
   page that does no database work, measured in the same run, and what misses the issue's
   goals (ratio >= 25 %, p99 < 500 ms). ``--save`` keeps the figures as JSON; ``--compare``
   reads a run saved at another size (2,000 firms) and prints each page's median time as a
   multiple of it (goal: within 1.5x).
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
import json
import os
import re
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "true")  # a development run: DEBUG is off by default
# One key for this process and the gunicorn it starts: the sessions made here are signed with it
# (a key of its own in gunicorn would send every signed-in page to the login page).
os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 50)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
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
        ("city: a county's dashboard", "city", reverse("reports:county_dashboard", args=[county])),
        ("city: to-do", "city", reverse("portal:todo")),
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
        (
            "city: creation list, page 500",
            "city",
            reverse("enterprises:creation_list") + "?page=500",
        ),
        ("city: a firm's page", "city", reverse("enterprises:detail", args=[firm])),
        ("city: applications", "city", reverse("reviews:applications")),
        ("city: announcements", "city", reverse("reviews:announcement_list")),
        ("city: enforcement cases", "city", reverse("enforcement:case_list")),
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
        ("public: passed firms", None, reverse("reviews:public_list")),
    ]


def serve(port: int) -> subprocess.Popen:
    # Production settings, less the redirect to HTTPS (wrk speaks plain HTTP to gunicorn here,
    # as nginx does in front of it).
    env = {**os.environ, "CONN_MAX_AGE": "600", "DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1",
           "SECURE_SSL_REDIRECT": "false"}  # fmt: skip
    # DEBUG off serves hashed static names from the manifest (as the image does after its build)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True)  # fmt: skip
    log = open(Path(settings.VAR_DIR) / "gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "portal.wsgi", "-w", "4", "-b", f"127.0.0.1:{port}",
         "--access-logfile", "/dev/null"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    for _ in range(60):
        time.sleep(1)
        if status(f"http://127.0.0.1:{port}/accounts/login/", None) == "200":
            return server
    server.kill()
    raise SystemExit("gunicorn did not answer within a minute (see var/gunicorn.log)")


def status(url: str, cookie: str | None) -> str:
    """The HTTP status of one GET (a page that redirects to the login would load fast)."""
    command = ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: sessionid={cookie}"]
    return subprocess.run(command, capture_output=True, text=True).stdout


def wrk(url: str, cookie: str | None, seconds: int) -> dict:
    """Requests per second, median and p99 in ms, and non-2xx answers."""
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "30s", "--latency"]
    if cookie:
        command += ["-H", f"Cookie: sessionid={cookie}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, timeout=seconds + 60)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out.stdout).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out.stdout)
    return {"rps": rps, "p50": _ms(out.stdout, "50%"), "p99": _ms(out.stdout, "99%"),
            "bad": int(bad.group(1)) if bad else 0}  # fmt: skip


def _ms(text: str, percentile: str) -> float:
    found = re.search(re.escape(percentile) + r"\s+([\d.]+)(us|ms|s)\b", text)
    return float(found.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found.group(2)]


def load_pages(
    port: int, seconds: int, runs: int, compare: dict | None, only: str | None = None
) -> dict:
    """Each page ``runs`` times (the median of each figure); returns them by label. ``only``:
    the pages whose label matches this pattern (and the login page, the base)."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    sessions: dict[str, str] = {}
    results: dict[str, dict] = {}
    server = serve(port)
    try:
        base = None
        header = f"{'page':40} {'rps':>8} {'p50 ms':>8} {'p99 ms':>8} {'ratio':>7}"
        print(header + ("  x time at the compared size" if compare else ""))
        for label, login, path in pages():
            if only and base and not re.search(only, label):
                continue
            cookie = None
            if login:
                cookie = sessions.setdefault(login, session_for(login))
            url = f"http://127.0.0.1:{port}{path}"
            if (code := status(url, cookie)) != "200":
                print(f"{label:40} answers {code}, not 200: not measured", flush=True)
                continue
            measured = [wrk(url, cookie, seconds) for _ in range(runs)]
            figures = {k: statistics.median(m[k] for m in measured) for k in measured[0]}
            base = base or figures["rps"]
            figures["ratio"] = figures["rps"] / base
            results[label] = figures
            print(_line(label, figures, compare), flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    missed = [label for label, f in list(results.items())[1:]  # the login page is the base
              if f["ratio"] < 0.25 or f["p99"] >= 500]  # fmt: skip
    print(f"goals (>= 25 % of the login page's rps, p99 < 500 ms): "
          f"{'all met' if not missed else 'missed by ' + ', '.join(missed)}")  # fmt: skip
    if compare:
        slower = [label for label, f in results.items()
                  if label in compare and f["p50"] > 1.5 * compare[label]["p50"]]  # fmt: skip
        print(f"goal (median time within 1.5x of the compared size): "
              f"{'met' if not slower else 'missed by ' + ', '.join(slower)}")  # fmt: skip
    return results


def _line(label: str, f: dict, compare: dict | None) -> str:
    line = f"{label:40} {f['rps']:8.1f} {f['p50']:8.1f} {f['p99']:8.0f} {f['ratio']:7.0%}"
    if compare and label in compare and compare[label]["p50"]:
        line += f"  {f['p50'] / compare[label]['p50']:5.2f}x"
    if f["bad"]:
        line += f"  {f['bad']:.0f} errors"
    return line


def timed(label: str, fn) -> object:
    # The log keeps 9,000 queries: full (after the set-up's updates) it counted 0 for any job.
    reset_queries()
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
    parser.add_argument("--runs", type=int, default=3, help="each figure the median of the runs")
    parser.add_argument("--save", help="keep the page figures as JSON in this file")
    parser.add_argument("--compare", help="a file --save wrote at another size (2,000 firms)")
    parser.add_argument("--port", type=int, default=8106)
    parser.add_argument("--only", help="the pages whose label matches this pattern")
    parser.add_argument("--skip-seed", action="store_true")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--skip-jobs", action="store_true")
    args = parser.parse_args()
    print(f"{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}, "
          f"{Enterprise.objects.count()} firms before seeding")  # fmt: skip
    if not args.skip_seed:
        seed(args.enterprises)
    if not args.skip_pages:
        compare = json.loads(Path(args.compare).read_text()) if args.compare else None
        results = load_pages(
            args.port, min(args.seconds, 15), max(args.runs, 1), compare, args.only
        )
        if args.save:
            Path(args.save).write_text(json.dumps(results, ensure_ascii=False, indent=1))
    if not args.skip_jobs:
        nightly()
        export()


if __name__ == "__main__":
    main()
