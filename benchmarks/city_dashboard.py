"""The city's dashboard and a county's at the scale of the issue (200,000 firms).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_notify \\
        python benchmarks/city_dashboard.py [--enterprises 200000] [--runs 5]

Seeds the demo at that size (once; reruns reuse it), takes weekly snapshots for the trend,
runs VACUUM ANALYZE (autovacuum is off on this machine), then requests the city's dashboard
and 芝罘区's through Django's test client (the whole view: queries, template, chart data) and
prints the median and the worst of ``--runs`` requests with their number of queries. Run it at
two sizes to see that the queries do not grow with the firms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "true")  # a development run: DEBUG is off by default

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from enterprises.models import County, Enterprise  # noqa: E402
from portal.models import User  # noqa: E402
from portal.roles import Role  # noqa: E402
from reports.services.progress import build_progress_report  # noqa: E402


def seed(enterprises: int) -> None:
    if Enterprise.objects.count() < enterprises:
        started = time.perf_counter()
        call_command("seed_demo", enterprises=enterprises, force=True)
        print(f"seed_demo --enterprises {enterprises}: {time.perf_counter() - started:.1f} s")
    today = timezone.localdate()
    for weeks in range(4, -1, -1):  # the trend: five Mondays' snapshots
        day = today - dt.timedelta(days=today.weekday() + 7 * weeks)
        build_progress_report(today=day)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def measure(client: Client, label: str, url: str, runs: int) -> None:
    client.get(url)  # warm: templates compiled, caches filled
    times, counts = [], set()
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        counts.add(len(queries))
    print(
        f"{label}: median {statistics.median(times):.3f} s, worst {max(times):.3f} s, "
        f"queries {sorted(counts)}, {len(response.content) // 1024} KB"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    print(f"database: {connection.vendor} {settings.DATABASES['default']['NAME']}")
    seed(args.enterprises)
    print(f"firms: {Enterprise.objects.count()}")
    client = Client()
    client.force_login(User.objects.filter(role=Role.CITY, is_active=True).first())
    measure(client, "city dashboard", reverse("reports:dashboard"), args.runs)
    zhifu = County.objects.get(name="芝罘区")
    measure(
        client, "county dashboard (city drill-down)",
        reverse("reports:county_dashboard", args=[zhifu.pk]), args.runs,
    )  # fmt: skip


if __name__ == "__main__":
    main()
