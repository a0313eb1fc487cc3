"""Progress of long jobs, written by tasks and read by pages that poll with htmx. A job's status
moves through ``portal.workflows.JOB``; its counters and message are written directly."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import Job


def job_start(*, kind: str, owner: Any, total: int = 0, params: dict | None = None) -> Job:
    return Job.objects.create(kind=kind, owner=owner, total=total, params=params or {})


def job_progress(job_id: int, *, done: int, total: int | None = None, message: str = "") -> None:
    values: dict[str, Any] = {"done": done}
    if total is not None:
        values["total"] = total
    if message:
        values["message"] = message
    Job.objects.filter(pk=job_id).update(**values)


def job_finish(job_id: int, *, result: dict, failed: bool = False, message: str = "") -> None:
    """The system finishes the job (or records that it failed), keeping its result."""
    from .workflows import JOB

    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        JOB.apply(job, "fail" if failed else "finish", actor=None, changes={"message": message})
        Job.objects.filter(pk=job_id).update(result=result)


def claim_scheduled_run(task: str, slot: str) -> bool:
    """Claim ``task``'s run for ``slot`` inside the caller's transaction; ``False`` when
    another process has it (a second beat): the unique key waits for the first to commit."""
    from django.db import IntegrityError, transaction

    from .models import ScheduledRun

    try:
        with transaction.atomic():
            ScheduledRun.objects.create(task=task, slot=slot)
    except IntegrityError:
        return False
    return True
