from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from enforcement import demo as enforcement_demo
from enterprises import demo as enterprise_demo
from enterprises.models import Enterprise
from integrity import demo as integrity_demo
from lookback import demo as lookback_demo
from outreach import demo as outreach_demo
from portal.http import current_year
from reports import demo as report_demo
from reviews import demo as review_demo


class Command(BaseCommand):
    help = "创建演示数据：烟台市16个县市区、8个行业、企业、评审机构和各角色演示账号（可重复执行）"

    def add_arguments(self, parser):
        parser.add_argument("--enterprises", type=int, default=2000, help="企业数量（默认2000）")
        parser.add_argument(
            "--force", action="store_true", help="DEBUG 关闭时仍创建演示账号（仅限测试环境）"
        )
        parser.add_argument("--no-users", action="store_true", help="不创建演示账号")
        parser.add_argument(
            "--year",
            type=int,
            default=None,
            help="演示的创建年度（默认今年；--year 2016 重现通知当年）",
        )
        parser.add_argument("--if-empty", action="store_true", help="数据库中已有企业时什么也不做")

    def handle(self, *args, enterprises: int, force: bool, no_users: bool, **options):
        if options["if_empty"] and Enterprise.objects.exists():
            self.stdout.write("数据库已有企业数据，跳过演示数据")
            return
        make_users = not no_users
        if make_users and not settings.DEBUG and not force:
            raise CommandError("生产环境（DEBUG 关闭）拒绝创建演示账号；确需创建请加 --force")
        year = options["year"] or current_year()
        created = enterprise_demo.seed_enterprises(enterprises)
        self.stdout.write(f"企业：新建 {created} 家")
        with transaction.atomic():
            listed = enterprise_demo.seed_creation_lists(year)
            self.stdout.write(f"{year}年创建名单：新增 {listed} 家")
            agencies = review_demo.seed_agencies()
            self.stdout.write(f"评审机构：{len(agencies)} 家")
            standards = review_demo.seed_standards()
            self.stdout.write(f"评定标准：新导入 {len(standards)} 个")
            reviews = review_demo.seed_reviews(year)
            self.stdout.write(f"评审演示：{reviews} 家企业")
            if make_users:
                users = report_demo.seed_users()
                self.stdout.write(f"演示账号：新建 {len(users)} 个 {' '.join(users)}")
            staff = report_demo.seed_county_staff()
            self.stdout.write(f"县市区联络员：新建 {staff} 个")
            announced = review_demo.seed_announcements(year)
            self.stdout.write(f"达标公告：新建 {announced} 份")
            if review_demo.seed_city_queue(year):
                self.stdout.write("市局待确认、待推荐上报的评审结论")
            if make_users and lookback_demo.seed_lookback(year):
                self.stdout.write(f"“回头看”：{year}年活动、自查自纠与考评")
            if make_users and integrity_demo.seed_integrity(year):
                self.stdout.write(f"诚信监督：{year}年公开随机抽取、诚信预警与撤销候选")
            made = report_demo.seed_reports(year)
            self.stdout.write(
                f"目标与上报：年度目标 {made['targets']} 个，"
                f"已上报材料 {made['submissions']} 份，推进企业 {made['progress']} 家"
            )
            if make_users and enforcement_demo.seed_enforcement(year):
                self.stdout.write(f"执法推进：{year}年拒不创建企业与执法案件")
            if make_users and outreach_demo.seed_outreach(year) + outreach_demo.seed_dispatch(year):
                self.stdout.write(f"推进活动与定期调度：{year}年培训班、上门指导与调度会议")
            if make_users and outreach_demo.seed_practices(year):
                self.stdout.write(f"经验做法与人工评分：{year}年")
        self.stdout.write(self.style.SUCCESS("演示数据已就绪"))
