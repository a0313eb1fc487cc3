import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from reports.services.progress import build_progress_report


class Command(BaseCommand):
    help = "生成各县市区标准化创建进度快照（每周一），保存并写出 Excel"

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=dt.date.fromisoformat, help="统计日期（YYYY-MM-DD，默认今天）"
        )

    def handle(self, *args, date: dt.date | None, **options):
        today = date or timezone.localdate()
        snap = build_progress_report(today=today)
        self.stdout.write(
            f"已生成 {snap.year}年 {snap.taken_on:%Y-%m-%d} 进度快照 #{snap.pk}："
            f"{snap.rows.count()} 个县市区，文件 {snap.workbook.name}"
        )
