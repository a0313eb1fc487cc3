"""Whether a live process is working on a job: a lock held for as long as the work runs, which
the database (PostgreSQL's session advisory lock) or the operating system (``flock`` on
SQLite, where the web and the worker share one machine) lets go when the process dies.

A job whose row says a worker started it, and whose lock nobody holds, lost its worker: killed,
out of memory, the machine restarted. Its transaction was rolled back with it, so the job can
say that nothing was written (``enterprises.services.recover_interrupted_import``)."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection

NAMESPACE = 7315  # the first key of the advisory lock: the portal's jobs


def _lock_file(job_id: int) -> Path:
    folder = Path(settings.VAR_DIR) / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"job-{int(job_id)}.lock"


def _advisory(function: str, job_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [NAMESPACE, int(job_id)])
        row = cursor.fetchone()
    return bool(row[0]) if row and row[0] is not None else True


def _unlock(job_id: int) -> None:
    try:
        _advisory("pg_advisory_unlock", job_id)
    except DatabaseError:  # the connection is gone, and the lock went with it
        pass


@contextmanager
def working_on(job_id: int) -> Iterator[None]:
    """Hold the job's lock while the block runs (waiting for another holder to finish)."""
    if connection.vendor == "postgresql":
        _advisory("pg_advisory_lock", job_id)
        try:
            yield
        finally:
            _unlock(job_id)
        return
    with _lock_file(job_id).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def if_nobody_works_on(job_id: int) -> Iterator[bool]:
    """``True`` (holding the lock while the block runs) when no live process works on the job,
    ``False`` at once when one does."""
    if connection.vendor == "postgresql":
        free = _advisory("pg_try_advisory_lock", job_id)
        try:
            yield free
        finally:
            if free:
                _unlock(job_id)
        return
    with _lock_file(job_id).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
