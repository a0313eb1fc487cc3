"""Progress of long jobs, written by tasks and read by pages that poll with htmx."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import Job


def job_start(*, kind: str, owner: Any, total: int = 0, params: dict | None = None) -> Job:
    return Job.objects.create(kind=kind, owner=owner, total=total, params=params or {})


def job_progress(job_id: int, *, done: int, total: int | None = None, message: str = "") -> None:
    values: dict[str, Any] = {"done": done, "status": Job.Status.RUNNING}
    if total is not None:
        values["total"] = total
    if message:
        values["message"] = message
    Job.objects.filter(pk=job_id).update(**values)


def job_finish(job_id: int, *, result: dict, failed: bool = False, message: str = "") -> None:
    status = Job.Status.FAILED if failed else Job.Status.DONE
    with transaction.atomic():
        Job.objects.filter(pk=job_id).update(status=status, result=result, message=message)
