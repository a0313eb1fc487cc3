"""The security event log: who logged in, failed, was locked out, changed a password, was
refused a page, exported or downloaded what, when and from where.

This is the edge where signals are right (STYLE 7 keeps business logic out of them): the
events are Django's and axes' own login signals, and what a response says about itself
(a 403, a file). Nothing here changes a domain row.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote

from django.conf import settings
from django.utils import timezone

from .login import client_address
from .models import SecurityEvent

Kind = SecurityEvent.Kind
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def record(kind: str, request=None, *, user=None, username: str = "", detail: str = "") -> None:
    """Write one event; the address, method and path come from the request when there is one."""
    if user is None and request is not None and getattr(request, "user", None):
        user = request.user if request.user.is_authenticated else None
    SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=_clip(username or (user.get_username() if user else ""), 150),
        address=client_address(request) if request is not None else None,
        method=(request.method or "") if request is not None else "",
        path=_clip(request.get_full_path(), 300) if request is not None else "",
        detail=_clip(detail, 300),
    )


# --- Receivers (connected in PortalConfig.ready) ------------------------------------------


def on_logged_in(sender, request, user, **kwargs) -> None:
    record(Kind.LOGIN, request, user=user)


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(Kind.LOGOUT, request, user=user)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    record(Kind.LOGIN_FAILED, request, username=str(credentials.get("username", "")))


def on_locked_out(sender, request, username=None, ip_address=None, **kwargs) -> None:
    record(Kind.LOCKED_OUT, request, username=username or "", detail="登录失败次数过多")


def on_password_changed(request, user) -> None:
    record(Kind.PASSWORD_CHANGED, request, user=user)


# --- What a response says about itself ---------------------------------------------------

_FILENAME = re.compile(r"filename\*=utf-8''([^;]+)|filename=\"?([^\";]+)", re.IGNORECASE)


def downloaded_name(response) -> str | None:
    """The file name a response hands over, or ``None`` when it is a page."""
    match = _FILENAME.search(response.get("Content-Disposition", ""))
    if not match:
        return None
    return unquote(match.group(1)) if match.group(1) else match.group(2)


class SecurityEventMiddleware:
    """Records refusals (403) and files handed out (exports and downloads)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            record(Kind.FORBIDDEN, request)
        elif response.status_code == 200 and (name := downloaded_name(response)):
            xlsx = response.get("Content-Type", "").startswith(XLSX_MIME)
            record(Kind.EXPORT if xlsx else Kind.DOWNLOAD, request, detail=name)
        return response


# --- Retention ---------------------------------------------------------------------------


def security_events_prune(*, now: dt.datetime | None = None) -> int:
    """Delete the events older than the retention (at least six months); returns how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.SECURITY_LOG_RETENTION_DAYS)
    deleted, _ = SecurityEvent.objects.older_than(cutoff).delete()
    return deleted


# --- Reading -----------------------------------------------------------------------------


def security_events_for(
    user,
    *,
    year: int,
    kind: str = "",
    q: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
):
    """The log as ``user`` may read it, for one year, narrowed by the page's filters."""
    from django.db.models import Q

    qs = SecurityEvent.objects.for_user(user).filter(at__year=year).select_related("user")
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        match = Q(username__icontains=q)
        qs = qs.filter(match | Q(address=q) if _is_address(q) else match)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs


def _is_address(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


EXPORT_HEADER = ["时间", "事件", "用户名", "姓名", "来源地址", "请求方式", "访问路径", "说明"]


def security_event_rows(events):
    """The export's rows, in the page's order."""
    for event in events.iterator(chunk_size=2000):
        yield [
            timezone.localtime(event.at).strftime("%Y-%m-%d %H:%M:%S"),
            event.get_kind_display(),
            event.username,
            event.user.display_name if event.user else "",
            event.address or "",
            event.method,
            event.path,
            event.detail,
        ]
