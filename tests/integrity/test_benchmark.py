"""The nightly job's benchmark (``benchmarks/integrity_signals.py``) still runs as its own
script and prints what the issue asks of it: the time and the number of queries of each run.
At two sizes the rerun makes the same queries, but for the signals' upserts, written in
batches (2,000 rows on PostgreSQL; SQLite's limit of 999 parameters makes its batches small)."""

import math
import re
import runpy
import sys
from pathlib import Path

import pytest
from django.db import connection

from integrity.models import Signal
from integrity.services.signals import BATCH

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "integrity_signals.py"
LINE = re.compile(
    r"^nightly job, (first|second) run .*: ([\d.]+) s, (\d+) queries, \{'found': (\d+)", re.M
)


def run(monkeypatch, capsys, firms: int, reviews: int) -> dict[str, tuple[float, int, int]]:
    argv = [str(SCRIPT), "--firms", str(firms), "--reviews", str(reviews), "--items", "6"]
    monkeypatch.setattr(sys, "argv", argv)
    runpy.run_path(str(SCRIPT), run_name="__main__")
    out = capsys.readouterr().out
    assert f"{firms} firms, {reviews} reviews" in out
    return {
        run: (float(s), int(queries), int(found)) for run, s, queries, found in LINE.findall(out)
    }


def upsert_batches(signals: int) -> int:
    fields = [f for f in Signal._meta.concrete_fields if not f.primary_key]
    batch = min(BATCH, connection.ops.bulk_batch_size(fields, [None] * signals))
    return math.ceil(signals / batch)


@pytest.mark.django_db(transaction=True)  # the script builds, vacuums and times on its own
def test_the_benchmark_prints_time_and_queries_that_do_not_grow_with_the_data(monkeypatch, capsys):
    small = run(monkeypatch, capsys, firms=2000, reviews=1000)
    large = run(monkeypatch, capsys, firms=4000, reviews=2000)
    assert set(small) == set(large) == {"first", "second"}
    (_, small_queries, small_found), (_, large_queries, large_found) = (
        small["second"],
        large["second"],
    )
    assert large_found > small_found  # more data, more signals
    fixed = [
        small_queries - upsert_batches(small_found),
        large_queries - upsert_batches(large_found),
    ]
    assert fixed[0] == fixed[1] < 40
