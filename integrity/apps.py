from django.apps import AppConfig


class IntegrityConfig(AppConfig):
    name = "integrity"
    verbose_name = "诚信监督"
    menu_group = "诚信监督"
    menu = [
        ("随机抽取（双随机一公开）", "integrity:draw_list", "integrity.Draw", "manage"),
    ]
