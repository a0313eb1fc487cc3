import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from reports.choices import ReminderKind
from reports.services.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "发送当天到期的提醒（上报材料、不符合项整改、证书到期、创建名单计划日期）；同一提醒只发一次"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", type=dt.date.fromisoformat, help="按哪一天执行（YYYY-MM-DD，默认今天）"
        )

    def handle(self, *args, date: dt.date | None, **options):
        today = date or timezone.localdate()
        sent = send_reminders(today=today)
        total = sum(sent.values())
        self.stdout.write(f"{today:%Y-%m-%d}：共发送提醒 {total} 条")
        for kind in ReminderKind:
            if sent.get(kind.value):
                self.stdout.write(f"  {kind.label}：{sent[kind.value]} 条")
