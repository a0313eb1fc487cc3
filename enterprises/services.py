"""Writes to the registry. Each takes the acting user, validates with the model's rules, owns
its transaction and keeps the history of what it changed."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from portal.audit import record_change, snapshot
from portal.concurrency import save_versioned
from portal.jobs import job_finish, job_progress, job_start
from portal.models import Job

from . import importing
from .choices import Status
from .models import County, CreationListEntry, Enterprise
from .permissions import can_close, can_edit, can_write_registry, editable_fields

IMPORT_JOB_KIND = "enterprise_import"
IMPORT_DIR = "imports"


def enterprise_create(*, actor: Any, data: dict[str, Any]) -> Enterprise:
    if not can_write_registry(actor):
        raise PermissionDenied("您的角色不能新增企业")
    if actor.role == "county":
        data = {**data, "county": actor.county}
    enterprise = Enterprise(**data)
    with transaction.atomic():
        enterprise.full_clean()
        enterprise.save()
        record_change(
            actor=actor,
            obj=enterprise,
            action="新增企业",
            before={},
            after=snapshot(enterprise, importing.IMPORT_FIELDS + ["credit_code"]),
        )
    return enterprise


def enterprise_update(
    *, actor: Any, enterprise: Enterprise, data: dict[str, Any], expected_version: int | None
) -> Enterprise:
    """Change the fields the actor may change; refused if someone saved since the form opened."""
    if not can_edit(actor, enterprise):
        raise PermissionDenied("您无权修改该企业")
    allowed = editable_fields(actor)
    fields = [name for name in data if name in allowed]
    before = snapshot(enterprise, fields)
    for name in fields:
        setattr(enterprise, name, data[name])
    with transaction.atomic():
        enterprise.full_clean()
        version = enterprise.version if expected_version is None else expected_version
        save_versioned(enterprise, expected_version=version, fields=[*fields, "updated_at"])
        record_change(
            actor=actor,
            obj=enterprise,
            action="修改企业信息",
            before=before,
            after=snapshot(enterprise, fields),
        )
    return enterprise


def enterprise_close(
    *, actor: Any, enterprise: Enterprise, closed_on: dt.date, reason: str
) -> Enterprise:
    """A firm that shut down leaves the registry's working lists; its record stays."""
    if not can_close(actor, enterprise):
        raise PermissionDenied("您无权关闭该企业")
    if not reason.strip():
        raise ValidationError({"reason": "请填写关闭原因"})
    fields = ["closed_on", "closed_reason"]
    before = snapshot(enterprise, fields)
    enterprise.closed_on = closed_on
    enterprise.closed_reason = reason.strip()[:200]
    with transaction.atomic():
        save_versioned(enterprise, expected_version=enterprise.version, fields=fields)
        record_change(
            actor=actor,
            obj=enterprise,
            action="关闭企业",
            before=before,
            after=snapshot(enterprise, fields),
            note=reason.strip(),
        )
    return enterprise


def creation_list_add(
    *, actor: Any, enterprise: Enterprise, year: int, target_date: dt.date
) -> CreationListEntry:
    """纳入创建名单: the county puts one of its firms on its list for ``year``."""
    if not (can_write_registry(actor) and can_edit(actor, enterprise)):
        raise PermissionDenied("只能将本辖区的企业纳入创建名单")
    entry = CreationListEntry(
        enterprise=enterprise, year=year, target_date=target_date, added_by=actor
    )
    with transaction.atomic():
        entry.full_clean()
        if enterprise.closed_on:
            raise ValidationError("已关闭的企业不能纳入创建名单")
        entry.save()
        before = snapshot(enterprise, ["status"])
        if enterprise.status == Status.NOT_LISTED:
            enterprise.status = Status.LISTED
            save_versioned(enterprise, expected_version=enterprise.version, fields=["status"])
        record_change(
            actor=actor,
            obj=enterprise,
            action="纳入创建名单",
            before=before,
            after=snapshot(enterprise, ["status"]),
            note=f"{year}年，计划达标日期 {target_date.isoformat()}",
        )
    return entry


