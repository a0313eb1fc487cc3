"""Writes to the registry. Each takes the acting user, validates with the model's rules, owns
its transaction and keeps the history of what it changed."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from portal import joblock
from portal.audit import record_change, save_with_history, snapshot
from portal.concurrency import insert_once
from portal.jobs import dispatch, job_finish, job_progress, job_start
from portal.models import Job
from portal.policy import require
from portal.uploads import check_upload

from . import importing
from .choices import RemovalReason
from .models import Accident, County, CreationListEntry, CreationListRemoval, Enterprise
from .selectors import editable_fields
from .workflows import IMPORT_JOB, LISTING, forget_progress

logger = logging.getLogger(__name__)

IMPORT_JOB_KIND = "enterprise_import"
IMPORT_DIR = "imports"


def enterprise_create(*, actor: Any, data: dict[str, Any]) -> Enterprise:
    """Register a firm; county staff register it in their own county."""
    require(actor, "create", Enterprise)
    fields = editable_fields(user=actor)
    values = {name: value for name, value in data.items() if name in fields}
    if "county" not in fields:
        values["county"] = actor.county
    enterprise = Enterprise(**values)
    with transaction.atomic():
        enterprise.full_clean()
        enterprise.save()
        forget_progress()  # a new firm in a county's base
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
    """Change the fields the actor may change; refused if someone saved since the form opened.
    ``data`` is the form's cleaned values: "before" is read from the stored row."""
    require(actor, "edit", enterprise)
    allowed = editable_fields(user=actor, enterprise=enterprise)
    with transaction.atomic():
        forget_progress()  # its size or county may move it between bases
        return save_with_history(
            enterprise,
            actor=actor,
            action="修改企业信息",
            changes={name: value for name, value in data.items() if name in allowed},
            expected_version=expected_version,
        )


def enterprise_close(
    *, actor: Any, enterprise: Enterprise, closed_on: dt.date, reason: str
) -> Enterprise:
    """A firm that shut down leaves the registry's working lists; its record stays."""
    require(actor, "close", enterprise)
    if not reason.strip():
        raise ValidationError({"reason": "请填写关闭原因"})
    with transaction.atomic():
        forget_progress()  # a closed firm leaves its county's base
        return save_with_history(
            enterprise,
            actor=actor,
            action="关闭企业",
            changes={"closed_on": closed_on, "closed_reason": reason.strip()[:200]},
            note=reason.strip(),
        )


def creation_list_add(
    *, actor: Any, enterprise: Enterprise, year: int, target_date: dt.date
) -> CreationListEntry:
    """纳入创建名单: the county puts one of its firms on its list for ``year``. A firm not yet
    on the path starts on it (``LISTING``); one further along keeps its standing."""
    require(actor, "put_on_list", enterprise)
    if enterprise.closed_on:
        raise ValidationError("已关闭的企业不能纳入创建名单")
    entry = CreationListEntry(
        enterprise=enterprise, year=year, target_date=target_date, added_by=actor
    )
    note = f"{year}年，计划达标日期 {target_date.isoformat()}"
    with transaction.atomic():
        insert_once(entry, taken=f"该企业已在{year}年创建名单中", unique=["enterprise", "year"])
        _move_or_note(enterprise, "put_on_list", actor=actor, note=note)
    return entry


def creation_list_remove(
    *, actor: Any, entry: CreationListEntry, reason: str, evidence: Any
) -> CreationListRemoval:
    """Take a firm off the list for one of the fixed reasons, with its evidence. The removal is
    kept (counted per county and year) and the firm's history says it was on the list and why
    it left."""
    enterprise = entry.enterprise
    require(actor, "remove", entry)
    if reason not in RemovalReason.values:
        raise ValidationError(
            {"reason": "请选择移出原因（注销、关停、迁出、不属于工贸行业、重复）"}
        )
    if not evidence:
        raise ValidationError({"evidence": "移出创建名单须上传证明材料"})
    check_upload(evidence)
    label = RemovalReason(reason).label
    note = f"{entry.year}年（原计划达标日期 {entry.target_date.isoformat()}）；原因：{label}"
    with transaction.atomic():
        removal = CreationListRemoval(
            enterprise=enterprise, county=enterprise.county, year=entry.year, reason=reason,
            evidence_name=Path(evidence.name).name[:200], removed_by=actor,
        )  # fmt: skip
        removal.evidence.save(Path(evidence.name).name, evidence, save=False)
        removal.save()
        _move_or_note(enterprise, "take_off_list", actor=actor, note=note)
        entry.delete()
    return removal


