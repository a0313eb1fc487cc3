from django.core.management.base import BaseCommand, CommandError

from reviews.standards import StandardFileError, load_standard


class Command(BaseCommand):
    help = "从 TOML 文件导入一个评定标准版本（格式见 reviews/standards/README.md）"

    def add_arguments(self, parser):
        parser.add_argument("path", help="标准文件路径（.toml）")

    def handle(self, *args, path: str, **options):
        try:
            standard = load_standard(path)
        except StandardFileError as error:
            problems = "\n".join(f"  - {message}" for message in error.messages)
            raise CommandError(f"标准文件 {path} 未导入，发现以下问题：\n{problems}") from error
        count = standard.items.count()
        self.stdout.write(self.style.SUCCESS(f"已导入 {standard}：{count} 个评分项"))
