from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "统计与上报"
    menu_group = "统计与上报"
    menu = [
        ("工作台", "reports:county_home", "reports.policies.CountyWorkPage", "view"),
        ("进度看板", "reports:dashboard", "reports.policies.CityDashboard", "view"),
        ("本县进度看板", "reports:my_county_dashboard", "reports.policies.CountyWorkPage", "view"),
        ("年度目标", "reports:targets", "reports.CountyTarget", "view_list"),
        ("材料上报", "reports:submissions", "reports.Submission", "view_list"),
        ("定期通报", "reports:snapshots", "reports.ProgressSnapshot", "view_list"),
        ("年终考核", "reports:evaluation", "reports.policies.Evaluation", "view"),
        ("年度工作设置", "reports:year_setup", "reports.policies.YearSetup", "set_up"),
    ]
