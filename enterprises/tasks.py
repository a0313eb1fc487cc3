"""Background work of the registry. Tasks are thin and take ids."""

from __future__ import annotations

from portal.celery import app

from . import services


@app.task(name="enterprises.tasks.run_import_job", ignore_result=True)
def run_import_job(job_id: int) -> None:
    """A confirmed import too large for one request; progress goes to the Job row."""
    services.run_import(job_id=job_id)


@app.task(name="enterprises.tasks.run_preview_job", ignore_result=True)
def run_preview_job(job_id: int) -> None:
    """The preview of an upload too large to read in the request."""
    services.run_preview(job_id=job_id)


@app.task(name="enterprises.tasks.run_export_job", ignore_result=True)
def run_export_job(job_id: int) -> None:
    """An export of the registry too large to make in a request."""
    services.run_export(job_id=job_id)


@app.task(name="enterprises.tasks.discard_stale_previews", ignore_result=True)
def discard_stale_previews() -> None:
    """Nightly: import previews left unconfirmed for a day are cleared with their files."""
    services.discard_stale_previews()


@app.task(name="enterprises.tasks.recover_interrupted_imports", ignore_result=True)
def recover_interrupted_imports() -> None:
    """Every few minutes: an import whose worker died says that nothing was written."""
    services.recover_interrupted_imports()
