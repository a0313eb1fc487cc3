from django.apps import AppConfig

from portal.roles import Role


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "评审管理"
    menu_group = "评审管理"
    menu = [
        ("自评", "reviews:assessment_list", (Role.ENTERPRISE,)),
        ("评审任务", "reviews:agency_home", (Role.AGENCY,)),
        ("评审申请", "reviews:applications", (Role.COUNTY, Role.CITY, Role.ADMIN)),
        ("申请评审", "reviews:apply", (Role.ENTERPRISE,)),
        ("公告", "reviews:announcement_list", (Role.COUNTY, Role.CITY)),
    ]
