from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from enterprises import services
from enterprises.models import County


class Command(BaseCommand):
    help = "从Excel模板（.xlsx）导入企业名录：全部行无误才写入，任何错误都不写入并以非零状态退出"

    def add_arguments(self, parser):
        parser.add_argument("path", help="Excel文件路径（.xlsx，使用企业名录导入模板）")
        parser.add_argument("--county", help="只允许导入该区县（区划代码或名称）的企业")
        parser.add_argument("--dry-run", action="store_true", help="只校验并预览，不写入")

    def handle(self, *args, path: str, county: str | None, dry_run: bool, **options):
        only = None
        if county:
            only = (
                County.objects.filter(code=county).first()
                or County.objects.filter(name=county).first()
            )
            if only is None:
                raise CommandError(f"未知的区县：{county}")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"找不到文件：{path}")
        with file.open("rb") as stream:
            plan = services.enterprise_import(
                actor=None,
                file=stream,
                county=only,
                dry_run=dry_run,
                note=f"命令行导入：{file.name}",
            )
        for notice in plan.notices:
            self.stdout.write(notice)
        counts = f"共{plan.total}行：新增{plan.new}，变更{plan.changed}，未变{plan.unchanged}"
        if not plan.ok:
            for error in plan.errors:
                self.stderr.write(str(error))
            raise CommandError(f"{counts}；发现{len(plan.errors)}处错误，未写入任何记录")
        verb = "校验通过（试运行，未写入）" if dry_run else "导入完成"
        self.stdout.write(self.style.SUCCESS(f"{verb}。{counts}"))