def _move_or_note(enterprise: Enterprise, name: str, *, actor: Any, note: str) -> None:
    """Take ``name`` when the firm stands where it starts from; else only keep the note."""
    transition = LISTING[name]
    forget_progress()  # the list itself changed, whatever the standing does
    if enterprise.status in transition.source:
        LISTING.apply(enterprise, name, actor=actor, note=note)
    else:
        record_change(actor=actor, obj=enterprise, action=transition.label, note=note)


# --- Accidents --------------------------------------------------------------------------

ACCIDENT_FIELDS = ["occurred_on", "deaths", "injuries", "description"]


def accident_save(
    *,
    enterprise: Enterprise,
    actor: Any,
    occurred_on: dt.date,
    deaths: int,
    injuries: int,
    description: str = "",
    accident: Accident | None = None,
) -> Accident:
    """Record (or correct) a production-safety accident of the firm.

    County and city staff record accidents, not the firm itself: deaths lower the grade the
    firm can get, so the party being graded does not keep that record. Every change is kept."""
    if accident is None:
        require(actor, "record_accident", enterprise)
    else:
        require(actor, "edit", accident)
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": "事故发生日期不能晚于今天"})
    values = {
        "occurred_on": occurred_on,
        "deaths": deaths,
        "injuries": injuries,
        "description": description,
    }
    with transaction.atomic():
        if accident is not None:
            return save_with_history(accident, actor=actor, action="修改事故信息", changes=values)
        accident = Accident(enterprise=enterprise, **values)
        accident.full_clean()
        accident.save()
        after = snapshot(accident, ACCIDENT_FIELDS)
        record_change(actor=actor, obj=accident, action="登记事故", before={}, after=after)
    return accident


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
    one transaction. The sheet is streamed a chunk at a time (memory bounded whatever its
    size): each clean chunk is written as it is read, and an error anywhere rolls them all
    back, so the file is read once (SQLite's write lock is held for the whole pass)."""
    require(actor, "import", Enterprise)
    if dry_run:
        plan = importing.plan_import(file, user=actor, county=county)
    else:
        with transaction.atomic():
            write = importing.import_writer(actor=actor, note=note)
            plan = importing.plan_import(file, user=actor, county=county, write=write)
            if plan.ok:
                forget_progress()
            else:  # an error after some chunks were written: none of them stays
                transaction.set_rollback(True)
    if progress:
        progress(plan.total, plan.total)
    return plan


def import_upload(*, actor: Any, upload: Any) -> Job:
    """Keep the uploaded file on the server and record its preview in a Job row. Confirming
    validates the stored file again: nothing the browser sends back is trusted. A file of more
    than ``ASYNC_THRESHOLD`` rows is previewed by a Celery task (the page polls the job), so no
    web worker reads a large sheet."""
    require(actor, "import", Enterprise)
    name = f"{IMPORT_DIR}/{uuid.uuid4().hex}.xlsx"
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    params = {"path": name, "filename": str(upload.name)[:200]}
    rows = _counted_rows(path)
    if rows is not None and rows - 1 > importing.ASYNC_THRESHOLD:
        job = job_start(kind=IMPORT_JOB_KIND, owner=actor, params={**params, "rows": rows - 1})
        job.result = {"stage": "previewing"}
        job.save(update_fields=["result"])
        from .tasks import run_preview_job

        dispatch(run_preview_job, job)
        return job
    job = job_start(kind=IMPORT_JOB_KIND, owner=actor, params=params)
    _preview(job)
    return job


def _counted_rows(path: Path) -> int | None:
    """The sheet's rows as the archive check counts them (header included), or None when the
    file is refused (the preview then says why, at once)."""
    from portal import xlsx

    with path.open("rb") as stored:
        try:
            return xlsx.inspect_archive(stored)
        except xlsx.FileRejected:
            return None


def _preview(job: Job) -> None:
    path = Path(settings.MEDIA_ROOT) / job.params["path"]
    with path.open("rb") as stored:
        plan = importing.plan_import(stored, user=job.owner)
    job.total = plan.new + plan.changed
    job.params = {**job.params, "rows": plan.total}
    job.result = {"stage": "preview", **plan.summary()}
    Job.objects.filter(pk=job.pk).update(total=job.total, params=job.params, result=job.result)


def run_preview(*, job_id: int) -> None:
    """The preview of a large upload, in a task: the job shows it when done."""
    job = Job.objects.select_related("owner", "owner__county").get(pk=job_id)
    if (job.result or {}).get("stage") != "previewing":
        return  # already previewed (a redelivered task)
    job_progress(job.pk, done=0, message="正在读取并校验")
    _preview(job)


PREVIEW_LIFETIME = dt.timedelta(days=1)


def discard_stale_previews(*, now: dt.datetime | None = None) -> int:
    """Clear import previews nobody confirmed within ``PREVIEW_LIFETIME``: the job says so and
    the stored sheet is deleted. Each job is claimed (queued → failed), so a second run or a
    confirm at the same moment does nothing twice."""
    cutoff = (now or timezone.now()) - PREVIEW_LIFETIME
    stale = Job.objects.filter(
        kind=IMPORT_JOB_KIND, status=Job.Status.QUEUED, created_at__lt=cutoff
    ).order_by("pk")
    cleared = 0
    for job in stale.iterator():
        try:
            IMPORT_JOB.apply(
                job,
                "discard_preview",
                actor=None,
                changes={"message": "预览超过一天未确认，已清除，请重新上传"},
            )
        except ValidationError:  # confirmed or cleared meanwhile
            continue
        (Path(settings.MEDIA_ROOT) / job.params.get("path", "")).unlink(missing_ok=True)
        cleared += 1
    return cleared


def import_confirm(*, actor: Any, job: Job) -> Job:
    """Apply a previewed import: small ones now, large ones in a Celery task after commit."""
    # The claim on the queued job: a replayed confirm is refused and changes nothing.
    with transaction.atomic():
        IMPORT_JOB.apply(job, "confirm_import", actor=actor)
        job.result = {**job.result, "stage": "confirmed"}
        Job.objects.filter(pk=job.pk).update(result=job.result)
    if job.params.get("rows", 0) > importing.ASYNC_THRESHOLD:
        from .tasks import run_import_job

        dispatch(run_import_job, job)
    else:
        run_import(job_id=job.pk)
    job.refresh_from_db()
    return job


def run_import(*, job_id: int) -> None:
    """Do a confirmed import job, reporting progress on the job row (task or request).

    The rows and the job's end are written in one transaction, under the job's lock
    (``portal.joblock``): a worker killed in the middle leaves nothing written and the job
    still running with nobody holding its lock, which ``recover_interrupted_import`` turns into
    a failed job that says so. A task delivered again finds its job finished and does nothing
    (or, when the worker was lost, imports the whole file again)."""
    with joblock.working_on(job_id):
        job = Job.objects.select_related("owner", "owner__county").get(pk=job_id)
        if job.status != Job.Status.RUNNING:
            return  # finished, or found interrupted, before this delivery
        job.result = {**job.result, "stage": "writing"}
        Job.objects.filter(pk=job.pk).update(result=job.result, message="正在读取并校验")
        path = Path(settings.MEDIA_ROOT) / job.params["path"]

        def progress(done: int, total: int) -> None:
            job_progress(job.pk, done=done, total=total, message="校验完成，正在写入")

        note = f"文件：{job.params.get('filename', '')}"
        try:
            with transaction.atomic():
                with path.open("rb") as stored:
                    plan = enterprise_import(
                        actor=job.owner, file=stored, note=note, progress=progress
                    )
                result = {"stage": "done" if plan.ok else "rejected", **plan.summary()}
                message = "导入完成" if plan.ok else "文件已变化或数据有误，未写入任何记录"
                job_finish(job.pk, result=result, failed=not plan.ok, message=message)
        except Exception:
            logger.exception("导入作业 %s 失败", job.pk)
            job_finish(job.pk, result={"stage": "failed"}, failed=True, message=IMPORT_FAILED)
            raise
    path.unlink(missing_ok=True)


IMPORT_FAILED = "导入失败，未写入任何记录。请稍后重新上传文件导入；如仍失败，请联系管理员"
IMPORT_INTERRUPTED = "导入中断：后台处理进程意外退出，未写入任何记录。请重新上传文件导入"


def recover_interrupted_import(job: Job) -> Job:
    """An import whose worker died while writing (its lock is free, the job still running):
    its transaction was rolled back, so the job fails saying nothing was written, and the
    stored file goes. Asked by the job's page and every few minutes by the beat."""
    if job.status != Job.Status.RUNNING or (job.result or {}).get("stage") != "writing":
        return job
    with joblock.if_nobody_works_on(job.pk) as free:
        if free:
            with transaction.atomic():
                current = Job.objects.select_for_update().get(pk=job.pk)
                stage = (current.result or {}).get("stage")
                if current.status == Job.Status.RUNNING and stage == "writing":
                    job_finish(
                        job.pk,
                        result={**current.result, "stage": "interrupted"},
                        failed=True,
                        message=IMPORT_INTERRUPTED,
                    )
                    path = Path(settings.MEDIA_ROOT) / current.params.get("path", "")
                    transaction.on_commit(lambda: path.unlink(missing_ok=True))
    job.refresh_from_db()
    return job


def recover_interrupted_imports() -> int:
    """Every import left running by a dead worker says so (see ``recover_interrupted_import``)."""
    running = Job.objects.filter(kind=IMPORT_JOB_KIND, status=Job.Status.RUNNING)
    recovered = 0
    for job in running.order_by("pk"):
        if recover_interrupted_import(job).status == Job.Status.FAILED:
            recovered += 1
    return recovered


# --- Large exports ----------------------------------------------------------------------

EXPORT_JOB_KIND = "enterprise_export"
EXPORT_DIR = "exports"
EXPORT_PROGRESS_EVERY = 5000


def export_start(*, actor: Any, params: dict[str, str], rows: int, filename: str) -> Job:
    """An export of more than ``exports.ASYNC_ROWS`` rows, written by a Celery task (after
    commit) to a file the job then links to, so no web worker is held while it is made. The
    task reads the list again with the same filters, as the actor sees it."""
    require(actor, "export", Enterprise)
    job = job_start(
        kind=EXPORT_JOB_KIND,
        owner=actor,
        total=rows,
        params={"query": params, "filename": filename[:100]},
    )
    from .tasks import run_export_job

    dispatch(run_export_job, job)
    return job


def run_export(*, job_id: int) -> None:
    """Write the export's file, reporting progress on the job row, then finish the job."""
    from . import exports
    from .selectors import enterprise_list

    job = Job.objects.select_related("owner", "owner__county").get(pk=job_id)
    if job.status != Job.Status.QUEUED:
        return  # done already (a redelivered task)
    name = f"{EXPORT_DIR}/{uuid.uuid4().hex}.xlsx"
    path = Path(settings.MEDIA_ROOT) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    qs = enterprise_list(user=job.owner, params=job.params.get("query", {}))
    counted = {"rows": 0}

    def counting(rows):
        for row in rows:
            counted["rows"] += 1
            if counted["rows"] % EXPORT_PROGRESS_EVERY == 0:
                job_progress(job.pk, done=counted["rows"], message="正在生成文件")
            yield row

    try:
        with path.open("wb") as out:
            for chunk in exports.enterprise_export(qs, rows=counting):
                out.write(chunk)
    except Exception:
        path.unlink(missing_ok=True)
        job_finish(job.pk, result={}, failed=True, message="导出失败，请重试")
        raise
    result = {"path": name, "filename": f"{job.params.get('filename', '企业名录')}.xlsx"}
    result["rows"] = counted["rows"]
    job_progress(job.pk, done=counted["rows"], total=counted["rows"])
    job_finish(job.pk, result=result, message="导出完成")
