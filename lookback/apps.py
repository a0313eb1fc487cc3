from django.apps import AppConfig

from portal.roles import Role


class LookbackConfig(AppConfig):
    name = "lookback"
    verbose_name = "回头看与抽查审核"
    menu_group = "回头看与审核"
    menu = [
        ("回头看", "lookback:campaign_list", tuple(Role.values)),
        ("抽查审核", "lookback:audit_list", (Role.CITY, Role.ADMIN, Role.COUNTY)),
    ]
