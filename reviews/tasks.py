"""Scheduled jobs of the reviews app (thin: the rules live in the services)."""

from __future__ import annotations

from portal.celery import app

from .services.certificates import expire_grades


@app.task(name="reviews.tasks.expire_grades", ignore_result=True)
def expire_grades_task() -> int:
    """Daily: firms whose grade ran out yesterday or earlier move to 已过期 (idempotent)."""
    return expire_grades()
