"""Login throttling and session lifetime.

The client's address comes from the reverse proxy's ``X-Forwarded-For`` when
``TRUSTED_PROXY_COUNT`` proxies stand in front of gunicorn (0: the socket's address), so that
behind nginx every user does not share the proxy's address. Failures are counted per user name
and address together (a county office shares one address) and per address across all user
names, with a higher limit, so that one address cannot try a few passwords against every user.
"""

from __future__ import annotations

import ipaddress
import time

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db.models import Sum
from django.shortcuts import redirect


def client_address(request) -> str | None:
    """The address of whoever sent the request, trusting ``TRUSTED_PROXY_COUNT`` proxies."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if len(hops) < proxies:
        return remote
    # Each trusted proxy appends the address it saw; what lies further left is the client's say.
    candidate = hops[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


class LoginThrottleHandler(AxesDatabaseHandler):
    """axes' database handler with a limit of its own for the address alone.

    ``AXES_LOCKOUT_PARAMETERS`` is ``[["username", "ip_address"], "ip_address"]``: the first set
    counts against ``AXES_FAILURE_LIMIT``, the second against ``LOGIN_ADDRESS_FAILURE_LIMIT``;
    the answer is scaled to axes' one limit, so that either set reaching its own locks out.
    """

    def get_failures(self, request, credentials=None) -> int:
        per_user, *per_address = [
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        limit = settings.AXES_FAILURE_LIMIT
        address_limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
        scaled = [n * limit // address_limit for n in per_address]
        return max([per_user, *scaled])


class AbsoluteSessionLifetimeMiddleware:
    """Ends a session ``SESSION_ABSOLUTE_AGE`` seconds after the login, however active it
    has been (the idle limit is ``SESSION_COOKIE_AGE``)."""

    KEY = "portal_login_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            started = request.session.setdefault(self.KEY, time.time())
            if time.time() - started > settings.SESSION_ABSOLUTE_AGE:
                logout(request)
                messages.info(request, "登录时间已超过上限，请重新登录。")
        return self.get_response(request)


class IdleSessionMiddleware:
    """The idle limit: a session ends ``SESSION_COOKIE_AGE`` seconds after its last request,
    give or take ``SESSION_REFRESH_SECONDS``. A signed-in session is saved, which pushes its
    end on, when it was last saved longer ago than that, not on every request: a page read no
    longer costs a write and a commit (``SESSION_SAVE_EVERY_REQUEST`` is off)."""

    KEY = "portal_seen_at"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            if now - request.session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                request.session[self.KEY] = now
        return response


def start_session_clock(sender, request, user, **kwargs) -> None:
    """A new login starts the absolute lifetime again, and the idle one (receiver of
    ``user_logged_in``: the login saves the session)."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[AbsoluteSessionLifetimeMiddleware.KEY] = now
        request.session[IdleSessionMiddleware.KEY] = now


class ForcePasswordChangeMiddleware:
    """A login whose password someone else chose (a new account, a reset) sees only the
    password change until its owner has chosen one (and may still sign out)."""

    OPEN = frozenset({"password_change", "password_change_done", "logout"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if not (user and user.is_authenticated and user.must_change_password):
            return None
        match = request.resolver_match
        if match is None or match.url_name in self.OPEN:
            return None
        messages.warning(request, "这是他人为您设置的初始密码，请先修改密码再使用本平台。")
        return redirect("password_change")
