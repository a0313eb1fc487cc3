"""Stored uploads that nothing refers to any more are removed from disk, safely.

A replaced document (a submission handed in again) is deleted only after the transaction that
replaced it has committed, and only if no row of any model still names the file (a ``FileField``
holding the same name). A nightly sweep removes what a crash between the commit and the delete
left behind: files under the upload folders older than a day that no row names (younger ones may
belong to an upload whose transaction is still running). The portal names no domain model: it
asks every installed model with a ``FileField``.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db import models, transaction

logger = logging.getLogger(__name__)
SWEEP_MIN_AGE = dt.timedelta(days=1)
# Folders under MEDIA_ROOT the sweep leaves alone: not uploads kept by a row.
NOT_UPLOADS = {"imports", "backups", "progress"}


def file_fields() -> list[tuple[type[models.Model], str]]:
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]


def is_referenced(name: str) -> bool:
    """Whether any row of any model names the stored file ``name``."""
    return any(
        model._base_manager.filter(**{field: name}).exists() for model, field in file_fields()
    )


def referenced_names() -> set[str]:
    names: set[str] = set()
    for model, field in file_fields():
        names.update(
            model._base_manager.exclude(**{field: ""})
            .values_list(field, flat=True)
            .order_by()
            .iterator(chunk_size=5000)
        )
    return names


def discard_when_unreferenced(name: str, *, storage: Storage | None = None) -> None:
    """After the current transaction commits, delete the stored file ``name`` unless a row
    still names it (a rolled-back replacement keeps it)."""
    if not name:
        return
    storage = storage or default_storage

    def discard() -> None:
        if not is_referenced(name):
            storage.delete(name)
            logger.info("已删除不再使用的文件 %s", name)

    transaction.on_commit(discard)


def sweep_unreferenced_files(*, now: float | None = None) -> int:
    """Nightly: delete uploads older than a day that no row names. Returns how many."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return 0
    cutoff = (now or time.time()) - SWEEP_MIN_AGE.total_seconds()
    kept = referenced_names()
    removed = 0
    for folder in root.iterdir():
        if not folder.is_dir() or folder.name in NOT_UPLOADS:
            continue
        for path in folder.rglob("*"):
            name = path.relative_to(root).as_posix()
            if path.is_file() and path.stat().st_mtime < cutoff and name not in kept:
                path.unlink(missing_ok=True)
                removed += 1
    if removed:
        logger.info("清理不再使用的上传文件 %s 个", removed)
    return removed
