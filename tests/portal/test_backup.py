"""Backups (issue 15): ``manage.py backup`` and ``restore`` bring back every row and every
uploaded file, on the database the suite runs on (SQLite, and PostgreSQL in its round)."""

import hashlib
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from portal.backup import read_manifest
from portal.models import SecurityEvent

pytestmark = pytest.mark.django_db(transaction=True)


def every_row() -> dict[str, list]:
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models()
    }


def every_file(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(media, county_user, enterprise_user, agency_user, firm):
    SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.LOGIN, user=county_user, address="10.1.1.1"
    )
    default_storage.save("evidence/2016/自评报告.pdf", ContentFile(b"%PDF-1.4 report"))
    default_storage.save("imports/firms.xlsx", ContentFile(b"PK\x03\x04 workbook"))
    return firm


def wipe(media: Path) -> None:
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(media)
    media.mkdir()
    default_storage.save("stray.txt", ContentFile(b"written after the backup"))


@pytest.mark.skipif(
    connection.vendor == "postgresql" and shutil.which("pg_dump") is None,
    reason="PostgreSQL 客户端工具 pg_dump/pg_restore 未安装",
)
def test_backup_wipe_restore_finds_every_row_and_file(world, media, tmp_path):
    rows, files = every_row(), every_file(media)
    assert sum(map(len, rows.values())) > 30 and len(files) == 2
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, verbosity=0)
    manifest = read_manifest(archive)
    assert manifest["vendor"] == connection.vendor
    assert sorted(manifest["files"]) == sorted(files)

    wipe(media)
    assert every_row() != rows and every_file(media) != files

    call_command("restore", archive, yes=True, verbosity=0)
    assert every_row() == rows
    assert every_file(media) == files  # the file written after the backup is gone


def test_restore_asks_for_confirmation(world, tmp_path):
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", output=archive, verbosity=0)
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", archive)


def test_restore_refuses_a_file_that_is_no_backup(tmp_path):
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not an archive")
    with pytest.raises(CommandError, match="不是有效的备份文件"):
        call_command("restore", bogus, yes=True)
