from django.apps import AppConfig

CITY = ("city", "admin")
CITY_AND_COUNTY = ("city", "admin", "county")


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "统计与上报"
    menu_group = "统计与上报"
    menu: list = [
        ("工作台", "reports:county_home", ("county",)),
        ("进度看板", "reports:dashboard", CITY),
        ("年度目标", "reports:targets", CITY_AND_COUNTY),
        ("材料上报", "reports:submissions", CITY_AND_COUNTY),
        ("定期通报", "reports:snapshots", CITY_AND_COUNTY),
        ("年终考核", "reports:evaluation", CITY),
    ]
