from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "平台与账户"
    menu = [
        ("待办事项", "portal:todo", None, None),
        ("账号管理", "portal:accounts", "portal.User", "manage_accounts"),
        ("安全日志", "portal:security_events", "portal.SecurityEvent", "view"),
    ]

    def ready(self) -> None:
        # Each app's rules (policies.py), state machines (workflows.py), the events they send
        # (events.py) and what each role has to do (todo.py) register themselves.
        autodiscover_modules("policies", "workflows", "events", "todo")
        self._connect_security_receivers()

    def _connect_security_receivers(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth import signals

        from . import security
        from .login import start_session_clock

        signals.user_logged_in.connect(start_session_clock, dispatch_uid="portal.session_clock")
        signals.user_logged_in.connect(security.on_logged_in, dispatch_uid="portal.sec.in")
        signals.user_logged_out.connect(security.on_logged_out, dispatch_uid="portal.sec.out")
        signals.user_login_failed.connect(security.on_login_failed, dispatch_uid="portal.sec.no")
        user_locked_out.connect(security.on_locked_out, dispatch_uid="portal.sec.locked")
