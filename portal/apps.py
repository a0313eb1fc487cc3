from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "平台与账户"
    menu = [("待办事项", "portal:todo", None, None)]
    # The portal's own housekeeping stands in the user's drop-down, so the city's bar of the
    # programme's pages stays one line at 1366 px.
    user_menu = [
        ("账号管理", "portal:accounts", "portal.User", "manage_accounts"),
        ("安全日志", "portal:security_events", "portal.SecurityEvent", "view"),
    ]

    def ready(self) -> None:
        # Each app's rules (policies.py), state machines (workflows.py), the events they send
        # (events.py) and what each role has to do (todo.py) register themselves.
        autodiscover_modules("policies", "workflows", "events", "todo")
        self._connect_security_receivers()
        self._name_axes_in_chinese()

    def _name_axes_in_chinese(self) -> None:
        """django-axes ships no zh-hans names: the administrators' admin says them in Chinese.
        Only the names shown are changed (``original_attrs`` and so the migrations stay)."""
        from django.apps import apps

        axes = apps.get_app_config("axes")
        axes.verbose_name = "登录限制"
        names = {
            "AccessAttempt": "登录失败计数",
            "AccessFailureLog": "登录失败记录",
            "AccessLog": "登录记录",
            "AccessAttemptExpiration": "登录失败计数有效期",
        }
        for model in axes.get_models():
            if model.__name__ in names:
                model._meta.verbose_name = model._meta.verbose_name_plural = names[model.__name__]

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
