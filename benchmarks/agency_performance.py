"""The agencies' performance ranking (评审机构履职情况) at the scale of the issue.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_agencies \\
        python benchmarks/agency_performance.py [--agencies 500] [--reviews 50000]

Builds (once; reruns reuse it) the city's reference data and the world of
``tests/lookback/performance_world.py``: that many agencies with their concluded reviews of
this year spread over the counties and sizes, certificates for half, audit errors, failed
spot-checks and fatal accidents at every tenth certificate, a rating and a warning for every
fifth agency. Then it times the ranking page as the city sees it (first page, a sort by fees,
the xlsx) through Django's test client, several runs each, printing the time and the number
of queries of each; the ranking page's queries must be those of the small world of
``tests/lookback/test_performance.py`` (``RANKING_PAGE_QUERIES``), or it fails.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "true")  # a development run: DEBUG is off by default

BENCH_SERIAL = 72_000_000


def prepare(agencies: int, reviews: int, year: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from enterprises.demo import seed_reference
    from reviews.models import ReviewAgency
    from tests.lookback.performance_world import build

    call_command("migrate", verbosity=0)
    seed_reference()
    prefix = f"履职基准机构{BENCH_SERIAL}-"
    have = ReviewAgency.objects.filter(name__startswith=prefix).count()
    if have == agencies:
        print(f"reusing {have} agencies")
        return
    if have:
        sys.exit(f"the database holds {have} benchmark agencies; use a fresh database")
    started = time.perf_counter()
    made = build(
        agencies=agencies, per_agency=reviews // agencies, year=year, serial_base=BENCH_SERIAL
    )
    print(f"built {agencies} agencies, {made['reviews']} reviews in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def timed(client, url: str, runs: int) -> tuple[float, float, float, int]:
    """Median and worst wall time, median CPU time of this (Django) process, queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, cpu = [], []
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured)
    return statistics.median(times), max(times), statistics.median(cpu), queries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agencies", type=int, default=500)
    parser.add_argument("--reviews", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment

    from portal.http import current_year
    from tests.lookback.performance_world import RANKING_PAGE_QUERIES

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    year = current_year()
    prepare(args.agencies, args.reviews, year)
    city, _ = get_user_model().objects.get_or_create(
        username="bench_agency_city", defaults={"role": "city"}
    )
    client = Client()
    client.force_login(city)
    print(f"database: {connection.vendor}; year {year}")
    for label, url in (
        ("ranking, first page", f"/lookback/performance/?year={year}"),
        ("ranking, sorted by fees", f"/lookback/performance/?year={year}&sort=fee&page=3"),
        ("ranking, xlsx", f"/lookback/performance.xlsx?year={year}"),
    ):
        median, worst, cpu, queries = timed(client, url, args.runs)
        print(f"{label:26} median {median:.3f} s, worst {worst:.3f} s, "
              f"Django CPU {cpu:.3f} s, {queries} queries")  # fmt: skip
        if url.startswith("/lookback/performance/?"):  # the same as the small world's
            assert queries == RANKING_PAGE_QUERIES, (label, queries, RANKING_PAGE_QUERIES)
    print(f"load average while measuring: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
