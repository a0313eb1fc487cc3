"""Time the enterprise import and export on the configured database.

    PORTAL_VAR_DIR=var DATABASE_URL=... python benchmarks/import_enterprises.py [--rows 20000]
        [--skip-iex] [--keep-file PATH]

It generates N valid rows of the import template (also a sample file: ``--keep-file``), then,
each phase in a fresh process so that its peak memory is its own:
  1. a first import (``services.enterprise_import``: read, validate, write, history),
  2. a re-import of the same file (must change nothing),
  3. an export of all rows (the streamed xlsx of the list page),
  4. ``manage.py import_enterprises`` as a whole process (a first import, from an empty table),
  5. django-import-export with our ``EnterpriseResource`` at default options (``--skip-iex``
     to leave it out: it takes tens of seconds), and our time as a ratio of it.
It uses credit codes from a reserved range and deletes those firms (and their history) before
and after, so it can run against a development database; never run it against production.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "true")  # a development run: DEBUG is off by default
SERIAL_BASE = 80_000_000  # reserved range of organization-code bodies for benchmark firms


def setup() -> None:
    import django

    django.setup()


def peak_mb() -> float:
    """This process's own peak memory: ``VmHWM`` of its address space. (``ru_maxrss`` is not
    its own: Linux carries the parent's peak into a child at exec, and the cleanup phase,
    deleting 200,000 firms through the ORM, peaks at 520 MB.)"""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ``manage.py`` run whole, printing its own peak (``peak_mb``) to stderr as it exits.
COMMAND = """
import atexit, re, runpy, sys
def peak():
    status = open("/proc/self/status").read()
    print("PEAK_MB=%.2f" % (int(re.search(r"VmHWM:\\s+(\\d+)", status).group(1)) / 1024),
          file=sys.stderr)
atexit.register(peak)
sys.argv = ["manage.py", *sys.argv[1:]]
runpy.run_path("manage.py", run_name="__main__")
"""


def generate(path: Path, rows: int) -> None:
    from enterprises.choices import SizeClass
    from enterprises.credit_code import make_credit_code
    from enterprises.demo import COUNTIES, INDUSTRIES, SURNAMES
    from enterprises.importing import HEADERS
    from portal.xlsx import stream_xlsx

    rng = random.Random(2016)
    sizes = [label for _, label in SizeClass.choices]

    def row(i: int) -> list:
        code, county, *_ = rng.choice(COUNTIES)
        division = code if code.isdigit() else "370600"
        return [
            make_credit_code(division, SERIAL_BASE + i),
            f"烟台基准测试{i}号机械有限公司",
            county,
            rng.choice(INDUSTRIES)[1],
            rng.choice(sizes),
            rng.randint(3, 900),
            f"{county}测试路{rng.randint(1, 300)}号",
            rng.choice(SURNAMES) + "伟",
            rng.choice(SURNAMES) + "芳",
            f"0535-{rng.randint(2000000, 8999999)}",
        ]

    with path.open("wb") as out:
        for chunk in stream_xlsx(HEADERS, (row(i) for i in range(rows))):
            out.write(chunk)


def cleanup() -> int:
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from enterprises.models import Enterprise
    from portal.models import AuditEntry

    firms = Enterprise.objects.filter(name__startswith="烟台基准测试")
    ids = [str(pk) for pk in firms.values_list("pk", flat=True)]
    with transaction.atomic():
        ct = ContentType.objects.get_for_model(Enterprise)
        for start in range(0, len(ids), 5000):
            AuditEntry.objects.filter(
                content_type=ct, object_id__in=ids[start : start + 5000]
            ).delete()
        deleted, _ = firms.delete()
    return deleted


def cpu_s() -> float:
    """This process's own CPU time (user + system): what a shared machine's load does not add."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def phase(name: str, path: Path) -> dict:
    started, cpu_started = time.perf_counter(), cpu_s()
    if name in ("import", "reimport"):
        from django.db import transaction

        from enterprises import importing

        with path.open("rb") as stream:
            started, cpu_started = time.perf_counter(), cpu_s()
            with transaction.atomic():  # what services.enterprise_import does
                write = importing.import_writer(actor=None, note="benchmark")
                plan = importing.plan_import(stream, write=write)
        assert plan.ok, plan.errors[:5]
        rows = plan.total
        extra = {"new": plan.new, "changed": plan.changed, "unchanged": plan.unchanged}
    elif name == "export":
        from enterprises.exports import enterprise_export
        from enterprises.models import Enterprise

        size = 0
        for chunk in enterprise_export(Enterprise.objects.filter(name__startswith="烟台基准测试")):
            size += len(chunk)
        rows = Enterprise.objects.filter(name__startswith="烟台基准测试").count()
        extra = {"bytes": size}
    elif name == "iex":
        import tablib

        from enterprises.resources import EnterpriseResource

        dataset = tablib.Dataset().load(path.read_bytes(), format="xlsx")
        result = EnterpriseResource().import_data(dataset, dry_run=False)
        rows = len(dataset)
        extra = {"has_errors": result.has_errors(), "totals": dict(result.totals)}
    elif name == "cleanup":
        return {"deleted": cleanup()}
    else:
        raise SystemExit(f"unknown phase {name}")
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu_s": cpu_s() - cpu_started,
        "rows": rows,
        "rows_per_s": rows / seconds,
        "peak_mb": peak_mb(),
        **extra,
    }


