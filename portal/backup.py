"""Backups of the whole portal: the database and the uploaded files, in one archive.

An archive (``.tar.gz``) holds ``manifest.json`` (when, which database engine, how many rows
per table and which files), the database (PostgreSQL: ``pg_dump --format=custom``; SQLite:
a copy made with SQLite's online backup API, consistent while the web and the worker keep
writing) and every file under ``MEDIA_ROOT`` as ``media/…``.

``backup_restore`` puts both back: the database is replaced as a whole (``pg_restore --clean``
in one transaction; SQLite's backup API copied the other way), and ``MEDIA_ROOT`` is made
exactly the archive's files.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone

DUMP_NAMES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}


class BackupError(Exception):
    """The backup or the restore cannot be done; the message says why, in Chinese."""


def _vendor() -> str:
    if connection.vendor not in DUMP_NAMES:
        raise BackupError(f"不支持备份该数据库：{connection.vendor}")
    return connection.vendor


def _pg_command(program: str) -> tuple[list[str], dict]:
    if shutil.which(program) is None:
        raise BackupError(f"找不到 {program}：请安装 PostgreSQL 客户端工具")
    db = connection.settings_dict
    args = [program, "--no-owner", "--no-privileges", "--dbname", db["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    env = os.environ | ({"PGPASSWORD": db["PASSWORD"]} if db.get("PASSWORD") else {})
    return args, env


def _run(args: list[str], env: dict) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{args[0]} 失败：{result.stderr.strip()[-500:]}")


def _dump_database(target: Path) -> None:
    if _vendor() == "postgresql":
        args, env = _pg_command("pg_dump")
        _run([*args, "--format=custom", "--file", str(target)], env)
        return
    connection.ensure_connection()
    with sqlite3.connect(target) as copy:
        connection.connection.backup(copy)
    copy.close()


def _load_database(source: Path) -> None:
    if _vendor() == "postgresql":
        connection.close()
        args, env = _pg_command("pg_restore")
        _run([*args, "--clean", "--if-exists", "--single-transaction", str(source)], env)
        return
    connection.ensure_connection()
    with sqlite3.connect(source) as backup:
        backup.backup(connection.connection)
    backup.close()


def row_counts() -> dict[str, int]:
    """Rows per table of every installed model, for the manifest and the restore's report."""
    return {
        model._meta.db_table: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }


def media_files() -> list[str]:
    """Every file under MEDIA_ROOT, as paths relative to it."""
    root = Path(settings.MEDIA_ROOT)
    if not root.exists():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def default_archive_path() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return Path(settings.VAR_DIR) / "backups" / f"portal-{stamp}.tar.gz"


def backup_create(*, path: Path | None = None) -> Path:
    """Write an archive of the database and the uploaded files; returns its path."""
    path = Path(path or default_archive_path())
    path.parent.mkdir(parents=True, exist_ok=True)
    vendor = _vendor()
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / DUMP_NAMES[vendor]
        _dump_database(dump)
        manifest = {
            "created_at": timezone.now().isoformat(),
            "vendor": vendor,
            "rows": row_counts(),
            "files": media_files(),
        }
        (Path(tmp) / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False))
        partial = path.with_name(path.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(Path(tmp) / "manifest.json", "manifest.json")
            archive.add(dump, dump.name)
            if Path(settings.MEDIA_ROOT).exists():
                archive.add(settings.MEDIA_ROOT, "media")
        partial.replace(path)  # a half-written archive never carries the final name
    return path


def read_manifest(path: Path) -> dict:
    try:
        with tarfile.open(path, "r:gz") as archive:
            return json.load(archive.extractfile("manifest.json"))
    except (OSError, KeyError, tarfile.TarError, ValueError) as error:
        raise BackupError(f"不是有效的备份文件：{path}") from error


def _replace_media(extracted: Path) -> None:
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    for child in root.iterdir():
        shutil.rmtree(child) if child.is_dir() else child.unlink()
    if extracted.exists():
        for child in extracted.iterdir():
            shutil.move(str(child), root / child.name)


def backup_restore(*, path: Path) -> dict:
    """Replace the database and MEDIA_ROOT with the archive's; returns its manifest."""
    path = Path(path)
    manifest = read_manifest(path)
    if manifest["vendor"] != _vendor():
        raise BackupError(f"备份来自 {manifest['vendor']} 数据库，当前是 {_vendor()}，不能直接恢复")
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(path, "r:gz") as archive:
            archive.extractall(tmp, filter="data")  # no absolute paths, no "..", no devices
        _load_database(Path(tmp) / DUMP_NAMES[manifest["vendor"]])
        _replace_media(Path(tmp) / "media")
    return manifest


def describe(manifest: dict) -> str:
    created = dt.datetime.fromisoformat(manifest["created_at"])
    rows = sum(manifest["rows"].values())
    return (
        f"{timezone.localtime(created):%Y年%-m月%-d日 %H:%M} 的备份："
        f"{len(manifest['rows'])} 张表 {rows} 行，{len(manifest['files'])} 个上传文件"
    )
