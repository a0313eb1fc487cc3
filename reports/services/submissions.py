"""Deadlines and the counties' documents: every county owes each document of the year from
the start; it hands one in (late after the deadline day), and the city accepts or returns it
(``reports.workflows.SUBMISSION``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from enterprises.models import County
from portal.files import discard_when_unreferenced
from portal.policy import require

from .. import rules
from ..models import Submission, SubmissionDeadline, SubmissionKind
from ..workflows import SUBMISSION

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# What a county may upload, judged by the file's content, not its name.
ALLOWED_DOCUMENT_MIMES = {
    "application/pdf": "PDF",
    "application/msword": "Word",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.ms-excel": "Excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.ms-powerpoint": "PowerPoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/x-ole-storage": "Office",  # old .doc/.xls/.ppt (OLE2 compound file)
    "application/zip": "Office",  # some .docx/.xlsx are recognised only as their zip
}


def setup_deadlines(*, year: int, actor: Any = None) -> list[SubmissionDeadline]:
    """Give ``year`` the default kinds and deadlines, and one 未上报 row per county and
    deadline. Idempotent. ``actor`` is ``None`` for the demo seeding and commands."""
    require(actor, "setup", SubmissionDeadline)
    deadlines = []
    with transaction.atomic():
        for order, (code, name, month, day) in enumerate(rules.DEFAULT_SUBMISSION_KINDS):
            kind, _ = SubmissionKind.objects.get_or_create(
                code=code,
                defaults={"name": name, "default_month": month, "default_day": day,
                          "sort_order": order},
            )  # fmt: skip
            deadline, _ = SubmissionDeadline.objects.get_or_create(
                kind=kind, year=year, defaults={"due_on": kind.default_due_on(year)}
            )
            deadlines.append(deadline)
        counties = list(County.objects.current())
        Submission.objects.bulk_create(
            [Submission(deadline=d, county=c) for d in deadlines for c in counties],
            ignore_conflicts=True,
        )
    return deadlines


def is_late(deadline: SubmissionDeadline, submitted_at: dt.datetime) -> bool:
    """Late when handed in after the end of the deadline day (Asia/Shanghai)."""
    return submitted_at >= deadline.closes_at


def check_document(upload: UploadedFile) -> str:
    """Size-limited; PDF or Office by the file's content. Returns the kind's label."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError({"document": f"文件不能超过 {MAX_DOCUMENT_BYTES // 1024 // 1024} MB"})
    head = upload.read(8192)
    upload.seek(0)
    guess = filetype.guess(head)
    if guess is None or guess.mime not in ALLOWED_DOCUMENT_MIMES:
        raise ValidationError({"document": "只能上传 PDF 或 Office 文档（按文件内容识别）"})
    return ALLOWED_DOCUMENT_MIMES[guess.mime]


def submission_upload(
    *, actor: Any, submission: Submission, document: UploadedFile, now: dt.datetime | None = None
) -> Submission:
    """The county hands in its document; late when after the deadline."""
    now = now or timezone.now()
    late = is_late(submission.deadline, now)
    name = "upload_late" if late else "upload"
    SUBMISSION.check(submission, name, actor=actor)
    check_document(document)
    field = submission.document.field
    replaced = submission.document.name or ""
    stored = field.storage.save(field.generate_filename(submission, document.name), document)
    try:
        with transaction.atomic():
            SUBMISSION.apply(
                submission, name, actor=actor,
                changes={"original_name": document.name[:200], "submitted_at": now,
                         "submitted_by": actor, "is_late": late},
            )  # fmt: skip
            # The stored file's path is no one's reading: kept out of the history.
            Submission.objects.filter(pk=submission.pk).update(document=stored)
            if replaced != stored:  # the document handed in before, once nothing names it
                discard_when_unreferenced(replaced, storage=field.storage)
    except Exception:
        field.storage.delete(stored)
        raise
    submission.document = stored
    return submission


def submission_return(*, actor: Any, submission: Submission, comment: str) -> Submission:
    """The city sends the document back with its comment; the county must submit again."""
    if not comment.strip():
        raise ValidationError({"comment": "退回时必须填写意见"})
    return SUBMISSION.apply(
        submission, "return", actor=actor, note=comment.strip(),
        changes={"city_comment": comment.strip()},
    )  # fmt: skip


def submission_accept(*, actor: Any, submission: Submission, comment: str = "") -> Submission:
    return SUBMISSION.apply(
        submission, "accept", actor=actor, note=comment.strip(),
        changes={"city_comment": comment.strip()},
    )  # fmt: skip