def run_child(name: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", name, "--file", str(path)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_command(path: Path) -> dict:
    """``manage.py import_enterprises`` as a whole process, with its own peak memory."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", COMMAND, "import_enterprises", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if proc.returncode:
        raise SystemExit(proc.stderr[-2000:])
    peak = float(re.search(r"PEAK_MB=([\d.]+)", proc.stderr).group(1))
    return {"seconds": seconds, "exit": proc.returncode, "peak_mb": peak}


def goals(rows: int, results: dict) -> list[str]:
    """The goals of the registry's scale (a first import of 20,000 firms < 2.5 s, the whole
    command < 4 s; 200,000 rows < 25 s with a peak under 300 MB), met or not, in this run."""
    first, command = results["import"], results["command"]
    checks = []
    if rows <= 20_000:
        checks += [("first import < 2.5 s", first["seconds"] < 2.5),
                   ("whole command < 4 s", command["seconds"] < 4)]  # fmt: skip
    if rows >= 200_000:
        peak = max(first["peak_mb"], command["peak_mb"])
        checks += [("first import < 25 s", first["seconds"] < 25), ("peak < 300 MB", peak < 300)]
    return [f"goal {label}: {'met' if ok else 'NOT met'}" for label, ok in checks]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--skip-iex", action="store_true")
    parser.add_argument("--keep-file", help="also keep the generated sample file here")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    setup()
    if args.phase:
        print(json.dumps(phase(args.phase, Path(args.file))))
        return

    from django.db import connection

    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, check=True)
    from enterprises.demo import seed_reference

    seed_reference()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.keep_file) if args.keep_file else Path(tmp) / "enterprises.xlsx"
        started = time.perf_counter()
        generate(path, args.rows)
        print(
            f"database: {connection.vendor}; rows: {args.rows}; file: {path.stat().st_size} bytes,"
            f" generated in {time.perf_counter() - started:.2f} s"
        )
        cleanup()
        results = {}
        for name in ("import", "reimport", "export"):
            results[name] = run_child(name, path)
        run_child("cleanup", path)
        results["command"] = run_command(path)
        run_child("cleanup", path)
        if not args.skip_iex:
            results["iex"] = run_child("iex", path)
            run_child("cleanup", path)
    for name, numbers in results.items():
        shown = ", ".join(
            f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in numbers.items()
        )
        print(f"{name:9} {shown}")
    for line in goals(args.rows, results):
        print(line)
    if "iex" in results:
        ratio = results["import"]["seconds"] / results["iex"]["seconds"]
        print(
            f"first import takes {ratio:.1%} of django-import-export's default time "
            f"({results['iex']['seconds'] / results['import']['seconds']:.0f}x faster)"
        )


if __name__ == "__main__":
    main()
