"""The registry's machines (``portal.statemachine`` is the idiom): its part of the firm's
standing, and how an import's job starts.

纳入创建名单 puts a firm that was not on any list on the path; taking it off again (before it
started its self-assessment) puts it back. The rest of the path is the reviews app's
(``reviews.workflows.LIFECYCLE``), declared on the same model and field: ``machine_for``
answers with both. Who may take each is ``enterprises.policies``.
"""

from __future__ import annotations

from typing import Any

from portal import caching
from portal.models import Job
from portal.statemachine import Machine, Transition

from .choices import Status
from .models import Enterprise

# The per-county progress of a year (``reports.selectors``) is computed once and kept in the
# cache under this family; whatever changes a firm's standing, its list or its registry row
# forgets it (``forget_progress``), so every page shows figures as fresh as the rows.
PROGRESS_CACHE = "progress"


def forget_progress() -> None:
    caching.bump(PROGRESS_CACHE)


def standing_changed(enterprise: Enterprise, **_: Any) -> None:
    """The hook on every transition of the firm's standing (here and in ``LIFECYCLE``)."""
    forget_progress()


_FORGET = (standing_changed,)

LISTING = Machine(
    Enterprise,
    [
        Transition(
            "put_on_list", (Status.NOT_LISTED,), Status.LISTED, "纳入创建名单", hooks=_FORGET
        ),
        Transition(
            "take_off_list", (Status.LISTED,), Status.NOT_LISTED, "移出创建名单", hooks=_FORGET
        ),
    ],
)


# An import's job starts when whoever uploaded the sheet confirms its preview: the claim on the
# queued job is what makes a replayed confirm change nothing (``portal.workflows.JOB``).
def preview_is_ready(job: Job, context: dict[str, Any]) -> str | None:
    """A large file's preview runs as a task first: nothing to confirm until it has shown."""
    if (job.result or {}).get("stage") == "previewing":
        return "文件仍在校验中，请等预览完成后再确认"
    return None


IMPORT_JOB = Machine(
    Job,
    [
        Transition(
            "confirm_import",
            (Job.Status.QUEUED,),
            Job.Status.RUNNING,
            "确认导入",
            conditions=(preview_is_ready,),
        ),
        # Nightly: a preview nobody confirmed within a day is cleared with its stored file.
        Transition("discard_preview", (Job.Status.QUEUED,), Job.Status.FAILED, "清除过期预览"),
    ],
)

# A bulk add to a creation list (``enterprises.creation_list_bulk``) is written when whoever
# previewed it confirms: the claim on the queued job makes a replayed confirm change nothing.
CREATION_LIST_BULK = Machine(
    Job,
    [Transition("confirm_bulk_list", (Job.Status.QUEUED,), Job.Status.RUNNING, "确认批量纳入")],
)