def creation_list_remove(*, actor: Any, entry: CreationListEntry, reason: str) -> None:
    """Take a firm off the list; the firm's history keeps that it was on it and why it left."""
    enterprise = entry.enterprise
    if not (can_write_registry(actor) and can_edit(actor, enterprise)):
        raise PermissionDenied("只能调整本辖区的创建名单")
    with transaction.atomic():
        before = snapshot(enterprise, ["status"])
        if enterprise.status == Status.LISTED:
            enterprise.status = Status.NOT_LISTED
            save_versioned(enterprise, expected_version=enterprise.version, fields=["status"])
        note = f"{entry.year}年（原计划达标日期 {entry.target_date.isoformat()}）"
        record_change(
            actor=actor,
            obj=enterprise,
            action="移出创建名单",
            before=before,
            after=snapshot(enterprise, ["status"]),
            note=f"{note}；原因：{reason.strip() or '未说明'}",
        )
        entry.delete()


# --- Import ----------------------------------------------------------------------------


def enterprise_import(
    *,
    actor: Any,
    file: IO[bytes],
    county: County | None = None,
    dry_run: bool = False,
    note: str = "",
    progress: importing.Progress | None = None,
) -> importing.ImportPlan:
    """Validate the sheet and, unless it has an error or this is a dry run, write it all in
    one transaction. Reading and validating happen before the transaction opens, so a page
    polling the job sees that stage's progress (writes inside it show only at commit) and
    SQLite's write lock is held only while writing."""
    plan = importing.plan_import(file, user=actor, county=county)
    if progress:
        progress(plan.total, plan.total * 2)
    if plan.ok and not dry_run:
        with transaction.atomic():
            importing.apply_import(plan, actor=actor, note=note)
    return plan


def import_upload(*, actor: Any, upload: Any) -> Job:
    """Keep the uploaded file on the server and record its preview in a Job row. Confirming
    validates the stored file again: nothing the browser sends back is trusted."""
    if not can_write_registry(actor):
        raise PermissionDenied("您的角色不能导入企业")
    name = f"{IMPORT_DIR}/{uuid.uuid4().hex}.xlsx"
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    with path.open("rb") as stored:
        plan = importing.plan_import(stored, user=actor)
    job = job_start(
        kind=IMPORT_JOB_KIND,
        owner=actor,
        total=len(plan.new) + len(plan.changed),
        params={"path": name, "filename": str(upload.name)[:200], "rows": plan.total},
    )
    job.result = {"stage": "preview", **plan.summary()}
    job.save(update_fields=["result"])
    return job


def import_confirm(*, actor: Any, job: Job) -> Job:
    """Apply a previewed import: small ones now, large ones in a Celery task after commit."""
    if job.owner_id != actor.pk or job.result.get("stage") != "preview":
        raise PermissionDenied("该导入已处理或不属于您")
    updated = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        result={**job.result, "stage": "confirmed"}
    )
    if not updated:
        raise PermissionDenied("该导入已处理")
    if job.params.get("rows", 0) > importing.ASYNC_THRESHOLD:
        from .tasks import run_import_job

        transaction.on_commit(lambda: run_import_job.delay(job.pk))
    else:
        run_import(job_id=job.pk)
    job.refresh_from_db()
    return job


def run_import(*, job_id: int) -> None:
    """Do a confirmed import job, reporting progress on the job row (task or request)."""
    job = Job.objects.select_related("owner", "owner__county").get(pk=job_id)
    path = Path(settings.MEDIA_ROOT) / job.params["path"]
    job_progress(job.pk, done=0, message="正在读取并校验")

    def progress(done: int, total: int) -> None:
        job_progress(job.pk, done=done, total=total, message="校验完成，正在写入")

    note = f"文件：{job.params.get('filename', '')}"
    try:
        with path.open("rb") as stored:
            plan = enterprise_import(actor=job.owner, file=stored, note=note, progress=progress)
    except Exception as exc:
        job_finish(job.pk, result={"stage": "failed"}, failed=True, message=f"导入失败：{exc}")
        raise
    result = {"stage": "done" if plan.ok else "rejected", **plan.summary()}
    message = "导入完成" if plan.ok else "文件已变化或数据有误，未写入任何记录"
    job_finish(job.pk, result=result, failed=not plan.ok, message=message)
    path.unlink(missing_ok=True)
