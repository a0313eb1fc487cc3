"""Replaced documents leave the disk once nothing names them (issue 15): a submission handed in
again loses its old file after the commit, never a file a row still names; a rolled-back
replacement keeps the old one; the nightly sweep removes what is left over, older than a day."""

import os
import time
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.files import sweep_unreferenced_files
from reports.models import Submission
from reports.services.submissions import submission_upload

from .conftest import PDF

pytestmark = pytest.mark.django_db(transaction=True)


def pdf(name="方案.pdf"):
    return SimpleUploadedFile(name, PDF, "application/pdf")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_document_handed_in_again_removes_the_old_file_after_the_commit(
    media, zhifu_plan, county_staff
):
    first = submission_upload(actor=county_staff, submission=zhifu_plan, document=pdf()).document
    old = media / first.name
    assert old.exists()
    sub = Submission.objects.get(pk=zhifu_plan.pk)
    second = submission_upload(actor=county_staff, submission=sub, document=pdf("方案二.pdf"))
    assert not old.exists()
    assert (media / Submission.objects.get(pk=sub.pk).document.name).exists()
    assert second.document.name != first.name


def test_a_file_another_row_still_names_is_kept(media, zhifu_plan, county_staff, plan_deadline):
    first = submission_upload(actor=county_staff, submission=zhifu_plan, document=pdf()).document
    other = plan_deadline.submissions.exclude(pk=zhifu_plan.pk).first()
    Submission.objects.filter(pk=other.pk).update(document=first.name)  # shares the file
    sub = Submission.objects.get(pk=zhifu_plan.pk)
    submission_upload(actor=county_staff, submission=sub, document=pdf("方案二.pdf"))
    assert (media / first.name).exists()


def test_a_replacement_that_fails_keeps_the_old_file(media, zhifu_plan, county_staff):
    first = submission_upload(actor=county_staff, submission=zhifu_plan, document=pdf()).document
    stale = Submission.objects.get(pk=zhifu_plan.pk)
    Submission.objects.filter(pk=stale.pk).update(version=stale.version + 5)  # someone faster
    with pytest.raises(Exception):  # noqa: B017 - the claim is lost, nothing changes
        submission_upload(actor=county_staff, submission=stale, document=pdf("方案二.pdf"))
    assert (media / first.name).exists()
    assert Submission.objects.get(pk=stale.pk).document.name == first.name


def test_the_nightly_sweep_removes_old_unnamed_uploads_only(media, zhifu_plan, county_staff):
    kept = submission_upload(actor=county_staff, submission=zhifu_plan, document=pdf()).document
    folder = (media / kept.name).parent
    orphan, fresh = folder / "orphan.pdf", folder / "fresh.pdf"
    orphan.write_bytes(PDF)
    fresh.write_bytes(PDF)
    preview = media / "imports" / "preview.xlsx"
    preview.parent.mkdir()
    preview.write_bytes(b"PK")
    two_days_ago = time.time() - 2 * 86400
    for path in (orphan, preview, media / kept.name):
        os.utime(path, (two_days_ago, two_days_ago))
    assert sweep_unreferenced_files() == 1
    assert not orphan.exists()
    assert all(Path(p).exists() for p in (fresh, preview, media / kept.name))


def test_the_sweep_is_on_the_nightly_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "portal.tasks.sweep_unreferenced_files" in tasks
