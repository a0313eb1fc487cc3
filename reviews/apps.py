from django.apps import AppConfig

from portal.roles import Role


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "评审管理"
    menu = [
        ("评审任务", "reviews:agency_home", (Role.AGENCY,)),
        ("公告", "reviews:announcement_list", (Role.COUNTY, Role.CITY)),
    ]
