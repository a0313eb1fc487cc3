import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from reviews.services.certificates import expire_grades


class Command(BaseCommand):
    help = "等级到期：将等级有效期已过的企业标记为“已过期”（可重复执行，不会重复处理）"

    def add_arguments(self, parser):
        parser.add_argument("--date", help="按此日期判断（YYYY-MM-DD，默认今天）")

    def handle(self, *args, date: str | None = None, **options):
        try:
            today = dt.date.fromisoformat(date) if date else None
        except ValueError as error:
            raise CommandError("日期格式应为 YYYY-MM-DD") from error
        count = expire_grades(today=today)
        self.stdout.write(self.style.SUCCESS(f"等级到期：{count} 家企业已标记为已过期"))
