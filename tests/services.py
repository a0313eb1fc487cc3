"""Services that a fault test starts, stops and starts again by itself: a ``redis-server`` on a
port of its own, a Celery worker or beat process on the test database, a PostgreSQL cluster of
its own (``initdb`` as the ``postgres`` user) and gunicorn. Nothing here touches the machine's
shared PostgreSQL or Redis."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check: Callable[[], object], seconds: float, what: str, log: Path | None = None):
    """``check()``'s first truthy answer within ``seconds``, else the test fails saying what."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    tail = log.read_text()[-3000:] if log and log.exists() else ""
    raise AssertionError(f"{what}: not within {seconds} s\n{tail}")


def port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def stop(process: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


# --- Redis -------------------------------------------------------------------------------------


class Redis:
    """A ``redis-server`` of the test's own, stopped and started again on the same port."""

    def __init__(self, folder: Path):
        self.folder, self.port, self.process = folder, free_port(), None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: port_open(self.port), 10, "redis-server answers")
        return self

    def stop(self) -> None:
        stop(self.process)
        wait_for(lambda: not port_open(self.port), 10, "redis-server stopped")


# --- Celery processes on the test database -----------------------------------------------------


def database_url() -> str:
    settings = connection.settings_dict
    return (
        f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )


def celery(
    command: list[str], *, broker: str, folder: Path, log_name: str, env: dict | None = None
) -> tuple[subprocess.Popen, Path]:
    """``celery -A portal <command>`` against the test database and ``broker``."""
    log = folder / log_name
    environment = os.environ | {
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": broker,
        "PORTAL_VAR_DIR": str(folder),
        "MEDIA_ROOT": str(folder / "media"),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **(env or {}),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", *command, "-l", "INFO"],
        cwd=ROOT, env=environment, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    return process, log


def worker(broker: str, folder: Path, *extra: str) -> tuple[subprocess.Popen, Path]:
    process, log = celery(
        ["-A", "portal", "worker", "--without-gossip", "--without-mingle", "--without-heartbeat",
         *extra],
        broker=broker, folder=folder, log_name=f"worker-{time.monotonic_ns()}.log",
    )  # fmt: skip
    wait_for(lambda: "ready." in log.read_text(), 60, "the worker starts", log)
    return process, log


# --- PostgreSQL of the test's own --------------------------------------------------------------


def postgres_binaries() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


def why_no_private_postgres() -> str | None:
    """The reason a PostgreSQL of the test's own cannot be started here, or None."""
    if postgres_binaries() is None:
        return "PostgreSQL's server programs (initdb, pg_ctl) are not installed"
    if os.geteuid() != 0:
        return "starting a PostgreSQL cluster as the postgres user needs root"
    try:
        import pwd

        pwd.getpwnam("postgres")
    except KeyError:
        return "there is no postgres user to run a cluster as"
    if shutil.which("runuser") is None:
        return "runuser is missing"
    return None


class Postgres:
    """A cluster in a folder of its own, owned by the postgres user, on a port of its own:
    started, restarted and stopped with ``pg_ctl`` without touching the machine's cluster."""

    def __init__(self):
        self.bin = postgres_binaries()
        self.folder = Path(tempfile.mkdtemp(prefix="portal-pg-"))
        shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"
        self.port = free_port()
        self.log = self.folder / "server.log"

    def _as_postgres(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["runuser", "-u", "postgres", "--", *args],
            capture_output=True, text=True, check=check, cwd=self.folder, timeout=120,
        )  # fmt: skip

    def init(self) -> Postgres:
        self._as_postgres(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        return self.start()

    def pg_ctl(self, *args: str) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
            " -c full_page_writes=off"
        )
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options,
            "-w", "-t", "60", *args,
        )  # fmt: skip

    def start(self) -> Postgres:
        self.pg_ctl("start")
        return self

    def restart(self) -> None:
        self.pg_ctl("-m", "fast", "restart")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def copy_of(self, source_url: str, name: str) -> str:
        """A database here holding what ``source_url``'s holds (pg_dump | pg_restore)."""
        subprocess.run(
            [str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U",
             "postgres", name],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        dump = subprocess.run(
            [str(self.bin / "pg_dump"), "-Fc", "--no-owner", source_url],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        subprocess.run(
            [str(self.bin / "pg_restore"), "--no-owner", "-d", self.url(name)],
            input=dump.stdout, check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        return self.url(name)

    def destroy(self) -> None:
        if self.data.exists():
            self._as_postgres(
                str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop",
                check=False,
            )  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)
