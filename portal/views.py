from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .celery import app as celery_app
from .events import events_for_role
from .forms import SecurityEventFilterForm
from .http import FileMissing, current_year, dated, xlsx_response, year_from
from .models import Job, Notification, SecurityEvent
from .notifications import mail_opt_outs, mail_preferences_save, mark_read
from .paging import paginate
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
    page_obj = paginate(request, qs, 30)
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


def todo(request):
    """待办事项: what waits for the user, from every app's ``todo.py`` (``portal.todo``)."""
    return render(request, "portal/todo.html")


def notification_settings(request):
    """Which kinds of notification also come by e-mail: each kind the user's role may receive
    and that asks them to act; the bell shows every notification whatever is chosen here."""
    offered = [e for e in events_for_role(request.user.role) if e.mail]
    if request.method == "POST":
        mail_preferences_save(
            user=request.user,
            kinds=[e.kind for e in offered],
            mailed=request.POST.getlist("mail"),
        )
        messages.success(request, "邮件通知设置已保存")
        return redirect("portal:notification_settings")
    muted = mail_opt_outs(request.user)
    rows = [
        {
            "event": e,
            "mailed": e.kind not in muted,
            "reason": e.reason if isinstance(e.reason, str) else "",
        }
        for e in offered
    ]
    return render(request, "portal/notification_settings.html", {"rows": rows})


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
            "page_obj": paginate(request, events, 50),
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
