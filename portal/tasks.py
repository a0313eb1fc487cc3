import logging

from celery.signals import worker_ready
from django.utils import timezone

from .celery import app
from .models import Job

logger = logging.getLogger(__name__)


@app.task(name="portal.tasks.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Beat proves the worker and the scheduler are alive; /healthz shows the last one."""
    now = timezone.now()
    Job.objects.update_or_create(
        kind="heartbeat",
        owner=None,
        defaults={"status": Job.Status.DONE, "message": now.isoformat()},
    )
    return now.isoformat()


@app.task(name="portal.tasks.send_notification_mail", ignore_result=True, acks_late=True)
def send_notification_mail_task(notification_ids: list[int]) -> int:
    """E-mail a chunk of notifications (see portal.notifications)."""
    from .notifications import send_notification_mail

    return send_notification_mail(notification_ids)


@app.task(name="portal.tasks.prune_security_events", ignore_result=True)
def prune_security_events() -> int:
    """Nightly: the security log keeps ``SECURITY_LOG_RETENTION_DAYS`` (at least six months)."""
    from .security import security_events_prune

    return security_events_prune()


@app.task(name="portal.tasks.sweep_unreferenced_files", ignore_result=True)
def sweep_unreferenced_files() -> int:
    """Nightly: uploads no row names any more (replaced documents) are removed from disk."""
    from .files import sweep_unreferenced_files as sweep

    return sweep()


@app.task(name="portal.tasks.dispatch_waiting_jobs", ignore_result=True)
def dispatch_waiting_jobs() -> int:
    """Every minute: jobs whose task could not be queued (the broker was down) are sent now."""
    from .jobs import dispatch_waiting_jobs as send

    return send()


@worker_ready.connect
def _send_waiting_jobs_when_a_worker_starts(**_: object) -> None:
    """A worker that (re)starts sends what waited for the broker, without waiting for the beat."""
    try:
        dispatch_waiting_jobs.apply_async(retry=False)
    except Exception:  # noqa: BLE001 - the beat sends them within the minute
        logger.warning("启动时无法发送等待中的任务", exc_info=True)
