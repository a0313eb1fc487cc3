from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .celery import app as celery_app
from .forms import SecurityEventFilterForm
from .http import FileMissing, current_year, dated, xlsx_response, year_from
from .models import Job, Notification, SecurityEvent
from .notifications import mark_read
from .policy import allowed_actions, fetch, require
from .security import (
    EXPORT_HEADER,
    on_password_changed,
    security_event_rows,
    security_events_for,
)
from .xlsx import stream_xlsx


def page_not_found(request, exception=None):
    """The 404 page; a missing stored file says what happened (ids and Django's English never)."""
    message = exception.message if isinstance(exception, FileMissing) else ""
    return render(request, "404.html", {"message": message}, status=404)


def home(request):
    """Each role starts on its own page."""
    return redirect(settings.ROLE_START_PAGES.get(request.user.role, "password_change"))


def _broker_reachable() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


@login_not_required
@never_cache
def healthz(request):
    """200 when the database answers (503 otherwise); also says whether the broker does."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = True
    except Exception:  # noqa: BLE001
        database = False
    beat = Job.objects.filter(kind="heartbeat").values_list("updated_at", flat=True).first()
    body = {
        "database": database,
        "broker": _broker_reachable(),
        "last_heartbeat": beat.isoformat() if beat else None,
    }
    return JsonResponse(body, status=200 if database else 503)


def notification_list(request):
    """The user's own notifications, newest first; why each came and a link to its object."""
    qs = Notification.objects.for_user(request.user).select_related("content_type")
    if request.GET.get("unread"):
        qs = qs.unread()
    page_obj = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/notification_list.html",
        {"page_obj": page_obj, "only_unread": bool(request.GET.get("unread"))},
    )


@require_POST
def notification_read(request, pk: int):
    """Mark one notification read and follow its link."""
    note = fetch(request.user, Notification, pk=pk)
    mark_read(user=request.user, notification_ids=[note.pk])
    safe = note.url and url_has_allowed_host_and_scheme(note.url, allowed_hosts=None)
    return redirect(note.url if safe else "portal:notifications")


@require_POST
def notification_read_all(request):
    count = mark_read(user=request.user)
    messages.success(request, f"已将 {count} 条通知标记为已读")
    return redirect("portal:notifications")


def _security_events(request):
    require(request.user, "view", SecurityEvent)
    form = SecurityEventFilterForm(request.GET or None)
    year = year_from(request)
    return form, year, security_events_for(request.user, year=year, **form.filters())


def security_event_list(request):
    """安全日志: logins, failures, lockouts, password changes, refusals, exports, downloads."""
    form, year, events = _security_events(request)
    this_year = current_year()
    return render(
        request,
        "portal/security_event_list.html",
        {
            "form": form,
            "year": year,
            "years": sorted({this_year, this_year - 1, year}, reverse=True),
            "page_obj": Paginator(events, 50).get_page(request.GET.get("page")),
            "actions": allowed_actions(request.user, SecurityEvent),
            "retention_days": settings.SECURITY_LOG_RETENTION_DAYS,
        },
    )


def security_event_export(request):
    """The log as filtered on the page, as an xlsx."""
    require(request.user, "export", SecurityEvent)
    _, year, events = _security_events(request)
    rows = security_event_rows(events)
    return xlsx_response(
        stream_xlsx(EXPORT_HEADER, rows, sheet_title="安全日志"), dated(f"{year}年安全日志")
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page, with the change written to the security log."""

    def form_valid(self, form):
        response = super().form_valid(form)
        on_password_changed(self.request, form.user)
        return response


def server_error(request, *args, **kwargs):
    """The 500 page; when the database connection is what failed (PostgreSQL restarted, the
    network cut), the 503 page that says so and asks to retry. Never the error's own text."""
    import sys

    from django.db import InterfaceError, OperationalError
    from django.http import HttpResponse, HttpResponseServerError
    from django.template.loader import render_to_string

    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "5"
        return response
    return HttpResponseServerError(render_to_string("500.html"))
