from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_create, describe, read_manifest


class Command(BaseCommand):
    help = "备份数据库与上传文件到一个 .tar.gz 文件（默认在 var/backups/ 下）"

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="备份文件路径（.tar.gz）")

    def handle(self, *args, output=None, **options):
        try:
            path = backup_create(path=output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"已备份到 {path}")
        self.stdout.write(describe(read_manifest(path)))
