from django.apps import AppConfig


class LookbackConfig(AppConfig):
    name = "lookback"
    verbose_name = "回头看"
    menu: list = []
