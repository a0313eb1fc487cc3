from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup_restore, describe


class Command(BaseCommand):
    help = "从备份文件恢复数据库与上传文件（覆盖当前的全部数据）"

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="manage.py backup 生成的 .tar.gz 文件")
        parser.add_argument("--yes", action="store_true", help="确认覆盖当前数据库与上传文件")

    def handle(self, *args, archive, yes=False, **options):
        if not yes:
            raise CommandError("恢复会覆盖当前数据库与全部上传文件；确认无误后请加 --yes 重新运行")
        if not archive.exists():
            raise CommandError(f"找不到备份文件：{archive}")
        try:
            manifest = backup_restore(path=archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"已恢复 {describe(manifest)}")
