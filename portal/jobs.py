"""Progress of long jobs, written by tasks and read by pages that poll with htmx. A job's status
moves through ``portal.workflows.JOB``; its counters and message are written directly."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Job

logger = logging.getLogger(__name__)

# What a job whose task could not be queued says until it is sent (``dispatch``).
WAITING_MESSAGE = "后台任务队列暂时无法连接，任务已记录，队列恢复后将自动开始，无需重新提交"


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


# --- Sending a job's task ---------------------------------------------------------------------
# The Job row is the record of the work; the broker only carries the call. A task that cannot
# be queued (Redis stopped) leaves its job marked ``params["dispatch"] = "waiting"`` with the
# task's name, and the job is sent again when the broker is back: by the beat every minute
# (``portal.tasks.dispatch_waiting_jobs``), when a worker starts, and when someone watches the
# job's page (``dispatch_if_waiting``). A task sent twice is harmless: each checks its job's
# state before doing anything.

RETRY_FROM_PAGE = dt.timedelta(seconds=10)
UNFINISHED = (Job.Status.QUEUED, Job.Status.RUNNING)


def dispatch(task: Any, job: Job) -> None:
    """Queue ``task(job.pk)`` after the commit; with the broker down the job waits for it."""
    params = {**(job.params or {}), "task": task.name, "dispatch": "sent"}
    job.params = params
    Job.objects.filter(pk=job.pk).update(params=params)
    transaction.on_commit(lambda: _send(job.pk, task.name))


def _send(job_id: int, task_name: str) -> bool:
    from .celery import app

    task = app.tasks[task_name]
    if app.conf.task_always_eager:  # run here and now: its own errors are not the broker's
        task.apply_async(args=[job_id])
        return True
    try:
        task.apply_async(args=[job_id], retry=False)
    except Exception:  # noqa: BLE001 - any broker failure
        logger.warning(
            "任务 %s（作业 %s）无法进入队列，等待队列恢复", task_name, job_id, exc_info=True
        )
        _mark(job_id, "waiting", WAITING_MESSAGE)
        return False
    return True


def _mark(job_id: int, state: str, message: str | None = None) -> None:
    job = Job.objects.filter(pk=job_id).only("params").first()
    if job is None:
        return
    values: dict[str, Any] = {"params": {**job.params, "dispatch": state}}
    if message is not None:
        values["message"] = message
    Job.objects.filter(pk=job_id).update(**values, updated_at=timezone.now())


def _claim_waiting(job: Job) -> bool:
    """Take a waiting job for sending; ``False`` when another process took it first."""
    params = {**job.params, "dispatch": "sent"}
    return bool(
        Job.objects.filter(pk=job.pk, params__dispatch="waiting", status__in=UNFINISHED).update(
            params=params, message="", updated_at=timezone.now()
        )
    )


def dispatch_waiting_jobs() -> int:
    """Send every job whose task is waiting for the broker; returns how many were sent."""
    sent = 0
    waiting = Job.objects.filter(params__dispatch="waiting", status__in=UNFINISHED).order_by("pk")
    for job in waiting:
        if _claim_waiting(job) and _send(job.pk, job.params["task"]):
            sent += 1
    return sent


def dispatch_if_waiting(job: Job) -> Job:
    """From the job's page: try the broker again (at most every ``RETRY_FROM_PAGE``)."""
    if (job.params or {}).get("dispatch") != "waiting" or job.finished:
        return job
    if timezone.now() - job.updated_at < RETRY_FROM_PAGE:
        return job
    if _claim_waiting(job):
        _send(job.pk, job.params["task"])
    job.refresh_from_db()
    return job
