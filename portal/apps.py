from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "平台与账户"

    def ready(self) -> None:
        # Each app's rules (policies.py) and state machines (workflows.py) register themselves.
        autodiscover_modules("policies", "workflows")
